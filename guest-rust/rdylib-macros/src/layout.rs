//! Which WIT interface defines each of the module's records, enums and
//! variants, and what each trait's interface must `use` from the others.
//!
//! A trait is its own interface, and the module's interface already `use`s
//! every trait's resource, so a type a trait method mentions cannot live in
//! the module's interface (WIT forbids cyclic `use`). Such a type is defined
//! in the interface of one of the traits that use it (its *home*); the
//! other traits and the module's interface `use` it from there. The home is
//! the first trait in declaration order that is allowed to hold it:
//!
//! - if another package's trait (`#[rdylib::interface]`) uses the type, one
//!   of those, since that package's interfaces cannot use this package's;
//! - if a caller-implemented (imported) trait uses it, one of those, since a
//!   world's imported interface cannot use one of its exported interfaces.
//!
//! This module also checks, per direction, which handles a trait method may
//! carry (see `check_handles`); everything else a free function may use, a
//! trait method may use too.

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::Error;

use crate::model::{Errors, Module, ParamKind, Res, ResKind, Resource, Ty};

pub struct Layout {
    /// Type WIT name → index into `Module::traits` of the interface that
    /// defines it. Types not listed are defined in the module's interface.
    pub home: HashMap<String, usize>,
    /// Per trait: (trait index, names) it `use`s, in first-use order.
    pub uses: Vec<Vec<(usize, Vec<String>)>>,
}

impl Layout {
    /// Names of the module's types defined in trait `ti`'s interface.
    pub fn homed_in(&self, ti: usize) -> impl Iterator<Item = &String> {
        self.home.iter().filter(move |(_, h)| **h == ti).map(|(n, _)| n)
    }
}

fn is_export(t: &Resource) -> bool {
    matches!(t.kind, ResKind::Trait { export: true })
}

/// Calls `f` on `t` and on every type inside it, stopping at named types.
fn each(t: &Ty, f: &mut dyn FnMut(&Ty)) {
    f(t);
    match t {
        Ty::List(e) | Ty::Option(e) => each(e, f),
        Ty::Result(o, e) => {
            each(o, f);
            each(e, f);
        }
        Ty::Tuple(ts) => ts.iter().for_each(|t| each(t, f)),
        _ => {}
    }
}

/// The field and payload types of a named type (none for an enum).
fn members<'m>(m: &'m Module, name: &str) -> Vec<&'m Ty> {
    if let Some(r) = m.records.iter().find(|r| r.name == name) {
        return r.fields.iter().map(|(_, _, t)| t).collect();
    }
    if let Some(v) = m.variants.iter().find(|v| v.name == name) {
        return v.cases.iter().flat_map(|(_, _, tys)| tys.iter()).collect();
    }
    Vec::new()
}

/// Like `each`, but also through the members of named types.
fn deep(m: &Module, t: &Ty, seen: &mut HashSet<String>, f: &mut dyn FnMut(&Ty)) {
    each(t, &mut |x| {
        f(x);
        if let Ty::Named(n) = x {
            if seen.insert(n.clone()) {
                for mt in members(m, n) {
                    deep(m, mt, seen, f);
                }
            }
        }
    });
}

/// The first handle inside `t`, if any.
fn first_handle(m: &Module, t: &Ty) -> Option<Ty> {
    let mut found = None;
    deep(m, t, &mut HashSet::new(), &mut |x| {
        if found.is_none() && matches!(x, Ty::Own(_) | Ty::Static(_) | Ty::Dyn(_)) {
            found = Some(x.clone());
        }
    });
    found
}

fn rust_name(m: &Module, wit: &str) -> String {
    m.resources
        .iter()
        .chain(&m.traits)
        .find(|r| r.name == wit)
        .map(|r| r.ident.to_string())
        .unwrap_or_else(|| wit.to_string())
}

