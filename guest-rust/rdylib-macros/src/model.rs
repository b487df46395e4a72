//! The annotated module as a model: which items cross the boundary, and
//! what each Rust signature means in component-model terms.
//!
//! Every rejection here is a `syn::Error` spanned at the offending type or
//! signature, saying why the component model cannot express it faithfully.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{
    Error, FnArg, GenericArgument, Ident, ImplItem, Item, ItemEnum, ItemImpl, ItemStruct, Lifetime,
    Pat, PathArguments, Result, ReturnType, Signature, Type, TypeParamBound, Visibility,
};

use crate::names::kebab;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LocalKind {
    Record,
    Enum,
    Variant,
    /// A struct with private state: an opaque handle. `dependent` when it
    /// has a lifetime parameter (it borrows from another handle).
    Resource { dependent: bool },
    /// A trait: an interface with one resource, implemented by the plugin
    /// (`export`, when some result is a `Box<dyn T>`) or by the caller.
    Trait { export: bool },
}

/// A type that crosses the boundary by value (or as an owned/static handle).
#[derive(Clone, Debug)]
pub enum Ty {
    Prim(&'static str),
    Str,
    Unit,
    List(Box<Ty>),
    Option(Box<Ty>),
    Result(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
    /// A local record, enum or variant, by WIT name.
    Named(String),
    /// A local resource passed by value: ownership moves.
    Own(String),
    /// `&'static R`: a handle to library-static data.
    Static(String),
    /// `Box<dyn T>` of a trait declared in the module: an owned object.
    Dyn(String),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Shared,
    Exclusive,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Exclusive => "exclusive",
        }
    }
}

#[derive(Clone, Debug)]
pub enum ParamKind {
    Value(Ty),
    /// `&str`: the host's string, borrowed for the call.
    StrRef,
    /// `&[T]`: a list, borrowed for the call.
    Slice(Ty),
    /// `&T` of a value type: converted, then borrowed for the call.
    ValueRef(Ty),
    /// `&R` / `&mut R` of a local resource: a WIT `borrow<r>`.
    Borrow { res: String, mode: Mode, lifetime: Option<Lifetime> },
    /// `&dyn T` / `&mut dyn T`: a borrowed trait object. `export` when the
    /// plugin implements `T` (it receives one of its own objects back).
    DynBorrow { tr: String, mode: Mode, export: bool },
}

#[derive(Clone, Debug)]
pub struct Param {
    /// WIT parameter name.
    pub name: String,
    pub kind: ParamKind,
    pub ty: Type,
}

#[derive(Clone, Debug)]
pub struct Borrowed {
    /// Index among the WIT parameters (for methods, `self` is 0).
    pub index: usize,
    pub name: String,
    pub mode: Mode,
}

#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // built once per function at compile time
pub enum Res {
    None,
    Value(Ty, Type),
    /// `R<'a>`: a new handle that borrows from the parameters in `borrows`,
    /// possibly inside an `Option` or the ok side of a `Result` (`wrap`).
    Dependent { res: String, borrows: Vec<Borrowed>, wrap: DepWrap },
}

/// Where a dependent handle sits in a result: at most one handle, so one
/// set of borrows, which is released if the handle is absent.
#[derive(Clone, Debug)]
pub enum DepWrap {
    Bare,
    Option,
    /// `Result<R<'a>, E>`: the error type.
    Result(Ty),
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

#[derive(Clone, Debug)]
pub struct Func {
    pub ident: Ident,
    pub wit_name: String,
    pub kind: FuncKind,
    pub params: Vec<Param>,
    pub result: Res,
    /// The Rust signature (trait proxies re-implement it).
    pub sig: Signature,
}

impl Func {
    /// The function's name in the component (`[method]store.get`, ...).
    pub fn component_name(&self, owner: Option<&str>) -> String {
        match (self.kind, owner) {
            (FuncKind::Constructor, Some(r)) => format!("[constructor]{r}"),
            (FuncKind::Method(_), Some(r)) => format!("[method]{r}.{}", self.wit_name),
            (FuncKind::Consume | FuncKind::Static, Some(r)) => format!("[static]{r}.{}", self.wit_name),
            _ => self.wit_name.clone(),
        }
    }

