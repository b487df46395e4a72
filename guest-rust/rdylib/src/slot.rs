//! Borrow-checked storage behind every resource handle.
//!
//! A resource value lives in a reference-counted [`Slot`] whose borrow state
//! is checked on every access. A dependent handle (an iterator borrowing a
//! store, a guard locking it) owns a [`KeepAlive`]: a clone of the `Rc` plus
//! a shared or exclusive borrow of the slot, released only when the dependent
//! value itself has been dropped. So the borrowed value cannot move, be
//! freed or be mutated while the dependent exists, whatever order the host
//! drops handles in; an access that would break that panics (a trap) with
//! a message naming the operation and the conflicting borrow.
//!
//! Single-threaded by design: core wasm plugins have one thread, and `Rc`
//! keeps the types `!Send` so they cannot leak into threads if that changes.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

/// Borrow state of a slot: how many shared borrows, or one exclusive one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Free,
    Shared(usize),
    Exclusive,
}

/// A resource value with its borrow state and the borrows it depends on.
pub struct Slot<T> {
    // Field order matters: `value` drops before `keep`, so a dependent value
    // is gone before the borrows it relies on are released.
    value: UnsafeCell<Option<T>>,
    #[allow(dead_code)] // held only to be dropped after `value`
    keep: Vec<KeepAlive>,
    state: Cell<State>,
    /// WIT name of the resource, for messages.
    name: &'static str,
    /// What holds the current long-lived borrow, for messages.
    holder: Cell<&'static str>,
}

/// Something that must stay alive for a dependent value to stay valid:
/// a borrow held on another slot. Type-erased so one dependent can hold
/// borrows of slots of different types.
pub struct KeepAlive(#[allow(dead_code)] Box<dyn Any>);

/// A borrow of a slot that lives as long as the guard (not a call).
struct HeldBorrow<T: 'static> {
    slot: Rc<Slot<T>>,
}

impl<T: 'static> Drop for HeldBorrow<T> {
    fn drop(&mut self) {
        self.slot.release();
    }
}

/// The rep of a resource handle: an owned, borrow-checked value, or a
/// reference to data that lives as long as the library (`&'static T`).
pub enum Handle<T: 'static> {
    Owned(Rc<Slot<T>>),
    Static(&'static T),
}

#[track_caller]
fn fail(message: String) -> ! {
    crate::report::trap(format!("rdylib borrow error: {message}"))
}

impl<T: 'static> Slot<T> {
    fn describe(&self) -> String {
        match self.state.get() {
            State::Free => "free".to_string(),
            State::Shared(n) => format!(
                "shared-borrowed {n} time(s), most recently by `{}`",
                self.holder.get()
            ),
            State::Exclusive => format!("exclusively borrowed by `{}`", self.holder.get()),
        }
    }

    fn acquire_shared(&self, op: &'static str) {
        match self.state.get() {
            State::Free => self.state.set(State::Shared(1)),
            State::Shared(n) => self.state.set(State::Shared(n + 1)),
            State::Exclusive => fail(format!(
                "`{op}` needs shared access to `{}`, but it is {}; drop that handle first",
                self.name,
                self.describe()
            )),
        }
        self.check_present(op);
    }

    fn acquire_exclusive(&self, op: &'static str) {
        if self.state.get() != State::Free {
            fail(format!(
                "`{op}` needs exclusive access to `{}`, but it is {}; drop the handles borrowing it first",
                self.name,
                self.describe()
            ));
        }
        self.check_present(op);
        self.state.set(State::Exclusive);
    }

    fn check_present(&self, op: &'static str) {
        // SAFETY: only reads the discriminant; no reference to the value escapes.
        if unsafe { (*self.value.get()).is_none() } {
            self.release();
            fail(format!("`{op}` used `{}` after it was consumed", self.name));
        }
    }

    fn release(&self) {
        match self.state.get() {
            State::Shared(1) | State::Exclusive => self.state.set(State::Free),
            State::Shared(n) => self.state.set(State::Shared(n - 1)),
            State::Free => unreachable!("rdylib: released a slot that was not borrowed"),
        }
    }

    /// SAFETY: caller holds a shared or exclusive borrow and the value is present.
    unsafe fn value_ref(&self) -> &T {
        (*self.value.get()).as_ref().unwrap_unchecked()
    }

    /// SAFETY: caller holds the exclusive borrow and the value is present.
    #[allow(clippy::mut_from_ref)]
    unsafe fn value_mut(&self) -> &mut T {
        (*self.value.get()).as_mut().unwrap_unchecked()
    }
}

