//! Stage 4: the emitters, each reading the checked model (and the layout):
//! the WIT text, the `rdylib:abi` section, and the Rust glue.

pub mod glue;
pub mod section;
pub mod wit;
