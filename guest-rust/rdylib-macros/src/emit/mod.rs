//! Stage 4: the emitters, each reading the checked model (and the layout):
//! the WIT text, the `rdylib:abi` section, the Rust glue, and the rewrite of
//! async trait methods into their dyn-compatible form.

pub mod async_traits;
pub mod glue;
pub mod section;
pub mod wit;
