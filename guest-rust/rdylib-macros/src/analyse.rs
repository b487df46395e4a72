//! Stage 1: the module's syntax → the [`Model`].
//!
//! Two passes: the first gives every `pub` struct, enum and trait its
//! [`TypeId`] (so signatures may refer to types declared later), the second
//! reads each item into its definition. Rust that has no meaning in the
//! model is refused here, spanned at the syntax (a `usize`, a map, a nested
//! reference, a dependent handle anywhere but a result, a dependent result
//! whose borrow cannot be resolved to parameters, ...); rules between items
//! are `check`'s. An item that fails keeps an empty definition, so the other
//! items are still read and every error reported at once.

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::{
    Error, FnArg, GenericArgument, Ident, ImplItem, Item, ItemEnum, ItemImpl, ItemStruct, ItemTrait, Lifetime,
    Pat, PathArguments, Result, ReturnType, Signature, TypeParamBound, Visibility,
};

use crate::check::Errors;
use crate::model::{
    Borrowed, DependentWrap, EnumCase, Field, Foreign, Func, FuncKind, FuncResult, ImplBlock, Mode, Model, Param,
    ParamType, Resource, Trait, Type, TypeDef, TypeDefKind, TypeId, VariantCase,
};
use crate::names::kebab;

/// Reads the module's items into a model; `foreign` is the package of each
/// trait marked `#[rdylib::interface]`, by trait name.
pub fn module(ident: &Ident, items: &[Item], foreign: &HashMap<String, Foreign>, errors: &mut Errors) -> Model {
    let mut an = Analyser::declare(ident, items, foreign);
    let mut failed = HashSet::new();
    for item in items {
        let (ident, def) = match item {
            Item::Struct(s) if is_pub(&s.vis) => (&s.ident, an.struct_def(s)),
            Item::Enum(e) if is_pub(&e.vis) => (&e.ident, an.enum_def(e)),
            Item::Trait(t) if is_pub(&t.vis) => (&t.ident, an.trait_def(t)),
            _ => continue,
        };
        let id = an.ids[&ident.to_string()];
        match def {
            Ok(Some(kind)) => an.model.def_mut(id).kind = kind,
            Ok(None) => {}
            Err(e) => {
                failed.insert(id);
                errors.push(e);
            }
        }
    }
    for item in items {
        match item {
            Item::Fn(f) if is_pub(&f.vis) => match an.func(&f.sig, None) {
                Ok(func) => an.model.funcs.push(func),
                Err(e) => errors.push(e),
            },
            Item::Impl(imp) => {
                let Some(id) = impl_target(imp).and_then(|t| an.ids.get(&t.to_string())).copied() else { continue };
                if failed.contains(&id) || !matches!(an.model.def(id).kind, TypeDefKind::Resource(_)) {
                    continue;
                }
                let funcs: Vec<Func> = exported_fns(imp)
                    .filter_map(|f| an.func(&f.sig, Some(id)).map_err(|e| errors.push(e)).ok())
                    .collect();
                let TypeDefKind::Resource(r) = &mut an.model.def_mut(id).kind else { unreachable!("checked above") };
                let start = r.funcs.len();
                r.funcs.extend(funcs);
                r.impls.push(ImplBlock {
                    generics: imp.generics.clone(),
                    self_ty: (*imp.self_ty).clone(),
                    funcs: start..r.funcs.len(),
                });
            }
            _ => {}
        }
    }
    an.model
}

fn is_pub(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

/// Public functions of an impl block; the rest stay private to the plugin.
fn exported_fns(imp: &ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    imp.items.iter().filter_map(|i| match i {
        ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    })
}

/// The type of an inherent impl block, when it is a plain name.
fn impl_target(imp: &ItemImpl) -> Option<&Ident> {
    if imp.trait_.is_some() {
        return None;
    }
    match &*imp.self_ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => Some(&p.path.segments[0].ident),
        _ => None,
    }
}

/// Where a type appears, for the messages refusing references.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Param,
    Result,
    Field,
}

struct Analyser {
    model: Model,
    /// Rust name → id of every type the module defines.
    ids: HashMap<String, TypeId>,
}

