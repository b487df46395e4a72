//! The annotated module as the component model sees it: the output of
//! `analyse`, read by every later stage.
//!
//! The types the module defines (records, enums, variants, resources and
//! traits) live in one table, [`Model::types`], in declaration order, and are
//! referred to by [`TypeId`]; structural types (lists, options, results,
//! tuples) are trees over those ids. [`Model::walk`] is the one traversal of
//! a type: every stage that asks what a type holds asks it.

use proc_macro2::Ident;
use syn::{Generics, Signature};

/// A type the module defines: its index in [`Model::types`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TypeId(usize);

/// A type that crosses the boundary by value (or as an owned or
/// library-static handle).
#[derive(Clone, Debug)]
pub enum Type {
    /// A WIT primitive, by its WIT name (`u32`, `s64`, `char`, ...).
    Prim(&'static str),
    String,
    /// `()`: only a whole result or one side of a `Result` (see `check`).
    Unit,
    List(Box<Type>),
    Option(Box<Type>),
    Result(Box<Type>, Box<Type>),
    Tuple(Vec<Type>),
    /// A record, enum or variant of the module.
    Defined(TypeId),
    /// A resource of the module passed by value: ownership moves.
    Own(TypeId),
    /// `&'static R`: a handle to library-static data.
    Static(TypeId),
    /// `Box<dyn T>` of a trait of the module: an owned object.
    Dyn(TypeId),
    /// `StreamReader<T>`: the readable end of a WIT `stream<T>`. Only a
    /// whole parameter or result; its elements are plain values (`check`),
    /// so no walk enters it.
    Stream(Box<Type>),
    /// `FutureReader<T>`: the readable end of a WIT `future<T>`, as `Stream`.
    Future(Box<Type>),
}

impl Type {
    /// The resource or trait of a handle (`Own`, `Static`, `Dyn`).
    pub fn handle(&self) -> Option<TypeId> {
        match self {
            Type::Own(id) | Type::Static(id) | Type::Dyn(id) => Some(*id),
            _ => None,
        }
    }
}

pub struct TypeDef {
    pub ident: Ident,
    /// The WIT name (kebab-case).
    pub name: String,
    pub kind: TypeDefKind,
}

pub enum TypeDefKind {
    Record(Vec<Field>),
    /// Only unit cases.
    Enum(Vec<EnumCase>),
    Variant(Vec<VariantCase>),
    Resource(Resource),
    Trait(Trait),
}

pub struct Field {
    pub ident: Ident,
    pub name: String,
    pub ty: Type,
}

pub struct EnumCase {
    pub ident: Ident,
    pub name: String,
}

pub struct VariantCase {
    pub ident: Ident,
    pub name: String,
    /// The Rust payload types: none, one, or several (`C(A, B)`).
    pub payload: Vec<Type>,
}

impl VariantCase {
    /// The WIT payload: several Rust fields are one `tuple<..>`.
    pub fn wit_payload(&self) -> Option<Type> {
        match self.payload.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            many => Some(Type::Tuple(many.to_vec())),
        }
    }
}

/// A struct with private state: an opaque handle whose value stays in the plugin.
pub struct Resource {
    /// It has a lifetime parameter: it borrows from other handles.
    pub dependent: bool,
    /// The exported functions of all its inherent `impl` blocks, in order.
    pub funcs: Vec<Func>,
    pub impls: Vec<ImplBlock>,
}

/// An inherent `impl` block of a resource, whose generics the glue's
/// helpers repeat (see `emit::glue`).
pub struct ImplBlock {
    pub generics: Generics,
    pub self_ty: syn::Type,
    /// Its exported functions: a range of [`Resource::funcs`].
    pub funcs: std::ops::Range<usize>,
}

/// A `pub trait`: an interface holding one resource whose methods are the trait's.
pub struct Trait {
    /// The plugin implements it (some result is a `Box<dyn T>`); else the caller does.
    pub export: bool,
    /// Set by `#[rdylib::interface(package = ...)]`: the interface belongs to that package.
    pub foreign: Option<Foreign>,
    pub funcs: Vec<Func>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    pub namespace: String,
    pub name: String,
    pub version: String,
}

impl Foreign {
    /// `ns:name/iface@version`.
    pub fn qualified(&self, iface: &str) -> String {
        format!("{}:{}/{}@{}", self.namespace, self.name, iface, self.version)
    }

