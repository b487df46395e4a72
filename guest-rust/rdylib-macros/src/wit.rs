//! Renders the model as WIT source text, and computes the Rust types
//! wit-bindgen generates for it (needed to spell the glue's signatures).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::layout::Layout;
use crate::model::{DepWrap, FuncKind, Func, Module, ParamKind, ResKind, Res, Ty};

/// How a trait's interface is named from this package.
fn trait_ref(t: &crate::model::Resource) -> String {
    match &t.foreign {
        Some(f) => f.qualified(&wit_ident(&t.name)),
        None => wit_ident(&t.name),
    }
}

use crate::names::{gen_type, wit_ident};

pub struct WitNames {
    /// `ns:name` of the package.
    pub package: String,
    pub version: String,
    pub world: String,
}

/// WIT for a type; `Err` names the construct WIT cannot express.
pub fn wit_ty(t: &Ty) -> Result<String, &'static str> {
    Ok(match t {
        Ty::Prim(p) => p.to_string(),
        Ty::Str => "string".into(),
        Ty::Unit => return Err("`()` is only allowed as a whole result or as one side of a `Result`"),
        Ty::List(e) => format!("list<{}>", wit_ty(e)?),
        Ty::Option(e) => format!("option<{}>", wit_ty(e)?),
        Ty::Result(ok, err) => match (&**ok, &**err) {
            (Ty::Unit, Ty::Unit) => "result".into(),
            (Ty::Unit, e) => format!("result<_, {}>", wit_ty(e)?),
            (o, Ty::Unit) => format!("result<{}>", wit_ty(o)?),
            (o, e) => format!("result<{}, {}>", wit_ty(o)?, wit_ty(e)?),
        },
        Ty::Tuple(ts) => format!("tuple<{}>", ts.iter().map(wit_ty).collect::<Result<Vec<_>, _>>()?.join(", ")),
        Ty::Named(n) | Ty::Own(n) | Ty::Static(n) | Ty::Dyn(n) => wit_ident(n),
    })
}

