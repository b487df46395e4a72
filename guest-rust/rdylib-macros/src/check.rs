//! Stage 2: the rules between the model's items, each refusal a
//! `syn::Error` spanned at the item or type it is about and saying why the
//! component model (or WIT) cannot express it. `analyse` has already refused
//! what cannot be read into the model at all.
//!
//! Three groups, reported in this order, each only if the previous passed
//! (a later group's rules assume the earlier ones hold): [`items`] (with
//! `analyse`'s errors), [`interfaces`] (over the layout), [`package_names`].

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{Error, Ident};

use crate::layout::{defined_types, Layout, NoHome};
use crate::model::{DependentWrap, Depth, FuncResult, Model, ParamType, Step, Trait, Type, TypeId};
use crate::options::WitNames;

/// Collects the errors of one stage so the user sees all of them at once.
#[derive(Default)]
pub struct Errors(Option<Error>);

impl Errors {
    pub fn push(&mut self, e: Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Rules within the module's interface: one namespace for types and
/// functions, and `()` only where WIT has a place for it.
pub fn items(m: &Model, errors: &mut Errors) {
    unique_names(m, errors);
    unit_placement(m, errors);
    for (_, _, t) in m.traits() {
        trait_async_rules(m, t, errors);
    }
}

/// A trait method's future is a boxed `dyn Future` (`emit::async_traits`),
/// which can hold no borrow but the receiver's: an async trait method takes
/// its other arguments by value, and neither direction's methods carry the
/// stream and future handles of other interfaces' functions.
fn trait_async_rules(m: &Model, t: &Trait, errors: &mut Errors) {
    let holds_handle = |ty: &Type| m.holds(ty, |x| x.handle().is_some());
    for f in &t.funcs {
        let carries_stream = |ty: &Type| matches!(ty, Type::Stream(_) | Type::Future(_));
        for p in f.params.iter().skip(1) {
            if p.ty.value().is_some_and(carries_stream) {
                errors.push(Error::new(p.rust.span(), "rdylib: trait methods cannot take a stream or future; take them in a function of the module"));
            } else if f.is_async && !matches!(p.ty, ParamType::Value(_)) {
                errors.push(Error::new(
                    p.rust.span(),
                    "rdylib: an async trait method takes its arguments by value (`String`, `Vec<T>`, a record, ...): its future is a `Box<dyn Future>` that may hold only the receiver's borrow",
                ));
            } else if f.is_async && p.ty.value().is_some_and(holds_handle) {
                errors.push(Error::new(p.rust.span(), "rdylib: an async trait method cannot take handles (`Box<dyn T>`); pass plain values"));
            }
        }
        if let FuncResult::Value(ty, rust) = &f.result {
            if carries_stream(ty) {
                errors.push(Error::new(rust.span(), "rdylib: trait methods cannot return a stream or future; return them from a function of the module"));
            } else if f.is_async && holds_handle(ty) {
                errors.push(Error::new(rust.span(), "rdylib: an async trait method cannot return handles (`Box<dyn T>`); return plain values"));
            }
        }
        if !f.is_async {
            continue;
        }
        if let Some(g) = f.sig.generics.params.first() {
            errors.push(Error::new(g.span(), "rdylib: an async trait method cannot have generic parameters or lifetimes: its future borrows only the receiver"));
        }
        if let Some(lt) = f.sig.receiver().and_then(|r| r.lifetime()) {
            errors.push(Error::new(lt.span(), "rdylib: write an async trait method's receiver as `&self` or `&mut self`, without a lifetime"));
        }
    }
}


/// WIT puts types and functions of an interface in one namespace; a clash
/// would otherwise surface as an error inside wit-bindgen's expansion.
fn unique_names(m: &Model, errors: &mut Errors) {
    for (_, d, t) in m.traits() {
        if t.foreign.is_none() && d.name == m.name {
            errors.push(Error::new(
                d.ident.span(),
                format!("rdylib: trait `{}` would be interface `{}`, the name of the module's own interface; rename one", d.ident, d.name),
            ));
        }
    }
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    let names = defined_types(m)
        .chain(m.resources().map(|(id, d, _)| (id, d)))
        .chain(m.traits().map(|(id, d, _)| (id, d)))
        .map(|(_, d)| (&d.name, &d.ident))
        .chain(m.funcs.iter().map(|f| (&f.name, &f.ident)));
    for (name, ident) in names {
        if let Some(first) = seen.insert(name, ident) {
            errors.push(Error::new(
                ident.span(),
                format!("rdylib: `{ident}` and `{first}` both become `{name}` in the derived WIT interface, where types and functions share one namespace; rename one"),
            ));
        }
    }
}

const UNIT_MESSAGE: &str = "rdylib: `()` is only allowed as a whole result or as one side of a `Result`";

/// A `()` in `ty` that is not one side of a `Result` (at the root only
/// when `root_allowed`).
fn misplaced_unit(m: &Model, ty: &Type, root_allowed: bool) -> bool {
    let mut found = false;
    m.walk(ty, Depth::Shallow, &mut |path, t| {
        let allowed = match path.last() {
            None => root_allowed,
            Some(step) => matches!(step, Step::Ok | Step::Err),
        };
        found |= matches!(t, Type::Unit) && !allowed;
    });
    found
}

fn unit_placement(m: &Model, errors: &mut Errors) {
    for (id, d) in defined_types(m) {
        if m.members(id).into_iter().any(|t| misplaced_unit(m, t, false)) {
            errors.push(Error::new(d.ident.span(), UNIT_MESSAGE));
        }
    }
    let funcs = m.resources().flat_map(|(_, _, r)| &r.funcs).chain(m.traits().flat_map(|(_, _, t)| &t.funcs)).chain(&m.funcs);
    for f in funcs {
        for p in &f.params {
            if p.ty.value().is_some_and(|t| misplaced_unit(m, t, false)) {
                errors.push(Error::new(p.rust.span(), UNIT_MESSAGE));
            }
        }
        match &f.result {
            // A whole-result `()` is no result (`FuncResult::None`).
            FuncResult::Value(t, rust) if misplaced_unit(m, t, false) => errors.push(Error::new(rust.span(), UNIT_MESSAGE)),
            FuncResult::Dependent { wrap: DependentWrap::Result(err), .. } if misplaced_unit(m, err, true) => {
                errors.push(Error::new(f.sig.output.span(), UNIT_MESSAGE))
            }
            _ => {}
        }
    }
}

/// Rules between the interfaces: which handles each trait's methods may
/// carry, a home for every type the traits use, and `use`s that WIT can
/// express.
pub fn interfaces(m: &Model, layout: &Layout) -> syn::Result<()> {
    let mut errors = Errors::default();
    for (id, _, t) in m.traits() {
        trait_handles(m, id, t, &mut errors);
    }
    for h in &layout.homeless {
        let ident = &m.def(h.ty).ident;
        let msg = match &h.why {
            NoHome::Packages(packages) => format!(
                "rdylib: `{ident}` is used by traits of different packages ({}), but a type can be defined in only one package's interface",
                packages.join(", ")
            ),
            NoHome::NoneQualifies(users) => format!(
                "rdylib: `{ident}` is used by the methods of {}, so it must be defined in one of their interfaces that all the others can use; none qualifies: another package's interface cannot use this package's, and a caller-implemented trait's interface (a world import) cannot use a plugin-implemented one's (an export)",
                users.iter().map(|&i| format!("`{}`", m.def(i).ident)).collect::<Vec<_>>().join(", ")
            ),
        };
        errors.push(Error::new(ident.span(), msg));
    }
    uses(m, layout, &mut errors);
    errors.finish()
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
fn trait_handles(m: &Model, id: TypeId, t: &Trait, errors: &mut Errors) {
    let rust = |id: TypeId| &m.def(id).ident;
    let tr = rust(id);
    let resource_msg = |r: TypeId, what: &str| {
        format!(
            "rdylib: {what} cannot hold resource `{}` of this module: the module's interface uses trait `{tr}`'s interface, so `{tr}`'s interface cannot refer back to it (WIT forbids cyclic `use`)",
            rust(r),
        )
    };
    for f in &t.funcs {
        for p in f.params.iter().skip(1) {
            let problem = match &p.ty {
                ParamType::Borrow { resource, .. } => Some(resource_msg(*resource, "a trait method parameter")),
                ParamType::DynBorrow { tr: u, .. } if !t.export => Some(format!(
                    "rdylib: a caller-implemented trait's method cannot take `&dyn {}`: the plugin's `&dyn {}` may be a plain Rust value with no handle to pass to the caller",
                    rust(*u),
                    rust(*u)
                )),
                other => match other.value().and_then(|ty| m.first(ty, |x| x.handle().is_some())) {
                    Some(Type::Own(r) | Type::Static(r)) => Some(resource_msg(*r, "a trait method parameter")),
                    Some(Type::Dyn(u)) if !t.export => Some(format!(
                        "rdylib: a caller-implemented trait's method cannot take `Box<dyn {}>`: a boxed trait object in the plugin may be a plain Rust value with no handle to give the caller",
                        rust(*u)
                    )),
                    _ => None,
                },
            };
            if let Some(msg) = problem {
                errors.push(Error::new(p.rust.span(), msg));
            }
        }
        let FuncResult::Value(ty, rust_ty) = &f.result else { continue };
        let problem = match m.first(ty, |x| x.handle().is_some()) {
            Some(Type::Own(r) | Type::Static(r)) => Some(resource_msg(*r, "a trait method result")),
            Some(Type::Dyn(u)) => match (t.export, m.trait_of(*u).export) {
                (true, false) => Some(format!(
                    "rdylib: `{}` is implemented by the caller, so the plugin cannot return a `Box<dyn {}>` of its own; return it from a function of the module so that the plugin implements `{}`",
                    rust(*u),
                    rust(*u),
                    rust(*u)
                )),
                (false, true) => Some(format!(
                    "rdylib: a caller-implemented trait's method cannot return `Box<dyn {}>` of a plugin-implemented trait: the world's imported interface `{}` cannot use its exported interface `{}`",
                    rust(*u),
                    m.def(id).name,
                    m.def(*u).name
                )),
                _ => None,
            },
            _ => None,
        };
        if let Some(msg) = problem {
            errors.push(Error::new(rust_ty.span(), msg));
        }
    }
}

/// The `use`s between trait interfaces must be expressible: no import using
/// an export, no other package using this one, and no cycle.
fn uses(m: &Model, layout: &Layout, errors: &mut Errors) {
    for (&a, list) in &layout.uses {
        let (da, ta) = (m.def(a), m.trait_of(a));
        for (b, names) in list {
            let (db, tb) = (m.def(*b), m.trait_of(*b));
            let what = names.iter().map(|&n| m.def(n).name.as_str()).collect::<Vec<_>>().join("`, `");
            if !ta.export && tb.export {
                errors.push(Error::new(
                    da.ident.span(),
                    format!(
                        "rdylib: the interface of caller-implemented trait `{}` would have to use `{what}` from the interface of `{}`, which the plugin implements; a world's imported interface cannot use one of its exported interfaces",
                        da.ident, db.ident
                    ),
                ));
            }
            let same_package = match (&ta.foreign, &tb.foreign) {
                (None, _) => true,
                (Some(fa), Some(fb)) => fa == fb,
                (Some(_), None) => false,
            };
            if !same_package {
                errors.push(Error::new(
                    da.ident.span(),
                    format!(
                        "rdylib: trait `{}` belongs to another package, whose interface cannot use `{what}` from `{}`'s interface in a different package",
                        da.ident, db.ident
                    ),
                ));
            }
        }
    }
    if let Some(cycle) = use_cycle(layout) {
        let names: Vec<String> = cycle.iter().map(|&i| format!("`{}`", m.def(i).ident)).collect();
        errors.push(Error::new(
            m.def(cycle[0]).ident.span(),
            format!(
                "rdylib: the interfaces of traits {} would use each other's types in a cycle, which WIT forbids; move the shared types so that one trait's methods alone use them, or make one trait's methods use only builtin types",
                names.join(" → ")
            ),
        ));
    }
}

/// The first cycle of `use`s between trait interfaces (depth-first, from
/// the traits in declaration order).
fn use_cycle(layout: &Layout) -> Option<Vec<TypeId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    fn visit(at: TypeId, layout: &Layout, state: &mut HashMap<TypeId, State>, path: &mut Vec<TypeId>) -> Option<Vec<TypeId>> {
        state.insert(at, State::OnPath);
        path.push(at);
        for (next, _) in &layout.uses[&at] {
            match state.get(next).copied().unwrap_or(State::New) {
                State::OnPath => {
                    let start = path.iter().position(|p| p == next).expect("on the path");
                    return Some(path[start..].to_vec());
                }
                State::New => {
                    if let Some(c) = visit(*next, layout, state, path) {
                        return Some(c);
                    }
                }
                State::Done => {}
            }
        }
        path.pop();
        state.insert(at, State::Done);
        None
    }
    let mut state = HashMap::new();
    for &start in layout.uses.keys() {
        if !state.contains_key(&start) {
            if let Some(cycle) = visit(start, layout, &mut state, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

/// The package and world names must be WIT identifiers.
pub fn package_names(names: &WitNames, module: &Ident) -> syn::Result<()> {
    let ok_id = |s: &str| {
        !s.is_empty()
            && s.split('-').all(|w| {
                !w.is_empty()
                    && w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    let valid = names.package.split_once(':').is_some_and(|(a, b)| ok_id(a) && ok_id(b)) && ok_id(&names.world);
    if !valid {
        return Err(Error::new(
            module.span(),
            format!(
                "rdylib: package `{}` / world `{}` are not valid WIT names (kebab-case `namespace:name`)",
                names.package, names.world
            ),
        ));
    }
    Ok(())
}

