//! Stage 3: which WIT interface defines each of the module's records, enums
//! and variants, and what each trait's interface must `use` from the others.
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
//! A type with no possible home is recorded in [`Layout::homeless`]; whether
//! the `use`s are expressible (no cycle, no import using an export, no other
//! package using this one) is `check`'s.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Depth, Model, ParamType, FuncResult, Trait, Type, TypeDefKind, TypeId};

pub struct Layout {
    /// Type → the trait whose interface defines it. Types not listed are
    /// defined in the module's interface.
    pub home: HashMap<TypeId, TypeId>,
    /// Per trait: the traits whose interfaces it `use`s, each with the types
    /// (and trait resources) it uses, in first-use order.
    pub uses: BTreeMap<TypeId, Vec<(TypeId, Vec<TypeId>)>>,
    /// Types that no interface of their users can define.
    pub homeless: Vec<Homeless>,
}

pub struct Homeless {
    pub ty: TypeId,
    pub why: NoHome,
}

pub enum NoHome {
    /// Traits of several other packages use it (their packages, in trait order).
    Packages(Vec<String>),
    /// None of its users (these traits) may hold it.
    NoneQualifies(Vec<TypeId>),
}

impl Layout {
    pub fn of(m: &Model) -> Layout {
        let traits: Vec<(TypeId, &Trait)> = m.traits().map(|(id, _, t)| (id, t)).collect();
        let is_export = |id: TypeId| m.trait_of(id).export;
        let mentioned: Vec<(TypeId, Mentions)> = traits.iter().map(|&(id, t)| (id, mentions(m, id, t))).collect();
        // Which traits reach each type, directly or through other types.
        let mut users: HashMap<TypeId, Vec<TypeId>> = HashMap::new();
        for (ti, mention) in &mentioned {
            for ty in &mention.types {
                m.walk(&Type::Defined(*ty), Depth::Members, &mut |_, x| {
                    if let Type::Defined(n) = x {
                        let u = users.entry(*n).or_default();
                        if !u.contains(ti) {
                            u.push(*ti);
                        }
                    }
                });
            }
        }
        let mut home = HashMap::new();
        let mut homeless = Vec::new();
        for (id, _) in defined_types(m) {
            let Some(us) = users.get(&id) else { continue };
            let mut cand: Vec<TypeId> = us.clone();
            cand.sort_unstable();
            let mut packages: Vec<String> =
                cand.iter().filter_map(|&i| m.trait_of(i).foreign.as_ref().map(|f| f.package())).collect();
            packages.dedup();
            if packages.len() > 1 {
                homeless.push(Homeless { ty: id, why: NoHome::Packages(packages) });
                continue;
            }
            if !packages.is_empty() {
                cand.retain(|&i| m.trait_of(i).foreign.is_some());
            }
            if us.iter().any(|&i| !is_export(i)) {
                cand.retain(|&i| !is_export(i));
            }
            match cand.first() {
                Some(&h) => {
                    home.insert(id, h);
                }
                None => homeless.push(Homeless { ty: id, why: NoHome::NoneQualifies(us.clone()) }),
            }
        }
        // What each trait's interface must `use` from the others.
        let mut uses: BTreeMap<TypeId, Vec<(TypeId, Vec<TypeId>)>> =
            traits.iter().map(|&(id, _)| (id, Vec::new())).collect();
        for (ti, mention) in &mentioned {
            let list = uses.get_mut(ti).expect("every trait");
            for n in &mention.types {
                if let Some(&h) = home.get(n) {
                    if h != *ti {
                        add_use(list, h, *n);
                    }
                }
            }
            for &u in &mention.traits {
                add_use(list, u, u);
            }
        }
        // The types a homed type's members mention, from where they are homed.
        let mut homed: Vec<(&str, TypeId, TypeId)> = home.iter().map(|(&n, &h)| (m.def(n).name.as_str(), n, h)).collect();
        homed.sort();
        for (_, n, h) in homed {
            let list = uses.get_mut(&h).expect("every trait");
            for member in m.members(n) {
                m.walk(member, Depth::Shallow, &mut |_, x| match x {
                    Type::Defined(f) => {
                        if let Some(&fh) = home.get(f) {
                            if fh != h {
                                add_use(list, fh, *f);
                            }
                        }
                    }
                    Type::Dyn(u) if *u != h => add_use(list, *u, *u),
                    _ => {}
                });
            }
        }
        Layout { home, uses, homeless }
    }

    /// The types defined in trait `tr`'s interface, by WIT name.
    pub fn homed_in<'m>(&self, m: &'m Model, tr: TypeId) -> Vec<&'m str> {
        let mut names: Vec<&str> = self.home.iter().filter(|(_, h)| **h == tr).map(|(n, _)| m.def(*n).name.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// The module's records, then its enums, then its variants, each in
/// declaration order (the order their interface lists them in).
pub fn defined_types(m: &Model) -> impl Iterator<Item = (TypeId, &crate::model::TypeDef)> {
    let of = |pick: fn(&TypeDefKind) -> bool| m.defs().filter(move |(_, d)| pick(&d.kind));
    of(|k| matches!(k, TypeDefKind::Record(_)))
        .chain(of(|k| matches!(k, TypeDefKind::Enum(_))))
        .chain(of(|k| matches!(k, TypeDefKind::Variant(_))))
}

/// What a trait's methods mention directly (not through other types).
struct Mentions {
    /// The module's records, enums and variants.
    types: Vec<TypeId>,
    /// Other traits.
    traits: Vec<TypeId>,
}

fn mentions(m: &Model, id: TypeId, t: &Trait) -> Mentions {
    let mut out = Mentions { types: Vec::new(), traits: Vec::new() };
    let mut note = |x: &Type| match x {
        Type::Defined(n) if !out.types.contains(n) => out.types.push(*n),
        Type::Dyn(u) if *u != id && !out.traits.contains(u) => out.traits.push(*u),
        _ => {}
    };
    for f in &t.funcs {
        for p in &f.params {
            match &p.ty {
                ParamType::DynBorrow { tr, .. } => note(&Type::Dyn(*tr)),
                other => {
                    if let Some(ty) = other.value() {
                        m.walk(ty, Depth::Shallow, &mut |_, x| note(x));
                    }
                }
            }
        }
        if let FuncResult::Value(ty, _) = &f.result {
            m.walk(ty, Depth::Shallow, &mut |_, x| note(x));
        }
    }
    out
}

fn add_use(uses: &mut Vec<(TypeId, Vec<TypeId>)>, to: TypeId, what: TypeId) {
    match uses.iter_mut().find(|(i, _)| *i == to) {
        Some((_, names)) => {
            if !names.contains(&what) {
                names.push(what);
            }
        }
        None => uses.push((to, vec![what])),
    }
}
