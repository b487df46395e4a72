//! The `rdylib:abi` custom section: what the component-model types cannot
//! say about lifetimes and receivers. The document is built as a struct
//! mirroring docs/abi.md §3.3 field for field, then serialised.

use serde::Serialize;

use crate::model::{DependentWrap, Depth, Func, FuncKind, FuncResult, Mode, Model, ParamType, Type, TypeId};
use crate::options::{Crate, WitNames};

pub const SECTION_NAME: &str = "rdylib:abi";
/// Carries the derived WIT text to the build (scripts/build-guests.ts).
pub const WIT_SECTION_NAME: &str = "rdylib:wit";
pub const MAGIC: &[u8; 8] = b"RDYLABI\0";
/// The version of a document with no async function (docs/abi.md §3.2).
pub const FORMAT_VERSION: u16 = 1;
/// The version of a document with an async function: for those, `params`
/// and `receiver` borrows last until the task completes (docs/abi.md §3.4).
pub const ASYNC_FORMAT_VERSION: u16 = 2;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    #[serde(rename = "crate")]
    krate: CrateEntry<'a>,
    package: &'a str,
    interface_version: &'a str,
    world: &'a str,
    /// Trait interfaces first, the main interface last.
    interfaces: Vec<Interface>,
}

#[derive(Serialize)]
struct CrateEntry<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Interface {
    name: String,
    direction: Direction,
    resources: Vec<ResourceEntry>,
    functions: Vec<Function>,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Direction {
    Export,
    Import,
}

#[derive(Serialize)]
struct ResourceEntry {
    name: String,
    dependent: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Function {
    name: String,
    rust: String,
    receiver: Option<Access>,
    /// Written only when true, so a document without async functions is
    /// exactly a version-1 document.
    #[serde(rename = "async", skip_serializing_if = "std::ops::Not::not")]
    is_async: bool,
    static_params: Vec<usize>,
    params: Vec<ParamHandle>,
    results: Vec<ResultHandle>,
}

/// How a handle is taken: borrowed for the call, or moved in.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Access {
    Shared,
    Exclusive,
    Consume,
}

impl From<Mode> for Access {
    fn from(mode: Mode) -> Access {
        match mode {
            Mode::Shared => Access::Shared,
            Mode::Exclusive => Access::Exclusive,
        }
    }
}

#[derive(Serialize)]
struct ParamHandle {
    param: usize,
    name: String,
    path: Vec<String>,
    mode: Access,
}

#[derive(Serialize)]
struct ResultHandle {
    path: Vec<String>,
    resource: String,
    lifetime: Lifetime,
    /// Only for `dependent` handles.
    #[serde(skip_serializing_if = "Option::is_none")]
    borrows: Option<Vec<Borrow>>,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Lifetime {
    Owned,
    Static,
    Dependent,
}

#[derive(Serialize)]
struct Borrow {
    param: usize,
    name: String,
    mode: Access,
}

impl<'a> Document<'a> {
    pub fn of(m: &Model, names: &'a WitNames, krate: &'a Crate) -> Document<'a> {
        let mut interfaces: Vec<Interface> = m
            .traits()
            .map(|(id, d, t)| Interface {
                name: match &t.foreign {
                    Some(f) => f.qualified(&d.name),
                    None => format!("{}/{}@{}", names.package, d.name, names.version),
                },
                direction: if t.export { Direction::Export } else { Direction::Import },
                resources: vec![ResourceEntry { name: d.name.clone(), dependent: false }],
                functions: t.funcs.iter().map(|f| function(m, f, Some(id))).collect(),
            })
            .collect();
        let resources = m.resources().map(|(_, d, r)| ResourceEntry { name: d.name.clone(), dependent: r.dependent });
        let methods = m.resources().flat_map(|(id, _, r)| r.funcs.iter().map(move |f| function(m, f, Some(id))));
        interfaces.push(Interface {
            name: format!("{}/{}@{}", names.package, m.name, names.version),
            direction: Direction::Export,
            resources: resources.collect(),
            functions: methods.chain(m.funcs.iter().map(|f| function(m, f, None))).collect(),
        });
        Document {
            krate: CrateEntry { name: &krate.name, version: &krate.version },
            package: &names.package,
            interface_version: &names.version,
            world: &names.world,
            interfaces,
        }
    }

    /// The lowest format version that expresses the document: 2 once any
    /// function is async, else 1 (what hosts reading only version 1 accept).
    pub fn format_version(&self) -> u16 {
        let any_async = self.interfaces.iter().flat_map(|i| &i.functions).any(|f| f.is_async);
        if any_async {
            ASYNC_FORMAT_VERSION
        } else {
            FORMAT_VERSION
        }
    }

    /// The section payload: header, then the JSON document (docs/abi.md §3.2).
    pub fn payload(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("the document serialises");
        let mut out = Vec::with_capacity(json.len() + 14);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.format_version().to_le_bytes());
        out.extend_from_slice(&u32::try_from(json.len()).expect("document under 4 GiB").to_le_bytes());
        out.extend_from_slice(&json);
        out
    }
}

