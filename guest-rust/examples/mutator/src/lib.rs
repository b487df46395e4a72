//! The `mutator` example plugin, written for the ownership red-team tests
//! (test/ownership): it imports the `shape` interface the shapes plugin
//! exports and borrows (shared or exclusive) or consumes the shapes it is
//! given, so a test can reach the shapes plugin's borrow rules through a
//! linked plugin: `load(mutator, { link: [shapes] })`.

#[rdylib::export]
pub mod mutator {
    /// The shapes plugin's Shape, as far as this plugin needs it (imported:
    /// only taken as `&dyn Shape`, `&mut dyn Shape` or `Box<dyn Shape>`).
    #[rdylib::interface(package = "rdylib-guest:shapes@0.1.0")]
    pub trait Shape {
        fn name(&self) -> String;
        fn area(&self) -> f64;
        fn scale(&mut self, factor: f64);
    }

    /// The area of a shape borrowed for the call.
    pub fn peek(shape: &dyn Shape) -> f64 {
        shape.area()
    }

    /// Scales a shape borrowed exclusively for the call; returns its new area.
    pub fn grow(shape: &mut dyn Shape, factor: f64) -> f64 {
        shape.scale(factor);
        shape.area()
    }

    /// Scales `dst` by `src`'s area: `dst` exclusive, `src` shared.
    pub fn grow_by(dst: &mut dyn Shape, src: &dyn Shape) -> f64 {
        dst.scale(src.area());
        dst.area()
    }

    /// Takes a shape by value (dropped here); returns its area.
    pub fn take(shape: Box<dyn Shape>) -> f64 {
        shape.area()
    }

    /// Takes every shape of the list by value; returns the sum of their areas.
    pub fn take_all(shapes: Vec<Box<dyn Shape>>) -> f64 {
        shapes.iter().map(|s| s.area()).sum()
    }

    /// Takes both shapes of the tuple by value; returns the sum of their areas.
    pub fn take_pair(pair: (Box<dyn Shape>, Box<dyn Shape>)) -> f64 {
        pair.0.area() + pair.1.area()
    }
}

#[cfg(test)]
mod tests {
    use super::mutator::*;

    struct Square(f64);
    impl Shape for Square {
        fn name(&self) -> String {
            "square".into()
        }
        fn area(&self) -> f64 {
            self.0 * self.0
        }
        fn scale(&mut self, factor: f64) {
            self.0 *= factor;
        }
    }

    #[test]
    fn borrows_mutates_and_consumes() {
        let mut s = Square(2.0);
        assert_eq!(peek(&s), 4.0);
        assert_eq!(grow(&mut s, 2.0), 16.0);
        assert_eq!(grow_by(&mut s, &Square(1.0)), 16.0);
        assert_eq!(take(Box::new(Square(3.0))), 9.0);
        assert_eq!(take_all(vec![Box::new(Square(1.0)), Box::new(Square(2.0))]), 5.0);
        assert_eq!(take_pair((Box::new(Square(1.0)), Box::new(Square(3.0)))), 10.0);
        assert_eq!(s.name(), "square");
    }
}