impl Analyser {
    /// The first pass: every `pub` struct, enum and trait gets its id and
    /// its kind, with an empty definition.
    fn declare(ident: &Ident, items: &[Item], foreign: &HashMap<String, Foreign>) -> Analyser {
        let mut model = Model { ident: ident.clone(), name: kebab(ident), types: Vec::new(), funcs: Vec::new() };
        let mut ids = HashMap::new();
        let exported = exported_traits(items);
        for item in items {
            let (ident, kind) = match item {
                Item::Struct(s) if is_pub(&s.vis) => {
                    let all_pub = matches!(s.fields, syn::Fields::Named(_))
                        && !s.fields.is_empty()
                        && s.fields.iter().all(|f| is_pub(&f.vis));
                    let kind = if all_pub && s.generics.params.is_empty() {
                        TypeDefKind::Record(Vec::new())
                    } else {
                        TypeDefKind::Resource(Resource {
                            dependent: s.generics.lifetimes().next().is_some(),
                            funcs: Vec::new(),
                            impls: Vec::new(),
                        })
                    };
                    (&s.ident, kind)
                }
                Item::Enum(e) if is_pub(&e.vis) => {
                    let unit = e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit));
                    (&e.ident, if unit { TypeDefKind::Enum(Vec::new()) } else { TypeDefKind::Variant(Vec::new()) })
                }
                Item::Trait(t) if is_pub(&t.vis) => {
                    let kind = TypeDefKind::Trait(Trait {
                        export: exported.contains(&t.ident.to_string()),
                        foreign: foreign.get(&t.ident.to_string()).cloned(),
                        funcs: Vec::new(),
                    });
                    (&t.ident, kind)
                }
                _ => continue,
            };
            let id = model.push(TypeDef { ident: ident.clone(), name: kebab(ident), kind });
            ids.insert(ident.to_string(), id);
        }
        Analyser { model, ids }
    }

    fn struct_def(&self, s: &ItemStruct) -> Result<Option<TypeDefKind>> {
        if let TypeDefKind::Record(_) = self.model.def(self.ids[&s.ident.to_string()]).kind {
            let mut fields = Vec::new();
            for f in &s.fields {
                let ident = f.ident.clone().expect("named fields");
                let ty = self.value_ty(&f.ty, Pos::Field, None)?;
                fields.push(Field { name: kebab(&ident), ident, ty });
            }
            return Ok(Some(TypeDefKind::Record(fields)));
        }
        if s.generics.type_params().next().is_some() || s.generics.const_params().next().is_some() {
            return Err(Error::new(
                s.generics.span(),
                "rdylib: a resource cannot have type or const parameters: the component model has no generics",
            ));
        }
        if s.generics.lifetimes().count() > 1 {
            return Err(Error::new(
                s.generics.span(),
                "rdylib: a dependent resource may borrow through one lifetime parameter only",
            ));
        }
        // Declared completely by `declare`; its functions come with its impls.
        Ok(None)
    }

    fn enum_def(&self, e: &ItemEnum) -> Result<Option<TypeDefKind>> {
        if !e.generics.params.is_empty() {
            return Err(Error::new(e.generics.span(), "rdylib: generic enums have no component-model equivalent"));
        }
        if e.variants.is_empty() {
            return Err(Error::new(e.ident.span(), "rdylib: an enum with no cases cannot cross the boundary"));
        }
        if e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit)) {
            let cases = e.variants.iter().map(|v| EnumCase { ident: v.ident.clone(), name: kebab(&v.ident) }).collect();
            return Ok(Some(TypeDefKind::Enum(cases)));
        }
        let mut cases = Vec::new();
        for v in &e.variants {
            let payload = match &v.fields {
                syn::Fields::Unit => Vec::new(),
                syn::Fields::Unnamed(u) => {
                    u.unnamed.iter().map(|f| self.value_ty(&f.ty, Pos::Field, None)).collect::<Result<_>>()?
                }
                syn::Fields::Named(n) => {
                    return Err(Error::new(
                        n.span(),
                        "rdylib: a variant case with named fields has no WIT form; put the fields in a `pub struct` and use `Case(Struct)`",
                    ))
                }
            };
            cases.push(VariantCase { ident: v.ident.clone(), name: kebab(&v.ident), payload });
        }
        Ok(Some(TypeDefKind::Variant(cases)))
    }

    /// A trait's interface: one resource whose methods are the trait's. The
    /// handles its methods may carry depend on its direction, and are
    /// `check`'s.
    fn trait_def(&self, t: &ItemTrait) -> Result<Option<TypeDefKind>> {
        let id = self.ids[&t.ident.to_string()];
        let TypeDefKind::Trait(declared) = &self.model.def(id).kind else { unreachable!("declared as a trait") };
        if !t.generics.params.is_empty() {
            return Err(Error::new(t.generics.span(), "rdylib: an interface trait cannot be generic"));
        }
        let mut funcs = Vec::new();
        for item in &t.items {
            let f = match item {
                syn::TraitItem::Fn(f) => f,
                other => return Err(Error::new(other.span(), "rdylib: an interface trait may contain only methods")),
            };
            let func = self.func(&f.sig, Some(id))?;
            if !matches!(func.kind, FuncKind::Method(_)) {
                return Err(Error::new(f.sig.span(), "rdylib: trait methods need a `&self` or `&mut self` receiver to be callable through `dyn`"));
            }
            if let FuncResult::Dependent { .. } = &func.result {
                return Err(Error::new(f.sig.output.span(), "rdylib: a trait method cannot return a dependent handle: nothing in a trait method's signature can name the borrow"));
            }
            funcs.push(func);
        }
        Ok(Some(TypeDefKind::Trait(Trait { export: declared.export, foreign: declared.foreign.clone(), funcs })))
    }

    /// The module's type named `ident` (`Self` is `self_ty`).
    fn local(&self, ident: &Ident, self_ty: Option<&Ident>) -> Option<(TypeId, &TypeDefKind)> {
        let resolved = if ident == "Self" { self_ty? } else { ident };
        let id = *self.ids.get(&resolved.to_string())?;
        Some((id, &self.model.def(id).kind))
    }

    fn is_dependent(&self, ty: &syn::Type, self_ty: Option<&Ident>) -> bool {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => matches!(
                self.local(&p.path.segments[0].ident, self_ty),
                Some((_, TypeDefKind::Resource(Resource { dependent: true, .. })))
            ),
            _ => false,
        }
    }

    /// The trait of `dyn T` for a trait `T` of the module.
    fn dyn_trait(&self, obj: &syn::TypeTraitObject) -> Option<TypeId> {
        let mut traits = obj.bounds.iter().filter_map(|b| match b {
            TypeParamBound::Trait(t) => Some(t),
            _ => None,
        });
        let t = traits.next()?;
        if traits.next().is_some() {
            return None;
        }
        let id = *self.ids.get(&t.path.get_ident()?.to_string())?;
        matches!(self.model.def(id).kind, TypeDefKind::Trait(_)).then_some(id)
    }

    fn value_ty(&self, ty: &syn::Type, pos: Pos, self_ty: Option<&Ident>) -> Result<Type> {
        match ty {
            syn::Type::Paren(p) => self.value_ty(&p.elem, pos, self_ty),
            syn::Type::Group(g) => self.value_ty(&g.elem, pos, self_ty),
            syn::Type::Tuple(t) if t.elems.is_empty() => Ok(Type::Unit),
            syn::Type::Tuple(t) => {
                Ok(Type::Tuple(t.elems.iter().map(|e| self.value_ty(e, pos, self_ty)).collect::<Result<_>>()?))
            }
            syn::Type::Reference(r) => {
                if let (Some(lt), syn::Type::Path(p), Pos::Result) = (&r.lifetime, &*r.elem, pos) {
                    if lt.ident == "static" && r.mutability.is_none() {
                        if let Some(seg) = single_ident(p) {
                            if let Some((id, TypeDefKind::Resource(Resource { dependent: false, .. }))) = self.local(seg, self_ty) {
                                return Ok(Type::Static(id));
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
            syn::Type::Path(p) if p.qself.is_none() => self.path_ty(ty, p, pos, self_ty),
            _ => Err(Error::new(ty.span(), "rdylib: this type has no component-model equivalent")),
        }
    }

    fn path_ty(&self, ty: &syn::Type, p: &syn::TypePath, pos: Pos, self_ty: Option<&Ident>) -> Result<Type> {
        let seg = p.path.segments.last().expect("non-empty path");
        let name = seg.ident.to_string();
        let args = type_args(seg);
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
            return Ok(Type::Prim(prim));
        }
        let arity = |n: usize| -> Result<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(Error::new(seg.span(), format!("rdylib: `{name}` needs {n} type argument(s) here")))
            }
        };
        match name.as_str() {
            "StreamReader" | "FutureReader" | "StreamWriter" | "FutureWriter" => {
                return Err(Error::new(
                    ty.span(),
                    format!("rdylib: `{name}` can only be a whole parameter or the whole result of a function: a stream or future is one handle, which the component model does not nest in values here"),
                ))
            }
            "Box" if args.len() == 1 => {
                if let syn::Type::TraitObject(obj) = args[0] {
                    return match self.dyn_trait(obj) {
                        Some(t) => Ok(Type::Dyn(t)),
                        None => Err(Error::new(obj.span(), "rdylib: `Box<dyn T>` needs `T` to be a `pub trait` declared in this module")),
                    };
                }
            }
            "String" => return Ok(Type::String),
            "Vec" => {
                arity(1)?;
                return Ok(Type::List(Box::new(self.value_ty(args[0], pos, self_ty)?)));
            }
            "Option" => {
                arity(1)?;
                return Ok(Type::Option(Box::new(self.value_ty(args[0], pos, self_ty)?)));
            }
            "Result" => {
                arity(2)?;
                return Ok(Type::Result(
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
            if let Some((id, kind)) = self.local(&seg.ident, self_ty) {
                return match kind {
                    TypeDefKind::Record(_) | TypeDefKind::Enum(_) | TypeDefKind::Variant(_) => Ok(Type::Defined(id)),
                    TypeDefKind::Resource(Resource { dependent: false, .. }) => Ok(Type::Own(id)),
                    TypeDefKind::Trait(_) => {
                        Err(Error::new(ty.span(), "rdylib: a trait is passed as `Box<dyn T>`, `&dyn T` or `&mut dyn T`"))
                    }
                    TypeDefKind::Resource(Resource { dependent: true, .. }) => Err(Error::new(
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

    /// `StreamReader<T>` / `FutureReader<T>` as a whole parameter or result:
    /// the readable end of a `stream<T>` / `future<T>`. `None` for other types.
    /// The writable ends stay in the plugin.
    fn stream_end(&self, ty: &syn::Type, self_ty: Option<&Ident>) -> Option<Result<Type>> {
        let syn::Type::Path(p) = ty else { return None };
        let seg = p.path.segments.last()?;
        let name = seg.ident.to_string();
        let make: fn(Box<Type>) -> Type = match name.as_str() {
            "StreamReader" => Type::Stream,
            "FutureReader" => Type::Future,
            "StreamWriter" | "FutureWriter" => {
                return Some(Err(Error::new(
                    ty.span(),
                    format!("rdylib: a `{name}` never crosses the boundary: the plugin keeps the writable end and passes the `{}` it was created with", name.replace("Writer", "Reader")),
                )))
            }
            _ => return None,
        };
        let args = type_args(seg);
        let [elem] = args.as_slice() else {
            return Some(Err(Error::new(seg.span(), format!("rdylib: `{name}` needs 1 type argument(s) here"))));
        };
        Some(self.value_ty(elem, Pos::Param, self_ty).and_then(|t| {
            if plain_element(&t) {
                Ok(make(Box::new(t)))
            } else {
                Err(Error::new(
                    elem.span(),
                    "rdylib: a stream's or future's elements must be primitives, strings, or lists, options, tuples and results of them: they are not converted on the way, and cannot carry handles",
                ))
            }
        }))
    }

    fn param(&self, name: String, ty: &syn::Type, self_ty: Option<&Ident>) -> Result<Param> {
        let param = |kind| Ok(Param { name: name.clone(), ty: kind, rust: ty.clone() });
        if let Some(end) = self.stream_end(ty, self_ty) {
            return param(ParamType::Value(end?));
        }
        let syn::Type::Reference(r) = ty else {
            return param(ParamType::Value(self.value_ty(ty, Pos::Param, self_ty)?));
        };
        let mode = if r.mutability.is_some() { Mode::Exclusive } else { Mode::Shared };
        match &*r.elem {
            syn::Type::Path(p) if p.path.is_ident("str") && mode == Mode::Shared => return param(ParamType::StrRef),
            syn::Type::TraitObject(obj) => {
                return match self.dyn_trait(obj) {
                    Some(tr) => param(ParamType::DynBorrow { tr, mode }),
                    None => Err(Error::new(obj.span(), "rdylib: `&dyn T` needs `T` to be a `pub trait` declared in this module")),
                };
            }
            syn::Type::Slice(s) if mode == Mode::Shared => {
                return param(ParamType::Slice(self.value_ty(&s.elem, Pos::Param, self_ty)?));
            }
            syn::Type::Path(p) => {
                if let Some((resource, TypeDefKind::Resource(_))) = single_ident(p).and_then(|seg| self.local(seg, self_ty)) {
                    let library_static = r.lifetime.as_ref().is_some_and(|l| l.ident == "static");
                    if mode == Mode::Exclusive && library_static {
                        return Err(Error::new(ty.span(), "rdylib: `&'static mut` cannot be expressed: library-static data is only ever shared"));
                    }
                    return param(ParamType::Borrow { resource, mode, library_static });
                }
                if mode == Mode::Shared {
                    return param(ParamType::ValueRef(self.value_ty(&r.elem, Pos::Param, self_ty)?));
                }
            }
            _ => {}
        }
        Err(Error::new(
            ty.span(),
            "rdylib: a `&mut` parameter must refer to a resource declared in this module: other values are copied into the plugin, so mutations could not reach the caller",
        ))
    }

    /// Reads one exported function or method. `owner` is the resource or
    /// trait for functions in an `impl` block or a trait.
    fn func(&self, sig: &Signature, owner: Option<TypeId>) -> Result<Func> {
        if sig.unsafety.is_some() || sig.variadic.is_some() || sig.constness.is_some() || sig.abi.is_some() {
            return Err(Error::new(sig.span(), "rdylib: exported functions must be plain safe `fn`s or `async fn`s"));
        }
        if let Some(g) = sig.generics.type_params().next() {
            return Err(Error::new(g.span(), "rdylib: exported functions cannot be generic over types: the component model has no generics"));
        }
        let owner_def = owner.map(|id| self.model.def(id));
        let self_ident = owner_def.map(|d| &d.ident);
        let mut kind = if owner.is_some() { FuncKind::Static } else { FuncKind::Free };
        let mut params = Vec::new();
        for (i, arg) in sig.inputs.iter().enumerate() {
            match arg {
                FnArg::Receiver(r) => {
                    let owner = owner.expect("receiver only in impl");
                    if r.colon_token.is_some() {
                        return Err(Error::new(r.span(), "rdylib: write the receiver as `self`, `&self` or `&mut self`"));
                    }
                    let (name, ty) = match &r.reference {
                        Some((_, lt)) => {
                            let mode = if r.mutability.is_some() { Mode::Exclusive } else { Mode::Shared };
                            let library_static = lt.as_ref().is_some_and(|l| l.ident == "static");
                            if mode == Mode::Exclusive && library_static {
                                return Err(Error::new(r.span(), "rdylib: `&'static mut self` cannot be expressed: library-static data is only ever shared"));
                            }
                            kind = FuncKind::Method(mode);
                            ("self", ParamType::Borrow { resource: owner, mode, library_static })
                        }
                        None => {
                            // Allowed on dependent types too: the glue drops the
                            // consumed value before the borrows it holds.
                            kind = FuncKind::Consume;
                            ("this", ParamType::Value(Type::Own(owner)))
                        }
                    };
                    params.push(Param { name: name.into(), ty, rust: (*r.ty).clone() });
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
        let returns_self = |ty: &syn::Type| {
            matches!(ty, syn::Type::Path(p) if p.path.is_ident("Self") || self_ident.is_some_and(|o| p.path.is_ident(o)))
        };
        let is_ctor = owner.is_some()
            && kind == FuncKind::Static
            && sig.ident == "new"
            && matches!(&sig.output, ReturnType::Type(_, t) if returns_self(t));
        if is_ctor {
            if matches!(owner_def.map(|d| &d.kind), Some(TypeDefKind::Resource(Resource { dependent: true, .. }))) {
                return Err(Error::new(
                    sig.span(),
                    "rdylib: a dependent resource (one with a lifetime) cannot have a constructor: it must be returned by the function it borrows from",
                ));
            }
            if let Some(a) = &sig.asyncness {
                return Err(Error::new(
                    a.span(),
                    "rdylib: a constructor cannot be `async`: the component model's constructors are synchronous; add an `async fn` that returns `Self` under another name",
                ));
            }
            kind = FuncKind::Constructor;
        }
        let result = match (&sig.output, kind) {
            (ReturnType::Default, _) => FuncResult::None,
            (ReturnType::Type(..), FuncKind::Constructor) => FuncResult::None,
            (ReturnType::Type(_, ty), _) => self.result(ty, sig, &params, self_ident)?,
        };
        let is_async = sig.asyncness.is_some();
        Ok(Func { ident: sig.ident.clone(), name: kebab(&sig.ident), kind, is_async, params, result, sig: sig.clone() })
    }

    fn result(&self, ty: &syn::Type, sig: &Signature, params: &[Param], self_ty: Option<&Ident>) -> Result<FuncResult> {
        let syn::Type::Path(p) = ty else {
            return self.value_result(ty, self_ty);
        };
        let Some(seg) = p.path.segments.last() else {
            return self.value_result(ty, self_ty);
        };
        // `Option<R<'a>>` / `Result<R<'a>, E>`: one dependent handle, maybe absent.
        let wrap = match (seg.ident.to_string().as_str(), type_args(seg).as_slice()) {
            ("Option", [inner]) if self.is_dependent(inner, self_ty) => Some((DependentWrap::Option, *inner)),
            ("Result", [inner, err]) if self.is_dependent(inner, self_ty) => {
                Some((DependentWrap::Result(self.value_ty(err, Pos::Result, self_ty)?), *inner))
            }
            _ => None,
        };
        if let Some((wrap, inner)) = wrap {
            return match self.result(inner, sig, params, self_ty)? {
                FuncResult::Dependent { resource, borrows, .. } => Ok(FuncResult::Dependent { resource, borrows, wrap }),
                _ => unreachable!("checked by is_dependent"),
            };
        }
        let Some((resource, TypeDefKind::Resource(Resource { dependent: true, .. }))) = self.local(&seg.ident, self_ty) else {
            return self.value_result(ty, self_ty);
        };
        let lt = seg_lifetime(seg);
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
            let borrowed_through_lt = matches!(&p.rust, syn::Type::Reference(r) if r.lifetime.as_ref() == Some(&lt));
            match &p.ty {
                ParamType::Borrow { mode, .. } if borrowed_through_lt => {
                    borrows.push(Borrowed { index, name: p.name.clone(), mode: *mode })
                }
                _ if mentions_lifetime(&p.rust, &lt) => {
                    return Err(Error::new(
                        p.rust.span(),
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
        Ok(FuncResult::Dependent { resource, borrows, wrap: DependentWrap::Bare })
    }

    fn value_result(&self, ty: &syn::Type, self_ty: Option<&Ident>) -> Result<FuncResult> {
        if let Some(end) = self.stream_end(ty, self_ty) {
            return Ok(FuncResult::Value(end?, Box::new(ty.clone())));
        }
        Ok(match self.value_ty(ty, Pos::Result, self_ty)? {
            Type::Unit => FuncResult::None,
            t => FuncResult::Value(t, Box::new(ty.clone())),
        })
    }
}

/// Traits some exported function returns as `Box<dyn T>`: the plugin
/// implements them. Every other trait is implemented by the caller.
fn exported_traits(items: &[Item]) -> HashSet<String> {
    struct Dyns(HashSet<String>);
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

/// The type arguments of a path segment (`Vec<T>` → `[T]`).
fn type_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The lifetime argument of a path segment (`Iter<'a>` → `'a`).
fn seg_lifetime(seg: &syn::PathSegment) -> Option<Lifetime> {
    match &seg.arguments {
        PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            GenericArgument::Lifetime(l) => Some(l.clone()),
            _ => None,
        }),
        _ => None,
    }
}

/// Whether a stream's or future's element type is one whose Rust type is
/// the same in the plugin and in wit-bindgen's bindings (nothing to convert).
fn plain_element(t: &Type) -> bool {
    match t {
        Type::Prim(_) | Type::String => true,
        Type::List(e) | Type::Option(e) => plain_element(e),
        Type::Tuple(ts) => ts.iter().all(plain_element),
        Type::Result(o, e) => plain_element(o) && plain_element(e),
        _ => false,
    }
}

fn single_ident(p: &syn::TypePath) -> Option<&Ident> {
    if p.qself.is_none() && p.path.segments.len() == 1 {
        Some(&p.path.segments[0].ident)
    } else {
        None
    }
}

fn mentions_lifetime(ty: &syn::Type, lt: &Lifetime) -> bool {
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
    }
    let mut f = Finder { lt, found: false };
    syn::visit::visit_type(&mut f, ty);
    f.found
}
