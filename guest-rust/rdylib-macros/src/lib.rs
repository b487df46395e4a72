//! `#[rdylib::export]`: turns one Rust module into a component.
//!
//! From the module's public items the macro derives a WIT package (records,
//! enums, variants, resources, functions), emits it as the `rdylib:wit`
//! custom section for the build, emits the `rdylib:abi` section recording
//! receivers and result lifetimes, and generates wit-bindgen glue that
//! reaches the user's code through borrow-checked handles.
//!
//! The expansion is a pipeline (README.md): `analyse` (syntax → [`model`]),
//! `check` (every rule, as spanned errors), `layout` (which interface defines
//! each type), then the emitters in `emit`. This file only wires the stages.

mod analyse;
mod check;
mod emit;
mod layout;
mod model;
mod names;
mod options;

use proc_macro::TokenStream;
use quote::quote;
use syn::{Error, ItemMod};

use check::Errors;
use emit::section::Document;
use layout::Layout;
use options::{Crate, Options};

#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr.into(), item.into()) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let options = Options::parse(attr)?;
    let mut module: ItemMod = syn::parse2(item)?;
    let Some((_, items)) = module.content.as_mut() else {
        return Err(Error::new_spanned(&module, "rdylib: #[rdylib::export] needs an inline module: `mod name { ... }`"));
    };

    let mut errors = Errors::default();
    let foreign = options::take_interface_attrs(items, &mut errors);
    let model = analyse::module(&module.ident, items, &foreign, &mut errors);
    check::items(&model, &mut errors);
    errors.finish()?;
    let layout = Layout::of(&model);
    check::interfaces(&model, &layout)?;
    let krate = Crate::from_env();
    let names = options.names(&krate);
    check::package_names(&names, &module.ident)?;

    let wit = emit::wit::render(&model, &layout, &names);
    let abi = Document::of(&model, &names, &krate).payload();
    emit::async_traits::rewrite(&model, items);
    items.extend(emit::glue::items(&model, &names, &wit, &abi)?);
    Ok(quote!(#module))
}

#[cfg(test)]
mod tests;
