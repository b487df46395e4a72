//! The macro's own attributes: the options of `#[rdylib::export(...)]`,
//! which name the WIT package and world, and `#[rdylib::interface(...)]` on
//! traits, which places a trait's interface in another package.

use std::collections::HashMap;

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Error, Item, Meta, Token};

use crate::check::Errors;
use crate::model::Foreign;

/// `#[rdylib::export(package = "ns:name", version = "1.0.0", world = "plugin")]`.
pub struct Options {
    package: Option<String>,
    version: Option<String>,
    world: Option<String>,
}

impl Options {
    pub fn parse(attr: proc_macro2::TokenStream) -> syn::Result<Options> {
        let mut o = Options { package: None, version: None, world: None };
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr)?;
        for meta in metas {
            let nv = match meta {
                Meta::NameValue(nv) => nv,
                other => return Err(Error::new_spanned(other, "rdylib: expected `key = \"value\"`")),
            };
            let value = match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => s.value(),
                other => return Err(Error::new_spanned(other, "rdylib: expected a string literal")),
            };
            let key = nv.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match key.as_str() {
                "package" => o.package = Some(value),
                "version" => o.version = Some(value),
                "world" => o.world = Some(value),
                _ => return Err(Error::new_spanned(nv.path, "rdylib: unknown option; expected package, version or world")),
            }
        }
        Ok(o)
    }

    /// The names of the derived package and world, defaulted from the crate
    /// (docs/abi.md §1).
    pub fn names(self, krate: &Crate) -> WitNames {
        WitNames {
            package: self.package.unwrap_or_else(|| format!("rdylib-guest:{}", krate.name.replace('_', "-"))),
            version: self.version.unwrap_or_else(|| krate.version.clone()),
            world: self.world.unwrap_or_else(|| "plugin".into()),
        }
    }
}

/// The Cargo package being compiled.
pub struct Crate {
    pub name: String,
    pub version: String,
}

impl Crate {
    pub fn from_env() -> Crate {
        Crate {
            name: std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "unknown".into()),
            version: std::env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "0.0.0".into()),
        }
    }
}

pub struct WitNames {
    /// `ns:name` of the package.
    pub package: String,
    pub version: String,
    pub world: String,
}

impl WitNames {
    /// The package's namespace and name, once `check::package_names` has passed.
    pub fn namespace_and_name(&self) -> (&str, &str) {
        self.package.split_once(':').expect("checked")
    }
}

/// Removes `#[rdylib::interface(package = "ns:name@version")]` from traits
/// (it is ours to interpret) and returns, by trait name, the package each
/// names: that trait is the package's interface, as another plugin exports
/// or imports it, rather than one of this package.
pub fn take_interface_attrs(items: &mut [Item], errors: &mut Errors) -> HashMap<String, Foreign> {
    let mut out = HashMap::new();
    for item in items.iter_mut() {
        let Item::Trait(t) = item else { continue };
        let mut kept = Vec::new();
        for attr in std::mem::take(&mut t.attrs) {
            let segs: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
            if segs != ["rdylib", "interface"] {
                kept.push(attr);
                continue;
            }
            match interface_package(&attr) {
                Ok(f) => {
                    out.insert(t.ident.to_string(), f);
                }
                Err(e) => errors.push(e),
            }
        }
        t.attrs = kept;
    }
    out
}

fn interface_package(attr: &syn::Attribute) -> syn::Result<Foreign> {
    let metas = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
    let mut package = None;
    for meta in metas {
        match meta {
            Meta::NameValue(nv) if nv.path.is_ident("package") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => package = Some(s.clone()),
                other => return Err(Error::new_spanned(other, "rdylib: expected a string literal")),
            },
            other => return Err(Error::new_spanned(other, "rdylib: expected `package = \"ns:name@version\"`")),
        }
    }
    let lit = package.ok_or_else(|| Error::new_spanned(attr, "rdylib: expected `package = \"ns:name@version\"`"))?;
    let v = lit.value();
    let parts = v.split_once('@').and_then(|(id, ver)| id.split_once(':').map(|(ns, n)| (ns, n, ver)));
    match parts {
        Some((ns, n, ver)) if !ns.is_empty() && !n.is_empty() && !ver.is_empty() => {
            Ok(Foreign { namespace: ns.to_string(), name: n.to_string(), version: ver.to_string() })
        }
        _ => Err(Error::new(lit.span(), "rdylib: expected `ns:name@version`, e.g. \"rdylib-guest:shapes@0.1.0\"")),
    }
}