/// The Rust type wit-bindgen uses for `t` in an exported function.
pub fn gen_ty(t: &Ty) -> TokenStream {
    match t {
        Ty::Prim(p) => {
            let rust = match *p {
                "s8" => "i8",
                "s16" => "i16",
                "s32" => "i32",
                "s64" => "i64",
                other => other,
            };
            let id = format_ident!("{}", rust);
            quote!(#id)
        }
        Ty::Str => quote!(::std::string::String),
        Ty::Unit => quote!(()),
        Ty::List(e) => {
            let e = gen_ty(e);
            quote!(::std::vec::Vec<#e>)
        }
        Ty::Option(e) => {
            let e = gen_ty(e);
            quote!(::core::option::Option<#e>)
        }
        Ty::Result(o, e) => {
            let (o, e) = (gen_ty(o), gen_ty(e));
            quote!(::core::result::Result<#o, #e>)
        }
        Ty::Tuple(ts) => {
            let ts = ts.iter().map(gen_ty);
            quote!((#(#ts,)*))
        }
        Ty::Named(n) | Ty::Own(n) | Ty::Static(n) => {
            let id = gen_type(n);
            quote!(__w::#id)
        }
        Ty::Dyn(n) => {
            let (alias, id) = (dyn_alias(n), gen_type(n));
            quote!(#alias::#id)
        }
    }
}

/// The local alias of the wit-bindgen module for trait interface `n`.
pub fn dyn_alias(n: &str) -> proc_macro2::Ident {
    format_ident!("__dyn_{}", crate::names::gen_snake(n).to_string().trim_end_matches('_'))
}

pub fn gen_param_ty(k: &ParamKind) -> TokenStream {
    match k {
        ParamKind::Value(t) | ParamKind::ValueRef(t) => gen_ty(t),
        ParamKind::StrRef => quote!(::std::string::String),
        ParamKind::Slice(t) => {
            let t = gen_ty(t);
            quote!(::std::vec::Vec<#t>)
        }
        ParamKind::Borrow { res, .. } => {
            let id = format_ident!("{}Borrow", gen_type(res));
            quote!(__w::#id<'_>)
        }
        ParamKind::DynBorrow { tr, export: true, .. } => {
            let (alias, id) = (dyn_alias(tr), format_ident!("{}Borrow", gen_type(tr)));
            quote!(#alias::#id<'_>)
        }
        ParamKind::DynBorrow { tr, export: false, .. } => {
            let (alias, id) = (dyn_alias(tr), gen_type(tr));
            quote!(&#alias::#id)
        }
    }
}

fn func_line(f: &Func, span_err: &mut Vec<(proc_macro2::Span, String)>) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .filter(|p| !(matches!(f.kind, FuncKind::Method(_)) && p.name == "self"))
        .map(|p| {
            let ty = match &p.kind {
                ParamKind::Value(t) | ParamKind::ValueRef(t) => wit_ty(t),
                ParamKind::StrRef => Ok("string".into()),
                ParamKind::Slice(t) => wit_ty(t).map(|t| format!("list<{t}>")),
                ParamKind::Borrow { res, .. } => Ok(format!("borrow<{}>", wit_ident(res))),
                ParamKind::DynBorrow { tr, .. } => Ok(format!("borrow<{}>", wit_ident(tr))),
            };
            let ty = ty.unwrap_or_else(|e| {
                span_err.push((syn::spanned::Spanned::span(&p.ty), format!("rdylib: {e}")));
                "_".into()
            });
            format!("{}: {}", wit_ident(&p.name), ty)
        })
        .collect();
    let result = match &f.result {
        Res::None => String::new(),
        Res::Value(t, ty) => match wit_ty(t) {
            Ok(s) => format!(" -> {s}"),
            Err(e) => {
                span_err.push((syn::spanned::Spanned::span(ty), format!("rdylib: {e}")));
                String::new()
            }
        },
        Res::Dependent { res, wrap, .. } => match wrap {
            DepWrap::Bare => format!(" -> {}", wit_ident(res)),
            DepWrap::Option => format!(" -> option<{}>", wit_ident(res)),
            DepWrap::Result(err) => match wit_ty(&Ty::Result(Box::new(Ty::Own(res.clone())), Box::new(err.clone()))) {
                Ok(t) => format!(" -> {t}"),
                Err(e) => {
                    span_err.push((syn::spanned::Spanned::span(&f.sig.output), format!("rdylib: {e}")));
                    String::new()
                }
            },
        },
    };
    let name = wit_ident(&f.wit_name);
    match f.kind {
        FuncKind::Constructor => format!("constructor({});", params.join(", ")),
        FuncKind::Consume | FuncKind::Static => format!("{name}: static func({}){result};", params.join(", ")),
        _ => format!("{name}: func({}){result};", params.join(", ")),
    }
}

/// How interface `to` is named in a `use` inside interface `from` (`None`:
/// the module's own interface, which is in this package).
fn use_path(m: &Module, from: Option<usize>, to: usize) -> String {
    let t = &m.traits[to];
    match (from.and_then(|f| m.traits[f].foreign.as_ref()), &t.foreign) {
        // Within one nested foreign package block, or both in this package.
        (Some(_), Some(_)) | (None, None) => wit_ident(&t.name),
        _ => trait_ref(t),
    }
}

/// The definitions of the named types in `names` (in module order).
fn type_defs(m: &Module, keep: &dyn Fn(&str) -> bool, indent: &str, errs: &mut Vec<(proc_macro2::Span, String)>) -> String {
    let mut out = String::new();
    for r in m.records.iter().filter(|r| keep(&r.name)) {
        out.push_str(&format!("{indent}record {} {{\n", wit_ident(&r.name)));
        for (_, name, ty) in &r.fields {
            let t = wit_ty(ty).unwrap_or_else(|e| {
                errs.push((r.ident.span(), format!("rdylib: {e}")));
                "_".into()
            });
            out.push_str(&format!("{indent}  {}: {},\n", wit_ident(name), t));
        }
        out.push_str(&format!("{indent}}}\n"));
    }
    for e in m.enums.iter().filter(|e| keep(&e.name)) {
        let cases: Vec<String> = e.cases.iter().map(|(_, n)| wit_ident(n)).collect();
        out.push_str(&format!("{indent}enum {} {{ {} }}\n", wit_ident(&e.name), cases.join(", ")));
    }
    for v in m.variants.iter().filter(|v| keep(&v.name)) {
        let mut cases = Vec::new();
        for (_, n, tys) in &v.cases {
            let payload = match tys.len() {
                0 => Ok(String::new()),
                1 => wit_ty(&tys[0]).map(|t| format!("({t})")),
                _ => wit_ty(&Ty::Tuple(tys.clone())).map(|t| format!("({t})")),
            };
            let payload = payload.unwrap_or_else(|e| {
                errs.push((v.ident.span(), format!("rdylib: {e}")));
                String::new()
            });
            cases.push(format!("{}{}", wit_ident(n), payload));
        }
        out.push_str(&format!("{indent}variant {} {{ {} }}\n", wit_ident(&v.name), cases.join(", ")));
    }
    out
}

/// One trait's interface body: its `use`s, the types it defines, its resource.
fn trait_body(m: &Module, layout: &Layout, ti: usize, indent: &str, errs: &mut Vec<(proc_macro2::Span, String)>) -> String {
    let t = &m.traits[ti];
    let mut out = String::new();
    for (to, names) in &layout.uses[ti] {
        let names: Vec<String> = names.iter().map(|n| wit_ident(n)).collect();
        out.push_str(&format!("{indent}use {}.{{{}}};\n", use_path(m, Some(ti), *to), names.join(", ")));
    }
    out.push_str(&type_defs(m, &|n| layout.home.get(n) == Some(&ti), indent, errs));
    out.push_str(&format!("{indent}resource {} {{\n", wit_ident(&t.name)));
    for f in &t.funcs {
        out.push_str(&format!("{indent}  {}\n", func_line(f, errs)));
    }
    out.push_str(&format!("{indent}}}\n"));
    out
}

/// The complete WIT package text for the module's world.
pub fn render(m: &Module, layout: &Layout, names: &WitNames) -> syn::Result<String> {
    let mut errs = Vec::new();
    let mut out = String::new();
    out.push_str(&format!("// Derived by #[rdylib::export] from Rust module `{}`. Do not edit.\n", m.ident));
    out.push_str(&format!("package {}@{};\n\n", names.package, names.version));
    // Interfaces of other packages, nested in this file so it stays one
    // source; one block per package.
    let mut packages: Vec<&crate::model::Foreign> = Vec::new();
    for f in m.traits.iter().filter_map(|t| t.foreign.as_ref()) {
        if !packages.iter().any(|p| p.qualified("") == f.qualified("")) {
            packages.push(f);
        }
    }
    for p in packages {
        out.push_str(&format!("package {}:{}@{} {{\n", p.namespace, p.name, p.version));
        for (ti, t) in m.traits.iter().enumerate() {
            if t.foreign.as_ref().is_some_and(|f| f.qualified("") == p.qualified("")) {
                out.push_str(&format!(
                    "  /// Trait `{}`: interface of package {}:{}, as this plugin uses it.\n  interface {} {{\n",
                    t.ident, p.namespace, p.name, wit_ident(&t.name)
                ));
                out.push_str(&trait_body(m, layout, ti, "    ", &mut errs));
                out.push_str("  }\n");
            }
        }
        out.push_str("}\n\n");
    }
    for (ti, t) in m.traits.iter().enumerate().filter(|(_, t)| t.foreign.is_none()) {
        out.push_str(&format!("/// Trait `{}`: one resource whose methods are the trait's.\ninterface {} {{\n", t.ident, wit_ident(&t.name)));
        out.push_str(&trait_body(m, layout, ti, "  ", &mut errs));
        out.push_str("}\n\n");
    }
    out.push_str(&format!("interface {} {{\n", wit_ident(&m.name)));
    for (ti, t) in m.traits.iter().enumerate() {
        // The trait's resource, and the module's types defined there.
        let mut used = vec![wit_ident(&t.name)];
        let mut homed: Vec<&String> = layout.homed_in(ti).collect();
        homed.sort();
        used.extend(homed.into_iter().map(|n| wit_ident(n)));
        out.push_str(&format!("  use {}.{{{}}};\n", use_path(m, None, ti), used.join(", ")));
    }
    out.push_str(&type_defs(m, &|n| !layout.home.contains_key(n), "  ", &mut errs));
    for r in &m.resources {
        out.push_str(&format!("  resource {} {{\n", wit_ident(&r.name)));
        for f in &r.funcs {
            out.push_str(&format!("    {}\n", func_line(f, &mut errs)));
        }
        out.push_str("  }\n");
    }
    for f in &m.funcs {
        out.push_str(&format!("  {}\n", func_line(f, &mut errs)));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "world {} {{\n  /// rdylib support import: a plugin panic (message and location), reported just before the trap.\n  import rdylib-panic: func(message: string, file: string, line: u32, column: u32);\n",
        wit_ident(&names.world)
    ));
    for t in &m.traits {
        let dir = if matches!(t.kind, ResKind::Trait { export: true }) { "export" } else { "import" };
        out.push_str(&format!("  {dir} {};\n", trait_ref(t)));
    }
    out.push_str(&format!("  export {};\n}}\n", wit_ident(&m.name)));
    if let Some((span, msg)) = errs.into_iter().next() {
        return Err(syn::Error::new(span, msg));
    }
    Ok(out)
}