    pub fn receiver(&self) -> Option<&'static str> {
        match self.kind {
            FuncKind::Method(m) => Some(m.as_str()),
            FuncKind::Consume => Some("consume"),
            _ => None,
        }
    }
}

pub struct Record {
    pub ident: Ident,
    pub name: String,
    pub fields: Vec<(Ident, String, Ty)>,
}

pub struct Enum {
    pub ident: Ident,
    pub name: String,
    pub cases: Vec<(Ident, String)>,
}

pub struct Variant {
    pub ident: Ident,
    pub name: String,
    /// Case ident, WIT name, payload types (0, 1, or several = a tuple).
    pub cases: Vec<(Ident, String, Vec<Ty>)>,
}

#[derive(Clone, Debug)]
pub struct Foreign {
    pub namespace: String,
    pub name: String,
    pub version: String,
}

impl Foreign {
    pub fn qualified(&self, iface: &str) -> String {
        format!("{}:{}/{}@{}", self.namespace, self.name, iface, self.version)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResKind {
    Struct,
    /// A trait object resource; `export` as in [`LocalKind::Trait`].
    Trait { export: bool },
}

pub struct Resource {
    pub ident: Ident,
    pub name: String,
    pub dependent: bool,
    pub kind: ResKind,
    /// For a trait from another package (`#[rdylib::interface(package = ...)]`):
    /// namespace, name and version of that package.
    pub foreign: Option<Foreign>,
    pub funcs: Vec<Func>,
    /// Generics and self type of the impl blocks, for helper functions.
    pub impls: Vec<ItemImpl>,
}

pub struct Module {
    pub ident: Ident,
    pub name: String,
    pub records: Vec<Record>,
    pub enums: Vec<Enum>,
    pub variants: Vec<Variant>,
    pub resources: Vec<Resource>,
    pub traits: Vec<Resource>,
    pub funcs: Vec<Func>,
}

fn is_pub(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

/// Collects the errors of one pass so the user sees all of them at once.
#[derive(Default)]
pub struct Errors(Option<Error>);

impl Errors {
    pub fn push(&mut self, e: Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
    pub fn finish(self) -> Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

pub struct Analyzer {
    pub locals: HashMap<String, LocalKind>,
}

/// Classifies the module's type declarations (first pass), so signatures
/// can refer to types declared later in the module.
pub fn classify(items: &[Item]) -> HashMap<String, LocalKind> {
    let mut locals = HashMap::new();
    for item in items {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => {
                locals.insert(s.ident.to_string(), struct_kind(s));
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                let unit = e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit));
                locals.insert(e.ident.to_string(), if unit { LocalKind::Enum } else { LocalKind::Variant });
            }
            Item::Trait(t) if is_pub(&t.vis) => {
                let export = exported_traits(items).contains(&t.ident.to_string());
                locals.insert(t.ident.to_string(), LocalKind::Trait { export });
            }
            _ => {}
        }
    }
    locals
}

/// Traits some exported function returns as `Box<dyn T>`: the plugin
/// implements them. Every other trait is implemented by the caller.
fn exported_traits(items: &[Item]) -> std::collections::HashSet<String> {
    struct Dyns(std::collections::HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Dyns {
        fn visit_type_trait_object(&mut self, t: &'ast syn::TypeTraitObject) {
            for b in &t.bounds {
                if let TypeParamBound::Trait(tb) = b {
                    if let Some(seg) = tb.path.segments.last() {
                        self.0.insert(seg.ident.to_string());
                    }
                }
            }
        }
    }
    let mut d = Dyns(Default::default());
    let visit_sig = |sig: &Signature, d: &mut Dyns| {
        if let ReturnType::Type(_, t) = &sig.output {
            syn::visit::visit_type(d, t);
        }
    };
    for item in items {
        match item {
            Item::Fn(f) if is_pub(&f.vis) => visit_sig(&f.sig, &mut d),
            Item::Impl(i) => {
                for f in exported_fns(i) {
                    visit_sig(&f.sig, &mut d);
                }
            }
            _ => {}
        }
    }
    // A method of a plugin-implemented trait that returns `Box<dyn U>` makes
    // the plugin implement `U` too; repeat until nothing new is found.
    loop {
        let before = d.0.len();
        for item in items {
            if let Item::Trait(t) = item {
                if is_pub(&t.vis) && d.0.contains(&t.ident.to_string()) {
                    for ti in &t.items {
                        if let syn::TraitItem::Fn(f) = ti {
                            visit_sig(&f.sig, &mut d);
                        }
                    }
                }
            }
        }
        if d.0.len() == before {
            break;
        }
    }
    d.0
}

fn struct_kind(s: &ItemStruct) -> LocalKind {
    let all_pub = matches!(s.fields, syn::Fields::Named(_))
        && !s.fields.is_empty()
        && s.fields.iter().all(|f| is_pub(&f.vis));
    if all_pub && s.generics.params.is_empty() {
        LocalKind::Record
    } else {
        LocalKind::Resource { dependent: s.generics.lifetimes().next().is_some() }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Param,
    Result,
    Field,
}

impl Analyzer {
    pub fn record(&self, s: &ItemStruct) -> Result<Record> {
        let mut fields = Vec::new();
        for f in &s.fields {
            let ident = f.ident.clone().expect("named fields");
            let ty = self.value_ty(&f.ty, Pos::Field, None)?;
            fields.push((ident.clone(), kebab(&ident), ty));
        }
        Ok(Record { ident: s.ident.clone(), name: kebab(&s.ident), fields })
    }

    pub fn resource_decl(&self, s: &ItemStruct) -> Result<Resource> {
        if s.generics.type_params().next().is_some() || s.generics.const_params().next().is_some() {
            return Err(Error::new(
                s.generics.span(),
                "rdylib: a resource cannot have type or const parameters: the component model has no generics",
            ));
        }
        let lifetimes = s.generics.lifetimes().count();
        if lifetimes > 1 {
            return Err(Error::new(
                s.generics.span(),
                "rdylib: a dependent resource may borrow through one lifetime parameter only",
            ));
        }
        Ok(Resource {
            ident: s.ident.clone(),
            name: kebab(&s.ident),
            dependent: lifetimes == 1,
            kind: ResKind::Struct,
            foreign: None,
            funcs: Vec::new(),
            impls: Vec::new(),
        })
    }

    pub fn enum_or_variant(&self, e: &ItemEnum) -> Result<std::result::Result<Enum, Variant>> {
        if !e.generics.params.is_empty() {
            return Err(Error::new(e.generics.span(), "rdylib: generic enums have no component-model equivalent"));
        }
        if e.variants.is_empty() {
            return Err(Error::new(e.ident.span(), "rdylib: an enum with no cases cannot cross the boundary"));
        }
        if e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit)) {
            let cases = e.variants.iter().map(|v| (v.ident.clone(), kebab(&v.ident))).collect();
            return Ok(Ok(Enum { ident: e.ident.clone(), name: kebab(&e.ident), cases }));
        }
        let mut cases = Vec::new();
        for v in &e.variants {
            let tys = match &v.fields {
                syn::Fields::Unit => Vec::new(),
                syn::Fields::Unnamed(u) => u
                    .unnamed
                    .iter()
                    .map(|f| self.value_ty(&f.ty, Pos::Field, None))
                    .collect::<Result<_>>()?,
                syn::Fields::Named(n) => {
                    return Err(Error::new(
                        n.span(),
                        "rdylib: a variant case with named fields has no WIT form; put the fields in a `pub struct` and use `Case(Struct)`",
                    ))
                }
            };
            cases.push((v.ident.clone(), kebab(&v.ident), tys));
        }
        Ok(Err(Variant { ident: e.ident.clone(), name: kebab(&e.ident), cases }))
    }

    fn local(&self, ident: &Ident, self_ty: Option<&Ident>) -> Option<(String, LocalKind)> {
        let resolved = if ident == "Self" { self_ty? } else { ident };
        self.locals.get(&resolved.to_string()).map(|k| (kebab(resolved), *k))
    }

    fn value_ty(&self, ty: &Type, pos: Pos, self_ty: Option<&Ident>) -> Result<Ty> {
        match ty {
            Type::Paren(p) => self.value_ty(&p.elem, pos, self_ty),
            Type::Group(g) => self.value_ty(&g.elem, pos, self_ty),
            Type::Tuple(t) if t.elems.is_empty() => Ok(Ty::Unit),
            Type::Tuple(t) => Ok(Ty::Tuple(
                t.elems.iter().map(|e| self.value_ty(e, pos, self_ty)).collect::<Result<_>>()?,
            )),
            Type::Reference(r) => {
                if let (Some(lt), Type::Path(p), Pos::Result) = (&r.lifetime, &*r.elem, pos) {
                    if lt.ident == "static" && r.mutability.is_none() {
                        if let Some(seg) = single_ident(p) {
                            if let Some((name, LocalKind::Resource { dependent: false })) = self.local(seg, self_ty) {
                                return Ok(Ty::Static(name));
                            }
                        }
                    }
                }
                Err(Error::new(
                    ty.span(),
                    match pos {
                        Pos::Result => "rdylib: a result cannot be a reference: values are copied to the caller. Return an owned value, `&'static R` for library-static data of a resource type `R`, or a dependent handle type `R<'a>`",
                        Pos::Field => "rdylib: a record field or variant payload cannot be a reference: records are copied across the boundary",
                        Pos::Param => "rdylib: a reference is only supported as a whole parameter (`&str`, `&[T]`, `&T`, `&R`, `&mut R`), not nested inside another type",
                    },
                ))
            }
            Type::Path(p) if p.qself.is_none() => {
                let seg = p.path.segments.last().expect("non-empty path");
                let name = seg.ident.to_string();
                let args: Vec<&Type> = match &seg.arguments {
                    PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let prim = match name.as_str() {
                    "bool" => Some("bool"),
                    "u8" => Some("u8"),
                    "u16" => Some("u16"),
                    "u32" => Some("u32"),
                    "u64" => Some("u64"),
                    "i8" => Some("s8"),
                    "i16" => Some("s16"),
                    "i32" => Some("s32"),
                    "i64" => Some("s64"),
                    "f32" => Some("f32"),
                    "f64" => Some("f64"),
                    "char" => Some("char"),
                    _ => None,
                };
                if let Some(prim) = prim {
                    return Ok(Ty::Prim(prim));
                }
                let arity = |n: usize| -> Result<()> {
                    if args.len() == n {
                        Ok(())
                    } else {
                        Err(Error::new(seg.span(), format!("rdylib: `{name}` needs {n} type argument(s) here")))
                    }
                };
                match name.as_str() {
                    "Box" if args.len() == 1 => {
                        if let Type::TraitObject(obj) = args[0] {
                            return match self.dyn_trait(obj, self_ty) {
                                Some((t, _)) => Ok(Ty::Dyn(t)),
                                None => Err(Error::new(obj.span(), "rdylib: `Box<dyn T>` needs `T` to be a `pub trait` declared in this module")),
                            };
                        }
                    }
                    "String" => return Ok(Ty::Str),
                    "Vec" => {
                        arity(1)?;
                        return Ok(Ty::List(Box::new(self.value_ty(args[0], pos, self_ty)?)));
                    }
                    "Option" => {
                        arity(1)?;
                        return Ok(Ty::Option(Box::new(self.value_ty(args[0], pos, self_ty)?)));
                    }
                    "Result" => {
                        arity(2)?;
                        return Ok(Ty::Result(
                            Box::new(self.value_ty(args[0], pos, self_ty)?),
                            Box::new(self.value_ty(args[1], pos, self_ty)?),
                        ));
                    }
                    "usize" | "isize" => {
                        return Err(Error::new(
                            seg.span(),
                            format!("rdylib: `{name}` has no fixed width across the boundary; use u32/u64 (or i32/i64)"),
                        ))
                    }
                    "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet" => {
                        return Err(Error::new(
                            seg.span(),
                            format!("rdylib: `{name}` has no component-model equivalent; pass a `Vec` (of tuples) instead"),
                        ))
                    }
                    _ => {}
                }
                if p.path.segments.len() == 1 {
                    if let Some((wit, kind)) = self.local(&seg.ident, self_ty) {
                        return match kind {
                            LocalKind::Record | LocalKind::Enum | LocalKind::Variant => Ok(Ty::Named(wit)),
                            LocalKind::Resource { dependent: false } => Ok(Ty::Own(wit)),
                            LocalKind::Trait { .. } => Err(Error::new(ty.span(), "rdylib: a trait is passed as `Box<dyn T>`, `&dyn T` or `&mut dyn T`")),
                            LocalKind::Resource { dependent: true } => Err(Error::new(
                                ty.span(),
                                format!(
                                    "rdylib: `{}` borrows from another handle, so it can only be the result (alone, in an `Option`, or on the ok side of a `Result`) of a function whose signature names the borrow, e.g. `fn f<'a>(&'a self) -> {}<'a>`",
                                    seg.ident, seg.ident
                                ),
                            )),
                        };
                    }
                }
                Err(Error::new(
                    ty.span(),
                    format!("rdylib: type `{name}` has no component-model mapping: use primitives, String, Vec, Option, Result, tuples, or a `pub` struct/enum declared in this module"),
                ))
            }
            _ => Err(Error::new(ty.span(), "rdylib: this type has no component-model equivalent")),
        }
    }

    fn is_dependent(&self, ty: &Type, self_ty: Option<&Ident>) -> bool {
        match ty {
            Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                matches!(self.local(&p.path.segments[0].ident, self_ty), Some((_, LocalKind::Resource { dependent: true })))
            }
            _ => false,
        }
    }

    /// The WIT name and direction of `dyn T` for a trait `T` of the module.
    fn dyn_trait(&self, obj: &syn::TypeTraitObject, _self_ty: Option<&Ident>) -> Option<(String, bool)> {
        let mut traits = obj.bounds.iter().filter_map(|b| match b {
            TypeParamBound::Trait(t) => Some(t),
            _ => None,
        });
        let t = traits.next()?;
        if traits.next().is_some() {
            return None;
        }
        let ident = t.path.get_ident()?;
        match self.locals.get(&ident.to_string()) {
            Some(LocalKind::Trait { export }) => Some((kebab(ident), *export)),
            _ => None,
        }
    }

    /// A trait's interface: one resource whose methods are the trait's. The
    /// methods' types are checked per direction once the whole module is
    /// known (layout.rs): which handles are sound depends on it.
    pub fn trait_decl(&self, t: &syn::ItemTrait, foreign: Option<Foreign>) -> Result<Resource> {
        let export = matches!(self.locals.get(&t.ident.to_string()), Some(LocalKind::Trait { export: true }));
        if !t.generics.params.is_empty() {
            return Err(Error::new(t.generics.span(), "rdylib: an interface trait cannot be generic"));
        }
        let mut r = Resource {
            ident: t.ident.clone(),
            name: kebab(&t.ident),
            dependent: false,
            kind: ResKind::Trait { export },
            foreign: foreign.clone(),
            funcs: Vec::new(),
            impls: Vec::new(),
        };
        for item in &t.items {
            let f = match item {
                syn::TraitItem::Fn(f) => f,
                other => return Err(Error::new(other.span(), "rdylib: an interface trait may contain only methods")),
            };
            let func = self.func(&f.sig, Some(&r))?;
            if !matches!(func.kind, FuncKind::Method(_)) {
                return Err(Error::new(f.sig.span(), "rdylib: trait methods need a `&self` or `&mut self` receiver to be callable through `dyn`"));
            }
            if let Res::Dependent { .. } = &func.result {
                return Err(Error::new(f.sig.output.span(), "rdylib: a trait method cannot return a dependent handle: nothing in a trait method's signature can name the borrow"));
            }
            r.funcs.push(func);
        }
        Ok(r)
    }

    fn param(&self, name: String, ty: &Type, self_ty: Option<&Ident>) -> Result<Param> {
        if let Type::Reference(r) = ty {
            let mode = if r.mutability.is_some() { Mode::Exclusive } else { Mode::Shared };
            match &*r.elem {
                Type::Path(p) if p.path.is_ident("str") && mode == Mode::Shared => {
                    return Ok(Param { name, kind: ParamKind::StrRef, ty: ty.clone() })
                }
                Type::TraitObject(obj) => {
                    if let Some((tr, export)) = self.dyn_trait(obj, self_ty) {
                        return Ok(Param { name, kind: ParamKind::DynBorrow { tr, mode, export }, ty: ty.clone() });
                    }
                    return Err(Error::new(obj.span(), "rdylib: `&dyn T` needs `T` to be a `pub trait` declared in this module"));
                }
                Type::Slice(s) if mode == Mode::Shared => {
                    let elem = self.value_ty(&s.elem, Pos::Param, self_ty)?;
                    return Ok(Param { name, kind: ParamKind::Slice(elem), ty: ty.clone() });
                }
                Type::Path(p) => {
                    if let Some(seg) = single_ident(p) {
                        if let Some((res, LocalKind::Resource { .. })) = self.local(seg, self_ty) {
                            if mode == Mode::Exclusive && r.lifetime.as_ref().is_some_and(|l| l.ident == "static") {
                                return Err(Error::new(ty.span(), "rdylib: `&'static mut` cannot be expressed: library-static data is only ever shared"));
                            }
                            return Ok(Param {
                                name,
                                kind: ParamKind::Borrow { res, mode, lifetime: r.lifetime.clone() },
                                ty: ty.clone(),
                            });
                        }
                    }
                    if mode == Mode::Shared {
                        let inner = self.value_ty(&r.elem, Pos::Param, self_ty)?;
                        return Ok(Param { name, kind: ParamKind::ValueRef(inner), ty: ty.clone() });
                    }
                }
                _ => {}
            }
            return Err(Error::new(
                ty.span(),
                "rdylib: a `&mut` parameter must refer to a resource declared in this module: other values are copied into the plugin, so mutations could not reach the caller",
            ));
        }
        Ok(Param { name, kind: ParamKind::Value(self.value_ty(ty, Pos::Param, self_ty)?), ty: ty.clone() })
    }

    /// Analyzes one exported function or method. `owner` is the resource
    /// for functions in an `impl` block.
    pub fn func(&self, sig: &Signature, owner: Option<&Resource>) -> Result<Func> {
        if sig.asyncness.is_some() || sig.unsafety.is_some() || sig.variadic.is_some() {
            return Err(Error::new(sig.span(), "rdylib: exported functions must be plain safe, synchronous `fn`s"));
        }
        if let Some(g) = sig.generics.type_params().next() {
            return Err(Error::new(g.span(), "rdylib: exported functions cannot be generic over types: the component model has no generics"));
        }
        let self_ident = owner.map(|r| &r.ident);
        let mut kind = if owner.is_some() { FuncKind::Static } else { FuncKind::Free };
        let mut params = Vec::new();
        for (i, arg) in sig.inputs.iter().enumerate() {
            match arg {
                FnArg::Receiver(r) => {
                    let owner = owner.expect("receiver only in impl");
                    if r.colon_token.is_some() {
                        return Err(Error::new(r.span(), "rdylib: write the receiver as `self`, `&self` or `&mut self`"));
                    }
                    match &r.reference {
                        Some((_, lt)) => {
                            let mode = if r.mutability.is_some() { Mode::Exclusive } else { Mode::Shared };
                            if mode == Mode::Exclusive && lt.as_ref().is_some_and(|l| l.ident == "static") {
                                return Err(Error::new(r.span(), "rdylib: `&'static mut self` cannot be expressed: library-static data is only ever shared"));
                            }
                            kind = FuncKind::Method(mode);
                            params.push(Param {
                                name: "self".into(),
                                kind: ParamKind::Borrow { res: owner.name.clone(), mode, lifetime: lt.clone() },
                                ty: (*r.ty).clone(),
                            });
                        }
                        None => {
                            // Allowed on dependent types too: the glue drops the
                            // consumed value before the borrows it holds.
                            kind = FuncKind::Consume;
                            params.push(Param {
                                name: "this".into(),
                                kind: ParamKind::Value(Ty::Own(owner.name.clone())),
                                ty: (*r.ty).clone(),
                            });
                        }
                    }
                }
                FnArg::Typed(t) => {
                    let name = match &*t.pat {
                        Pat::Ident(p) => kebab(&p.ident),
                        _ => format!("arg{i}"),
                    };
                    params.push(self.param(name, &t.ty, self_ident)?);
                }
            }
        }
        let is_ctor = owner.is_some()
            && kind == FuncKind::Static
            && sig.ident == "new"
            && matches!(&sig.output, ReturnType::Type(_, t) if returns_self(t, self_ident.unwrap()));
        if is_ctor {
            if owner.unwrap().dependent {
                return Err(Error::new(
                    sig.span(),
                    "rdylib: a dependent resource (one with a lifetime) cannot have a constructor: it must be returned by the function it borrows from",
                ));
            }
            kind = FuncKind::Constructor;
        }
        // Owned dependent values would outlive their borrows if passed in.
        for p in &params {
            if let ParamKind::Value(Ty::Own(r)) = &p.kind {
                let dependent = owner.is_some_and(|o| &o.name == r && o.dependent)
                    || self.locals.iter().any(|(k, v)| kebab(&Ident::new(k, Span::call_site())) == *r && *v == LocalKind::Resource { dependent: true });
                if dependent && p.name != "this" {
                    return Err(Error::new(p.ty.span(), "rdylib: a dependent handle cannot be passed by value"));
                }
            }
        }
        let result = match (&sig.output, kind) {
            (ReturnType::Default, _) => Res::None,
            (ReturnType::Type(..), FuncKind::Constructor) => Res::None,
            (ReturnType::Type(_, ty), _) => self.result(ty, sig, &params, self_ident)?,
        };
        Ok(Func {
            ident: sig.ident.clone(),
            wit_name: kebab(&sig.ident),
            kind,
            params,
            result,
            sig: sig.clone(),
        })
    }

    fn result(&self, ty: &Type, sig: &Signature, params: &[Param], self_ty: Option<&Ident>) -> Result<Res> {
        // `Option<R<'a>>` / `Result<R<'a>, E>`: one dependent handle, maybe absent.
        if let Type::Path(p) = ty {
            if let Some(seg) = p.path.segments.last() {
                if let PathArguments::AngleBracketed(a) = &seg.arguments {
                    let tys: Vec<&Type> = a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect();
                    let wrap = match (seg.ident.to_string().as_str(), tys.as_slice()) {
                        ("Option", [inner]) if self.is_dependent(inner, self_ty) => Some((DepWrap::Option, *inner)),
                        ("Result", [inner, err]) if self.is_dependent(inner, self_ty) => {
                            Some((DepWrap::Result(self.value_ty(err, Pos::Result, self_ty)?), *inner))
                        }
                        _ => None,
                    };
                    if let Some((wrap, inner)) = wrap {
                        return match self.result(inner, sig, params, self_ty)? {
                            Res::Dependent { res, borrows, .. } => Ok(Res::Dependent { res, borrows, wrap }),
                            _ => unreachable!("checked by is_dependent"),
                        };
                    }
                }
            }
        }
        if let Type::Path(p) = ty {
            if let Some(seg) = p.path.segments.last() {
                if let Some((res, LocalKind::Resource { dependent: true })) = self.local(&seg.ident, self_ty) {
                    let lt = match &seg.arguments {
                        PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                            GenericArgument::Lifetime(l) => Some(l.clone()),
                            _ => None,
                        }),
                        _ => None,
                    };
                    let lt = match lt {
                        Some(l) if l.ident != "_" && l.ident != "static" => l,
                        _ => {
                            return Err(Error::new(
                                ty.span(),
                                format!(
                                    "rdylib: name the borrow explicitly, e.g. `fn {}<'a>(&'a self) -> {}<'a>`, so the rdylib:abi section can record which parameter the handle borrows from",
                                    sig.ident, seg.ident
                                ),
                            ))
                        }
                    };
                    if !sig.generics.lifetimes().any(|d| d.lifetime == lt) {
                        return Err(Error::new(
                            lt.span(),
                            format!("rdylib: `{lt}` must be a lifetime parameter of this function; borrowing through the lifetime of the `impl` would let the handle outlive what it borrows"),
                        ));
                    }
                    let mut borrows = Vec::new();
                    for (index, p) in params.iter().enumerate() {
                        match &p.kind {
                            ParamKind::Borrow { mode, lifetime: Some(l), .. } if *l == lt => {
                                borrows.push(Borrowed { index, name: p.name.clone(), mode: *mode })
                            }
                            _ if mentions_lifetime(&p.ty, &lt) => {
                                return Err(Error::new(
                                    p.ty.span(),
                                    format!("rdylib: the result borrows (`{lt}`) from parameter `{}`, which is copied into the plugin for the call; a handle can only borrow from resource parameters (`&{lt} R`, `&{lt} mut R`, `&{lt} self`)", p.name),
                                ))
                            }
                            _ => {}
                        }
                    }
                    if borrows.is_empty() {
                        return Err(Error::new(
                            lt.span(),
                            format!("rdylib: the result borrows through `{lt}` but no resource parameter has that lifetime"),
                        ));
                    }
                    return Ok(Res::Dependent { res, borrows, wrap: DepWrap::Bare });
                }
            }
        }
        let t = self.value_ty(ty, Pos::Result, self_ty)?;
        Ok(match t {
            Ty::Unit => Res::None,
            t => Res::Value(t, ty.clone()),
        })
    }
}

