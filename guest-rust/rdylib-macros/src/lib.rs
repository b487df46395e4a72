//! `#[rdylib::export]`: turns one Rust module into a component.
//!
//! From the module's public items the macro derives a WIT package (records,
//! enums, variants, resources, functions), emits it as the `rdylib:wit`
//! custom section for the build, emits the `rdylib:abi` section recording
//! receivers and result lifetimes, and generates wit-bindgen glue that
//! reaches the user's code through borrow-checked handles.

mod abi;
mod glue;
mod layout;
mod model;
mod names;
mod wit;

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Error, Item, ItemMod, Meta, Token};

use model::{Analyzer, Errors, LocalKind, Module};
use names::{gen_snake, kebab};

/// Options: `#[rdylib::export(package = "ns:name", version = "1.0.0", world = "plugin")]`.
struct Options {
    package: Option<String>,
    version: Option<String>,
    world: Option<String>,
}

fn options(attr: proc_macro2::TokenStream) -> syn::Result<Options> {
    let mut o = Options { package: None, version: None, world: None };
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr)?;
    for meta in metas {
        let nv = match meta {
            Meta::NameValue(nv) => nv,
            other => return Err(Error::new_spanned(other, "rdylib: expected `key = \"value\"`")),
        };
        let value = match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => s.value(),
            other => return Err(Error::new_spanned(other, "rdylib: expected a string literal")),
        };
        let key = nv.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
        match key.as_str() {
            "package" => o.package = Some(value),
            "version" => o.version = Some(value),
            "world" => o.world = Some(value),
            _ => return Err(Error::new_spanned(nv.path, "rdylib: unknown option; expected package, version or world")),
        }
    }
    Ok(o)
}