    /// `ns:name@version`.
    pub fn package(&self) -> String {
        format!("{}:{}@{}", self.namespace, self.name, self.version)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Shared,
    Exclusive,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FuncKind {
    Free,
    Constructor,
    Method(Mode),
    /// A `self` method: in WIT a static function taking `this: own<r>`.
    Consume,
    Static,
}

pub struct Func {
    pub ident: Ident,
    /// The WIT name (kebab-case).
    pub name: String,
    pub kind: FuncKind,
    /// An `async fn`: a WIT `async func`, whose borrows last until its task completes.
    pub is_async: bool,
    /// The WIT parameters: for methods `self` first, for `Consume` `this` first.
    pub params: Vec<Param>,
    pub result: FuncResult,
    /// The Rust signature (trait proxies re-implement it; errors point into it).
    pub sig: Signature,
}

impl Func {
    /// The function's name in the component (`[method]store.get`, ...);
    /// `owner` is the WIT name of its resource or trait.
    pub fn component_name(&self, owner: Option<&str>) -> String {
        match (self.kind, owner) {
            (FuncKind::Constructor, Some(r)) => format!("[constructor]{r}"),
            (FuncKind::Method(_), Some(r)) => format!("[method]{r}.{}", self.name),
            (FuncKind::Consume | FuncKind::Static, Some(r)) => format!("[static]{r}.{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether parameter `index` is the `&self` / `&mut self` receiver
    /// (WIT leaves it implicit).
    pub fn is_receiver(&self, index: usize) -> bool {
        index == 0 && matches!(self.kind, FuncKind::Method(_))
    }
}

pub struct Param {
    /// The WIT name.
    pub name: String,
    pub ty: ParamType,
    /// As written, for spans.
    pub rust: syn::Type,
}

pub enum ParamType {
    Value(Type),
    /// `&str`: the host's string, borrowed for the call.
    StrRef,
    /// `&[T]`: a list, borrowed for the call.
    Slice(Type),
    /// `&T` of a value type: converted, then borrowed for the call.
    ValueRef(Type),
    /// `&R` / `&mut R` / `&self` / `&mut self`: a WIT `borrow<r>`.
    /// `library_static` for `&'static R`: the handle must be library-static.
    Borrow { resource: TypeId, mode: Mode, library_static: bool },
    /// `&dyn T` / `&mut dyn T`: a borrowed trait object.
    DynBorrow { tr: TypeId, mode: Mode },
}

impl ParamType {
    /// The value type of a parameter copied in (all but borrowed handles and `&str`).
    pub fn value(&self) -> Option<&Type> {
        match self {
            ParamType::Value(t) | ParamType::Slice(t) | ParamType::ValueRef(t) => Some(t),
            ParamType::StrRef | ParamType::Borrow { .. } | ParamType::DynBorrow { .. } => None,
        }
    }
}

pub enum FuncResult {
    None,
    /// The type, and the Rust type as written (for spans).
    Value(Type, Box<syn::Type>),
    /// `R<'a>`: a new handle that borrows from the parameters in `borrows`,
    /// possibly inside an `Option` or on the ok side of a `Result` (`wrap`).
    Dependent { resource: TypeId, borrows: Vec<Borrowed>, wrap: DependentWrap },
}

/// A parameter a dependent result borrows from.
pub struct Borrowed {
    /// Index among the WIT parameters.
    pub index: usize,
    pub name: String,
    pub mode: Mode,
}

/// Where a dependent handle sits in a result: at most one handle, so one
/// set of borrows, which is released if the handle is absent.
pub enum DependentWrap {
    Bare,
    Option,
    /// `Result<R<'a>, E>`: the error type.
    Result(Type),
}

pub struct Model {
    /// The annotated Rust module.
    pub ident: Ident,
    /// Its WIT interface name.
    pub name: String,
    /// Every type the module defines, in declaration order; a [`TypeId`] indexes it.
    pub types: Vec<TypeDef>,
    /// The free functions.
    pub funcs: Vec<Func>,
}

/// One step from a type to a type inside it, spelled as in the
/// `rdylib:abi` section's paths (docs/abi.md §3.3).
#[derive(Clone, Copy, Debug)]
pub enum Step<'m> {
    Elem,
    Some,
    Ok,
    Err,
    /// A tuple position.
    Index(usize),
    /// A record field or a variant case, by WIT name.
    Member(&'m str),
}

impl std::fmt::Display for Step<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Elem => f.write_str("elem"),
            Step::Some => f.write_str("some"),
            Step::Ok => f.write_str("ok"),
            Step::Err => f.write_str("err"),
            Step::Index(i) => write!(f, "{i}"),
            Step::Member(name) => f.write_str(name),
        }
    }
}

/// How far [`Model::walk`] goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The type's own structure; defined types are visited, not entered.
    Shallow,
    /// Also into the fields and payloads of the records and variants reached.
    Members,
}

impl Model {
    pub fn def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub(crate) fn push(&mut self, def: TypeDef) -> TypeId {
        self.types.push(def);
        TypeId(self.types.len() - 1)
    }

    pub(crate) fn def_mut(&mut self, id: TypeId) -> &mut TypeDef {
        &mut self.types[id.0]
    }

