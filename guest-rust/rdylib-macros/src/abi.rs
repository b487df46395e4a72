//! The `rdylib:abi` custom section: what the component-model types cannot
//! say about lifetimes and receivers. Format: docs/abi.md.

use crate::model::{DepWrap, Func, Module, ParamKind, ResKind, Res, Ty};
use crate::wit::WitNames;

pub const SECTION_NAME: &str = "rdylib:abi";
/// Carries the derived WIT text to the build (scripts/build-guests.ts).
pub const WIT_SECTION_NAME: &str = "rdylib:wit";
pub const MAGIC: &[u8; 8] = b"RDYLABI\0";
pub const FORMAT_VERSION: u16 = 1;

/// A JSON string literal.
fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Calls `found` with the path from `t`'s root to every handle inside it
/// (own/static handles and boxed trait objects), in declaration order.
fn walk(m: &Module, t: &Ty, path: &mut Vec<String>, found: &mut dyn FnMut(&[String], &Ty)) {
    let nest = |t: &Ty, step: &str, path: &mut Vec<String>, found: &mut dyn FnMut(&[String], &Ty)| {
        path.push(step.to_string());
        walk(m, t, path, found);
        path.pop();
    };
    match t {
        Ty::Own(_) | Ty::Static(_) | Ty::Dyn(_) => found(path, t),
        Ty::List(e) => nest(e, "elem", path, found),
        Ty::Option(e) => nest(e, "some", path, found),
        Ty::Result(o, e) => {
            nest(o, "ok", path, found);
            nest(e, "err", path, found);
        }
        Ty::Tuple(ts) => {
            for (i, t) in ts.iter().enumerate() {
                nest(t, &i.to_string(), path, found);
            }
        }
        Ty::Named(n) => {
            if let Some(r) = m.records.iter().find(|r| &r.name == n) {
                for (_, f, t) in &r.fields {
                    nest(t, f, path, found);
                }
            }
            if let Some(v) = m.variants.iter().find(|v| &v.name == n) {
                for (_, c, tys) in &v.cases {
                    match tys.len() {
                        0 => {}
                        1 => nest(&tys[0], c, path, found),
                        _ => nest(&Ty::Tuple(tys.clone()), c, path, found),
                    }
                }
            }
        }
        Ty::Prim(_) | Ty::Str | Ty::Unit => {}
    }
}

fn path_json(path: &[String]) -> String {
    let p: Vec<String> = path.iter().map(|s| js(s)).collect();
    format!("[{}]", p.join(","))
}

/// Every handle inside a result (owned or static), with its path from the
/// result's root; `path` is where `t` sits in the whole result.
fn handles(m: &Module, t: &Ty, path: &mut Vec<String>, out: &mut Vec<String>) {
    walk(m, t, path, &mut |path, t| {
        let (res, lifetime) = match t {
            Ty::Static(r) => (r, "static"),
            Ty::Own(r) | Ty::Dyn(r) => (r, "owned"),
            _ => unreachable!("walk reports handles only"),
        };
        out.push(format!("{{\"path\":{},\"resource\":{},\"lifetime\":{}}}", path_json(path), js(res), js(lifetime)));
    });
}

/// How the function takes every handle among its WIT parameters (the
/// receiver included): one entry per handle, in parameter order. A borrowed
/// handle is a whole parameter (`&R`, `&mut R`, `&dyn T`, `&mut dyn T`,
/// `&self`, `&mut self`); an owned one (`R`, `Box<dyn T>`, `self`) may sit
/// anywhere inside a parameter's value and is moved in.
fn params_json(m: &Module, f: &Func) -> Vec<String> {
    let mut out = Vec::new();
    for (index, p) in f.params.iter().enumerate() {
        let mut entry = |path: &[String], mode: &str| {
            out.push(format!(
                "{{\"param\":{},\"name\":{},\"path\":{},\"mode\":{}}}",
                index,
                js(&p.name),
                path_json(path),
                js(mode)
            ))
        };
        match &p.kind {
            ParamKind::Borrow { mode, .. } | ParamKind::DynBorrow { mode, .. } => entry(&[], mode.as_str()),
            ParamKind::Value(t) | ParamKind::Slice(t) | ParamKind::ValueRef(t) => {
                walk(m, t, &mut Vec::new(), &mut |path, _| entry(path, "consume"))
            }
            ParamKind::StrRef => {}
        }
    }
    out
}

