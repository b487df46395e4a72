//! The Rust the macro emits: helpers in the user's impls, wit-bindgen's
//! Guest trait impls that call them through borrow-checked handles, and
//! value conversions between the user's types and the generated ones.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, Ident, Item};

use crate::emit::async_traits::boxed_future_sig;
use crate::emit::section::{SECTION_NAME, WIT_SECTION_NAME};
use crate::layout::defined_types;
use crate::model::{
    DependentWrap, Func, FuncKind, FuncResult, ImplBlock, Mode, Model, ParamType, Trait, Type, TypeDef, TypeDefKind, TypeId,
};
use crate::names::{gen_snake, gen_type};
use crate::options::WitNames;

/// The entry point: the helpers that go into the user's impl blocks, and
/// the glue module (wit-bindgen's bindings, the two sections, the Guest
/// impls and conversions).
pub fn items(m: &Model, names: &WitNames, wit: &str, abi: &[u8]) -> syn::Result<Vec<Item>> {
    let mut items: Vec<Item> = m
        .resources()
        .flat_map(|(_, _, r)| r.impls.iter().map(|block| helpers(block, &r.funcs[block.funcs.clone()])))
        .map(|h| syn::parse2::<Item>(h).expect("helper impl parses"))
        .collect();
    items.push(syn::parse2::<Item>(module(m, names, wit, abi))?);
    // wit-bindgen makes `wit_stream::new::<T>()` / `wit_future::new::<T>(default)`
    // for the element types the WIT uses; the plugin creates its streams with them.
    let (streams, futures) = stream_kinds(m);
    if streams {
        items.push(syn::parse_quote!(#[allow(unused_imports)] use self::__rdylib_glue::wit_stream;));
    }
    if futures {
        items.push(syn::parse_quote!(#[allow(unused_imports)] use self::__rdylib_glue::wit_future;));
    }
    Ok(items)
}

/// Whether any function of the module takes or returns a stream, a future.
fn stream_kinds(m: &Model) -> (bool, bool) {
    let funcs = m.resources().flat_map(|(_, _, r)| &r.funcs).chain(&m.funcs);
    let types = funcs.flat_map(|f| {
        let result = match &f.result {
            FuncResult::Value(t, _) => Some(t),
            _ => None,
        };
        f.params.iter().filter_map(|p| p.ty.value()).chain(result)
    });
    types.fold((false, false), |(s, fu), t| (s || matches!(t, Type::Stream(_)), fu || matches!(t, Type::Future(_))))
}

/// The rep type wit-bindgen's Guest trait stores for a resource or trait.
fn rep_ident(d: &TypeDef) -> Ident {
    match d.kind {
        TypeDefKind::Trait(_) => format_ident!("__RepDyn{}", d.ident),
        _ => format_ident!("__Rep{}", d.ident),
    }
}

/// The `Handle` behind a borrowed resource parameter: `self`'s for the receiver,
/// else the one the parameter's generated wrapper holds.
fn borrowed_handle(m: &Model, resource: TypeId, is_self: bool, param: &Ident) -> TokenStream {
    if is_self {
        quote!(self.0)
    } else {
        let rep = rep_ident(m.def(resource));
        quote!(#param.get::<#rep>().0)
    }
}

fn dyn_ref_ident(t: &Ident) -> Ident {
    format_ident!("__DynRef{}", t)
}

fn dyn_own_ident(t: &Ident) -> Ident {
    format_ident!("__DynOwn{}", t)
}

fn helper_ident(f: &Ident) -> Ident {
    format_ident!("__rdylib_{}", f)
}

/// For every exported method, an associated fn in an impl with the same
/// generics that calls it. The glue calls the helper, so method lookup is
/// done in the user's generic context: a dependent type's methods are
/// type-checked for every lifetime, never specialised to the `'static` the
/// glue stores them at.
fn helpers(block: &ImplBlock, funcs: &[Func]) -> TokenStream {
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    let self_ty = &block.self_ty;
    let mut items = Vec::new();
    for f in funcs {
        let sig = &f.sig;
        let name = &sig.ident;
        let helper = helper_ident(name);
        let fn_generics = &sig.generics;
        let output = &sig.output;
        let mut params = Vec::new();
        let mut args = Vec::new();
        for (i, input) in sig.inputs.iter().enumerate() {
            match input {
                FnArg::Receiver(r) => {
                    let ty = match &r.reference {
                        Some((_, lt)) if r.mutability.is_some() => quote!(&#lt mut Self),
                        Some((_, lt)) => quote!(&#lt Self),
                        None => quote!(Self),
                    };
                    params.push(quote!(this: #ty));
                    args.push(quote!(this));
                }
                FnArg::Typed(t) => {
                    let a = format_ident!("__a{}", i);
                    let ty = &t.ty;
                    params.push(quote!(#a: #ty));
                    args.push(quote!(#a));
                }
            }
        }
        let wc = &fn_generics.where_clause;
        let (asyncness, wait) = if f.is_async { (quote!(async), quote!(.await)) } else { (quote!(), quote!()) };
        items.push(quote! {
            #[doc(hidden)]
            #[inline(always)]
            #[allow(non_snake_case, clippy::needless_lifetimes)]
            #asyncness fn #helper #fn_generics (#(#params),*) #output #wc { Self::#name(#(#args),*) #wait }
        });
    }
    quote! {
        impl #impl_generics #self_ty #where_clause { #(#items)* }
    }
}

/// One glue function: the wit-bindgen trait method that lifts the
/// arguments, takes the borrows, calls the user's code and lowers the result.
fn glue_fn(m: &Model, f: &Func, owner: Option<TypeId>) -> TokenStream {
    let owner = owner.map(|id| m.def(id));
    let op = match owner {
        Some(d) => format!("{}.{}", d.name, f.name),
        None => f.name.clone(),
    };
    let holder = match &f.result {
        FuncResult::Dependent { resource, .. } => m.def(*resource).name.clone(),
        _ => String::new(),
    };
    let borrowed: Vec<(usize, Mode)> = match &f.result {
        FuncResult::Dependent { borrows, .. } => borrows.iter().map(|b| (b.index, b.mode)).collect(),
        _ => Vec::new(),
    };
    let is_trait = owner.is_some_and(|d| matches!(d.kind, TypeDefKind::Trait(_)));
    // An async call's borrows are held by its task: conflicting accesses
    // meanwhile name it as pending.
    let (shared, exclusive, task) = if f.is_async {
        let task = format!("{op} (pending)");
        (format_ident!("task_shared"), format_ident!("task_exclusive"), quote!(, #task))
    } else {
        (format_ident!("shared"), format_ident!("exclusive"), quote!())
    };
    let mut sig_params = Vec::new();
    let mut prelude = Vec::new();
    let mut args = Vec::new();
    let mut after = Vec::new();
    // A trait object's value is a `Box<dyn T>`: one more deref reaches `dyn T`.
    let deref = if is_trait { quote!(**) } else { quote!(*) };
    for (i, p) in f.params.iter().enumerate() {
        let pi = format_ident!("__p{}", i);
        let ai = format_ident!("__a{}", i);
        let gi = format_ident!("__g{}", i);
        let is_self = f.is_receiver(i);
        if !is_self {
            let pty = gen_param_ty(m, &p.ty);
            sig_params.push(quote!(#pi: #pty));
        }
        match &p.ty {
            ParamType::Borrow { resource, library_static: true, .. } => {
                let handle = borrowed_handle(m, *resource, is_self, &pi);
                args.push(quote!(#handle.static_ref(#op)));
            }
            ParamType::Borrow { resource, mode, .. } => {
                let handle = borrowed_handle(m, *resource, is_self, &pi);
                match (borrowed.iter().find(|(idx, _)| *idx == i).map(|(_, m)| *m), mode) {
                    (Some(Mode::Shared), _) => {
                        prelude.push(quote! {
                            // SAFETY: the reference goes only into the dependent value,
                            // stored with its keep-alive in one Handle::dependent below.
                            let (#ai, __k) = unsafe { #handle.hold_shared(#op, #holder) };
                            __keep.extend(__k);
                        });
                        args.push(quote!(#ai));
                    }
                    (Some(Mode::Exclusive), _) => {
                        prelude.push(quote! {
                            // SAFETY: as above, for the exclusive borrow.
                            let (#ai, __k) = unsafe { #handle.hold_exclusive(#op, #holder) };
                            __keep.extend(__k);
                        });
                        args.push(quote!(#ai));
                    }
                    (None, Mode::Shared) => {
                        prelude.push(quote!(let #gi = #handle.#shared(#op #task);));
                        args.push(if is_self { quote!(&#deref #gi) } else { quote!(&*#gi) });
                    }
                    (None, Mode::Exclusive) => {
                        prelude.push(quote!(let mut #gi = #handle.#exclusive(#op #task);));
                        args.push(if is_self { quote!(&mut #deref #gi) } else { quote!(&mut *#gi) });
                    }
                }
            }
            ParamType::DynBorrow { tr, mode } if m.trait_of(*tr).export => {
                let rep = rep_ident(m.def(*tr));
                match mode {
                    Mode::Shared => {
                        prelude.push(quote!(let #gi = #pi.get::<#rep>().0.#shared(#op #task);));
                        args.push(quote!(&**#gi));
                    }
                    Mode::Exclusive => {
                        prelude.push(quote!(let mut #gi = #pi.get::<#rep>().0.#exclusive(#op #task);));
                        args.push(quote!(&mut **#gi));
                    }
                }
            }
            ParamType::DynBorrow { tr, mode } => {
                let proxy = dyn_ref_ident(&m.def(*tr).ident);
                prelude.push(quote!(let mut #gi = #proxy(#pi);));
                args.push(match mode {
                    Mode::Shared => quote!(&#gi),
                    Mode::Exclusive => quote!(&mut #gi),
                });
            }
            ParamType::Value(Type::Own(resource)) if f.kind == FuncKind::Consume && i == 0 => {
                let rep = rep_ident(m.def(*resource));
                prelude.push(quote!(let (#ai, #gi) = #pi.into_inner::<#rep>().0.take(#op);));
                args.push(quote!(#ai));
                // The consumed value is dropped inside the call; only then
                // may the borrows it held be released.
                after.push(quote!(drop(#gi);));
            }
            ParamType::Value(_) => args.push(quote!(::rdylib::__rt::FromWit::from_wit(#pi))),
            ParamType::StrRef => args.push(quote!(#pi.as_str())),
            ParamType::Slice(..) => {
                prelude.push(quote!(let #gi: ::std::vec::Vec<_> = ::rdylib::__rt::FromWit::from_wit(#pi);));
                args.push(quote!(&#gi[..]));
            }
            ParamType::ValueRef(..) => {
                prelude.push(quote!(let #gi = ::rdylib::__rt::FromWit::from_wit(#pi);));
                args.push(quote!(&#gi));
            }
        }
    }
    let call = match owner {
        Some(d) if is_trait => {
            let (ty, name) = (&d.ident, &f.ident);
            quote!(<dyn super::#ty>::#name(#(#args),*))
        }
        Some(d) => {
            let ty = &d.ident;
            let h = helper_ident(&f.ident);
            quote!(super::#ty::#h(#(#args),*))
        }
        None => {
            let id = &f.ident;
            quote!(super::#id(#(#args),*))
        }
    };
    let keep_decl = if borrowed.is_empty() {
        quote!()
    } else {
        quote!(let mut __keep: ::std::vec::Vec<::rdylib::__rt::KeepAlive> = ::std::vec::Vec::new();)
    };
    let (ret_ty, convert) = match (&f.result, f.kind) {
        (_, FuncKind::Constructor) => {
            let name = &owner.expect("constructor has owner").name;
            (quote!(-> Self), quote!(Self(::rdylib::__rt::Handle::new(__r, #name))))
        }
        (FuncResult::None, _) => (quote!(), quote!(let () = __r;)),
        (FuncResult::Value(t, _), _) => {
            let g = gen_ty(m, t);
            (quote!(-> #g), quote!(::rdylib::__rt::IntoWit::into_wit(__r)))
        }
        (FuncResult::Dependent { resource, wrap, .. }, _) => {
            let d = m.def(*resource);
            let (rep, g, res) = (rep_ident(d), gen_type(&d.name), &d.name);
            let make = quote!(__w::#g::new(#rep(::rdylib::__rt::Handle::dependent(__d, #res, __keep))));
            // When the handle is absent, `__keep` drops here and the borrows end.
            match wrap {
                DependentWrap::Bare => (quote!(-> __w::#g), quote!({ let __d = __r; #make })),
                DependentWrap::Option => (quote!(-> ::core::option::Option<__w::#g>), quote!(__r.map(|__d| #make))),
                DependentWrap::Result(err) => {
                    let e = gen_ty(m, err);
                    (
                        quote!(-> ::core::result::Result<__w::#g, #e>),
                        quote!(match __r {
                            ::core::result::Result::Ok(__d) => ::core::result::Result::Ok(#make),
                            ::core::result::Result::Err(__e) => ::core::result::Result::Err(::rdylib::__rt::IntoWit::into_wit(__e)),
                        }),
                    )
                }
            }
        }
    };
    let name = match f.kind {
        FuncKind::Constructor => format_ident!("new"),
        _ => gen_snake(&f.name),
    };
    let recv = if matches!(f.kind, FuncKind::Method(_)) { quote!(&self,) } else { quote!() };
    // An async function's borrows are taken when its task starts (wit-bindgen
    // polls the task at once) and held, with the guards, until it completes.
    let (asyncness, wait) = if f.is_async { (quote!(async), quote!(.await)) } else { (quote!(), quote!()) };
    quote! {
        #[allow(unused_mut, clippy::let_unit_value)]
        #asyncness fn #name(#recv #(#sig_params),*) #ret_ty {
            ::rdylib::__rt::enter(__rdylib_report);
            #keep_decl
            #(#prelude)*
            let __r = #call #wait;
            let __out = { #convert };
            #(#after)*
            __out
        }
    }
}

fn conversions(m: &Model) -> TokenStream {
    // A value holding a handle cannot be copied out of a borrow (`ToWit`).
    let holds_handle = |id: TypeId| m.holds(&Type::Defined(id), |t| t.handle().is_some());
    let mut out = Vec::new();
    for (id, d) in defined_types(m) {
        let (u, g) = (&d.ident, gen_type(&d.name));
        match &d.kind {
            TypeDefKind::Record(fields) => {
                let uf: Vec<&Ident> = fields.iter().map(|f| &f.ident).collect();
                let gf: Vec<Ident> = fields.iter().map(|f| gen_snake(&f.name)).collect();
                out.push(quote! {
                    impl ::rdylib::__rt::IntoWit<__w::#g> for super::#u {
                        fn into_wit(self) -> __w::#g { __w::#g { #(#gf: ::rdylib::__rt::IntoWit::into_wit(self.#uf)),* } }
                    }
                    impl ::rdylib::__rt::FromWit<__w::#g> for super::#u {
                        fn from_wit(w: __w::#g) -> Self { super::#u { #(#uf: ::rdylib::__rt::FromWit::from_wit(w.#gf)),* } }
                    }
                });
                if !holds_handle(id) {
                    out.push(quote! {
                        impl ::rdylib::__rt::ToWit<__w::#g> for super::#u {
                            fn to_wit(&self) -> __w::#g { __w::#g { #(#gf: ::rdylib::__rt::ToWit::to_wit(&self.#uf)),* } }
                        }
                    });
                }
            }
            TypeDefKind::Enum(cases) => {
                let uc: Vec<&Ident> = cases.iter().map(|c| &c.ident).collect();
                let gc: Vec<Ident> = cases.iter().map(|c| gen_type(&c.name)).collect();
                out.push(quote! {
                    impl ::rdylib::__rt::IntoWit<__w::#g> for super::#u {
                        fn into_wit(self) -> __w::#g { match self { #(super::#u::#uc => __w::#g::#gc),* } }
                    }
                    impl ::rdylib::__rt::FromWit<__w::#g> for super::#u {
                        fn from_wit(w: __w::#g) -> Self { match w { #(__w::#g::#gc => super::#u::#uc),* } }
                    }
                    impl ::rdylib::__rt::ToWit<__w::#g> for super::#u {
                        fn to_wit(&self) -> __w::#g { match self { #(super::#u::#uc => __w::#g::#gc),* } }
                    }
                });
            }
            TypeDefKind::Variant(cases) => {
                let mut into_arms = Vec::new();
                let mut from_arms = Vec::new();
                let mut to_arms = Vec::new();
                for c in cases {
                    let (ui, gc) = (&c.ident, gen_type(&c.name));
                    let xs: Vec<Ident> = (0..c.payload.len()).map(|i| format_ident!("__x{}", i)).collect();
                    match c.payload.len() {
                        0 => {
                            into_arms.push(quote!(super::#u::#ui => __w::#g::#gc));
                            to_arms.push(quote!(super::#u::#ui => __w::#g::#gc));
                            from_arms.push(quote!(__w::#g::#gc => super::#u::#ui));
                        }
                        1 => {
                            into_arms.push(quote!(super::#u::#ui(__x0) => __w::#g::#gc(::rdylib::__rt::IntoWit::into_wit(__x0))));
                            to_arms.push(quote!(super::#u::#ui(__x0) => __w::#g::#gc(::rdylib::__rt::ToWit::to_wit(__x0))));
                            from_arms.push(quote!(__w::#g::#gc(__x0) => super::#u::#ui(::rdylib::__rt::FromWit::from_wit(__x0))));
                        }
                        _ => {
                            into_arms.push(quote!(super::#u::#ui(#(#xs),*) => __w::#g::#gc((#(::rdylib::__rt::IntoWit::into_wit(#xs),)*))));
                            to_arms.push(quote!(super::#u::#ui(#(#xs),*) => __w::#g::#gc((#(::rdylib::__rt::ToWit::to_wit(#xs),)*))));
                            from_arms.push(quote!(__w::#g::#gc((#(#xs,)*)) => super::#u::#ui(#(::rdylib::__rt::FromWit::from_wit(#xs)),*)));
                        }
                    }
                }
                out.push(quote! {
                    impl ::rdylib::__rt::IntoWit<__w::#g> for super::#u {
                        fn into_wit(self) -> __w::#g { match self { #(#into_arms),* } }
                    }
                    impl ::rdylib::__rt::FromWit<__w::#g> for super::#u {
                        fn from_wit(w: __w::#g) -> Self { match w { #(#from_arms),* } }
                    }
                });
                if !holds_handle(id) {
                    out.push(quote! {
                        impl ::rdylib::__rt::ToWit<__w::#g> for super::#u {
                            fn to_wit(&self) -> __w::#g { match self { #(#to_arms),* } }
                        }
                    });
                }
            }
            TypeDefKind::Resource(_) | TypeDefKind::Trait(_) => unreachable!("defined_types lists records, enums and variants"),
        }
    }
    for (_, d, _) in m.resources().filter(|(_, _, r)| !r.dependent) {
        let (u, g, rep, name) = (&d.ident, gen_type(&d.name), rep_ident(d), &d.name);
        let take_op = format!("{name} (passed by value)");
        out.push(quote! {
            impl ::rdylib::__rt::IntoWit<__w::#g> for super::#u {
                fn into_wit(self) -> __w::#g { __w::#g::new(#rep(::rdylib::__rt::Handle::new(self, #name))) }
            }
            impl ::rdylib::__rt::IntoWit<__w::#g> for &'static super::#u {
                fn into_wit(self) -> __w::#g { __w::#g::new(#rep(::rdylib::__rt::Handle::from_static(self))) }
            }
            impl ::rdylib::__rt::FromWit<__w::#g> for super::#u {
                fn from_wit(w: __w::#g) -> Self { w.into_inner::<#rep>().0.take(#take_op).0 }
            }
        });
    }
    quote!(#(#out)*)
}

/// Every type and trait name the module declares.
fn local_names(m: &Model) -> std::collections::HashSet<String> {
    m.types.iter().map(|d| d.ident.to_string()).collect()
}

/// Rewrites the module's own type and trait names in a copied signature to
/// `super::Name`: the proxies live in a module nested in the user's.
struct ModulePaths(std::collections::HashSet<String>);

impl ModulePaths {
    fn fix(&self, path: &mut syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() == 1 && self.0.contains(&path.segments[0].ident.to_string()) {
            path.segments.insert(0, syn::PathSegment::from(format_ident!("super")));
        }
    }
}

impl syn::visit_mut::VisitMut for ModulePaths {
    fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
        if t.qself.is_none() {
            self.fix(&mut t.path);
        }
        syn::visit_mut::visit_type_path_mut(self, t);
    }
    fn visit_trait_bound_mut(&mut self, b: &mut syn::TraitBound) {
        self.fix(&mut b.path);
        syn::visit_mut::visit_trait_bound_mut(self, b);
    }
}

/// The argument wit-bindgen's import function takes for an owned value
/// `place` of the generated type of `t`. It mirrors wit-bindgen 0.63's
/// `Ownership::Owning` rule for imported-function parameters: primitives
/// by value, strings as `&str`; any other type holding a string or list is
/// lent at the top (`&Record`, `&[T]`, `Option<&str>`, `(&str, u32)`, with
/// everything under a named type or list owned); the rest moves. (Types
/// with handles never reach here: layout.rs rejects them for imports.)
fn lend_top(m: &Model, t: &Type, place: TokenStream) -> TokenStream {
    match t {
        Type::String => quote!(#place.as_str()),
        Type::Prim(_) => place,
        // Lent when it holds a string or list.
        t if m.holds(t, |x| matches!(x, Type::String | Type::List(_))) => lend_ref(t, quote!(&#place), &mut 0),
        _ => place,
    }
}

/// As `lend_top`, for `r`, an expression of type `&W`, inside a lent value.
fn lend_ref(t: &Type, r: TokenStream, n: &mut usize) -> TokenStream {
    *n += 1;
    let x = format_ident!("__x{}", *n);
    // Parenthesised: `r` may be `&place`, and is used as a method receiver.
    let r = quote!((#r));
    match t {
        Type::Prim(_) => quote!(*#r),
        Type::Unit => quote!(()),
        Type::String => quote!(#r.as_str()),
        Type::Defined(_) | Type::Own(_) | Type::Static(_) | Type::Dyn(_) => r,
        Type::Stream(_) | Type::Future(_) => unreachable!("check refuses streams and futures in trait methods"),
        Type::List(_) => quote!(&#r[..]),
        Type::Option(e) => {
            let inner = lend_ref(e, quote!(#x), n);
            quote!(#r.as_ref().map(|#x| #inner))
        }
        Type::Result(o, e) => {
            let ok = lend_ref(o, quote!(#x), n);
            let err = lend_ref(e, quote!(#x), n);
            quote!(match #r {
                ::core::result::Result::Ok(#x) => ::core::result::Result::Ok(#ok),
                ::core::result::Result::Err(#x) => ::core::result::Result::Err(#err),
            })
        }
        Type::Tuple(ts) => {
            let xs: Vec<Ident> = (0..ts.len()).map(|i| format_ident!("{}_{}", x, i)).collect();
            let parts: Vec<TokenStream> = ts.iter().zip(&xs).map(|(t, xi)| lend_ref(t, quote!(#xi), n)).collect();
            quote!({ let (#(#xs,)*) = #r; (#(#parts,)*) })
        }
    }
}

/// For a caller-implemented trait: proxies that implement the trait by
/// calling the imported resource, borrowed (`&dyn T`) or owned (`Box<dyn T>`).
/// Each argument is converted to its generated type first (moved, or copied
/// out of a borrow with `ToWit`), then lent as wit-bindgen's import expects.
fn import_proxies(m: &Model, d: &TypeDef, t: &Trait) -> TokenStream {
    let alias = dyn_alias(&d.name);
    let gen = gen_type(&d.name);
    let tr = &d.ident;
    let (r, o) = (dyn_ref_ident(tr), dyn_own_ident(tr));
    let mut methods = Vec::new();
    for f in &t.funcs {
        let mut sig = f.sig.clone();
        syn::visit_mut::VisitMut::visit_signature_mut(&mut ModulePaths(local_names(m)), &mut sig);
        let output = sig.output.clone();
        if f.is_async {
            boxed_future_sig(&mut sig);
        }
        let mut binds = Vec::new();
        let mut args = Vec::new();
        for (i, input) in sig.inputs.iter_mut().enumerate() {
            if let FnArg::Typed(pt) = input {
                let a = format_ident!("__a{}", i);
                let w = format_ident!("__w{}", i);
                *pt.pat = syn::parse_quote!(#a);
                args.push(match &f.params[i].ty {
                    // wit-bindgen's async imports take every argument owned; `check` allows only values.
                    ParamType::Value(t) if f.is_async => {
                        let g = gen_ty(m, t);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::IntoWit::into_wit(#a);));
                        quote!(#w)
                    }
                    ParamType::StrRef | ParamType::Slice(Type::Prim(_)) => quote!(#a),
                    ParamType::Value(t) => {
                        let g = gen_ty(m, t);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::IntoWit::into_wit(#a);));
                        lend_top(m, t, quote!(#w))
                    }
                    ParamType::ValueRef(t) => {
                        let g = gen_ty(m, t);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::ToWit::to_wit(#a);));
                        lend_top(m, t, quote!(#w))
                    }
                    ParamType::Slice(t) => {
                        let list = Type::List(Box::new(t.clone()));
                        let g = gen_ty(m, &list);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::ToWit::to_wit(#a);));
                        lend_top(m, &list, quote!(#w))
                    }
                    // Refused for caller-implemented traits by `check`.
                    ParamType::Borrow { .. } | ParamType::DynBorrow { .. } => unreachable!("no handles in imported trait parameters"),
                });
            }
        }
        let name = gen_snake(&f.name);
        if f.is_async {
            let ret = match &output {
                syn::ReturnType::Default => quote!(()),
                syn::ReturnType::Type(_, t) => quote!(#t),
            };
            methods.push(quote! {
                #[allow(unused_parens)]
                #sig {
                    ::std::boxed::Box::pin(async move {
                        #(#binds)*
                        let __r: #ret = ::rdylib::__rt::FromWit::from_wit(self.0.#name(#(#args),*).await);
                        __r
                    })
                }
            });
            continue;
        }
        methods.push(quote! {
            #[allow(unused_parens)]
            #sig { #(#binds)* ::rdylib::__rt::FromWit::from_wit(self.0.#name(#(#args),*)) }
        });
    }
    quote! {
        #[doc(hidden)]
        pub struct #r<'a>(&'a #alias::#gen);
        impl super::#tr for #r<'_> { #(#methods)* }
        #[doc(hidden)]
        pub struct #o(#alias::#gen);
        impl super::#tr for #o { #(#methods)* }
        impl ::rdylib::__rt::FromWit<#alias::#gen> for ::std::boxed::Box<dyn super::#tr> {
            fn from_wit(w: #alias::#gen) -> Self { ::std::boxed::Box::new(#o(w)) }
        }
    }
}

fn trait_glue(m: &Model, ns: &Ident, pkg: &Ident) -> TokenStream {
    let mut out = Vec::new();
    for (id, d, t) in m.traits() {
        let alias = dyn_alias(&d.name);
        let snake = gen_snake(&d.name);
        let gen = gen_type(&d.name);
        let tr = &d.ident;
        let (ns, pkg) = match &t.foreign {
            Some(f) => (gen_snake(&f.namespace), gen_snake(&f.name)),
            None => (ns.clone(), pkg.clone()),
        };
        if t.export {
            let rep = rep_ident(d);
            let guest = format_ident!("Guest{}", gen);
            let fns = t.funcs.iter().map(|f| glue_fn(m, f, Some(id)));
            let name = &d.name;
            let take_op = format!("{name} (passed by value)");
            out.push(quote! {
                use self::exports::#ns::#pkg::#snake as #alias;
                #[doc(hidden)]
                pub struct #rep(::rdylib::__rt::Handle<::std::boxed::Box<dyn super::#tr>>);
                impl #alias::Guest for __Component { type #gen = #rep; }
                impl #alias::#guest for #rep { #(#fns)* }
                impl ::rdylib::__rt::IntoWit<#alias::#gen> for ::std::boxed::Box<dyn super::#tr> {
                    fn into_wit(self) -> #alias::#gen { #alias::#gen::new(#rep(::rdylib::__rt::Handle::new(self, #name))) }
                }
                impl ::rdylib::__rt::FromWit<#alias::#gen> for ::std::boxed::Box<dyn super::#tr> {
                    fn from_wit(w: #alias::#gen) -> Self { w.into_inner::<#rep>().0.take(#take_op).0 }
                }
            });
        } else {
            let proxies = import_proxies(m, d, t);
            out.push(quote! {
                use self::#ns::#pkg::#snake as #alias;
                #proxies
            });
        }
    }
    quote!(#(#out)*)
}

/// The glue module: wit-bindgen's bindings for the derived WIT, the two
/// sections, and the Guest impls that reach the user's code.
fn module(m: &Model, names: &WitNames, wit: &str, abi: &[u8]) -> TokenStream {
    let (ns, pkg) = names.namespace_and_name();
    let (ns, pkg, iface) = (gen_snake(ns), gen_snake(pkg), gen_snake(&m.name));
    let world = &names.world;
    let traits = trait_glue(m, &ns, &pkg);
    let mut reps = Vec::new();
    let mut assoc = Vec::new();
    for (id, d, r) in m.resources() {
        let rep = rep_ident(d);
        let u = &d.ident;
        let g = gen_type(&d.name);
        let guest = format_ident!("Guest{}", g);
        let stored = if r.dependent { quote!(super::#u<'static>) } else { quote!(super::#u) };
        let fns = r.funcs.iter().map(|f| glue_fn(m, f, Some(id)));
        reps.push(quote! {
            #[doc(hidden)]
            pub struct #rep(::rdylib::__rt::Handle<#stored>);
            impl __w::#guest for #rep { #(#fns)* }
        });
        assoc.push(quote!(type #g = #rep;));
    }
    let free = m.funcs.iter().map(|f| glue_fn(m, f, None));
    let convs = conversions(m);
    let wit_bytes = proc_macro2::Literal::byte_string(wit.as_bytes());
    let wit_len = wit.len();
    let abi_bytes = proc_macro2::Literal::byte_string(abi);
    let abi_len = abi.len();
    let (abi_section, wit_section) = (SECTION_NAME, WIT_SECTION_NAME);
    quote! {
        #[doc(hidden)]
        #[allow(clippy::all, unused_imports, dead_code, non_camel_case_types, non_snake_case)]
        mod __rdylib_glue {
            ::rdylib::__rt::wit_bindgen::generate!({
                inline: #wit,
                world: #world,
                runtime_path: "::rdylib::__rt::wit_bindgen::rt",
                generate_unused_types: true,
                // Interfaces of other packages (traits with #[rdylib::interface]).
                generate_all,
            });
            use self::exports::#ns::#pkg::#iface as __w;

            /// The WIT this module derives, for the build (see docs/abi.md).
            #[cfg(target_arch = "wasm32")]
            #[link_section = #wit_section]
            #[used]
            static __RDYLIB_WIT: [u8; #wit_len] = *#wit_bytes;

            /// Lifetimes and receivers, for hosts (see docs/abi.md).
            #[cfg(target_arch = "wasm32")]
            #[link_section = #abi_section]
            #[used]
            static __RDYLIB_ABI: [u8; #abi_len] = *#abi_bytes;

            fn __rdylib_report(message: &str, file: &str, line: u32, column: u32) {
                rdylib_panic(message, file, line, column)
            }

            #[doc(hidden)]
            pub struct __Component;
            impl __w::Guest for __Component {
                #(#assoc)*
                #(#free)*
            }
            #(#reps)*
            #convs
            #traits

            export!(__Component);
        }
    }
}

/// The Rust type wit-bindgen uses for `t` in an exported function.
fn gen_ty(m: &Model, t: &Type) -> TokenStream {
    match t {
        Type::Prim(p) => {
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
        Type::String => quote!(::std::string::String),
        Type::Unit => quote!(()),
        Type::List(e) => {
            let e = gen_ty(m, e);
            quote!(::std::vec::Vec<#e>)
        }
        Type::Option(e) => {
            let e = gen_ty(m, e);
            quote!(::core::option::Option<#e>)
        }
        Type::Result(o, e) => {
            let (o, e) = (gen_ty(m, o), gen_ty(m, e));
            quote!(::core::result::Result<#o, #e>)
        }
        Type::Tuple(ts) => {
            let ts = ts.iter().map(|t| gen_ty(m, t));
            quote!((#(#ts,)*))
        }
        Type::Defined(id) | Type::Own(id) | Type::Static(id) => {
            let id = gen_type(&m.def(*id).name);
            quote!(__w::#id)
        }
        Type::Dyn(id) => {
            let name = &m.def(*id).name;
            let (alias, id) = (dyn_alias(name), gen_type(name));
            quote!(#alias::#id)
        }
        // The same types in the plugin and in the bindings: elements are plain values (analyse).
        Type::Stream(e) => {
            let e = gen_ty(m, e);
            quote!(::rdylib::__rt::wit_bindgen::StreamReader<#e>)
        }
        Type::Future(e) => {
            let e = gen_ty(m, e);
            quote!(::rdylib::__rt::wit_bindgen::FutureReader<#e>)
        }
    }
}

/// The local alias of the wit-bindgen module for trait interface `name`.
fn dyn_alias(name: &str) -> Ident {
    format_ident!("__dyn_{}", gen_snake(name).to_string().trim_end_matches('_'))
}

/// The Rust type wit-bindgen uses for a parameter of an exported function.
fn gen_param_ty(m: &Model, p: &ParamType) -> TokenStream {
    match p {
        ParamType::Value(t) | ParamType::ValueRef(t) => gen_ty(m, t),
        ParamType::StrRef => quote!(::std::string::String),
        ParamType::Slice(t) => {
            let t = gen_ty(m, t);
            quote!(::std::vec::Vec<#t>)
        }
        ParamType::Borrow { resource, .. } => {
            let id = format_ident!("{}Borrow", gen_type(&m.def(*resource).name));
            quote!(__w::#id<'_>)
        }
        ParamType::DynBorrow { tr, .. } => {
            let name = &m.def(*tr).name;
            let alias = dyn_alias(name);
            if m.trait_of(*tr).export {
                let id = format_ident!("{}Borrow", gen_type(name));
                quote!(#alias::#id<'_>)
            } else {
                let id = gen_type(name);
                quote!(&#alias::#id)
            }
        }
    }
}
