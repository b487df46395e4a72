//! The `consumer` example plugin: imports the `shape` interface the
//! `shapes` plugin exports, and works with shapes that plugin made.

#[rdylib::export]
pub mod consumer {
    /// The `shapes` plugin's Shape, as far as this plugin needs it. Taken
    /// only as `&dyn Shape` / `Box<dyn Shape>` parameters, so it is imported;
    /// the attribute names the package whose interface it is.
    #[rdylib::interface(package = "rdylib-guest:shapes@0.1.0")]
    pub trait Shape {
        fn name(&self) -> String;
        fn area(&self) -> f64;
        fn perimeter(&self) -> f64;
        fn bounds(&self) -> Bounds;
    }

    /// The shapes package's `bounds` record. It is defined in that package's
    /// `shape` interface, the one whose method uses it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Bounds {
        pub x: f64,
        pub y: f64,
        pub w: f64,
        pub h: f64,
    }

    /// A summary of several shapes.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Summary {
        pub count: u32,
        pub total_area: f64,
        pub largest: Option<String>,
    }

    /// Compactness (isoperimetric quotient): 1 for a circle, less otherwise.
    pub fn compactness(shape: &dyn Shape) -> f64 {
        let p = shape.perimeter();
        if p == 0.0 {
            0.0
        } else {
            4.0 * std::f64::consts::PI * shape.area() / (p * p)
        }
    }

    /// The smallest rectangle around both shapes' bounds.
    pub fn union_bounds(a: &dyn Shape, b: &dyn Shape) -> Bounds {
        let (a, b) = (a.bounds(), b.bounds());
        let (x, y) = (a.x.min(b.x), a.y.min(b.y));
        Bounds { x, y, w: (a.x + a.w).max(b.x + b.w) - x, h: (a.y + a.h).max(b.y + b.h) - y }
    }

    /// Summarizes shapes, taking ownership of them (they are dropped here).
    pub fn summarize(shapes: Vec<Box<dyn Shape>>) -> Summary {
        let largest = shapes
            .iter()
            .max_by(|a, b| a.area().total_cmp(&b.area()))
            .map(|s| s.name());
        Summary { count: shapes.len() as u32, total_area: shapes.iter().map(|s| s.area()).sum(), largest }
    }
}

#[cfg(test)]
mod tests {
    use super::consumer::*;

    struct Square(f64);
    impl Shape for Square {
        fn name(&self) -> String {
            "square".into()
        }
        fn area(&self) -> f64 {
            self.0 * self.0
        }
        fn perimeter(&self) -> f64 {
            4.0 * self.0
        }
        fn bounds(&self) -> Bounds {
            Bounds { x: 0.0, y: 0.0, w: self.0, h: self.0 }
        }
    }

    #[test]
    fn summarizes_and_measures() {
        assert!((compactness(&Square(2.0)) - std::f64::consts::PI / 4.0).abs() < 1e-12);
        let s = summarize(vec![Box::new(Square(1.0)), Box::new(Square(3.0))]);
        assert_eq!(s, Summary { count: 2, total_area: 10.0, largest: Some("square".into()) });
        assert_eq!(union_bounds(&Square(1.0), &Square(3.0)), Bounds { x: 0.0, y: 0.0, w: 3.0, h: 3.0 });
    }
}
