//! The Rust the macro emits: helpers in the user's impls, wit-bindgen's
//! Guest trait impls that call them through borrow-checked handles, and
//! value conversions between the user's types and the generated ones.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, Ident, ImplItemFn, ItemImpl};

use crate::model::{DepWrap, Func, FuncKind, Mode, Module, ParamKind, ResKind, Res, Resource, Ty};
use crate::wit::dyn_alias;
use crate::names::{gen_snake, gen_type};
use crate::wit::{gen_param_ty, gen_ty};

pub fn rep_ident(r: &Resource) -> Ident {
    match r.kind {
        ResKind::Struct => format_ident!("__Rep{}", r.ident),
        ResKind::Trait { .. } => format_ident!("__RepDyn{}", r.ident),
    }
}

/// The rep type of the module's resource `res` (a WIT name the analysis already resolved).
fn rep_of(m: &Module, res: &str) -> Ident {
    rep_ident(m.resources.iter().find(|r| r.name == res).expect("known resource"))
}

/// The `Handle` behind a borrowed resource parameter: `self`'s for the receiver,
/// else the one the parameter's generated wrapper holds.
fn borrowed_handle(m: &Module, res: &str, is_self: bool, param: &Ident) -> TokenStream {
    if is_self {
        quote!(self.0)
    } else {
        let rep = rep_of(m, res);
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
pub fn helpers(imp: &ItemImpl, fns: &[&ImplItemFn]) -> TokenStream {
    let (impl_generics, _, where_clause) = imp.generics.split_for_impl();
    let self_ty = &imp.self_ty;
    let mut items = Vec::new();
    for f in fns {
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
        items.push(quote! {
            #[doc(hidden)]
            #[inline(always)]
            #[allow(non_snake_case, clippy::needless_lifetimes)]
            fn #helper #fn_generics (#(#params),*) #output #wc { Self::#name(#(#args),*) }
        });
    }
    quote! {
        impl #impl_generics #self_ty #where_clause { #(#items)* }
    }
}

/// One glue function: the wit-bindgen trait method that lifts the
/// arguments, takes the borrows, calls the user's code and lowers the result.
fn glue_fn(m: &Module, f: &Func, owner: Option<&Resource>) -> TokenStream {
    let op = match owner {
        Some(r) => format!("{}.{}", r.name, f.wit_name),
        None => f.wit_name.clone(),
    };
    let holder = match &f.result {
        Res::Dependent { res, .. } => res.clone(),
        _ => String::new(),
    };
    let borrowed: Vec<(usize, Mode)> = match &f.result {
        Res::Dependent { borrows, .. } => borrows.iter().map(|b| (b.index, b.mode)).collect(),
        _ => Vec::new(),
    };
    let mut sig_params = Vec::new();
    let mut prelude = Vec::new();
    let mut args = Vec::new();
    let mut after = Vec::new();
    // A trait object's value is a `Box<dyn T>`: one more deref reaches `dyn T`.
    let deref = if owner.is_some_and(|o| o.kind != ResKind::Struct) { quote!(**) } else { quote!(*) };
    for (i, p) in f.params.iter().enumerate() {
        let pi = format_ident!("__p{}", i);
        let ai = format_ident!("__a{}", i);
        let gi = format_ident!("__g{}", i);
        let is_self = matches!(f.kind, FuncKind::Method(_)) && i == 0;
        if !is_self {
            let pty = gen_param_ty(&p.kind);
            sig_params.push(quote!(#pi: #pty));
        }
        match &p.kind {
            ParamKind::Borrow { res, lifetime: Some(lt), .. } if lt.ident == "static" => {
                let handle = borrowed_handle(m, res, is_self, &pi);
                args.push(quote!(#handle.static_ref(#op)));
            }
            ParamKind::Borrow { res, mode, .. } => {
                let handle = borrowed_handle(m, res, is_self, &pi);
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
                        prelude.push(quote!(let #gi = #handle.shared(#op);));
                        args.push(if is_self { quote!(&#deref #gi) } else { quote!(&*#gi) });
                    }
                    (None, Mode::Exclusive) => {
                        prelude.push(quote!(let mut #gi = #handle.exclusive(#op);));
                        args.push(if is_self { quote!(&mut #deref #gi) } else { quote!(&mut *#gi) });
                    }
                }
            }
            ParamKind::DynBorrow { tr, mode, export: true } => {
                let t = m.traits.iter().find(|t| &t.name == tr).expect("known trait");
                let rep = rep_ident(t);
                match mode {
                    Mode::Shared => {
                        prelude.push(quote!(let #gi = #pi.get::<#rep>().0.shared(#op);));
                        args.push(quote!(&**#gi));
                    }
                    Mode::Exclusive => {
                        prelude.push(quote!(let mut #gi = #pi.get::<#rep>().0.exclusive(#op);));
                        args.push(quote!(&mut **#gi));
                    }
                }
            }
            ParamKind::DynBorrow { tr, mode, export: false } => {
                let t = m.traits.iter().find(|t| &t.name == tr).expect("known trait");
                let proxy = dyn_ref_ident(&t.ident);
                prelude.push(quote!(let mut #gi = #proxy(#pi);));
                args.push(match mode {
                    Mode::Shared => quote!(&#gi),
                    Mode::Exclusive => quote!(&mut #gi),
                });
            }
            ParamKind::Value(crate::model::Ty::Own(res)) if f.kind == FuncKind::Consume && i == 0 => {
                let rep = rep_of(m, res);
                prelude.push(quote!(let (#ai, #gi) = #pi.into_inner::<#rep>().0.take(#op);));
                args.push(quote!(#ai));
                // The consumed value is dropped inside the call; only then
                // may the borrows it held be released.
                after.push(quote!(drop(#gi);));
            }
            ParamKind::Value(_) => args.push(quote!(::rdylib::__rt::FromWit::from_wit(#pi))),
            ParamKind::StrRef => args.push(quote!(#pi.as_str())),
            ParamKind::Slice(..) => {
                prelude.push(quote!(let #gi: ::std::vec::Vec<_> = ::rdylib::__rt::FromWit::from_wit(#pi);));
                args.push(quote!(&#gi[..]));
            }
            ParamKind::ValueRef(..) => {
                prelude.push(quote!(let #gi = ::rdylib::__rt::FromWit::from_wit(#pi);));
                args.push(quote!(&#gi));
            }
        }
    }
    let call = match owner {
        Some(r) if r.kind != ResKind::Struct => {
            let (ty, name) = (&r.ident, &f.ident);
            quote!(<dyn super::#ty>::#name(#(#args),*))
        }
        Some(r) => {
            let ty = &r.ident;
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
            let r = owner.expect("constructor has owner");
            let name = &r.name;
            (quote!(-> Self), quote!(Self(::rdylib::__rt::Handle::new(__r, #name))))
        }
        (Res::None, _) => (quote!(), quote!(let () = __r;)),
        (Res::Value(t, _), _) => {
            let g = gen_ty(t);
            (quote!(-> #g), quote!(::rdylib::__rt::IntoWit::into_wit(__r)))
        }
        (Res::Dependent { res, wrap, .. }, _) => {
            let rep = rep_of(m, res);
            let g = gen_type(res);
            let make = quote!(__w::#g::new(#rep(::rdylib::__rt::Handle::dependent(__d, #res, __keep))));
            // When the handle is absent, `__keep` drops here and the borrows end.
            match wrap {
                DepWrap::Bare => (quote!(-> __w::#g), quote!({ let __d = __r; #make })),
                DepWrap::Option => (quote!(-> ::core::option::Option<__w::#g>), quote!(__r.map(|__d| #make))),
                DepWrap::Result(err) => {
                    let e = gen_ty(err);
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
        _ => gen_snake(&f.wit_name),
    };
    let recv = if matches!(f.kind, FuncKind::Method(_)) { quote!(&self,) } else { quote!() };
    quote! {
        #[allow(unused_mut, clippy::let_unit_value)]
        fn #name(#recv #(#sig_params),*) #ret_ty {
            ::rdylib::__rt::enter(__rdylib_report);
            #keep_decl
            #(#prelude)*
            let __r = #call;
            let __out = { #convert };
            #(#after)*
            __out
        }
    }
}

/// Whether a value of `t` holds a handle (which `ToWit` cannot copy).
fn holds_handle(m: &Module, t: &Ty) -> bool {
    match t {
        Ty::Own(_) | Ty::Static(_) | Ty::Dyn(_) => true,
        Ty::List(e) | Ty::Option(e) => holds_handle(m, e),
        Ty::Result(o, e) => holds_handle(m, o) || holds_handle(m, e),
        Ty::Tuple(ts) => ts.iter().any(|t| holds_handle(m, t)),
        Ty::Named(n) => {
            m.records.iter().filter(|r| &r.name == n).any(|r| r.fields.iter().any(|(_, _, t)| holds_handle(m, t)))
                || m.variants.iter().filter(|v| &v.name == n).any(|v| v.cases.iter().any(|(_, _, ts)| ts.iter().any(|t| holds_handle(m, t))))
        }
        Ty::Prim(_) | Ty::Str | Ty::Unit => false,
    }
}

fn conversions(m: &Module) -> TokenStream {
    let mut out = Vec::new();
    for r in &m.records {
        let (u, g) = (&r.ident, gen_type(&r.name));
        let uf: Vec<&Ident> = r.fields.iter().map(|(i, _, _)| i).collect();
        let gf: Vec<Ident> = r.fields.iter().map(|(_, n, _)| gen_snake(n)).collect();
        out.push(quote! {
            impl ::rdylib::__rt::IntoWit<__w::#g> for super::#u {
                fn into_wit(self) -> __w::#g { __w::#g { #(#gf: ::rdylib::__rt::IntoWit::into_wit(self.#uf)),* } }
            }
            impl ::rdylib::__rt::FromWit<__w::#g> for super::#u {
                fn from_wit(w: __w::#g) -> Self { super::#u { #(#uf: ::rdylib::__rt::FromWit::from_wit(w.#gf)),* } }
            }
        });
        if !holds_handle(m, &Ty::Named(r.name.clone())) {
            out.push(quote! {
                impl ::rdylib::__rt::ToWit<__w::#g> for super::#u {
                    fn to_wit(&self) -> __w::#g { __w::#g { #(#gf: ::rdylib::__rt::ToWit::to_wit(&self.#uf)),* } }
                }
            });
        }
    }
    for e in &m.enums {
        let (u, g) = (&e.ident, gen_type(&e.name));
        let uc: Vec<&Ident> = e.cases.iter().map(|(i, _)| i).collect();
        let gc: Vec<Ident> = e.cases.iter().map(|(_, n)| gen_type(n)).collect();
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
    for v in &m.variants {
        let (u, g) = (&v.ident, gen_type(&v.name));
        let mut into_arms = Vec::new();
        let mut from_arms = Vec::new();
        let mut to_arms = Vec::new();
        for (ui, n, tys) in &v.cases {
            let gc = gen_type(n);
            let xs: Vec<Ident> = (0..tys.len()).map(|i| format_ident!("__x{}", i)).collect();
            match tys.len() {
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
        if !holds_handle(m, &Ty::Named(v.name.clone())) {
            out.push(quote! {
                impl ::rdylib::__rt::ToWit<__w::#g> for super::#u {
                    fn to_wit(&self) -> __w::#g { match self { #(#to_arms),* } }
                }
            });
        }
    }
    for r in m.resources.iter().filter(|r| !r.dependent) {
        let (u, g, rep, name) = (&r.ident, gen_type(&r.name), rep_ident(r), &r.name);
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
fn local_names(m: &Module) -> std::collections::HashSet<String> {
    m.records
        .iter()
        .map(|r| r.ident.to_string())
        .chain(m.enums.iter().map(|e| e.ident.to_string()))
        .chain(m.variants.iter().map(|v| v.ident.to_string()))
        .chain(m.resources.iter().chain(&m.traits).map(|r| r.ident.to_string()))
        .collect()
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

/// Whether a value of `t` contains a string or list (wit-bindgen then
/// lends it to an import rather than moving it).
fn has_list(m: &Module, t: &Ty) -> bool {
    match t {
        Ty::Str | Ty::List(_) => true,
        Ty::Option(e) => has_list(m, e),
        Ty::Result(o, e) => has_list(m, o) || has_list(m, e),
        Ty::Tuple(ts) => ts.iter().any(|t| has_list(m, t)),
        Ty::Named(n) => {
            m.records.iter().filter(|r| &r.name == n).any(|r| r.fields.iter().any(|(_, _, t)| has_list(m, t)))
                || m.variants.iter().filter(|v| &v.name == n).any(|v| v.cases.iter().any(|(_, _, ts)| ts.iter().any(|t| has_list(m, t))))
        }
        Ty::Prim(_) | Ty::Unit | Ty::Own(_) | Ty::Static(_) | Ty::Dyn(_) => false,
    }
}

/// The argument wit-bindgen's import function takes for an owned value
/// `place` of the generated type of `t`. It mirrors wit-bindgen 0.63's
/// `Ownership::Owning` rule for imported-function parameters: primitives
/// by value, strings as `&str`; any other type holding a string or list is
/// lent at the top (`&Record`, `&[T]`, `Option<&str>`, `(&str, u32)`, with
/// everything under a named type or list owned); the rest moves. (Types
/// with handles never reach here: layout.rs rejects them for imports.)
fn lend_top(m: &Module, t: &Ty, place: TokenStream) -> TokenStream {
    match t {
        Ty::Str => quote!(#place.as_str()),
        Ty::Prim(_) => place,
        t if has_list(m, t) => lend_ref(t, quote!(&#place), &mut 0),
        _ => place,
    }
}

/// As `lend_top`, for `r`, an expression of type `&W`, inside a lent value.
fn lend_ref(t: &Ty, r: TokenStream, n: &mut usize) -> TokenStream {
    *n += 1;
    let x = format_ident!("__x{}", *n);
    // Parenthesised: `r` may be `&place`, and is used as a method receiver.
    let r = quote!((#r));
    match t {
        Ty::Prim(_) => quote!(*#r),
        Ty::Unit => quote!(()),
        Ty::Str => quote!(#r.as_str()),
        Ty::Named(_) | Ty::Own(_) | Ty::Static(_) | Ty::Dyn(_) => r,
        Ty::List(_) => quote!(&#r[..]),
        Ty::Option(e) => {
            let inner = lend_ref(e, quote!(#x), n);
            quote!(#r.as_ref().map(|#x| #inner))
        }
        Ty::Result(o, e) => {
            let ok = lend_ref(o, quote!(#x), n);
            let err = lend_ref(e, quote!(#x), n);
            quote!(match #r {
                ::core::result::Result::Ok(#x) => ::core::result::Result::Ok(#ok),
                ::core::result::Result::Err(#x) => ::core::result::Result::Err(#err),
            })
        }
        Ty::Tuple(ts) => {
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
fn import_proxies(m: &Module, t: &Resource) -> TokenStream {
    let alias = dyn_alias(&t.name);
    let gen = gen_type(&t.name);
    let tr = &t.ident;
    let (r, o) = (dyn_ref_ident(tr), dyn_own_ident(tr));
    let mut methods = Vec::new();
    for f in &t.funcs {
        let mut sig = f.sig.clone();
        syn::visit_mut::VisitMut::visit_signature_mut(&mut ModulePaths(local_names(m)), &mut sig);
        let mut binds = Vec::new();
        let mut args = Vec::new();
        for (i, input) in sig.inputs.iter_mut().enumerate() {
            if let FnArg::Typed(pt) = input {
                let a = format_ident!("__a{}", i);
                let w = format_ident!("__w{}", i);
                *pt.pat = syn::parse_quote!(#a);
                args.push(match &f.params[i].kind {
                    ParamKind::StrRef | ParamKind::Slice(Ty::Prim(_)) => quote!(#a),
                    ParamKind::Value(t) => {
                        let g = gen_ty(t);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::IntoWit::into_wit(#a);));
                        lend_top(m, t, quote!(#w))
                    }
                    ParamKind::ValueRef(t) => {
                        let g = gen_ty(t);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::ToWit::to_wit(#a);));
                        lend_top(m, t, quote!(#w))
                    }
                    ParamKind::Slice(t) => {
                        let list = Ty::List(Box::new(t.clone()));
                        let g = gen_ty(&list);
                        binds.push(quote!(let #w: #g = ::rdylib::__rt::ToWit::to_wit(#a);));
                        lend_top(m, &list, quote!(#w))
                    }
                    // Rejected for caller-implemented traits by layout.rs.
                    ParamKind::Borrow { .. } | ParamKind::DynBorrow { .. } => unreachable!("no handles in imported trait parameters"),
                });
            }
        }
        let name = gen_snake(&f.wit_name);
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

fn trait_glue(m: &Module, ns: &Ident, pkg: &Ident) -> TokenStream {
    let mut out = Vec::new();
    for t in &m.traits {
        let alias = dyn_alias(&t.name);
        let snake = gen_snake(&t.name);
        let gen = gen_type(&t.name);
        let tr = &t.ident;
        let (ns, pkg) = match &t.foreign {
            Some(f) => (gen_snake(&f.namespace), gen_snake(&f.name)),
            None => (ns.clone(), pkg.clone()),
        };
        match t.kind {
            ResKind::Trait { export: true } => {
                let rep = rep_ident(t);
                let guest = format_ident!("Guest{}", gen);
                let fns = t.funcs.iter().map(|f| glue_fn(m, f, Some(t)));
                let name = &t.name;
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
            }
            _ => {
                let proxies = import_proxies(m, t);
                out.push(quote! {
                    use self::#ns::#pkg::#snake as #alias;
                    #proxies
                });
            }
        }
    }
    quote!(#(#out)*)
}

pub struct GlueInput<'a> {
    pub wit: &'a str,
    pub world: &'a str,
    pub export_path: TokenStream,
    pub abi: &'a [u8],
    pub ns: &'a Ident,
    pub pkg: &'a Ident,
}

pub fn glue(m: &Module, input: GlueInput<'_>) -> TokenStream {
    let GlueInput { wit, world, export_path, abi, ns, pkg } = input;
    let traits = trait_glue(m, ns, pkg);
    let mut reps = Vec::new();
    let mut assoc = Vec::new();
    for r in &m.resources {
        let rep = rep_ident(r);
        let u = &r.ident;
        let g = gen_type(&r.name);
        let guest = format_ident!("Guest{}", g);
        let stored = if r.dependent { quote!(super::#u<'static>) } else { quote!(super::#u) };
        let fns = r.funcs.iter().map(|f| glue_fn(m, f, Some(r)));
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
    let abi_section = crate::abi::SECTION_NAME;
    let wit_section = crate::abi::WIT_SECTION_NAME;
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
            use #export_path as __w;

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
