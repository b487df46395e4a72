//! Async trait methods in the user's module, made callable through `dyn`.
//!
//! A trait with an `async fn` is not dyn-compatible, but the plugin holds
//! trait objects (`Box<dyn T>`, `&mut dyn T`) of every trait it exports or
//! imports. So each `async fn m(&self, a: A) -> R` of such a trait, in the
//! trait and in the module's `impl T for X` blocks, is rewritten to
//! `fn m<'f>(&'f self, a: A) -> Pin<Box<dyn Future<Output = R> + 'f>>`, its
//! body run inside `Box::pin(async move { .. })`. Callers still write
//! `x.m(a).await`. `check` allows only receivers and by-value arguments in
//! such methods, so the future borrows nothing but the receiver. An
//! `impl T for X` outside the annotated module must be written in the
//! rewritten form.

use proc_macro2::Span;

use syn::{Block, FnArg, Ident, Item, Lifetime, ReturnType, Signature, TraitItem};

use crate::model::Model;

/// The lifetime of the receiver borrow the boxed future holds.
fn future_lifetime() -> Lifetime {
    Lifetime::new("'__rdylib_future", Span::call_site())
}

/// Turns the signature of an `async fn` trait method into its dyn-compatible form.
pub fn boxed_future_sig(sig: &mut Signature) {
    let lt = future_lifetime();
    sig.asyncness = None;
    sig.generics.params.insert(0, syn::parse_quote!(#lt));
    for input in sig.inputs.iter_mut() {
        if let FnArg::Receiver(r) = input {
            if let Some((_, slot)) = &mut r.reference {
                *slot = Some(lt.clone());
            }
            let mutability = r.mutability;
            r.ty = Box::new(syn::parse_quote!(&#lt #mutability Self));
        }
    }
    let output = result_type(&sig.output);
    sig.output = syn::parse_quote!(
        -> ::core::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = #output> + #lt>>
    );
}

fn result_type(output: &ReturnType) -> syn::Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, t) => (**t).clone(),
    }
}

/// The body of a rewritten method: the original body, run as the boxed future.
fn boxed_body(sig: &Signature, block: &Block) -> Block {
    let output = result_type(&sig.output);
    syn::parse_quote!({
        ::std::boxed::Box::pin(async move {
            let __rdylib_out: #output = #block;
            __rdylib_out
        })
    })
}

/// Rewrites the async methods of the module's traits and of their impls in the module.
pub fn rewrite(m: &Model, items: &mut [Item]) {
    let traits: Vec<&Ident> =
        m.traits().filter(|(_, _, t)| t.funcs.iter().any(|f| f.is_async)).map(|(_, d, _)| &d.ident).collect();
    if traits.is_empty() {
        return;
    }
    for item in items.iter_mut() {
        match item {
            Item::Trait(t) if traits.contains(&&t.ident) => {
                for ti in &mut t.items {
                    if let TraitItem::Fn(f) = ti {
                        if f.sig.asyncness.is_some() {
                            let body = f.default.as_ref().map(|b| boxed_body(&f.sig, b));
                            boxed_future_sig(&mut f.sig);
                            f.default = body;
                        }
                    }
                }
            }
            Item::Impl(imp) => {
                let implements_one = imp
                    .trait_
                    .as_ref()
                    .and_then(|(_, path, _)| path.segments.last())
                    .is_some_and(|seg| traits.iter().any(|t| **t == seg.ident));
                if !implements_one {
                    continue;
                }
                for ii in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = ii {
                        if f.sig.asyncness.is_some() {
                            f.block = boxed_body(&f.sig, &f.block);
                            boxed_future_sig(&mut f.sig);
                        }
                    }
                }
            }
            _ => {}
        }
    }


}