/// Shared access for the duration of one call. Owns a strong reference, so
/// the value outlives the call even if the host drops the handle during it
/// (from a callback) and the rep that `&self` points to is freed.
pub struct Shared<'h, T: 'static> {
    slot: Option<Rc<Slot<T>>>,
    value: &'h T,
}

impl<T> Deref for Shared<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
    }
}

impl<T> Drop for Shared<'_, T> {
    fn drop(&mut self) {
        if let Some(slot) = &self.slot {
            slot.release();
        }
    }
}

/// Exclusive access for the duration of one call; owns a strong reference
/// for the same reason as [`Shared`].
pub struct Exclusive<'h, T: 'static> {
    slot: Rc<Slot<T>>,
    _call: std::marker::PhantomData<&'h mut T>,
}

impl<T> Deref for Exclusive<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: we hold the exclusive borrow, checked when created.
        unsafe { self.slot.value_ref() }
    }
}

impl<T> DerefMut for Exclusive<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: we hold the exclusive borrow, checked when created.
        unsafe { self.slot.value_mut() }
    }
}

impl<T> Drop for Exclusive<'_, T> {
    fn drop(&mut self) {
        self.slot.release();
    }
}

impl<T: 'static> Handle<T> {
    /// A new owned value with nothing to keep alive.
    pub fn new(value: T, name: &'static str) -> Self {
        Self::dependent(value, name, Vec::new())
    }

    /// A value that borrows from other slots through `keep`.
    pub fn dependent(value: T, name: &'static str, keep: Vec<KeepAlive>) -> Self {
        Handle::Owned(Rc::new(Slot {
            value: UnsafeCell::new(Some(value)),
            keep,
            state: Cell::new(State::Free),
            name,
            holder: Cell::new(""),
        }))
    }

    /// Library-static data: valid until the plugin is unloaded, only shared.
    pub fn from_static(value: &'static T) -> Self {
        Handle::Static(value)
    }

    /// Shared access for one call (`&self` methods, `&T` parameters).
    pub fn shared<'h>(&'h self, op: &'static str) -> Shared<'h, T> {
        match self {
            Handle::Owned(slot) => {
                slot.acquire_shared(op);
                let slot = slot.clone();
                // SAFETY: shared borrow held, and the slot kept alive, until the
                // guard drops; the value does not move inside its Rc.
                let value: &'h T = unsafe { &*(slot.value_ref() as *const T) };
                Shared { slot: Some(slot), value }
            }
            Handle::Static(value) => Shared { slot: None, value },
        }
    }

    /// Shared access for an async call's task (`async fn f(&self)`): held
    /// until the task completes, named `task` in the messages of accesses
    /// that conflict with it meanwhile.
    pub fn task_shared<'h>(&'h self, op: &'static str, task: &'static str) -> Shared<'h, T> {
        let guard = self.shared(op);
        if let Handle::Owned(slot) = self {
            slot.holder.set(task);
        }
        guard
    }

    /// Exclusive access for an async call's task (`async fn g(&mut self)`),
    /// as [`Handle::task_shared`].
    pub fn task_exclusive(&self, op: &'static str, task: &'static str) -> Exclusive<'_, T> {
        let guard = self.exclusive(op);
        if let Handle::Owned(slot) = self {
            slot.holder.set(task);
        }
        guard
    }

    /// Exclusive access for one call (`&mut self` methods, `&mut T` parameters).
    pub fn exclusive(&self, op: &'static str) -> Exclusive<'_, T> {
        match self {
            Handle::Owned(slot) => {
                slot.acquire_exclusive(op);
                Exclusive { slot: slot.clone(), _call: std::marker::PhantomData }
            }
            Handle::Static(_) => fail(format!(
                "`{op}` needs exclusive access, but the handle refers to library-static data, which is only ever shared"
            )),
        }
    }

    /// The `&'static T` of a library-static handle, for `&'static self`
    /// methods and `&'static R` parameters; any other handle traps.
    pub fn static_ref(&self, op: &'static str) -> &'static T {
        match self {
            Handle::Static(value) => value,
            Handle::Owned(slot) => fail(format!(
                "`{op}` needs a handle to library-static `{}`, but this handle owns its value",
                slot.name
            )),
        }
    }

    /// Moves the value out for a consuming (`self`) call. The returned
    /// [`KeepAlive`] must outlive the value: a dependent value's borrows are
    /// released only when it is dropped.
    pub fn take(self, op: &'static str) -> (T, Option<KeepAlive>) {
        match self {
            Handle::Owned(slot) => {
                slot.acquire_exclusive(op);
                // SAFETY: exclusive borrow held; the slot keeps `None` afterwards.
                let value = unsafe { (*slot.value.get()).take().unwrap_unchecked() };
                slot.release();
                (value, Some(KeepAlive(Box::new(slot))))
            }
            Handle::Static(_) => fail(format!(
                "`{op}` consumes its receiver, but the handle refers to library-static data, which cannot be moved"
            )),
        }
    }

    /// A shared borrow that outlives the call, for a dependent result.
    ///
    /// # Safety
    /// The returned reference is valid only while the returned [`KeepAlive`]
    /// lives; the caller must store the value derived from it so that it
    /// drops first (put both in one [`Handle::dependent`]).
    pub unsafe fn hold_shared(&self, op: &'static str, holder: &'static str) -> (&'static T, Option<KeepAlive>) {
        match self {
            Handle::Owned(slot) => {
                slot.acquire_shared(op);
                slot.holder.set(holder);
                let value: &'static T = &*(slot.value_ref() as *const T);
                (value, Some(KeepAlive(Box::new(HeldBorrow { slot: slot.clone() }))))
            }
            Handle::Static(value) => (value, None),
        }
    }

    /// An exclusive borrow that outlives the call, for a dependent result.
    ///
    /// # Safety
    /// As for [`Handle::hold_shared`]. The `&mut` comes from the slot's
    /// `UnsafeCell`, guarded by the exclusive borrow state.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn hold_exclusive(&self, op: &'static str, holder: &'static str) -> (&'static mut T, Option<KeepAlive>) {
        match self {
            Handle::Owned(slot) => {
                slot.acquire_exclusive(op);
                slot.holder.set(holder);
                let value: &'static mut T = &mut *(slot.value_mut() as *mut T);
                (value, Some(KeepAlive(Box::new(HeldBorrow { slot: slot.clone() }))))
            }
            Handle::Static(_) => fail(format!(
                "`{op}` needs an exclusive borrow for `{holder}`, but the handle refers to library-static data, which is only ever shared"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    fn panic_message(f: impl FnOnce()) -> String {
        let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a borrow error");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn call_borrows_nest_and_release() {
        let h = Handle::new(vec![1, 2, 3], "store");
        {
            let a = h.shared("store.get");
            let b = h.shared("store.len");
            assert_eq!(a.len() + b.len(), 6);
        }
        h.exclusive("store.put").push(4);
        assert_eq!(h.shared("store.len").len(), 4);
    }

    #[test]
    fn dependent_blocks_exclusive_access_until_dropped() {
        let store = Handle::new(vec![1, 2, 3], "store");
        let (r, keep) = unsafe { store.hold_shared("store.iter", "iter") };
        let iter = Handle::dependent(r.iter(), "iter", keep.into_iter().collect());
        let msg = panic_message(|| {
            store.exclusive("store.put");
        });
        assert!(msg.contains("`store.put` needs exclusive access to `store`"), "{msg}");
        assert!(msg.contains("`iter`"), "{msg}");
        // Dropping the store handle first must not free what the iterator uses.
        drop(store);
        assert_eq!(iter.exclusive("iter.next").next(), Some(&1));
        drop(iter);
    }

    #[test]
    fn exclusive_dependent_blocks_shared_access() {
        let store = Handle::new(String::from("x"), "store");
        let (s, keep) = unsafe { store.hold_exclusive("store.lock", "guard") };
        let guard = Handle::dependent(s, "guard", keep.into_iter().collect());
        let msg = panic_message(|| {
            store.shared("store.get");
        });
        assert!(msg.contains("exclusively borrowed by `guard`"), "{msg}");
        guard.exclusive("guard.push").push('y');
        drop(guard);
        assert_eq!(&*store.shared("store.get"), "xy");
    }

    #[test]
    fn consume_requires_no_borrows() {
        let store = Handle::new(5u32, "store");
        let (_r, keep) = unsafe { store.hold_shared("store.view", "view") };
        let Handle::Owned(slot) = &store else { unreachable!() };
        let second = Handle::Owned(slot.clone());
        let msg = panic_message(move || {
            second.take("store.into-inner");
        });
        assert!(msg.contains("needs exclusive access"), "{msg}");
        drop(keep);
        assert_eq!(store.take("store.into-inner").0, 5);
    }

    #[test]
    fn a_pending_task_keeps_its_borrow() {
        // `async fn flush(&mut self)` awaiting a host import: `put` meanwhile is refused.
        let store = Handle::new(vec![1u8], "store");
        let flush = store.task_exclusive("store.flush", "store.flush (pending)");
        let msg = panic_message(|| {
            store.exclusive("store.put");
        });
        assert!(msg.contains("`store.put` needs exclusive access to `store`, but it is exclusively borrowed by `store.flush (pending)`"), "{msg}");
        let msg = panic_message(|| {
            store.shared("store.get");
        });
        assert!(msg.contains("exclusively borrowed by `store.flush (pending)`"), "{msg}");
        drop(flush);
        store.exclusive("store.put").push(2);
        // `async fn len(&self)` pending: other shared calls go on, exclusive ones are refused.
        let len = store.task_shared("store.len", "store.len (pending)");
        assert_eq!(store.shared("store.get").len(), 2);
        let msg = panic_message(|| {
            store.exclusive("store.put");
        });
        assert!(msg.contains("shared-borrowed 1 time(s), most recently by `store.len (pending)`"), "{msg}");
        drop(len);
        store.exclusive("store.put").push(3);
    }

    #[test]
    fn static_handles_are_shared_only() {
        static DATA: u32 = 9;
        let h = Handle::from_static(&DATA);
        assert_eq!(*h.shared("registry.get"), 9);
        let msg = panic_message(|| {
            h.exclusive("registry.set");
        });
        assert!(msg.contains("library-static"), "{msg}");
        let h2 = Handle::from_static(&DATA);
        let msg = panic_message(move || {
            h2.take("registry.into-inner");
        });
        assert!(msg.contains("cannot be moved"), "{msg}");
        assert_eq!(*h.static_ref("registry.find"), 9);
        let owned = Handle::new(1u32, "registry");
        let msg = panic_message(|| {
            owned.static_ref("registry.find");
        });
        assert!(msg.contains("needs a handle to library-static `registry`"), "{msg}");
    }
}
