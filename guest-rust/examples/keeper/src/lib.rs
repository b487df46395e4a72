//! The `keeper` example plugin, written for the ownership red-team tests
//! (test/ownership): it keeps host objects it is given by value
//! (`Box<dyn Obj>`, an owned handle of a caller-implemented trait) in slots,
//! so a test can hand it the same JS object twice and release the slots one
//! at a time. Each kept box is a separate ownership of the object: the host
//! must not dispose of it until the last one is dropped.

#[rdylib::export]
pub mod keeper {
    use std::cell::RefCell;

    /// Implemented by the caller (only taken as a parameter, so imported).
    pub trait Obj {
        /// Counts a hit on the object, returning the object's running count.
        fn hit(&self) -> u32;
    }

    thread_local! {
        // Single-threaded wasm: the slots live as long as the instance.
        static SLOTS: RefCell<Vec<Option<Box<dyn Obj>>>> = const { RefCell::new(Vec::new()) };
    }

    /// Keeps `o`, returning its slot number (slots are never reused).
    pub fn keep(o: Box<dyn Obj>) -> u32 {
        SLOTS.with(|s| {
            let mut s = s.borrow_mut();
            s.push(Some(o));
            (s.len() - 1) as u32
        })
    }

    /// Keeps every object of the list, returning how many slots there are now.
    pub fn keep_all(list: Vec<Box<dyn Obj>>) -> u32 {
        SLOTS.with(|s| {
            let mut s = s.borrow_mut();
            s.extend(list.into_iter().map(Some));
            s.len() as u32
        })
    }

    /// Drops the object in slot `i`; false if the slot is empty or unknown.
    pub fn release(i: u32) -> bool {
        // Taken out first, so the object's drop (a call to the host) runs without the slots borrowed.
        let taken = SLOTS.with(|s| s.borrow_mut().get_mut(i as usize).and_then(Option::take));
        taken.is_some()
    }

    /// Hits the object in slot `i`; an error if the slot is empty or unknown.
    pub fn hit(i: u32) -> Result<u32, String> {
        // The object leaves its slot for the call, so a callback into the plugin finds the slots free.
        let taken = SLOTS.with(|s| s.borrow_mut().get_mut(i as usize).and_then(Option::take));
        let Some(o) = taken else { return Err(format!("slot {i} is empty")) };
        let n = o.hit();
        SLOTS.with(|s| s.borrow_mut()[i as usize] = Some(o));
        Ok(n)
    }

    /// How many slots hold an object.
    pub fn kept() -> u32 {
        SLOTS.with(|s| s.borrow().iter().filter(|o| o.is_some()).count() as u32)
    }

    /// Hits a borrowed object (not kept).
    pub fn poke(o: &dyn Obj) -> u32 {
        o.hit()
    }
}

#[cfg(test)]
mod tests {
    use super::keeper::*;
    use std::cell::Cell;
    use std::rc::Rc;

    struct Counter(Rc<Cell<u32>>);
    impl Obj for Counter {
        fn hit(&self) -> u32 {
            self.0.set(self.0.get() + 1);
            self.0.get()
        }
    }

    #[test]
    fn keeps_and_releases_slots() {
        let n = Rc::new(Cell::new(0));
        let a = keep(Box::new(Counter(n.clone())));
        let b = keep(Box::new(Counter(n.clone())));
        assert_eq!(hit(a), Ok(1));
        assert!(release(a));
        assert!(!release(a));
        assert_eq!(hit(b), Ok(2));
        assert_eq!(hit(a), Err(format!("slot {a} is empty")));
        assert_eq!(kept(), 1);
        assert_eq!(poke(&Counter(n.clone())), 3);
        assert_eq!(keep_all(vec![Box::new(Counter(n))]), 3);
    }
}
