//! Signatures the component model cannot express faithfully must be
//! compile errors that say why; these call the expansion directly.

use crate::expand;
use quote::quote;

fn error_of(item: proc_macro2::TokenStream) -> String {
    match expand(quote!(), item) {
        Ok(_) => panic!("expected a compile error"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"),
    }
}

fn expands(item: proc_macro2::TokenStream) -> String {
    expand(quote!(), item).expect("expands").to_string()
}

#[test]
fn elided_dependent_lifetime_is_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct Iter<'a> { s: &'a Store }
        impl Store { pub fn iter(&self) -> Iter<'_> { Iter { s: self } } }
    }));
    assert!(e.contains("name the borrow explicitly"), "{e}");
}

#[test]
fn borrowing_from_a_copied_value_is_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct View<'a> { s: &'a str }
        pub fn view<'a>(s: &'a Store, key: &'a str) -> View<'a> { todo!() }
    }));
    assert!(e.contains("parameter `key`, which is copied into the plugin"), "{e}");
}

#[test]
fn impl_lifetime_borrow_is_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct Iter<'a> { s: &'a Store }
        impl<'a> Iter<'a> { pub fn again(&self) -> Iter<'a> { todo!() } }
    }));
    assert!(e.contains("must be a lifetime parameter of this function"), "{e}");
}

#[test]
fn references_in_results_and_unsized_ints_are_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        impl Store { pub fn first(&self) -> &str { todo!() } }
        pub fn count(n: usize) -> u32 { 0 }
    }));
    assert!(e.contains("a result cannot be a reference"), "{e}");
    assert!(e.contains("`usize` has no fixed width"), "{e}");
}

#[test]
fn static_mut_and_dependent_by_value_are_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Reg { v: u8 }
        pub struct Iter<'a> { r: &'a Reg }
        impl Reg { pub fn poke(&'static mut self) {} }
        pub fn take(it: Iter) {}
        pub fn many<'a>(r: &'a Reg) -> Vec<Iter<'a>> { todo!() }
    }));
    assert!(e.contains("`Iter` borrows from another handle, so it can only be the result (alone, in an `Option`"), "{e}");
    assert!(e.contains("library-static data is only ever shared"), "{e}");
    assert!(e.contains("borrows from another handle"), "{e}");
}

#[test]
fn name_clash_and_named_variant_fields_are_rejected() {
    let e = error_of(quote!(mod m {
        pub struct Registry { v: u8 }
        pub fn registry() -> &'static Registry { todo!() }
        pub enum E { A { x: u8 } }
    }));
    assert!(e.contains("both become `registry`"), "{e}");
    assert!(e.contains("variant case with named fields"), "{e}");
}

#[test]
fn maps_and_trait_generics_are_rejected() {
    let e = error_of(quote!(mod m {
        pub fn f(m: std::collections::HashMap<String, u8>) {}
    }));
    assert!(e.contains("`HashMap` has no component-model equivalent"), "{e}");
    let e = error_of(quote!(mod m {
        pub trait T { fn f(self); }
    }));
    assert!(e.contains("`&self` or `&mut self` receiver"), "{e}");
}

/// The span of the first error whose message contains `needle`, as the
/// source text it covers (proc-macro2's `span-locations`, a dev feature).
fn spanned_at(item: proc_macro2::TokenStream, needle: &str) -> String {
    // Re-parsed from text so that every token has a location (tokens made
    // by `quote!` all share one call-site span).
    let item: proc_macro2::TokenStream = item.to_string().parse().expect("re-parses");
    let e = match expand(quote!(), item) {
        Ok(_) => panic!("expected a compile error"),
        Err(e) => e,
    };
    let all: Vec<syn::Error> = e.into_iter().collect();
    let hit = all
        .iter()
        .find(|e| e.to_string().contains(needle))
        .unwrap_or_else(|| panic!("no error contains {needle:?}: {:?}", all.iter().map(|e| e.to_string()).collect::<Vec<_>>()));
    hit.span().source_text().unwrap_or_default()
}

#[test]
fn trait_methods_cannot_use_the_modules_resources() {
    let item = quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub trait Visitor { fn visit(&mut self, s: &Store); }
        pub trait Maker { fn make(&self) -> Vec<Store>; }
        pub fn new_maker() -> Box<dyn Maker> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("a trait method parameter cannot hold resource `Store` of this module: the module's interface uses trait `Visitor`'s interface"), "{e}");
    assert!(e.contains("a trait method result cannot hold resource `Store`"), "{e}");
    assert_eq!(spanned_at(item, "result cannot hold resource"), "Vec < Store >");
}

