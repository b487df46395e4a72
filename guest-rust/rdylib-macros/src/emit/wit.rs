//! The WIT source text of the model: one package, with a nested block per
//! other package whose interfaces the plugin uses (docs/abi.md §1, §2).

use crate::layout::{defined_types, Layout};
use crate::model::{DependentWrap, Func, FuncKind, FuncResult, Model, ParamType, Type, TypeDefKind, TypeId};
use crate::names::wit_ident;
use crate::options::WitNames;

/// The complete WIT package text for the module's world.
pub fn render(m: &Model, layout: &Layout, names: &WitNames) -> String {
    let mut out = String::new();
    out.push_str(&format!("// Derived by #[rdylib::export] from Rust module `{}`. Do not edit.\n", m.ident));
    out.push_str(&format!("package {}@{};\n\n", names.package, names.version));
    // Interfaces of other packages, nested in this file so it stays one
    // source; one block per package.
    let mut packages = Vec::new();
    for (_, _, t) in m.traits() {
        if let Some(f) = &t.foreign {
            if !packages.contains(&f) {
                packages.push(f);
            }
        }
    }
    for p in packages {
        out.push_str(&format!("package {}:{}@{} {{\n", p.namespace, p.name, p.version));
        for (id, d, _) in m.traits().filter(|(_, _, t)| t.foreign.as_ref() == Some(p)) {
            out.push_str(&format!(
                "  /// Trait `{}`: interface of package {}:{}, as this plugin uses it.\n  interface {} {{\n",
                d.ident,
                p.namespace,
                p.name,
                wit_ident(&d.name)
            ));
            out.push_str(&trait_body(m, layout, id, "    "));
            out.push_str("  }\n");
        }
        out.push_str("}\n\n");
    }
    for (id, d, _) in m.traits().filter(|(_, _, t)| t.foreign.is_none()) {
        out.push_str(&format!(
            "/// Trait `{}`: one resource whose methods are the trait's.\ninterface {} {{\n",
            d.ident,
            wit_ident(&d.name)
        ));
        out.push_str(&trait_body(m, layout, id, "  "));
        out.push_str("}\n\n");
    }
    out.push_str(&format!("interface {} {{\n", wit_ident(&m.name)));
    for (id, d, _) in m.traits() {
        // The trait's resource, and the module's types defined there.
        let mut used = vec![wit_ident(&d.name)];
        used.extend(layout.homed_in(m, id).into_iter().map(wit_ident));
        out.push_str(&format!("  use {}.{{{}}};\n", use_path(m, None, id), used.join(", ")));
    }
    out.push_str(&type_defs(m, &|id| !layout.home.contains_key(&id), "  "));
    for (_, d, r) in m.resources() {
        out.push_str(&format!("  resource {} {{\n", wit_ident(&d.name)));
        for f in &r.funcs {
            out.push_str(&format!("    {}\n", func_line(m, f)));
        }
        out.push_str("  }\n");
    }
    for f in &m.funcs {
        out.push_str(&format!("  {}\n", func_line(m, f)));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "world {} {{\n  /// rdylib support import: a plugin panic (message and location), reported just before the trap.\n  import rdylib-panic: func(message: string, file: string, line: u32, column: u32);\n",
        wit_ident(&names.world)
    ));
    for (id, _, t) in m.traits() {
        let dir = if t.export { "export" } else { "import" };
        out.push_str(&format!("  {dir} {};\n", trait_ref(m, id)));
    }
    out.push_str(&format!("  export {};\n}}\n", wit_ident(&m.name)));
    out
}

/// WIT for a type (`check` has refused `()` except on a side of a `Result`).
fn wit_ty(m: &Model, t: &Type) -> String {
    match t {
        Type::Prim(p) => p.to_string(),
        Type::String => "string".into(),
        Type::Unit => unreachable!("check refuses `()` outside a result"),
        Type::List(e) => format!("list<{}>", wit_ty(m, e)),
        Type::Option(e) => format!("option<{}>", wit_ty(m, e)),
        Type::Result(ok, err) => match (&**ok, &**err) {
            (Type::Unit, Type::Unit) => "result".into(),
            (Type::Unit, e) => format!("result<_, {}>", wit_ty(m, e)),
            (o, Type::Unit) => format!("result<{}>", wit_ty(m, o)),
            (o, e) => format!("result<{}, {}>", wit_ty(m, o), wit_ty(m, e)),
        },
        Type::Tuple(ts) => format!("tuple<{}>", ts.iter().map(|t| wit_ty(m, t)).collect::<Vec<_>>().join(", ")),
        Type::Defined(id) | Type::Own(id) | Type::Static(id) | Type::Dyn(id) => name(m, *id),
        Type::Stream(e) => format!("stream<{}>", wit_ty(m, e)),
        Type::Future(e) => format!("future<{}>", wit_ty(m, e)),
    }
}

