//! Trait methods with the module's own types, in both directions, compiled
//! natively: the generated proxies and glue must type-check against
//! wit-bindgen's signatures for every shape of value (lent records, slices
//! copied out of borrows, nested options and tuples of strings, variants,
//! trait objects). The plugin-side logic is run directly.

#[rdylib::export(package = "test:traits")]
pub mod traits {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Note {
        pub title: String,
        pub tags: Vec<String>,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Point {
        pub x: i32,
        pub y: i32,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Kind {
        Small,
        Large,
    }

    #[derive(Clone, Debug, PartialEq)]
    pub enum Event {
        Moved(Point),
        Named(String, Kind),
        Cleared,
    }

    /// Implemented by the caller.
    pub trait Sink {
        fn note(&mut self, n: Note);
        fn note_ref(&mut self, n: &Note);
        fn notes(&mut self, ns: &[Note], more: Vec<Note>);
        fn plain(&mut self, p: Point, k: Kind, e: Event);
        fn event_ref(&mut self, e: &Event);
        fn nested(&mut self, a: Option<(Point, String)>, b: Result<Vec<u8>, Kind>, c: (String, Option<Note>));
        fn strings(&mut self, s: Vec<String>, t: &[String], u: Option<String>);
        fn points(&mut self, p: &[Point], q: Option<Point>);
        fn get(&self) -> Result<Note, String>;
        fn events(&self) -> Vec<Event>;
        fn fork(&self) -> Box<dyn Sink>;
    }

    /// Implemented by the plugin.
    pub trait Item {
        fn note(&self) -> Note;
        fn apply(&mut self, e: Event) -> Option<Event>;
        fn near(&self, other: &dyn Item) -> bool;
        fn absorb(&mut self, other: Box<dyn Item>, at: &[Point]) -> Vec<Note>;
        fn split(&self) -> (Box<dyn Item>, Kind);
        fn emit(&self, sink: &mut dyn Sink);
    }

    struct Thing {
        at: Point,
        name: String,
    }

    impl Item for Thing {
        fn note(&self) -> Note {
            Note { title: self.name.clone(), tags: vec![format!("{},{}", self.at.x, self.at.y)] }
        }
        fn apply(&mut self, e: Event) -> Option<Event> {
            match e {
                Event::Moved(p) => {
                    self.at = p;
                    None
                }
                Event::Named(n, _) => Some(Event::Named(std::mem::replace(&mut self.name, n), Kind::Small)),
                Event::Cleared => Some(Event::Cleared),
            }
        }
        fn near(&self, other: &dyn Item) -> bool {
            other.note().tags == self.note().tags
        }
        fn absorb(&mut self, other: Box<dyn Item>, at: &[Point]) -> Vec<Note> {
            if let Some(p) = at.last() {
                self.at = *p;
            }
            vec![other.note(), self.note()]
        }
        fn split(&self) -> (Box<dyn Item>, Kind) {
            (Box::new(Thing { at: self.at, name: self.name.clone() }), Kind::Large)
        }
        fn emit(&self, sink: &mut dyn Sink) {
            let n = self.note();
            sink.note_ref(&n);
            sink.notes(std::slice::from_ref(&n), vec![n.clone()]);
            sink.plain(self.at, Kind::Small, Event::Moved(self.at));
            sink.event_ref(&Event::Named(self.name.clone(), Kind::Large));
            sink.nested(Some((self.at, self.name.clone())), Err(Kind::Small), (self.name.clone(), Some(n.clone())));
            sink.strings(n.tags.clone(), &n.tags, None);
            sink.points(&[self.at], Some(self.at));
            if let Ok(got) = sink.get() {
                sink.note(got);
            }
            let _ = (sink.events(), sink.fork());
        }
    }

    pub fn thing(x: i32, y: i32, name: String) -> Box<dyn Item> {
        Box::new(Thing { at: Point { x, y }, name })
    }

    pub fn fill(item: &dyn Item, sink: &mut dyn Sink) {
        item.emit(sink)
    }
}

use traits::*;

#[derive(Default)]
struct Log(Vec<String>);

impl Sink for Log {
    fn note(&mut self, n: Note) {
        self.0.push(format!("note {}", n.title));
    }
    fn note_ref(&mut self, n: &Note) {
        self.0.push(format!("note_ref {}", n.title));
    }
    fn notes(&mut self, ns: &[Note], more: Vec<Note>) {
        self.0.push(format!("notes {} {}", ns.len(), more.len()));
    }
    fn plain(&mut self, p: Point, k: Kind, e: Event) {
        self.0.push(format!("plain {p:?} {k:?} {e:?}"));
    }
    fn event_ref(&mut self, e: &Event) {
        self.0.push(format!("event_ref {e:?}"));
    }
    fn nested(&mut self, a: Option<(Point, String)>, b: Result<Vec<u8>, Kind>, c: (String, Option<Note>)) {
        self.0.push(format!("nested {a:?} {b:?} {}", c.0));
    }
    fn strings(&mut self, s: Vec<String>, t: &[String], u: Option<String>) {
        self.0.push(format!("strings {s:?} {t:?} {u:?}"));
    }
    fn points(&mut self, p: &[Point], q: Option<Point>) {
        self.0.push(format!("points {} {q:?}", p.len()));
    }
    fn get(&self) -> Result<Note, String> {
        Ok(Note { title: "got".into(), tags: Vec::new() })
    }
    fn events(&self) -> Vec<Event> {
        vec![Event::Cleared]
    }
    fn fork(&self) -> Box<dyn Sink> {
        Box::new(Log::default())
    }
}

#[test]
fn plugin_side_logic_runs_through_the_traits() {
    let mut a = thing(1, 2, "a".into());
    assert_eq!(a.note(), Note { title: "a".into(), tags: vec!["1,2".into()] });
    assert_eq!(a.apply(Event::Named("b".into(), Kind::Large)), Some(Event::Named("a".into(), Kind::Small)));
    let b = thing(1, 2, "c".into());
    assert!(a.near(&*b));
    let notes = a.absorb(b, &[Point { x: 5, y: 6 }]);
    assert_eq!(notes[1].tags, ["5,6"]);
    assert_eq!(a.split().1, Kind::Large);
    let mut log = Log::default();
    fill(&*a, &mut log);
    assert_eq!(log.0.first().map(String::as_str), Some("note_ref b"));
    assert_eq!(log.0.last().map(String::as_str), Some("note got"));
}