#[test]
fn caller_implemented_traits_take_no_handles() {
    let item = quote!(mod m {
        pub trait Shape { fn area(&self) -> f64; }
        pub trait Canvas {
            fn outline(&mut self, s: &dyn Shape);
            fn keep(&mut self, s: Option<Box<dyn Shape>>);
        }
        pub fn new_shape() -> Box<dyn Shape> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("a caller-implemented trait's method cannot take `&dyn Shape`: the plugin's `&dyn Shape` may be a plain Rust value with no handle"), "{e}");
    assert!(e.contains("cannot take `Box<dyn Shape>`"), "{e}");
    assert_eq!(spanned_at(item.clone(), "cannot take `&dyn Shape`"), "& dyn Shape");
    assert_eq!(spanned_at(item, "cannot take `Box<dyn Shape>`"), "Option < Box < dyn Shape >>");
}

#[test]
fn trait_objects_are_returned_only_by_their_implementer() {
    // A plugin-implemented trait returning (inside a record) a caller-implemented one.
    let item = quote!(mod m {
        pub trait Sink { fn put(&mut self, n: u32); }
        pub struct Wrapped { pub sink: Box<dyn Sink> }
        pub trait Source { fn open(&self) -> Wrapped; }
        pub fn new_source() -> Box<dyn Source> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("`Sink` is implemented by the caller, so the plugin cannot return a `Box<dyn Sink>` of its own"), "{e}");
    assert_eq!(spanned_at(item, "cannot return a `Box<dyn Sink>`"), "Wrapped");
    // A caller-implemented trait returning a plugin-implemented one.
    let e = error_of(quote!(mod m {
        pub trait Shape { fn area(&self) -> f64; }
        pub trait Factory { fn make(&self) -> Box<dyn Shape>; }
        pub fn new_shape() -> Box<dyn Shape> { todo!() }
        pub fn use_factory(f: &dyn Factory) {}
    }));
    assert!(e.contains("a caller-implemented trait's method cannot return `Box<dyn Shape>` of a plugin-implemented trait: the world's imported interface `factory` cannot use its exported interface `shape`"), "{e}");
}

#[test]
fn a_type_shared_by_traits_needs_one_interface_all_can_use() {
    // Two other packages.
    let item = quote!(mod m {
        pub struct Pos { pub x: f64 }
        #[rdylib::interface(package = "a:one@1.0.0")]
        pub trait A { fn at(&self) -> Pos; }
        #[rdylib::interface(package = "b:two@1.0.0")]
        pub trait B { fn at(&self) -> Pos; }
    });
    let e = error_of(item.clone());
    assert!(e.contains("`Pos` is used by traits of different packages (a:one@1.0.0, b:two@1.0.0)"), "{e}");
    assert_eq!(spanned_at(item, "different packages"), "Pos");
    // Another package's plugin-implemented trait and this package's caller-implemented one.
    let item = quote!(mod m {
        pub struct Pos { pub x: f64 }
        #[rdylib::interface(package = "a:one@1.0.0")]
        pub trait A { fn at(&self) -> Pos; }
        pub trait B { fn put(&mut self, p: Pos); }
        pub fn new_a() -> Box<dyn A> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("`Pos` is used by the methods of `A`, `B`, so it must be defined in one of their interfaces that all the others can use; none qualifies"), "{e}");
    assert_eq!(spanned_at(item, "none qualifies"), "Pos");
}

#[test]
fn another_packages_trait_cannot_use_this_packages_interfaces() {
    let item = quote!(mod m {
        pub trait Canvas { fn dot(&mut self, x: f64); }
        #[rdylib::interface(package = "a:one@1.0.0")]
        pub trait Shape { fn draw(&self, c: &mut dyn Canvas); }
        pub fn new_shape() -> Box<dyn Shape> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("trait `Shape` belongs to another package, whose interface cannot use `canvas` from `Canvas`'s interface in a different package"), "{e}");
    assert_eq!(spanned_at(item, "belongs to another package"), "Shape");
}

#[test]
fn trait_interfaces_using_each_other_are_rejected() {
    let item = quote!(mod m {
        pub struct Pos { pub x: f64 }
        pub trait A { fn at(&self) -> Pos; fn meet(&self, b: &dyn B); }
        pub trait B { fn at(&self) -> Pos; }
        pub fn new_a() -> Box<dyn A> { todo!() }
        pub fn new_b() -> Box<dyn B> { todo!() }
    });
    let e = error_of(item.clone());
    assert!(e.contains("the interfaces of traits `A` → `B` would use each other's types in a cycle, which WIT forbids"), "{e}");
    assert_eq!(spanned_at(item, "in a cycle"), "A");
}

#[test]
fn trait_methods_use_the_modules_types_defined_in_the_trait_interfaces() {
    let out = expands(quote!(mod m {
        pub struct Color { pub r: u8 }
        pub enum Style { Stroke(f64), Fill(Color) }
        pub struct Bounds { pub w: f64, pub tags: Vec<String> }
        pub enum Axis { X, Y }
        pub trait Canvas { fn set_style(&mut self, s: Style); fn background(&self) -> Option<Color>; }
        pub trait Shape {
            fn bounds(&self) -> Bounds;
            fn mirror(&mut self, a: Axis, s: &Style) -> Result<Bounds, String>;
            fn draw(&self, c: &mut dyn Canvas);
            fn touches(&self, other: &dyn Shape) -> bool;
        }
        pub fn new_shape() -> Box<dyn Shape> { todo!() }
        pub fn paint(s: &dyn Shape, style: Style, c: &mut dyn Canvas) -> Bounds { todo!() }
    }));
    for expected in [
        // The caller-implemented trait's types live in its interface ...
        "interface canvas {\\n  record color {\\n    r: u8,\\n  }\\n  variant style { stroke(f64), fill(color) }\\n  resource canvas {\\n    set-style: func(s: style);\\n    background: func() -> option<color>;",
        // ... and the plugin-implemented trait uses them from there.
        "interface shape {\\n  use canvas.{style, canvas};\\n  record bounds {",
        "enum axis { x, y }",
        "mirror: func(a: axis, s: style) -> result<bounds, string>;",
        "touches: func(other: borrow<shape>) -> bool;",
        // The module's interface uses every one of them.
        "use canvas.{canvas, color, style};",
        "use shape.{shape, axis, bounds};",
        "paint: func(s: borrow<shape>, style: style, c: borrow<canvas>) -> bounds;",
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn records_every_borrowed_parameter_of_a_dependent_result() {
    let out = expands(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct Both<'a> { a: &'a Store, b: &'a mut Store }
        pub fn pair<'a>(a: &'a Store, n: u32, b: &'a mut Store) -> Both<'a> { Both { a, b } }
    }));
    let expected = r#"{\"path\":[],\"resource\":\"both\",\"lifetime\":\"dependent\",\"borrows\":[{\"param\":0,\"name\":\"a\",\"mode\":\"shared\"},{\"param\":2,\"name\":\"b\",\"mode\":\"exclusive\"}]}"#;
    assert!(out.contains(expected), "missing {expected} in {out}");
}

#[test]
fn records_how_every_handle_parameter_is_taken() {
    let out = expands(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct Bundle { pub first: Store, pub rest: Vec<Store> }
        pub trait Sink { fn put(&mut self, n: u32); }
        impl Store {
            pub fn merge(&mut self, other: &mut Store, from: &Store) {}
            pub fn finish(self, sink: &mut dyn Sink) {}
        }
        pub fn absorb(into: &mut Store, name: &str, parts: (u32, Store), bundle: Option<Bundle>) {}
        pub fn look(sink: &dyn Sink) {}
    }));
    for expected in [
        // Receiver and `&mut R` / `&R` parameters: whole parameters, borrowed.
        r#"\"name\":\"[method]store.merge\",\"rust\":\"Store::merge\",\"receiver\":\"exclusive\",\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":1,\"name\":\"other\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":2,\"name\":\"from\",\"path\":[],\"mode\":\"shared\"}]"#,
        // `self` is moved in as `this`; `&mut dyn T` is an exclusive borrow.
        r#"\"params\":[{\"param\":0,\"name\":\"this\",\"path\":[],\"mode\":\"consume\"},{\"param\":1,\"name\":\"sink\",\"path\":[],\"mode\":\"exclusive\"}]"#,
        // Owned handles anywhere inside a value are consumed; `&str` has none.
        r#"\"params\":[{\"param\":0,\"name\":\"into\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":2,\"name\":\"parts\",\"path\":[\"1\"],\"mode\":\"consume\"},{\"param\":3,\"name\":\"bundle\",\"path\":[\"some\",\"first\"],\"mode\":\"consume\"},{\"param\":3,\"name\":\"bundle\",\"path\":[\"some\",\"rest\",\"elem\"],\"mode\":\"consume\"}]"#,
        r#"\"name\":\"look\",\"rust\":\"look\",\"receiver\":null,\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"sink\",\"path\":[],\"mode\":\"shared\"}]"#,
        // The caller-implemented trait: the plugin calls it with `&mut self`.
        r#"\"name\":\"[method]sink.put\",\"rust\":\"Sink::put\",\"receiver\":\"exclusive\",\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"exclusive\"}]"#,
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn derives_wit_for_records_variants_resources_and_traits() {
    let out = expands(quote!(mod shop {
        pub struct Item { pub name: String, pub price: u32 }
        pub enum Kind { Food, Tool }
        pub enum Event { Sold(Item), Restocked(String, u32), Closed }
        pub struct Cart { items: Vec<Item> }
        pub trait Pricer { fn price(&self, name: &str) -> u32; }
        impl Cart {
            pub fn new() -> Self { Cart { items: Vec::new() } }
            pub fn add(&mut self, item: Item) {}
            pub fn total(&self, pricer: &dyn Pricer) -> u32 { 0 }
            pub fn checkout(self) -> Vec<Item> { self.items }
        }
    }));
    // The WIT text is embedded as a string literal in the expansion.
    for expected in [
        "record item {\\n    name: string,\\n    price: u32,\\n  }",
        "enum kind { food, tool }",
        "variant event { sold(item), restocked(tuple<string, u32>), closed }",
        "constructor();",
        "add: func(item: item);",
        "total: func(pricer: borrow<pricer>) -> u32;",
        "checkout: static func(this: cart) -> list<item>;",
        "interface pricer {\\n  resource pricer {\\n    price: func(name: string) -> u32;",
        "import pricer;",
        "export shop;",
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn unit_is_only_a_whole_result_or_a_side_of_a_result() {
    let item = quote!(mod m {
        pub fn ok(x: Result<(), String>) -> Result<u8, ()> { todo!() }
        pub fn units(x: Vec<()>) {}
    });
    assert_eq!(spanned_at(item, "`()` is only allowed as a whole result or as one side of a `Result`"), "Vec < () >");
}

#[test]
fn async_functions_and_methods_are_async_funcs() {
    let out = expands(quote!(mod m {
        use rdylib::{StreamReader, FutureReader};
        pub struct Store { v: Vec<u8> }
        impl Store {
            pub fn new() -> Self { Store { v: Vec::new() } }
            pub async fn flush(&mut self) -> u32 { 0 }
            pub async fn len(&self) -> u32 { 0 }
            pub async fn into_bytes(self) -> Vec<u8> { self.v }
            pub async fn open(name: String) -> Store { todo!() }
        }
        pub async fn health() -> String { String::new() }
        pub async fn pipe(input: StreamReader<u8>) -> StreamReader<u8> { input }
        pub fn later(n: u32) -> FutureReader<String> { todo!() }
        pub async fn lines(input: StreamReader<String>, sizes: FutureReader<Vec<(u32, String)>>) {}
    }));
    for expected in [
        "flush: async func() -> u32;",
        "len: async func() -> u32;",
        "into-bytes: static async func(this: store) -> list<u8>;",
        "open: static async func(name: string) -> store;",
        "constructor();",
        "health: async func() -> string;",
        "pipe: async func(input: stream<u8>) -> stream<u8>;",
        "later: func(n: u32) -> future<string>;",
        "lines: async func(input: stream<string>, sizes: future<list<tuple<u32, string>>>);",
        // The section marks async functions; their borrows are recorded as for sync ones.
        r#"\"name\":\"[method]store.flush\",\"rust\":\"Store::flush\",\"receiver\":\"exclusive\",\"async\":true,\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"exclusive\"}]"#,
        r#"\"name\":\"[method]store.len\",\"rust\":\"Store::len\",\"receiver\":\"shared\",\"async\":true,"#,
        r#"\"name\":\"later\",\"rust\":\"later\",\"receiver\":null,\"staticParams\":[]"#,
        // A document with an async function is format version 2.
        r#"RDYLABI\0\x02\0"#,
        // The plugin makes its streams and futures with wit-bindgen's constructors.
        "use self :: __rdylib_glue :: wit_stream ;",
        "use self :: __rdylib_glue :: wit_future ;",
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn a_module_without_async_functions_keeps_format_version_1() {
    let out = expands(quote!(mod m {
        pub fn f(x: u32) -> u32 { x }
    }));
    assert!(out.contains(r#"RDYLABI\0\x01\0"#), "{out}");
    assert!(!out.contains(r#"\"async\""#), "{out}");
    assert!(!out.contains("wit_stream"), "{out}");
}

#[test]
fn an_async_dependent_result_borrows_as_a_sync_one() {
    let out = expands(quote!(mod m {
        pub struct Store { v: Vec<u8> }
        pub struct Iter<'a> { s: &'a Store }
        impl Store { pub async fn iter<'a>(&'a self) -> Iter<'a> { Iter { s: self } } }
    }));
    for expected in [
        "iter: async func() -> iter;",
        r#"\"async\":true,\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"shared\"}],\"results\":[{\"path\":[],\"resource\":\"iter\",\"lifetime\":\"dependent\",\"borrows\":[{\"param\":0,\"name\":\"self\",\"mode\":\"shared\"}]}]"#,
        // The helper and the glue await the user's future; the borrow is held by the glue's task.
        "async fn __rdylib_iter",
        "hold_shared",
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn async_trait_methods_both_directions_become_boxed_futures() {
    let out = expands(quote!(mod m {
        pub trait Source { async fn next_chunk(&mut self) -> Option<Vec<u8>>; async fn name(&self) -> String; }
        pub trait Job { async fn run(&mut self, steps: u32) -> u32; fn id(&self) -> u32; }
        pub struct Counter { n: u32 }
        impl Job for Counter {
            async fn run(&mut self, steps: u32) -> u32 { self.n += steps; self.n }
            fn id(&self) -> u32 { 1 }
        }
        pub fn new_job() -> Box<dyn Job> { Box::new(Counter { n: 0 }) }
        pub async fn drain(src: &mut dyn Source) -> u32 { 0 }
    }));
    for expected in [
        "next-chunk: async func() -> option<list<u8>>;",
        "name: async func() -> string;",
        "run: async func(steps: u32) -> u32;",
        "id: func() -> u32;",
        "drain: async func(src: borrow<source>) -> u32;",
        // The trait, its impl in the module and the host proxy: dyn-compatible boxed futures.
        "fn next_chunk < '__rdylib_future > (& '__rdylib_future mut self) -> :: core :: pin :: Pin < :: std :: boxed :: Box < dyn :: core :: future :: Future < Output = Option < Vec < u8 > > > + '__rdylib_future > >",
        "fn run < '__rdylib_future > (& '__rdylib_future mut self , steps : u32) -> :: core :: pin :: Pin",
        ":: std :: boxed :: Box :: pin (async move { let __rdylib_out : u32 = { self . n += steps ; self . n } ; __rdylib_out })",
        // The async export's glue takes the task's borrow and awaits.
        "task_exclusive (\"job.run\" , \"job.run (pending)\")",
    ] {
        assert!(out.contains(expected), "missing {expected} in {out}");
    }
}

#[test]
fn async_refusals_point_at_what_is_refused() {
    let item = quote!(mod m {
        use rdylib::{StreamReader, StreamWriter};
        pub struct Store { v: Vec<u8> }
        pub struct Rec { pub x: u8 }
        impl Store { pub async fn new() -> Self { todo!() } }
        pub fn out(w: StreamWriter<u8>) {}
        pub fn nested(v: Vec<StreamReader<u8>>) {}
        pub fn records(s: StreamReader<Rec>) {}
        pub trait Source {
            async fn read(&mut self, into: &str) -> u32;
            async fn name<'a>(&'a self) -> String;
            fn chunks(&self) -> StreamReader<u8>;
        }
        pub fn use_source(s: &dyn Source) {}
    });
    let e = error_of(item.clone());
    assert!(e.contains("a constructor cannot be `async`"), "{e}");
    assert_eq!(spanned_at(item.clone(), "a constructor cannot be `async`"), "async");
    assert_eq!(spanned_at(item.clone(), "never crosses the boundary"), "StreamWriter < u8 >");
    assert_eq!(spanned_at(item.clone(), "can only be a whole parameter or the whole result"), "StreamReader < u8 >");
    assert_eq!(spanned_at(item.clone(), "a stream's or future's elements must be"), "Rec");
    assert_eq!(spanned_at(item.clone(), "an async trait method takes its arguments by value"), "& str");
    assert_eq!(spanned_at(item.clone(), "cannot have generic parameters or lifetimes"), "'a");
    assert_eq!(spanned_at(item, "trait methods cannot return a stream or future"), "StreamReader < u8 >");
}