    pub fn defs(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types.iter().enumerate().map(|(i, d)| (TypeId(i), d))
    }

    pub fn resources(&self) -> impl Iterator<Item = (TypeId, &TypeDef, &Resource)> {
        self.defs().filter_map(|(id, d)| match &d.kind {
            TypeDefKind::Resource(r) => Some((id, d, r)),
            _ => None,
        })
    }

    pub fn traits(&self) -> impl Iterator<Item = (TypeId, &TypeDef, &Trait)> {
        self.defs().filter_map(|(id, d)| match &d.kind {
            TypeDefKind::Trait(t) => Some((id, d, t)),
            _ => None,
        })
    }

    /// The trait `id` (a [`Type::Dyn`] or [`ParamType::DynBorrow`] target).
    pub fn trait_of(&self, id: TypeId) -> &Trait {
        match &self.def(id).kind {
            TypeDefKind::Trait(t) => t,
            _ => unreachable!("analyse makes trait objects of traits only"),
        }
    }

    /// The exported functions of a resource or trait, in declaration order.
    pub fn funcs_of(&self, id: TypeId) -> &[Func] {
        match &self.def(id).kind {
            TypeDefKind::Resource(r) => &r.funcs,
            TypeDefKind::Trait(t) => &t.funcs,
            _ => &[],
        }
    }

    /// The types directly inside a record's fields or a variant's payloads
    /// (none for enums, resources and traits).
    pub fn members(&self, id: TypeId) -> Vec<&Type> {
        match &self.def(id).kind {
            TypeDefKind::Record(fields) => fields.iter().map(|f| &f.ty).collect(),
            TypeDefKind::Variant(cases) => cases.iter().flat_map(|c| &c.payload).collect(),
            _ => Vec::new(),
        }
    }

    /// Calls `visit` with `ty` and every type inside it, top down and in
    /// declaration order, each with its path from `ty`. A variant case with
    /// several payloads is a tuple: `[case, "0"]`, `[case, "1"]`, ...
    /// Entering a definition already being entered on the path stops there,
    /// so a recursive definition cannot loop.
    pub fn walk<'m>(&'m self, ty: &'m Type, depth: Depth, visit: &mut dyn FnMut(&[Step<'m>], &'m Type)) {
        self.walk_at(ty, depth, &mut Vec::new(), &mut Vec::new(), visit);
    }

    /// Whether `ty` holds any type for which `pred` holds (through members).
    pub fn holds(&self, ty: &Type, pred: impl Fn(&Type) -> bool) -> bool {
        self.first(ty, pred).is_some()
    }

    /// The first type inside `ty` (through members) for which `pred` holds.
    pub fn first<'m>(&'m self, ty: &'m Type, pred: impl Fn(&Type) -> bool) -> Option<&'m Type> {
        let mut found = None;
        self.walk(ty, Depth::Members, &mut |_, t| {
            if found.is_none() && pred(t) {
                found = Some(t);
            }
        });
        found
    }

    fn walk_at<'m>(
        &'m self,
        ty: &'m Type,
        depth: Depth,
        path: &mut Vec<Step<'m>>,
        entered: &mut Vec<TypeId>,
        visit: &mut dyn FnMut(&[Step<'m>], &'m Type),
    ) {
        visit(path, ty);
        let mut nest = |step: Step<'m>, t: &'m Type, path: &mut Vec<Step<'m>>, entered: &mut Vec<TypeId>| {
            path.push(step);
            self.walk_at(t, depth, path, entered, visit);
            path.pop();
        };
        match ty {
            Type::List(e) => nest(Step::Elem, e, path, entered),
            Type::Option(e) => nest(Step::Some, e, path, entered),
            Type::Result(ok, err) => {
                nest(Step::Ok, ok, path, entered);
                nest(Step::Err, err, path, entered);
            }
            Type::Tuple(ts) => {
                for (i, t) in ts.iter().enumerate() {
                    nest(Step::Index(i), t, path, entered);
                }
            }
            Type::Defined(id) if depth == Depth::Members && !entered.contains(id) => {
                entered.push(*id);
                match &self.def(*id).kind {
                    TypeDefKind::Record(fields) => {
                        for f in fields {
                            nest(Step::Member(&f.name), &f.ty, path, entered);
                        }
                    }
                    TypeDefKind::Variant(cases) => {
                        for c in cases {
                            match c.payload.as_slice() {
                                [] => {}
                                [one] => nest(Step::Member(&c.name), one, path, entered),
                                many => {
                                    path.push(Step::Member(&c.name));
                                    for (i, t) in many.iter().enumerate() {
                                        nest(Step::Index(i), t, path, entered);
                                    }
                                    path.pop();
                                }
                            }
                        }
                    }
                    _ => {}
                }
                entered.pop();
            }
            _ => {}
        }
    }
}
