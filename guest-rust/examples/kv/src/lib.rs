//! The `kv` example plugin: a store resource whose iterator and lock guard
//! are real Rust borrows of the store, exported as dependent handles.

#[rdylib::export]
pub mod kv {
    use std::collections::btree_map;
    use std::collections::BTreeMap;

    /// A key-value store; its state stays inside the plugin.
    pub struct Store {
        map: BTreeMap<String, String>,
        writes: u64,
    }

    /// Iterates a store in key order. Borrows the store (shared): while an
    /// iterator is alive the store cannot be modified.
    pub struct Iter<'a> {
        inner: btree_map::Range<'a, String, String>,
    }

    /// One entry of a store, borrowed (no copy until asked).
    pub struct Entry<'a> {
        key: &'a String,
        value: &'a String,
    }

    impl<'a> Entry<'a> {
        pub fn key(&self) -> String {
            self.key.clone()
        }

        pub fn value_len(&self) -> u32 {
            self.value.len() as u32
        }

        pub fn value(&self) -> String {
            self.value.clone()
        }
    }

    /// Writes collected under an exclusive borrow, applied together.
    pub struct Batch<'a> {
        store: &'a mut Store,
        pending: Vec<(String, String)>,
    }

    impl<'a> Batch<'a> {
        pub fn put(&mut self, key: String, value: String) {
            self.pending.push((key, value));
        }

        /// Applies the writes, returning how many there were.
        pub fn apply(self) -> u32 {
            let n = self.pending.len() as u32;
            for (k, v) in self.pending {
                self.store.put(k, v);
            }
            n
        }
    }

    /// Like [`Iter`], returned by a free function.
    pub struct Entries<'a> {
        inner: btree_map::Range<'a, String, String>,
    }

    impl<'a> Entries<'a> {
        /// The next key only.
        pub fn next_key(&mut self) -> Option<String> {
            self.inner.next().map(|(k, _)| k.clone())
        }
    }

    /// Exclusive access to a store: while a guard is alive nothing else can
    /// read or write the store.
    pub struct Guard<'a> {
        store: &'a mut Store,
        staged: u32,
    }

    impl Store {
        pub fn new() -> Self {
            Store { map: BTreeMap::new(), writes: 0 }
        }

        pub fn get(&self, key: &str) -> Option<String> {
            self.map.get(key).cloned()
        }

        pub fn put(&mut self, key: String, value: String) -> Option<String> {
            self.writes += 1;
            self.map.insert(key, value)
        }

        pub fn len(&self) -> u32 {
            self.map.len() as u32
        }

        pub fn is_empty(&self) -> bool {
            self.map.is_empty()
        }

        pub fn writes(&self) -> u64 {
            self.writes
        }

        pub fn iter<'a>(&'a self) -> Iter<'a> {
            Iter { inner: self.map.range::<String, _>(..) }
        }

        pub fn lock<'a>(&'a mut self) -> Guard<'a> {
            Guard { store: self, staged: 0 }
        }

        /// Optimistic concurrency: a write batch holding the store
        /// exclusively, only if nobody wrote since the caller saw `writes`;
        /// otherwise an error, and the store is left unlocked.
        pub fn batch_if_unchanged<'a>(&'a mut self, writes: u64) -> Result<Batch<'a>, String> {
            if self.writes != writes {
                return Err(format!("store changed: {} writes, expected {writes}", self.writes));
            }
            Ok(Batch { store: self, pending: Vec::new() })
        }

        /// A view of one entry, borrowing the store; `None` if absent.
        pub fn entry<'a>(&'a self, key: &str) -> Option<Entry<'a>> {
            self.map.get_key_value(key).map(|(key, value)| Entry { key, value })
        }

        /// Consumes the store, returning its contents in key order.
        pub fn into_pairs(self) -> Vec<(String, String)> {
            self.map.into_iter().collect()
        }

        /// Moves every entry of `other` into this store (its values win on
        /// equal keys), leaving `other` empty; returns how many moved. Both
        /// stores are borrowed exclusively: passing one store as both, or a
        /// store an iterator or guard still borrows, is refused.
        pub fn merge(&mut self, other: &mut Store) -> u32 {
            let moved = std::mem::take(&mut other.map);
            if !moved.is_empty() {
                // Emptying `other` is a write to it, as every write to this store is.
                other.writes += 1;
            }
            let n = moved.len() as u32;
            for (k, v) in moved {
                self.put(k, v);
            }
            n
        }

        /// Builds a store from pairs (a static function).
        pub fn from_pairs(pairs: Vec<(String, String)>) -> Store {
            let mut s = Store::new();
            for (k, v) in pairs {
                s.put(k, v);
            }
            s
        }
    }

    impl Default for Store {
        fn default() -> Self {
            Store::new()
        }
    }

    impl<'a> Iter<'a> {
        /// Not `Iterator::next`: the WIT method returns copies of the entries.
        #[allow(clippy::should_implement_trait)]
        pub fn next(&mut self) -> Option<(String, String)> {
            self.inner.next().map(|(k, v)| (k.clone(), v.clone()))
        }

        pub fn remaining(&self) -> u32 {
            self.inner.clone().count() as u32
        }
    }

    impl<'a> Guard<'a> {
        pub fn get(&self, key: &str) -> Option<String> {
            self.store.get(key)
        }

        /// Writes through the lock; counts staged writes.
        pub fn put(&mut self, key: String, value: String) {
            self.staged += 1;
            self.store.put(key, value);
        }

        /// Removes a key, returning its value.
        pub fn remove(&mut self, key: &str) -> Option<String> {
            self.staged += 1;
            self.store.map.remove(key)
        }

        /// Ends the lock, returning how many writes were made through it.
        pub fn commit(self) -> u32 {
            self.staged
        }
    }

    /// The entries whose key is at least `start`: a dependent handle
    /// borrowing a parameter of a free function rather than `self`.
    pub fn entries_from<'a>(store: &'a Store, start: &str) -> Entries<'a> {
        Entries { inner: store.map.range::<str, _>((std::ops::Bound::Included(start), std::ops::Bound::Unbounded)) }
    }

    /// Counts the entries of a store whose key starts with `prefix`.
    pub fn count_prefix(store: &Store, prefix: &str) -> u32 {
        store.map.keys().filter(|k| k.starts_with(prefix)).count() as u32
    }

    /// Panics: shows how a plugin panic reaches the host.
    pub fn fail(message: String) -> u32 {
        panic!("kv failed: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::kv::*;

    #[test]
    fn store_iter_and_lock() {
        let mut s = Store::new();
        assert_eq!(s.put("b".into(), "2".into()), None);
        s.put("a".into(), "1".into());
        assert_eq!(s.get("a").as_deref(), Some("1"));
        let mut it = s.iter();
        assert_eq!(it.remaining(), 2);
        assert_eq!(it.next(), Some(("a".into(), "1".into())));
        assert_eq!(it.next(), Some(("b".into(), "2".into())));
        assert_eq!(it.next(), None);
        let mut g = s.lock();
        g.put("c".into(), "3".into());
        assert_eq!(g.remove("a").as_deref(), Some("1"));
        assert_eq!(g.commit(), 2);
        assert_eq!(count_prefix(&s, "c"), 1);
        assert_eq!(entries_from(&s, "bb").next_key(), Some("c".into()));
        assert_eq!(s.entry("c").map(|e| e.value()), Some("3".into()));
        assert!(s.entry("zz").is_none());
        assert!(s.batch_if_unchanged(0).is_err());
        let w = s.writes();
        assert_eq!(w, 3);
        let mut b = s.batch_if_unchanged(w).unwrap();
        b.put("d".into(), "4".into());
        assert_eq!(b.apply(), 1);
        assert_eq!(s.get("d").as_deref(), Some("4"));
        assert_eq!(s.writes(), 4);
        let mut other = Store::from_pairs(vec![("b".into(), "two".into()), ("e".into(), "5".into())]);
        assert_eq!(s.merge(&mut other), 2);
        assert!(other.is_empty());
        assert_eq!(other.writes(), 3);
        assert_eq!(s.merge(&mut other), 0);
        assert_eq!(other.writes(), 3);
        assert_eq!(s.get("b").as_deref(), Some("two"));
        assert_eq!(s.writes(), 6);
        assert_eq!(
            s.into_pairs(),
            vec![
                ("b".into(), "two".into()),
                ("c".into(), "3".into()),
                ("d".into(), "4".into()),
                ("e".into(), "5".into())
            ]
        );
    }
}