fn single_ident(p: &syn::TypePath) -> Option<&Ident> {
    if p.qself.is_none() && p.path.segments.len() == 1 {
        Some(&p.path.segments[0].ident)
    } else {
        None
    }
}

fn returns_self(ty: &Type, owner: &Ident) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("Self") || p.path.is_ident(owner))
}

fn mentions_lifetime(ty: &Type, lt: &Lifetime) -> bool {
    struct Finder<'l> {
        lt: &'l Lifetime,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_lifetime(&mut self, l: &'ast Lifetime) {
            if l == self.lt {
                self.found = true;
            }
        }
        fn visit_type_param_bound(&mut self, b: &'ast TypeParamBound) {
            syn::visit::visit_type_param_bound(self, b)
        }
    }
    let mut f = Finder { lt, found: false };
    syn::visit::visit_type(&mut f, ty);
    f.found
}

/// Public functions of an impl block; the rest stay private to the plugin.
pub fn exported_fns(imp: &ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    imp.items.iter().filter_map(|i| match i {
        ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    })
}

pub fn impl_target(imp: &ItemImpl) -> Option<&Ident> {
    if imp.trait_.is_some() {
        return None;
    }
    match &*imp.self_ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => Some(&p.path.segments[0].ident),
        _ => None,
    }
}

pub fn is_pub_item(v: &Visibility) -> bool {
    is_pub(v)
}