/// One function's entry; `owner` is its resource or trait.
fn function(m: &Model, f: &Func, owner: Option<TypeId>) -> Function {
    let owner_def = owner.map(|id| m.def(id));
    Function {
        name: f.component_name(owner_def.map(|d| d.name.as_str())),
        rust: match owner_def {
            Some(d) => format!("{}::{}", d.ident, f.ident),
            None => f.ident.to_string(),
        },
        receiver: match f.kind {
            FuncKind::Method(mode) => Some(mode.into()),
            FuncKind::Consume => Some(Access::Consume),
            FuncKind::Free | FuncKind::Constructor | FuncKind::Static => None,
        },
        is_async: f.is_async,
        static_params: f
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.ty, ParamType::Borrow { library_static: true, .. }))
            .map(|(i, _)| i)
            .collect(),
        params: param_handles(m, f),
        results: result_handles(m, f, owner),
    }
}

/// How the function takes every handle among its WIT parameters (the
/// receiver included): one entry per handle, in parameter order. A borrowed
/// handle is a whole parameter (`&R`, `&mut R`, `&dyn T`, `&mut dyn T`,
/// `&self`, `&mut self`); an owned one (`R`, `Box<dyn T>`, `self`) may sit
/// anywhere inside a parameter's value and is moved in.
fn param_handles(m: &Model, f: &Func) -> Vec<ParamHandle> {
    let mut out = Vec::new();
    for (index, p) in f.params.iter().enumerate() {
        let mut entry = |path: Vec<String>, mode: Access| out.push(ParamHandle { param: index, name: p.name.clone(), path, mode });
        match &p.ty {
            ParamType::Borrow { mode, .. } | ParamType::DynBorrow { mode, .. } => entry(Vec::new(), (*mode).into()),
            other => {
                if let Some(ty) = other.value() {
                    m.walk(ty, Depth::Members, &mut |path, t| {
                        if t.handle().is_some() {
                            entry(path.iter().map(|s| s.to_string()).collect(), Access::Consume);
                        }
                    });
                }
            }
        }
    }
    out
}

/// Every handle inside the result, with its path from the result's root.
fn result_handles(m: &Model, f: &Func, owner: Option<TypeId>) -> Vec<ResultHandle> {
    let mut out = Vec::new();
    // Owned and library-static handles inside `ty`, which sits at `at`.
    let value_handles = |ty: &Type, at: &[&str], out: &mut Vec<ResultHandle>| {
        m.walk(ty, Depth::Members, &mut |path, t| {
            let (id, lifetime) = match t {
                Type::Static(id) => (id, Lifetime::Static),
                Type::Own(id) | Type::Dyn(id) => (id, Lifetime::Owned),
                _ => return,
            };
            let path = at.iter().map(|s| s.to_string()).chain(path.iter().map(|s| s.to_string())).collect();
            out.push(ResultHandle { path, resource: m.def(*id).name.clone(), lifetime, borrows: None });
        });
    };
    match &f.result {
        // A constructor's result is the new, owned handle: described like any other result handle.
        FuncResult::None if f.kind == FuncKind::Constructor => {
            if let Some(id) = owner {
                out.push(ResultHandle { path: Vec::new(), resource: m.def(id).name.clone(), lifetime: Lifetime::Owned, borrows: None });
            }
        }
        FuncResult::None => {}
        FuncResult::Value(ty, _) => value_handles(ty, &[], &mut out),
        FuncResult::Dependent { resource, borrows, wrap } => {
            let path = match wrap {
                DependentWrap::Bare => vec![],
                DependentWrap::Option => vec!["some".to_string()],
                DependentWrap::Result(_) => vec!["ok".to_string()],
            };
            let borrows = borrows.iter().map(|b| Borrow { param: b.index, name: b.name.clone(), mode: b.mode.into() }).collect();
            out.push(ResultHandle {
                path,
                resource: m.def(*resource).name.clone(),
                lifetime: Lifetime::Dependent,
                borrows: Some(borrows),
            });
            // Handles on the error side are ordinary (owned or static) ones.
            if let DependentWrap::Result(err) = wrap {
                value_handles(err, &["err"], &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_header_then_json() {
        let names = WitNames { package: "ns:p".into(), version: "1.2.3".into(), world: "plugin".into() };
        let krate = Crate { name: "p".into(), version: "0.1.0".into() };
        let m = Model { ident: quote::format_ident!("m"), name: "m".into(), types: Vec::new(), funcs: Vec::new() };
        let payload = Document::of(&m, &names, &krate).payload();
        let json = r#"{"crate":{"name":"p","version":"0.1.0"},"package":"ns:p","interfaceVersion":"1.2.3","world":"plugin","interfaces":[{"name":"ns:p/m@1.2.3","direction":"export","resources":[],"functions":[]}]}"#;
        assert_eq!(&payload[..8], MAGIC);
        assert_eq!(u16::from_le_bytes([payload[8], payload[9]]), FORMAT_VERSION);
        assert_eq!(u32::from_le_bytes(payload[10..14].try_into().unwrap()) as usize, json.len());
        assert_eq!(std::str::from_utf8(&payload[14..]).unwrap(), json);
    }
}