/// A defined type's name as written in WIT.
fn name(m: &Model, id: TypeId) -> String {
    wit_ident(&m.def(id).name)
}

/// How a trait's interface is named from this package.
fn trait_ref(m: &Model, id: TypeId) -> String {
    match &m.trait_of(id).foreign {
        Some(f) => f.qualified(&name(m, id)),
        None => name(m, id),
    }
}

/// How interface `to` is named in a `use` inside interface `from` (`None`:
/// the module's own interface, which is in this package).
fn use_path(m: &Model, from: Option<TypeId>, to: TypeId) -> String {
    match (from.and_then(|f| m.trait_of(f).foreign.as_ref()), &m.trait_of(to).foreign) {
        // Within one nested foreign package block, or both in this package.
        (Some(_), Some(_)) | (None, None) => name(m, to),
        _ => trait_ref(m, to),
    }
}

fn func_line(m: &Model, f: &Func) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .filter(|(i, _)| !f.is_receiver(*i))
        .map(|(_, p)| {
            let ty = match &p.ty {
                ParamType::Value(t) | ParamType::ValueRef(t) => wit_ty(m, t),
                ParamType::StrRef => "string".into(),
                ParamType::Slice(t) => format!("list<{}>", wit_ty(m, t)),
                ParamType::Borrow { resource: id, .. } | ParamType::DynBorrow { tr: id, .. } => format!("borrow<{}>", name(m, *id)),
            };
            format!("{}: {}", wit_ident(&p.name), ty)
        })
        .collect();
    let result = match &f.result {
        FuncResult::None => String::new(),
        FuncResult::Value(t, _) => format!(" -> {}", wit_ty(m, t)),
        FuncResult::Dependent { resource, wrap, .. } => {
            let handle = Type::Own(*resource);
            let ty = match wrap {
                DependentWrap::Bare => handle,
                DependentWrap::Option => Type::Option(Box::new(handle)),
                DependentWrap::Result(err) => Type::Result(Box::new(handle), Box::new(err.clone())),
            };
            format!(" -> {}", wit_ty(m, &ty))
        }
    };
    let fname = wit_ident(&f.name);
    let params = params.join(", ");
    let func = if f.is_async { "async func" } else { "func" };
    match f.kind {
        FuncKind::Constructor => format!("constructor({params});"),
        FuncKind::Consume | FuncKind::Static => format!("{fname}: static {func}({params}){result};"),
        FuncKind::Free | FuncKind::Method(_) => format!("{fname}: {func}({params}){result};"),
    }
}

/// The definitions of the records, enums and variants `keep` selects.
fn type_defs(m: &Model, keep: &dyn Fn(TypeId) -> bool, indent: &str) -> String {
    let mut out = String::new();
    for (_, d) in defined_types(m).filter(|(id, _)| keep(*id)) {
        let tname = wit_ident(&d.name);
        match &d.kind {
            TypeDefKind::Record(fields) => {
                out.push_str(&format!("{indent}record {tname} {{\n"));
                for f in fields {
                    out.push_str(&format!("{indent}  {}: {},\n", wit_ident(&f.name), wit_ty(m, &f.ty)));
                }
                out.push_str(&format!("{indent}}}\n"));
            }
            TypeDefKind::Enum(cases) => {
                let cases: Vec<String> = cases.iter().map(|c| wit_ident(&c.name)).collect();
                out.push_str(&format!("{indent}enum {tname} {{ {} }}\n", cases.join(", ")));
            }
            TypeDefKind::Variant(cases) => {
                let cases: Vec<String> = cases
                    .iter()
                    .map(|c| match c.wit_payload() {
                        Some(t) => format!("{}({})", wit_ident(&c.name), wit_ty(m, &t)),
                        None => wit_ident(&c.name),
                    })
                    .collect();
                out.push_str(&format!("{indent}variant {tname} {{ {} }}\n", cases.join(", ")));
            }
            TypeDefKind::Resource(_) | TypeDefKind::Trait(_) => unreachable!("defined_types lists records, enums and variants"),
        }
    }
    out
}

/// One trait's interface body: its `use`s, the types it defines, its resource.
fn trait_body(m: &Model, layout: &Layout, id: TypeId, indent: &str) -> String {
    let mut out = String::new();
    for (to, used) in &layout.uses[&id] {
        let used: Vec<String> = used.iter().map(|&n| name(m, n)).collect();
        out.push_str(&format!("{indent}use {}.{{{}}};\n", use_path(m, Some(id), *to), used.join(", ")));
    }
    out.push_str(&type_defs(m, &|n| layout.home.get(&n) == Some(&id), indent));
    out.push_str(&format!("{indent}resource {} {{\n", name(m, id)));
    for f in m.funcs_of(id) {
        out.push_str(&format!("{indent}  {}\n", func_line(m, f)));
    }
    out.push_str(&format!("{indent}}}\n"));
    out
}
