//! Conversion between the user's Rust types and the types `wit-bindgen`
//! generates for the derived WIT.
//!
//! The macro lets wit-bindgen generate its own records and variants and
//! converts by moving fields, rather than pointing wit-bindgen at the user's
//! types: the user's enums and structs then need no particular layout or
//! derives, and resources can be wrapped in borrow-checked handles.
//! Primitives and strings convert to themselves; containers convert
//! element-wise; the macro implements both traits for every local type.

/// Converts a value the plugin returns into the wit-bindgen type `W`.
pub trait IntoWit<W> {
    fn into_wit(self) -> W;
}

/// Converts a wit-bindgen value `W` the plugin received into a user type.
pub trait FromWit<W>: Sized {
    fn from_wit(w: W) -> Self;
}

/// Copies a borrowed user value into the wit-bindgen type `W`: what a
/// `&T` / `&[T]` argument of a caller-implemented trait's method needs, since
/// the plugin cannot move out of a borrow. Handles have no such copy, so
/// types holding them do not implement it.
pub trait ToWit<W> {
    fn to_wit(&self) -> W;
}

macro_rules! identity {
    ($($t:ty),*) => {$(
        impl IntoWit<$t> for $t { #[inline] fn into_wit(self) -> $t { self } }
        impl FromWit<$t> for $t { #[inline] fn from_wit(w: $t) -> $t { w } }
    )*};
}
identity!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char, String, ());

macro_rules! copied {
    ($($t:ty),*) => {$(
        impl ToWit<$t> for $t { #[inline] fn to_wit(&self) -> $t { *self } }
    )*};
}
copied!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char, ());

impl ToWit<String> for String {
    fn to_wit(&self) -> String {
        self.clone()
    }
}
impl ToWit<String> for str {
    fn to_wit(&self) -> String {
        self.to_owned()
    }
}
impl<T: ToWit<W>, W> ToWit<Vec<W>> for [T] {
    fn to_wit(&self) -> Vec<W> {
        self.iter().map(ToWit::to_wit).collect()
    }
}
impl<T: ToWit<W>, W> ToWit<Vec<W>> for Vec<T> {
    fn to_wit(&self) -> Vec<W> {
        self.iter().map(ToWit::to_wit).collect()
    }
}
impl<T: ToWit<W>, W> ToWit<Option<W>> for Option<T> {
    fn to_wit(&self) -> Option<W> {
        self.as_ref().map(ToWit::to_wit)
    }
}
impl<T: ToWit<W>, W, E: ToWit<F>, F> ToWit<Result<W, F>> for Result<T, E> {
    fn to_wit(&self) -> Result<W, F> {
        match self {
            Ok(v) => Ok(v.to_wit()),
            Err(e) => Err(e.to_wit()),
        }
    }
}

impl<T: IntoWit<W>, W> IntoWit<Vec<W>> for Vec<T> {
    fn into_wit(self) -> Vec<W> {
        self.into_iter().map(IntoWit::into_wit).collect()
    }
}
impl<T: FromWit<W>, W> FromWit<Vec<W>> for Vec<T> {
    fn from_wit(w: Vec<W>) -> Self {
        w.into_iter().map(FromWit::from_wit).collect()
    }
}

impl<T: IntoWit<W>, W> IntoWit<Option<W>> for Option<T> {
    fn into_wit(self) -> Option<W> {
        self.map(IntoWit::into_wit)
    }
}
impl<T: FromWit<W>, W> FromWit<Option<W>> for Option<T> {
    fn from_wit(w: Option<W>) -> Self {
        w.map(FromWit::from_wit)
    }
}

impl<T: IntoWit<W>, W, E: IntoWit<F>, F> IntoWit<Result<W, F>> for Result<T, E> {
    fn into_wit(self) -> Result<W, F> {
        match self {
            Ok(v) => Ok(v.into_wit()),
            Err(e) => Err(e.into_wit()),
        }
    }
}
impl<T: FromWit<W>, W, E: FromWit<F>, F> FromWit<Result<W, F>> for Result<T, E> {
    fn from_wit(w: Result<W, F>) -> Self {
        match w {
            Ok(v) => Ok(T::from_wit(v)),
            Err(e) => Err(E::from_wit(e)),
        }
    }
}

macro_rules! tuple {
    ($(($t:ident, $w:ident, $v:ident)),+) => {
        impl<$($t: IntoWit<$w>, $w),+> IntoWit<($($w,)+)> for ($($t,)+) {
            fn into_wit(self) -> ($($w,)+) {
                let ($($v,)+) = self;
                ($($v.into_wit(),)+)
            }
        }
        impl<$($t: ToWit<$w>, $w),+> ToWit<($($w,)+)> for ($($t,)+) {
            fn to_wit(&self) -> ($($w,)+) {
                let ($($v,)+) = self;
                ($($v.to_wit(),)+)
            }
        }
        impl<$($t: FromWit<$w>, $w),+> FromWit<($($w,)+)> for ($($t,)+) {
            fn from_wit(w: ($($w,)+)) -> Self {
                let ($($v,)+) = w;
                ($($t::from_wit($v),)+)
            }
        }
    };
}
tuple!((A, WA, a));
tuple!((A, WA, a), (B, WB, b));
tuple!((A, WA, a), (B, WB, b), (C, WC, c));
tuple!((A, WA, a), (B, WB, b), (C, WC, c), (D, WD, d));
tuple!((A, WA, a), (B, WB, b), (C, WC, c), (D, WD, d), (E, WE, e));
tuple!((A, WA, a), (B, WB, b), (C, WC, c), (D, WD, d), (E, WE, e), (F, WF, f));

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Celsius(f64);
    impl IntoWit<f64> for Celsius {
        fn into_wit(self) -> f64 {
            self.0
        }
    }
    impl FromWit<f64> for Celsius {
        fn from_wit(w: f64) -> Self {
            Celsius(w)
        }
    }

    #[test]
    fn nested_containers_convert_elementwise() {
        let v: Vec<(Option<Celsius>, Result<String, u8>)> =
            vec![(Some(Celsius(1.5)), Ok("a".into())), (None, Err(3))];
        let w: Vec<(Option<f64>, Result<String, u8>)> = v.into_wit();
        assert_eq!(w, vec![(Some(1.5), Ok("a".to_string())), (None, Err(3))]);
        let back: Vec<(Option<Celsius>, Result<String, u8>)> = FromWit::from_wit(w);
        assert_eq!(back[0].0, Some(Celsius(1.5)));
        assert_eq!(back[1].1, Err(3));
    }

    #[test]
    fn borrowed_values_copy_into_owned_ones() {
        let v: Vec<(String, Option<u8>)> = vec![("a".into(), Some(1)), ("b".into(), None)];
        let w: Vec<(String, Option<u8>)> = v[..].to_wit();
        assert_eq!(w, v);
        let s: String = "x".to_wit();
        assert_eq!(s, "x");
    }
}

// Streams and futures are handles the bindings already use as they are:
// their elements are plain values (the macro refuses others), so nothing converts.
impl<T: 'static> IntoWit<wit_bindgen::StreamReader<T>> for wit_bindgen::StreamReader<T> {
    #[inline]
    fn into_wit(self) -> wit_bindgen::StreamReader<T> {
        self
    }
}
impl<T: 'static> FromWit<wit_bindgen::StreamReader<T>> for wit_bindgen::StreamReader<T> {
    #[inline]
    fn from_wit(w: wit_bindgen::StreamReader<T>) -> Self {
        w
    }
}
impl<T: 'static> IntoWit<wit_bindgen::FutureReader<T>> for wit_bindgen::FutureReader<T> {
    #[inline]
    fn into_wit(self) -> wit_bindgen::FutureReader<T> {
        self
    }
}
impl<T: 'static> FromWit<wit_bindgen::FutureReader<T>> for wit_bindgen::FutureReader<T> {
    #[inline]
    fn from_wit(w: wit_bindgen::FutureReader<T>) -> Self {
        w
    }
}