/// Which handles a trait method may carry, by who implements the trait:
///
/// - The module's own resources never: the module's interface `use`s every
///   trait's interface, so a trait's interface cannot refer back to them.
/// - A plugin-implemented trait's methods may take `&dyn U`, `&mut dyn U` and
///   `Box<dyn U>` of any trait, and return `Box<dyn U>` of plugin-implemented
///   traits (the plugin can only make handles for its own objects).
/// - A caller-implemented trait's methods may take no handles at all: a
///   `&dyn U` / `Box<dyn U>` the plugin holds may be a plain Rust value that
///   has no handle, and its interface cannot use the plugin's exported ones.
///   They may return `Box<dyn U>` of caller-implemented traits.
fn check_handles(m: &Module, t: &Resource, errors: &mut Errors) {
    let export = is_export(t);
    let resource_msg = |r: &str, what: &str| {
        format!(
            "rdylib: {what} cannot hold resource `{}` of this module: the module's interface uses trait `{}`'s interface, so `{}`'s interface cannot refer back to it (WIT forbids cyclic `use`)",
            rust_name(m, r),
            t.ident,
            t.ident
        )
    };
    for f in &t.funcs {
        for p in f.params.iter().skip(1) {
            let problem = match &p.kind {
                ParamKind::Borrow { res, .. } => Some(resource_msg(res, "a trait method parameter")),
                ParamKind::DynBorrow { tr, .. } if !export => Some(format!(
                    "rdylib: a caller-implemented trait's method cannot take `&dyn {}`: the plugin's `&dyn {}` may be a plain Rust value with no handle to pass to the caller",
                    rust_name(m, tr),
                    rust_name(m, tr)
                )),
                ParamKind::DynBorrow { .. } | ParamKind::StrRef => None,
                ParamKind::Value(ty) | ParamKind::Slice(ty) | ParamKind::ValueRef(ty) => match first_handle(m, ty) {
                    None => None,
                    Some(Ty::Own(r) | Ty::Static(r)) => Some(resource_msg(&r, "a trait method parameter")),
                    Some(Ty::Dyn(_)) if export => None,
                    Some(Ty::Dyn(u)) => Some(format!(
                        "rdylib: a caller-implemented trait's method cannot take `Box<dyn {}>`: a boxed trait object in the plugin may be a plain Rust value with no handle to give the caller",
                        rust_name(m, &u)
                    )),
                    Some(_) => None,
                },
            };
            if let Some(msg) = problem {
                errors.push(Error::new(p.ty.span(), msg));
            }
        }
        if let Res::Value(ty, syn_ty) = &f.result {
            let problem = match first_handle(m, ty) {
                Some(Ty::Own(r) | Ty::Static(r)) => Some(resource_msg(&r, "a trait method result")),
                Some(Ty::Dyn(u)) => {
                    let u_export = m.traits.iter().find(|x| x.name == u).is_some_and(is_export);
                    match (export, u_export) {
                        (true, false) => Some(format!(
                            "rdylib: `{}` is implemented by the caller, so the plugin cannot return a `Box<dyn {}>` of its own; return it from a function of the module so that the plugin implements `{}`",
                            rust_name(m, &u),
                            rust_name(m, &u),
                            rust_name(m, &u)
                        )),
                        (false, true) => Some(format!(
                            "rdylib: a caller-implemented trait's method cannot return `Box<dyn {}>` of a plugin-implemented trait: the world's imported interface `{}` cannot use its exported interface `{}`",
                            rust_name(m, &u),
                            t.name,
                            u
                        )),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(msg) = problem {
                errors.push(Error::new(syn_ty.span(), msg));
            }
        }
    }
}

/// Every type a trait's methods mention directly (not through other types),
/// and every other trait they mention.
fn mentions(t: &Resource) -> (Vec<String>, Vec<String>) {
    let (mut types, mut traits) = (Vec::new(), Vec::new());
    let mut note = |x: &Ty| match x {
        Ty::Named(n) if !types.contains(n) => types.push(n.clone()),
        Ty::Dyn(u) if *u != t.name && !traits.contains(u) => traits.push(u.clone()),
        _ => {}
    };
    for f in &t.funcs {
        for p in &f.params {
            match &p.kind {
                ParamKind::Value(ty) | ParamKind::Slice(ty) | ParamKind::ValueRef(ty) => each(ty, &mut note),
                ParamKind::DynBorrow { tr, .. } => note(&Ty::Dyn(tr.clone())),
                ParamKind::Borrow { .. } | ParamKind::StrRef => {}
            }
        }
        if let Res::Value(ty, _) = &f.result {
            each(ty, &mut note);
        }
    }
    (types, traits)
}

fn add_use(uses: &mut Vec<(usize, Vec<String>)>, to: usize, name: &str) {
    match uses.iter_mut().find(|(i, _)| *i == to) {
        Some((_, names)) => {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        None => uses.push((to, vec![name.to_string()])),
    }
}

pub fn layout(m: &Module, errors: &mut Errors) -> Layout {
    for t in &m.traits {
        check_handles(m, t, errors);
    }
    let mentioned: Vec<(Vec<String>, Vec<String>)> = m.traits.iter().map(mentions).collect();
    // Which traits reach each type, directly or through other types.
    let mut users: HashMap<String, Vec<usize>> = HashMap::new();
    for (ti, (types, _)) in mentioned.iter().enumerate() {
        let mut seen = HashSet::new();
        for n in types {
            deep(m, &Ty::Named(n.clone()), &mut seen, &mut |x| {
                if let Ty::Named(n) = x {
                    let u = users.entry(n.clone()).or_default();
                    if !u.contains(&ti) {
                        u.push(ti);
                    }
                }
            });
        }
    }
    let declared = m
        .records
        .iter()
        .map(|r| (&r.name, &r.ident))
        .chain(m.enums.iter().map(|e| (&e.name, &e.ident)))
        .chain(m.variants.iter().map(|v| (&v.name, &v.ident)));
    let mut home = HashMap::new();
    for (name, ident) in declared {
        let Some(us) = users.get(name) else { continue };
        let mut cand: Vec<usize> = us.clone();
        cand.sort_unstable();
        let trait_list = |is: &[usize]| is.iter().map(|&i| format!("`{}`", m.traits[i].ident)).collect::<Vec<_>>().join(", ");
        let packages: Vec<String> = {
            let mut p: Vec<String> = cand
                .iter()
                .filter_map(|&i| m.traits[i].foreign.as_ref().map(|f| format!("{}:{}@{}", f.namespace, f.name, f.version)))
                .collect();
            p.dedup();
            p
        };
        if packages.len() > 1 {
            errors.push(Error::new(
                ident.span(),
                format!(
                    "rdylib: `{ident}` is used by traits of different packages ({}), but a type can be defined in only one package's interface",
                    packages.join(", ")
                ),
            ));
            continue;
        }
        if !packages.is_empty() {
            cand.retain(|&i| m.traits[i].foreign.is_some());
        }
        if cand.iter().any(|&i| !is_export(&m.traits[i])) || us.iter().any(|&i| !is_export(&m.traits[i])) {
            cand.retain(|&i| !is_export(&m.traits[i]));
        }
        match cand.first() {
            Some(&h) => {
                home.insert(name.clone(), h);
            }
            None => errors.push(Error::new(
                ident.span(),
                format!(
                    "rdylib: `{ident}` is used by the methods of {}, so it must be defined in one of their interfaces that all the others can use; none qualifies: another package's interface cannot use this package's, and a caller-implemented trait's interface (a world import) cannot use a plugin-implemented one's (an export)",
                    trait_list(us)
                ),
            )),
        }
    }
    // What each trait's interface must `use` from the others.
    let mut uses: Vec<Vec<(usize, Vec<String>)>> = vec![Vec::new(); m.traits.len()];
    for (ti, (types, traits)) in mentioned.iter().enumerate() {
        for n in types {
            if let Some(&h) = home.get(n) {
                if h != ti {
                    add_use(&mut uses[ti], h, n);
                }
            }
        }
        for u in traits {
            if let Some(ui) = m.traits.iter().position(|t| &t.name == u) {
                add_use(&mut uses[ti], ui, u);
            }
        }
    }
    let mut homed: Vec<(&String, usize)> = home.iter().map(|(n, h)| (n, *h)).collect();
    homed.sort();
    for (n, h) in homed {
        for mt in members(m, n) {
            each(mt, &mut |x| match x {
                Ty::Named(f) => {
                    if let Some(&fh) = home.get(f) {
                        if fh != h {
                            add_use(&mut uses[h], fh, f);
                        }
                    }
                }
                Ty::Dyn(u) => {
                    if let Some(ui) = m.traits.iter().position(|t| &t.name == u) {
                        if ui != h {
                            add_use(&mut uses[h], ui, u);
                        }
                    }
                }
                _ => {}
            });
        }
    }
    check_uses(m, &uses, errors);
    Layout { home, uses }
}

/// The `use`s between trait interfaces must be expressible: no import using
/// an export, no other package using this one, and no cycle.
fn check_uses(m: &Module, uses: &[Vec<(usize, Vec<String>)>], errors: &mut Errors) {
    for (a, list) in uses.iter().enumerate() {
        let ta = &m.traits[a];
        for (b, names) in list {
            let tb = &m.traits[*b];
            let what = names.join("`, `");
            if !is_export(ta) && is_export(tb) {
                errors.push(Error::new(
                    ta.ident.span(),
                    format!(
                        "rdylib: the interface of caller-implemented trait `{}` would have to use `{what}` from the interface of `{}`, which the plugin implements; a world's imported interface cannot use one of its exported interfaces",
                        ta.ident, tb.ident
                    ),
                ));
            }
            let same_package = match (&ta.foreign, &tb.foreign) {
                (None, _) => true,
                (Some(fa), Some(fb)) => (&fa.namespace, &fa.name, &fa.version) == (&fb.namespace, &fb.name, &fb.version),
                (Some(_), None) => false,
            };
            if !same_package {
                errors.push(Error::new(
                    ta.ident.span(),
                    format!(
                        "rdylib: trait `{}` belongs to another package, whose interface cannot use `{what}` from `{}`'s interface in a different package",
                        ta.ident, tb.ident
                    ),
                ));
            }
        }
    }
    // Depth-first search for a cycle of `use`s.
    fn visit(at: usize, uses: &[Vec<(usize, Vec<String>)>], state: &mut [u8], path: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[at] = 1;
        path.push(at);
        for (next, _) in &uses[at] {
            match state[*next] {
                1 => {
                    let start = path.iter().position(|p| p == next).expect("on the path");
                    return Some(path[start..].to_vec());
                }
                0 => {
                    if let Some(c) = visit(*next, uses, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state[at] = 2;
        None
    }
    let mut state = vec![0u8; uses.len()];
    for start in 0..uses.len() {
        if state[start] == 0 {
            if let Some(cycle) = visit(start, uses, &mut state, &mut Vec::new()) {
                let names: Vec<String> = cycle.iter().map(|&i| format!("`{}`", m.traits[i].ident)).collect();
                errors.push(Error::new(
                    m.traits[cycle[0]].ident.span(),
                    format!(
                        "rdylib: the interfaces of traits {} would use each other's types in a cycle, which WIT forbids; move the shared types so that one trait's methods alone use them, or make one trait's methods use only builtin types",
                        names.join(" → ")
                    ),
                ));
                return;
            }
        }
    }
}