#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr.into(), item.into()) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let opts = options(attr)?;
    let mut module: ItemMod = syn::parse2(item)?;
    let Some((_, items)) = module.content.as_mut() else {
        return Err(Error::new_spanned(&module, "rdylib: #[rdylib::export] needs an inline module: `mod name { ... }`"));
    };
    let mut errors = Errors::default();
    let foreign = take_interface_attrs(items, &mut errors);
    let locals = model::classify(items);
    let an = Analyzer { locals };
    let mut m = Module {
        ident: module.ident.clone(),
        name: kebab(&module.ident),
        records: Vec::new(),
        enums: Vec::new(),
        variants: Vec::new(),
        resources: Vec::new(),
        traits: Vec::new(),
        funcs: Vec::new(),
    };
    for item in items.iter() {
        match item {
            Item::Struct(s) if model::is_pub_item(&s.vis) => match an.locals[&s.ident.to_string()] {
                LocalKind::Record => match an.record(s) {
                    Ok(r) => m.records.push(r),
                    Err(e) => errors.push(e),
                },
                _ => match an.resource_decl(s) {
                    Ok(r) => m.resources.push(r),
                    Err(e) => errors.push(e),
                },
            },
            Item::Trait(t) if model::is_pub_item(&t.vis) => match an.trait_decl(t, foreign.get(&t.ident.to_string()).cloned()) {
                Ok(r) => m.traits.push(r),
                Err(e) => errors.push(e),
            },
            Item::Enum(e) if model::is_pub_item(&e.vis) => match an.enum_or_variant(e) {
                Ok(Ok(en)) => m.enums.push(en),
                Ok(Err(v)) => m.variants.push(v),
                Err(e) => errors.push(e),
            },
            _ => {}
        }
    }
    let mut helpers = Vec::new();
    for item in items.iter() {
        match item {
            Item::Fn(f) if model::is_pub_item(&f.vis) => match an.func(&f.sig, None) {
                Ok(func) => m.funcs.push(func),
                Err(e) => errors.push(e),
            },
            Item::Impl(imp) => {
                let Some(target) = model::impl_target(imp) else { continue };
                let Some(idx) = m.resources.iter().position(|r| &r.ident == target) else { continue };
                let fns: Vec<&syn::ImplItemFn> = model::exported_fns(imp).collect();
                for f in &fns {
                    match an.func(&f.sig, Some(&m.resources[idx])) {
                        Ok(func) => m.resources[idx].funcs.push(func),
                        Err(e) => errors.push(e),
                    }
                }
                helpers.push(glue::helpers(imp, &fns));
                m.resources[idx].impls.push(imp.clone());
            }
            _ => {}
        }
    }
    check_unique_names(&m, &mut errors);
    errors.finish()?;
    let mut errors = Errors::default();
    let layout = layout::layout(&m, &mut errors);
    errors.finish()?;

    let crate_name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "unknown".into());
    let crate_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "0.0.0".into());
    let names = wit::WitNames {
        package: opts.package.unwrap_or_else(|| format!("rdylib-guest:{}", crate_name.replace('_', "-"))),
        version: opts.version.unwrap_or_else(|| crate_version.clone()),
        world: opts.world.unwrap_or_else(|| "plugin".into()),
    };
    validate_package(&names, &m.ident)?;
    let wit_text = wit::render(&m, &layout, &names)?;
    let abi = abi::section(&m, &names, &crate_name, &crate_version);
    let (ns, pkg) = names.package.split_once(':').expect("validated");
    let (ns, pkg, iface) = (gen_snake(ns), gen_snake(pkg), gen_snake(&m.name));
    let export_path = quote!(self::exports::#ns::#pkg::#iface);
    let glue = glue::glue(
        &m,
        glue::GlueInput { wit: &wit_text, world: &names.world, export_path, abi: &abi, ns: &ns, pkg: &pkg },
    );
    items.extend(helpers.into_iter().map(|h| syn::parse2::<Item>(h).expect("helper impl parses")));
    items.push(syn::parse2::<Item>(glue)?);
    Ok(quote!(#module))
}

/// Removes `#[rdylib::interface(package = "ns:name@version")]` from traits
/// (it is ours to interpret): such a trait is that package's interface, as
/// another plugin exports or imports it, rather than one of this package.
fn take_interface_attrs(items: &mut [Item], errors: &mut Errors) -> std::collections::HashMap<String, model::Foreign> {
    let mut out = std::collections::HashMap::new();
    for item in items.iter_mut() {
        let Item::Trait(t) = item else { continue };
        let mut kept = Vec::new();
        for attr in std::mem::take(&mut t.attrs) {
            let segs: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
            if segs != ["rdylib", "interface"] {
                kept.push(attr);
                continue;
            }
            let parsed = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated).and_then(|metas| {
                let mut package = None;
                for meta in metas {
                    match meta {
                        Meta::NameValue(nv) if nv.path.is_ident("package") => match &nv.value {
                            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => package = Some(s.clone()),
                            other => return Err(Error::new_spanned(other, "rdylib: expected a string literal")),
                        },
                        other => return Err(Error::new_spanned(other, "rdylib: expected `package = \"ns:name@version\"`")),
                    }
                }
                let lit = package.ok_or_else(|| Error::new_spanned(&attr, "rdylib: expected `package = \"ns:name@version\"`"))?;
                let v = lit.value();
                let parts = v.split_once('@').and_then(|(id, ver)| id.split_once(':').map(|(ns, n)| (ns, n, ver)));
                match parts {
                    Some((ns, n, ver)) if !ns.is_empty() && !n.is_empty() && !ver.is_empty() => Ok(model::Foreign {
                        namespace: ns.to_string(),
                        name: n.to_string(),
                        version: ver.to_string(),
                    }),
                    _ => Err(Error::new(lit.span(), "rdylib: expected `ns:name@version`, e.g. \"rdylib-guest:shapes@0.1.0\"")),
                }
            });
            match parsed {
                Ok(f) => {
                    out.insert(t.ident.to_string(), f);
                }
                Err(e) => errors.push(e),
            }
        }
        t.attrs = kept;
    }
    out
}

/// WIT puts types and functions of an interface in one namespace; a clash
/// would otherwise surface as an error inside wit-bindgen's expansion.
fn check_unique_names(m: &Module, errors: &mut Errors) {
    let mut seen: std::collections::HashMap<String, &syn::Ident> = std::collections::HashMap::new();
    let types = m
        .records
        .iter()
        .map(|r| (&r.name, &r.ident))
        .chain(m.enums.iter().map(|e| (&e.name, &e.ident)))
        .chain(m.variants.iter().map(|v| (&v.name, &v.ident)))
        .chain(m.resources.iter().map(|r| (&r.name, &r.ident)))
        .chain(m.traits.iter().map(|r| (&r.name, &r.ident)))
        .chain(m.funcs.iter().map(|f| (&f.wit_name, &f.ident)));
    for t in &m.traits {
        if t.foreign.is_none() && t.name == m.name {
            errors.push(Error::new(
                t.ident.span(),
                format!("rdylib: trait `{}` would be interface `{}`, the name of the module's own interface; rename one", t.ident, t.name),
            ));
        }
    }
    for (name, ident) in types {
        if let Some(first) = seen.insert(name.clone(), ident) {
            errors.push(Error::new(
                ident.span(),
                format!("rdylib: `{ident}` and `{first}` both become `{name}` in the derived WIT interface, where types and functions share one namespace; rename one"),
            ));
        }
    }
}

fn validate_package(names: &wit::WitNames, ident: &syn::Ident) -> syn::Result<()> {
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
            ident.span(),
            format!(
                "rdylib: package `{}` / world `{}` are not valid WIT names (kebab-case `namespace:name`)",
                names.package, names.world
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Signatures the component model cannot express faithfully must be
    //! compile errors that say why; these call the expansion directly.
    use super::expand;
    use quote::quote;

    fn error_of(item: proc_macro2::TokenStream) -> String {
        match expand(quote!(), item) {
            Ok(_) => panic!("expected a compile error"),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"),
        }
    }

    fn expands(item: proc_macro2::TokenStream) -> String {
        expand(quote!(), item).expect("expands").to_string()
    }

    #[test]
    fn elided_dependent_lifetime_is_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub struct Iter<'a> { s: &'a Store }
            impl Store { pub fn iter(&self) -> Iter<'_> { Iter { s: self } } }
        }));
        assert!(e.contains("name the borrow explicitly"), "{e}");
    }

    #[test]
    fn borrowing_from_a_copied_value_is_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub struct View<'a> { s: &'a str }
            pub fn view<'a>(s: &'a Store, key: &'a str) -> View<'a> { todo!() }
        }));
        assert!(e.contains("parameter `key`, which is copied into the plugin"), "{e}");
    }

    #[test]
    fn impl_lifetime_borrow_is_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub struct Iter<'a> { s: &'a Store }
            impl<'a> Iter<'a> { pub fn again(&self) -> Iter<'a> { todo!() } }
        }));
        assert!(e.contains("must be a lifetime parameter of this function"), "{e}");
    }

    #[test]
    fn references_in_results_and_unsized_ints_are_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            impl Store { pub fn first(&self) -> &str { todo!() } }
            pub fn count(n: usize) -> u32 { 0 }
        }));
        assert!(e.contains("a result cannot be a reference"), "{e}");
        assert!(e.contains("`usize` has no fixed width"), "{e}");
    }

    #[test]
    fn static_mut_and_dependent_by_value_are_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Reg { v: u8 }
            pub struct Iter<'a> { r: &'a Reg }
            impl Reg { pub fn poke(&'static mut self) {} }
            pub fn take(it: Iter) {}
            pub fn many<'a>(r: &'a Reg) -> Vec<Iter<'a>> { todo!() }
        }));
        assert!(e.contains("`Iter` borrows from another handle, so it can only be the result (alone, in an `Option`"), "{e}");
        assert!(e.contains("library-static data is only ever shared"), "{e}");
        assert!(e.contains("borrows from another handle"), "{e}");
    }

    #[test]
    fn name_clash_and_named_variant_fields_are_rejected() {
        let e = error_of(quote!(mod m {
            pub struct Registry { v: u8 }
            pub fn registry() -> &'static Registry { todo!() }
            pub enum E { A { x: u8 } }
        }));
        assert!(e.contains("both become `registry`"), "{e}");
        assert!(e.contains("variant case with named fields"), "{e}");
    }

    #[test]
    fn maps_and_trait_generics_are_rejected() {
        let e = error_of(quote!(mod m {
            pub fn f(m: std::collections::HashMap<String, u8>) {}
        }));
        assert!(e.contains("`HashMap` has no component-model equivalent"), "{e}");
        let e = error_of(quote!(mod m {
            pub trait T { fn f(self); }
        }));
        assert!(e.contains("`&self` or `&mut self` receiver"), "{e}");
    }

    /// The span of the first error whose message contains `needle`, as the
    /// source text it covers (proc-macro2's `span-locations`, a dev feature).
    fn spanned_at(item: proc_macro2::TokenStream, needle: &str) -> String {
        // Re-parsed from text so that every token has a location (tokens made
        // by `quote!` all share one call-site span).
        let item: proc_macro2::TokenStream = item.to_string().parse().expect("re-parses");
        let e = match expand(quote!(), item) {
            Ok(_) => panic!("expected a compile error"),
            Err(e) => e,
        };
        let all: Vec<syn::Error> = e.into_iter().collect();
        let hit = all
            .iter()
            .find(|e| e.to_string().contains(needle))
            .unwrap_or_else(|| panic!("no error contains {needle:?}: {:?}", all.iter().map(|e| e.to_string()).collect::<Vec<_>>()));
        hit.span().source_text().unwrap_or_default()
    }

    #[test]
    fn trait_methods_cannot_use_the_modules_resources() {
        let item = quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub trait Visitor { fn visit(&mut self, s: &Store); }
            pub trait Maker { fn make(&self) -> Vec<Store>; }
            pub fn new_maker() -> Box<dyn Maker> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("a trait method parameter cannot hold resource `Store` of this module: the module's interface uses trait `Visitor`'s interface"), "{e}");
        assert!(e.contains("a trait method result cannot hold resource `Store`"), "{e}");
        assert_eq!(spanned_at(item, "result cannot hold resource"), "Vec < Store >");
    }

    #[test]
    fn caller_implemented_traits_take_no_handles() {
        let item = quote!(mod m {
            pub trait Shape { fn area(&self) -> f64; }
            pub trait Canvas {
                fn outline(&mut self, s: &dyn Shape);
                fn keep(&mut self, s: Option<Box<dyn Shape>>);
            }
            pub fn new_shape() -> Box<dyn Shape> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("a caller-implemented trait's method cannot take `&dyn Shape`: the plugin's `&dyn Shape` may be a plain Rust value with no handle"), "{e}");
        assert!(e.contains("cannot take `Box<dyn Shape>`"), "{e}");
        assert_eq!(spanned_at(item.clone(), "cannot take `&dyn Shape`"), "& dyn Shape");
        assert_eq!(spanned_at(item, "cannot take `Box<dyn Shape>`"), "Option < Box < dyn Shape >>");
    }

    #[test]
    fn trait_objects_are_returned_only_by_their_implementer() {
        // A plugin-implemented trait returning (inside a record) a caller-implemented one.
        let item = quote!(mod m {
            pub trait Sink { fn put(&mut self, n: u32); }
            pub struct Wrapped { pub sink: Box<dyn Sink> }
            pub trait Source { fn open(&self) -> Wrapped; }
            pub fn new_source() -> Box<dyn Source> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("`Sink` is implemented by the caller, so the plugin cannot return a `Box<dyn Sink>` of its own"), "{e}");
        assert_eq!(spanned_at(item, "cannot return a `Box<dyn Sink>`"), "Wrapped");
        // A caller-implemented trait returning a plugin-implemented one.
        let e = error_of(quote!(mod m {
            pub trait Shape { fn area(&self) -> f64; }
            pub trait Factory { fn make(&self) -> Box<dyn Shape>; }
            pub fn new_shape() -> Box<dyn Shape> { todo!() }
            pub fn use_factory(f: &dyn Factory) {}
        }));
        assert!(e.contains("a caller-implemented trait's method cannot return `Box<dyn Shape>` of a plugin-implemented trait: the world's imported interface `factory` cannot use its exported interface `shape`"), "{e}");
    }

    #[test]
    fn a_type_shared_by_traits_needs_one_interface_all_can_use() {
        // Two other packages.
        let item = quote!(mod m {
            pub struct Pos { pub x: f64 }
            #[rdylib::interface(package = "a:one@1.0.0")]
            pub trait A { fn at(&self) -> Pos; }
            #[rdylib::interface(package = "b:two@1.0.0")]
            pub trait B { fn at(&self) -> Pos; }
        });
        let e = error_of(item.clone());
        assert!(e.contains("`Pos` is used by traits of different packages (a:one@1.0.0, b:two@1.0.0)"), "{e}");
        assert_eq!(spanned_at(item, "different packages"), "Pos");
        // Another package's plugin-implemented trait and this package's caller-implemented one.
        let item = quote!(mod m {
            pub struct Pos { pub x: f64 }
            #[rdylib::interface(package = "a:one@1.0.0")]
            pub trait A { fn at(&self) -> Pos; }
            pub trait B { fn put(&mut self, p: Pos); }
            pub fn new_a() -> Box<dyn A> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("`Pos` is used by the methods of `A`, `B`, so it must be defined in one of their interfaces that all the others can use; none qualifies"), "{e}");
        assert_eq!(spanned_at(item, "none qualifies"), "Pos");
    }

    #[test]
    fn another_packages_trait_cannot_use_this_packages_interfaces() {
        let item = quote!(mod m {
            pub trait Canvas { fn dot(&mut self, x: f64); }
            #[rdylib::interface(package = "a:one@1.0.0")]
            pub trait Shape { fn draw(&self, c: &mut dyn Canvas); }
            pub fn new_shape() -> Box<dyn Shape> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("trait `Shape` belongs to another package, whose interface cannot use `canvas` from `Canvas`'s interface in a different package"), "{e}");
        assert_eq!(spanned_at(item, "belongs to another package"), "Shape");
    }

    #[test]
    fn trait_interfaces_using_each_other_are_rejected() {
        let item = quote!(mod m {
            pub struct Pos { pub x: f64 }
            pub trait A { fn at(&self) -> Pos; fn meet(&self, b: &dyn B); }
            pub trait B { fn at(&self) -> Pos; }
            pub fn new_a() -> Box<dyn A> { todo!() }
            pub fn new_b() -> Box<dyn B> { todo!() }
        });
        let e = error_of(item.clone());
        assert!(e.contains("the interfaces of traits `A` → `B` would use each other's types in a cycle, which WIT forbids"), "{e}");
        assert_eq!(spanned_at(item, "in a cycle"), "A");
    }

    #[test]
    fn trait_methods_use_the_modules_types_defined_in_the_trait_interfaces() {
        let out = expands(quote!(mod m {
            pub struct Color { pub r: u8 }
            pub enum Style { Stroke(f64), Fill(Color) }
            pub struct Bounds { pub w: f64, pub tags: Vec<String> }
            pub enum Axis { X, Y }
            pub trait Canvas { fn set_style(&mut self, s: Style); fn background(&self) -> Option<Color>; }
            pub trait Shape {
                fn bounds(&self) -> Bounds;
                fn mirror(&mut self, a: Axis, s: &Style) -> Result<Bounds, String>;
                fn draw(&self, c: &mut dyn Canvas);
                fn touches(&self, other: &dyn Shape) -> bool;
            }
            pub fn new_shape() -> Box<dyn Shape> { todo!() }
            pub fn paint(s: &dyn Shape, style: Style, c: &mut dyn Canvas) -> Bounds { todo!() }
        }));
        for expected in [
            // The caller-implemented trait's types live in its interface ...
            "interface canvas {\\n  record color {\\n    r: u8,\\n  }\\n  variant style { stroke(f64), fill(color) }\\n  resource canvas {\\n    set-style: func(s: style);\\n    background: func() -> option<color>;",
            // ... and the plugin-implemented trait uses them from there.
            "interface shape {\\n  use canvas.{style, canvas};\\n  record bounds {",
            "enum axis { x, y }",
            "mirror: func(a: axis, s: style) -> result<bounds, string>;",
            "touches: func(other: borrow<shape>) -> bool;",
            // The module's interface uses every one of them.
            "use canvas.{canvas, color, style};",
            "use shape.{shape, axis, bounds};",
            "paint: func(s: borrow<shape>, style: style, c: borrow<canvas>) -> bounds;",
        ] {
            assert!(out.contains(expected), "missing {expected} in {out}");
        }
    }

    #[test]
    fn records_every_borrowed_parameter_of_a_dependent_result() {
        let out = expands(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub struct Both<'a> { a: &'a Store, b: &'a mut Store }
            pub fn pair<'a>(a: &'a Store, n: u32, b: &'a mut Store) -> Both<'a> { Both { a, b } }
        }));
        let expected = r#"{\"path\":[],\"resource\":\"both\",\"lifetime\":\"dependent\",\"borrows\":[{\"param\":0,\"name\":\"a\",\"mode\":\"shared\"},{\"param\":2,\"name\":\"b\",\"mode\":\"exclusive\"}]}"#;
        assert!(out.contains(expected), "missing {expected} in {out}");
    }

    #[test]
    fn records_how_every_handle_parameter_is_taken() {
        let out = expands(quote!(mod m {
            pub struct Store { v: Vec<u8> }
            pub struct Bundle { pub first: Store, pub rest: Vec<Store> }
            pub trait Sink { fn put(&mut self, n: u32); }
            impl Store {
                pub fn merge(&mut self, other: &mut Store, from: &Store) {}
                pub fn finish(self, sink: &mut dyn Sink) {}
            }
            pub fn absorb(into: &mut Store, name: &str, parts: (u32, Store), bundle: Option<Bundle>) {}
            pub fn look(sink: &dyn Sink) {}
        }));
        for expected in [
            // Receiver and `&mut R` / `&R` parameters: whole parameters, borrowed.
            r#"\"name\":\"[method]store.merge\",\"rust\":\"Store::merge\",\"receiver\":\"exclusive\",\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":1,\"name\":\"other\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":2,\"name\":\"from\",\"path\":[],\"mode\":\"shared\"}]"#,
            // `self` is moved in as `this`; `&mut dyn T` is an exclusive borrow.
            r#"\"params\":[{\"param\":0,\"name\":\"this\",\"path\":[],\"mode\":\"consume\"},{\"param\":1,\"name\":\"sink\",\"path\":[],\"mode\":\"exclusive\"}]"#,
            // Owned handles anywhere inside a value are consumed; `&str` has none.
            r#"\"params\":[{\"param\":0,\"name\":\"into\",\"path\":[],\"mode\":\"exclusive\"},{\"param\":2,\"name\":\"parts\",\"path\":[\"1\"],\"mode\":\"consume\"},{\"param\":3,\"name\":\"bundle\",\"path\":[\"some\",\"first\"],\"mode\":\"consume\"},{\"param\":3,\"name\":\"bundle\",\"path\":[\"some\",\"rest\",\"elem\"],\"mode\":\"consume\"}]"#,
            r#"\"name\":\"look\",\"rust\":\"look\",\"receiver\":null,\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"sink\",\"path\":[],\"mode\":\"shared\"}]"#,
            // The caller-implemented trait: the plugin calls it with `&mut self`.
            r#"\"name\":\"[method]sink.put\",\"rust\":\"Sink::put\",\"receiver\":\"exclusive\",\"staticParams\":[],\"params\":[{\"param\":0,\"name\":\"self\",\"path\":[],\"mode\":\"exclusive\"}]"#,
        ] {
            assert!(out.contains(expected), "missing {expected} in {out}");
        }
    }

    #[test]
    fn derives_wit_for_records_variants_resources_and_traits() {
        let out = expands(quote!(mod shop {
            pub struct Item { pub name: String, pub price: u32 }
            pub enum Kind { Food, Tool }
            pub enum Event { Sold(Item), Restocked(String, u32), Closed }
            pub struct Cart { items: Vec<Item> }
            pub trait Pricer { fn price(&self, name: &str) -> u32; }
            impl Cart {
                pub fn new() -> Self { Cart { items: Vec::new() } }
                pub fn add(&mut self, item: Item) {}
                pub fn total(&self, pricer: &dyn Pricer) -> u32 { 0 }
                pub fn checkout(self) -> Vec<Item> { self.items }
            }
        }));
        // The WIT text is embedded as a string literal in the expansion.
        for expected in [
            "record item {\\n    name: string,\\n    price: u32,\\n  }",
            "enum kind { food, tool }",
            "variant event { sold(item), restocked(tuple<string, u32>), closed }",
            "constructor();",
            "add: func(item: item);",
            "total: func(pricer: borrow<pricer>) -> u32;",
            "checkout: static func(this: cart) -> list<item>;",
            "interface pricer {\\n  resource pricer {\\n    price: func(name: string) -> u32;",
            "import pricer;",
            "export shop;",
        ] {
            assert!(out.contains(expected), "missing {expected} in {out}");
        }
    }
}
