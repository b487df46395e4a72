//! Rust names to WIT names, and WIT names to the names wit-bindgen generates.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// WIT keywords: identifiers equal to one of these are written `%name`.
const WIT_KEYWORDS: &[&str] = &[
    "as", "async", "bool", "borrow", "char", "constructor", "enum", "export", "f32", "f64",
    "flags", "float32", "float64", "from", "func", "future", "import", "include", "interface",
    "list", "own", "package", "record", "resource", "result", "s16", "s32", "s64", "s8",
    "static", "stream", "string", "tuple", "type", "u16", "u32", "u64", "u8", "use", "variant",
    "with", "world", "option", "error-context",
];

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// The kebab-case WIT name of a Rust identifier (raw `r#` prefix removed).
pub fn kebab(ident: &Ident) -> String {
    let s = ident.to_string();
    s.trim_start_matches("r#").to_kebab_case()
}

/// `name` as it must be written in WIT source.
pub fn wit_ident(name: &str) -> String {
    if WIT_KEYWORDS.contains(&name) {
        format!("%{name}")
    } else {
        name.to_string()
    }
}

/// The Rust type name wit-bindgen generates for a WIT type or case name.
pub fn gen_type(kebab: &str) -> Ident {
    Ident::new(&kebab.to_upper_camel_case(), Span::call_site())
}

/// The Rust function, field or module name wit-bindgen generates.
pub fn gen_snake(kebab: &str) -> Ident {
    let s = kebab.to_snake_case();
    if RUST_KEYWORDS.contains(&s.as_str()) {
        Ident::new(&format!("{s}_"), Span::call_site())
    } else {
        Ident::new(&s, Span::call_site())
    }
}
