//! Runtime support for plugins written with `#[rdylib::export]`.
//!
//! The macro turns an annotated Rust module into a component: it derives the
//! WIT world, asks `wit-bindgen` for the canonical-ABI glue, and wraps every
//! resource in a [`__rt::Handle`] whose borrow state is checked at run time.
//! This crate holds what that generated code calls: the handle and guard
//! types ([`slot`]), value conversion between the user's types and the
//! generated ones ([`convert`]), and panic reporting ([`report`]).
//!
//! ```text
//! #[rdylib::export]                 // at the crate root; Cargo.toml: [package.metadata.rdylib] world = "plugin"
//! pub mod kv {
//!     pub struct Store { map: BTreeMap<String, String> }     // private state: a resource
//!     pub struct Iter<'a> { inner: btree_map::Range<'a, String, String> }
//!     impl Store {
//!         pub fn new() -> Self { .. }                          // constructor
//!         pub fn get(&self, key: &str) -> Option<String> { .. } // shared
//!         pub fn put(&mut self, k: String, v: String) { .. }    // exclusive
//!         pub fn iter<'a>(&'a self) -> Iter<'a> { .. }         // dependent handle
//!     }
//!     impl<'a> Iter<'a> { pub fn next(&mut self) -> Option<(String, String)> { .. } }
//! }
//! ```
//!
//! The mapping, the sections and the run-time rules are specified in
//! `docs/abi.md`.
//!
//! The borrow checks exist because the host is not trusted to honour the
//! `rdylib:abi` section: a host may drop the handle an iterator borrows from,
//! or mutate a store while a guard is out. Every such violation becomes a
//! panic with a message (a trap for the host), never undefined behaviour.

pub mod convert;
pub mod report;
pub mod slot;

pub use convert::{FromWit, IntoWit, ToWit};
pub use rdylib_macros::export;

/// What an async plugin uses from wit-bindgen's async support: the ends of
/// streams and futures (`StreamReader<T>` / `FutureReader<T>` cross the
/// boundary as WIT `stream<T>` / `future<T>`; the module's `wit_stream::new`
/// and `wit_future::new` make pairs), and `spawn_local` for work that goes
/// on after a function has returned (feeding a stream it returned).
pub use wit_bindgen::{
    spawn_local, yield_async, FutureReader, FutureWriter, JoinHandle, StreamReader, StreamResult, StreamWriter,
};

/// Items used by macro-generated code. Not a stable API.
#[doc(hidden)]
pub mod __rt {
    pub use crate::convert::{FromWit, IntoWit, ToWit};
    pub use crate::report::enter;
    pub use crate::slot::{Handle, KeepAlive};
    pub use wit_bindgen;
}