fn func_json(m: &Module, f: &Func, owner: Option<&str>) -> String {
    let mut results = Vec::new();
    match &f.result {
        Res::None => {}
        Res::Value(t, _) => handles(m, t, &mut Vec::new(), &mut results),
        Res::Dependent { res, borrows, wrap } => {
            let b: Vec<String> = borrows
                .iter()
                .map(|b| format!("{{\"param\":{},\"name\":{},\"mode\":{}}}", b.index, js(&b.name), js(b.mode.as_str())))
                .collect();
            let path = match wrap {
                DepWrap::Bare => "",
                DepWrap::Option => "\"some\"",
                DepWrap::Result(_) => "\"ok\"",
            };
            results.push(format!(
                "{{\"path\":[{}],\"resource\":{},\"lifetime\":\"dependent\",\"borrows\":[{}]}}",
                path,
                js(res),
                b.join(",")
            ));
            // Handles on the error side are ordinary (owned or static) ones.
            if let DepWrap::Result(err) = wrap {
                let mut p = vec!["err".to_string()];
                handles(m, err, &mut p, &mut results);
            }
        }
    }
    let receiver = f.receiver().map_or("null".to_string(), js);
    let params = params_json(m, f);
    let statics: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(&p.kind, ParamKind::Borrow { lifetime: Some(l), .. } if l.ident == "static"))
        .map(|(i, _)| i.to_string())
        .collect();
    format!(
        "{{\"name\":{},\"rust\":{},\"receiver\":{},\"staticParams\":[{}],\"params\":[{}],\"results\":[{}]}}",
        js(&f.component_name(owner)),
        js(&match owner {
            Some(_) => format!(
                "{}::{}",
                m.resources.iter().chain(&m.traits).find(|r| Some(r.name.as_str()) == owner).map(|r| r.ident.to_string()).unwrap_or_default(),
                f.ident
            ),
            None => f.ident.to_string(),
        }),
        receiver,
        statics.join(","),
        params.join(","),
        results.join(",")
    )
}

/// The section payload: header + JSON document (see docs/abi.md).
pub fn section(m: &Module, names: &WitNames, crate_name: &str, crate_version: &str) -> Vec<u8> {
    let mut funcs = Vec::new();
    for r in &m.resources {
        for f in &r.funcs {
            funcs.push(func_json(m, f, Some(&r.name)));
        }
    }
    for f in &m.funcs {
        funcs.push(func_json(m, f, None));
    }
    let resources: Vec<String> = m
        .resources
        .iter()
        .map(|r| format!("{{\"name\":{},\"dependent\":{}}}", js(&r.name), r.dependent))
        .collect();
    let qualified = format!("{}/{}@{}", names.package, m.name, names.version);
    let mut interfaces = Vec::new();
    for t in &m.traits {
        let dir = if matches!(t.kind, ResKind::Trait { export: true }) { "export" } else { "import" };
        let fns: Vec<String> = t.funcs.iter().map(|f| func_json(m, f, Some(&t.name))).collect();
        interfaces.push(format!(
            "{{\"name\":{},\"direction\":{},\"resources\":[{{\"name\":{},\"dependent\":false}}],\"functions\":[{}]}}",
            js(&match &t.foreign {
                Some(f) => f.qualified(&t.name),
                None => format!("{}/{}@{}", names.package, t.name, names.version),
            }),
            js(dir),
            js(&t.name),
            fns.join(",")
        ));
    }
    interfaces.push(format!(
        "{{\"name\":{},\"direction\":\"export\",\"resources\":[{}],\"functions\":[{}]}}",
        js(&qualified),
        resources.join(","),
        funcs.join(",")
    ));
    let json = format!(
        "{{\"crate\":{{\"name\":{},\"version\":{}}},\"package\":{},\"interfaceVersion\":{},\"world\":{},\"interfaces\":[{}]}}",
        js(crate_name),
        js(crate_version),
        js(&names.package),
        js(&names.version),
        js(&names.world),
        interfaces.join(",")
    );
    let mut out = Vec::with_capacity(json.len() + 14);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    out
}
