//! The `statics` example plugin, written for the ownership red-team tests
//! (test/ownership): one resource type, `Cfg`, handed out both as
//! library-static data (`&'static Cfg`) and as owned values, with every way a
//! handle can be used: shared, exclusive, consumed (`self`, by value, inside
//! a list, a tuple and a record), required to be static, and borrowed by a
//! dependent view.

#[rdylib::export]
pub mod statics {
    use std::sync::OnceLock;

    /// A named setting. Library-static when returned by [`config`], owned
    /// when made with `Cfg::new`.
    pub struct Cfg {
        name: String,
        value: u32,
    }

    /// A read-only view of a `Cfg`, borrowing it (shared).
    pub struct View<'a> {
        cfg: &'a Cfg,
    }

    /// Write access to a `Cfg`, borrowing it exclusively.
    pub struct Editor<'a> {
        cfg: &'a mut Cfg,
    }

    /// A record holding two owned handles: consuming it moves both.
    pub struct Pair {
        pub first: Cfg,
        pub second: Cfg,
    }

    /// A variant holding a handle in one case: consuming it moves the handle, if any.
    pub enum Slot {
        Empty,
        Full(Cfg),
    }

    fn defaults() -> &'static [Cfg] {
        static DEFAULTS: OnceLock<Vec<Cfg>> = OnceLock::new();
        DEFAULTS.get_or_init(|| vec![Cfg::new("depth".into(), 3), Cfg::new("width".into(), 80)])
    }

    /// The default configuration: library-static, the same data on every call.
    pub fn config() -> &'static Cfg {
        &defaults()[0]
    }

    /// Every default, as static handles in a list.
    pub fn configs() -> Vec<&'static Cfg> {
        defaults().iter().collect()
    }

    /// A default by name, as a static handle inside an option.
    pub fn find(name: &str) -> Option<&'static Cfg> {
        defaults().iter().find(|c| c.name == name)
    }

    impl Cfg {
        pub fn new(name: String, value: u32) -> Self {
            Cfg { name, value }
        }

        pub fn name(&self) -> String {
            self.name.clone()
        }

        pub fn value(&self) -> u32 {
            self.value
        }

        pub fn set(&mut self, value: u32) {
            self.value = value;
        }

        /// Consumes the setting, returning its value (refused for static data: it cannot be moved).
        pub fn into_value(self) -> u32 {
            self.value
        }

        /// Only for library-static settings (`&'static self`).
        pub fn describe(&'static self) -> String {
            format!("{}={} (static)", self.name, self.value)
        }

        pub fn view<'a>(&'a self) -> View<'a> {
            View { cfg: self }
        }

        pub fn edit<'a>(&'a mut self) -> Editor<'a> {
            Editor { cfg: self }
        }
    }

    impl<'a> View<'a> {
        pub fn value(&self) -> u32 {
            self.cfg.value
        }
    }

    impl<'a> Editor<'a> {
        pub fn set(&mut self, value: u32) {
            self.cfg.value = value;
        }
    }

    /// Takes a setting by value (a move into the plugin), returning its value.
    pub fn take(s: Cfg) -> u32 {
        s.value
    }

    /// Takes every setting of the list by value; returns the sum of their values.
    pub fn take_all(list: Vec<Cfg>) -> u32 {
        list.iter().map(|c| c.value).sum()
    }

    /// Takes both settings of the tuple by value; returns the sum of their values.
    pub fn take_pair(pair: (Cfg, Cfg)) -> u32 {
        pair.0.value + pair.1.value
    }

    /// Takes both settings of the record by value; returns the sum of their values.
    pub fn take_record(pair: Pair) -> u32 {
        pair.first.value + pair.second.value
    }

    /// Takes an optional setting by value; 0 when absent.
    pub fn take_maybe(c: Option<Cfg>) -> u32 {
        c.map_or(0, |c| c.value)
    }

    /// Takes the setting in a slot by value, if any; 0 when empty.
    pub fn take_slot(slot: Slot) -> u32 {
        match slot {
            Slot::Empty => 0,
            Slot::Full(c) => c.value,
        }
    }

    /// Takes every setting of the groups by value (handles nested two and three levels deep).
    pub fn take_nested(groups: Vec<(Cfg, Option<Cfg>)>) -> u32 {
        groups.iter().map(|(a, b)| a.value + b.as_ref().map_or(0, |b| b.value)).sum()
    }

    /// Reads `keep` (shared borrow) and takes the list by value: the same handle in both is E0505 in Rust.
    pub fn read_and_take(keep: &Cfg, list: Vec<Cfg>) -> u32 {
        keep.value + list.iter().map(|c| c.value).sum::<u32>()
    }

    /// Reads a setting (shared borrow for the call).
    pub fn read(c: &Cfg) -> u32 {
        c.value
    }

    /// Only for library-static settings (a `&'static` parameter).
    pub fn read_static(c: &'static Cfg) -> String {
        c.name.clone()
    }

    /// Copies `src`'s value into `dst`: `dst` exclusive, `src` shared.
    pub fn copy_into(dst: &mut Cfg, src: &Cfg) {
        dst.value = src.value;
    }

    /// Swaps two settings' values: both exclusive.
    pub fn swap(a: &mut Cfg, b: &mut Cfg) {
        std::mem::swap(&mut a.value, &mut b.value);
    }

    /// Takes a setting and gives it back (a move in and out).
    pub fn give_back(c: Cfg) -> Cfg {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::statics::*;

    #[test]
    fn statics_and_owned_settings() {
        assert_eq!(config().value(), 3);
        assert_eq!(config().describe(), "depth=3 (static)");
        assert_eq!(configs().len(), 2);
        assert_eq!(find("width").map(|c| c.value()), Some(80));
        assert!(find("nope").is_none());
        let mut a = Cfg::new("a".into(), 1);
        let mut b = Cfg::new("b".into(), 2);
        copy_into(&mut a, &b);
        assert_eq!(a.value(), 2);
        b.set(5);
        swap(&mut a, &mut b);
        assert_eq!((a.value(), b.value()), (5, 2));
        assert_eq!(a.view().value(), 5);
        a.edit().set(7);
        assert_eq!(read(&a), 7);
        assert_eq!(read_static(config()), "depth");
        assert_eq!(take_pair((a, b)), 9);
        let pair = Pair { first: Cfg::new("x".into(), 1), second: Cfg::new("y".into(), 2) };
        assert_eq!(take_record(pair), 3);
        assert_eq!(take_all(vec![Cfg::new("x".into(), 4), Cfg::new("y".into(), 6)]), 10);
        assert_eq!(give_back(Cfg::new("z".into(), 8)).into_value(), 8);
        assert_eq!(take(Cfg::new("w".into(), 9)), 9);
        assert_eq!(take_maybe(None), 0);
        assert_eq!(take_maybe(Some(Cfg::new("m".into(), 2))), 2);
        assert_eq!(take_slot(Slot::Empty), 0);
        assert_eq!(take_slot(Slot::Full(Cfg::new("s".into(), 3))), 3);
        assert_eq!(take_nested(vec![(Cfg::new("a".into(), 1), Some(Cfg::new("b".into(), 2))), (Cfg::new("c".into(), 4), None)]), 7);
        let keep = Cfg::new("k".into(), 10);
        assert_eq!(read_and_take(&keep, vec![Cfg::new("l".into(), 1)]), 11);
    }
}
