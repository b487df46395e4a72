//! The `shapes` example plugin: trait objects in both directions. The
//! plugin returns `Box<dyn Shape>` (it implements `Shape`) and draws on a
//! `&mut dyn Canvas` the host implements.

#[rdylib::export]
pub mod shapes {
    use std::f64::consts::PI;

    /// Implemented by the caller: where shapes draw themselves. Only used
    /// in parameters, so the plugin imports it.
    pub trait Canvas {
        fn move_to(&mut self, x: f64, y: f64);
        fn line_to(&mut self, x: f64, y: f64);
        fn label(&mut self, text: &str);
        /// Units per pixel, chosen by the canvas.
        fn resolution(&self) -> f64;
    }

    /// Implemented by the plugin: returned as `Box<dyn Shape>`, so the
    /// plugin exports it.
    pub trait Shape {
        fn name(&self) -> String;
        fn area(&self) -> f64;
        fn perimeter(&self) -> f64;
        fn scale(&mut self, factor: f64);
        fn draw(&self, canvas: &mut dyn Canvas);
    }

    struct Circle {
        radius: f64,
    }

    struct Polygon {
        name: &'static str,
        points: Vec<(f64, f64)>,
    }

    impl Shape for Circle {
        fn name(&self) -> String {
            "circle".into()
        }
        fn area(&self) -> f64 {
            PI * self.radius * self.radius
        }
        fn perimeter(&self) -> f64 {
            2.0 * PI * self.radius
        }
        fn scale(&mut self, factor: f64) {
            self.radius *= factor;
        }
        fn draw(&self, canvas: &mut dyn Canvas) {
            // As many segments as the canvas resolution asks for, at least 8.
            let steps = ((self.perimeter() / canvas.resolution()).ceil() as u32).clamp(8, 64);
            canvas.move_to(self.radius, 0.0);
            for i in 1..=steps {
                let a = 2.0 * PI * f64::from(i) / f64::from(steps);
                canvas.line_to(self.radius * a.cos(), self.radius * a.sin());
            }
            canvas.label("circle");
        }
    }

    impl Shape for Polygon {
        fn name(&self) -> String {
            self.name.into()
        }
        fn area(&self) -> f64 {
            let n = self.points.len();
            let twice: f64 = (0..n)
                .map(|i| {
                    let (a, b) = (self.points[i], self.points[(i + 1) % n]);
                    a.0 * b.1 - b.0 * a.1
                })
                .sum();
            twice.abs() / 2.0
        }
        fn perimeter(&self) -> f64 {
            let n = self.points.len();
            (0..n)
                .map(|i| {
                    let (a, b) = (self.points[i], self.points[(i + 1) % n]);
                    (b.0 - a.0).hypot(b.1 - a.1)
                })
                .sum()
        }
        fn scale(&mut self, factor: f64) {
            for p in &mut self.points {
                p.0 *= factor;
                p.1 *= factor;
            }
        }
        fn draw(&self, canvas: &mut dyn Canvas) {
            let Some(first) = self.points.first() else { return };
            canvas.move_to(first.0, first.1);
            for p in self.points.iter().skip(1).chain(std::iter::once(first)) {
                canvas.line_to(p.0, p.1);
            }
            canvas.label(self.name);
        }
    }

    pub fn circle(radius: f64) -> Box<dyn Shape> {
        Box::new(Circle { radius })
    }

    pub fn rect(width: f64, height: f64) -> Box<dyn Shape> {
        Box::new(Polygon { name: "rect", points: vec![(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)] })
    }

    /// A polygon from its corners; fewer than three is an error.
    pub fn polygon(points: Vec<(f64, f64)>) -> Result<Box<dyn Shape>, String> {
        if points.len() < 3 {
            return Err(format!("a polygon needs at least 3 points, got {}", points.len()));
        }
        Ok(Box::new(Polygon { name: "polygon", points }))
    }

    /// Describes any shape the plugin made, borrowed for the call.
    pub fn describe(shape: &dyn Shape) -> String {
        format!("{} (area {:.2}, perimeter {:.2})", shape.name(), shape.area(), shape.perimeter())
    }

    /// Draws a shape on a caller's canvas, framed by a label.
    pub fn render(shape: &dyn Shape, canvas: &mut dyn Canvas) -> u32 {
        canvas.label("begin");
        shape.draw(canvas);
        canvas.label("end");
        1
    }

    /// Sums the areas, consuming the shapes.
    pub fn total_area(shapes: Vec<Box<dyn Shape>>) -> f64 {
        shapes.iter().map(|s| s.area()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::shapes::*;

    #[derive(Default)]
    struct Recorder {
        ops: Vec<String>,
    }

    impl Canvas for Recorder {
        fn move_to(&mut self, x: f64, y: f64) {
            self.ops.push(format!("M{x},{y}"));
        }
        fn line_to(&mut self, x: f64, y: f64) {
            self.ops.push(format!("L{x},{y}"));
        }
        fn label(&mut self, text: &str) {
            self.ops.push(format!("T{text}"));
        }
        fn resolution(&self) -> f64 {
            1.0
        }
    }

    #[test]
    fn shapes_measure_and_draw() {
        let mut r = rect(3.0, 4.0);
        assert_eq!(r.area(), 12.0);
        assert_eq!(r.perimeter(), 14.0);
        r.scale(2.0);
        assert_eq!(r.area(), 48.0);
        let mut canvas = Recorder::default();
        render(&*rect(1.0, 1.0), &mut canvas);
        assert_eq!(canvas.ops, ["Tbegin", "M0,0", "L1,0", "L1,1", "L0,1", "L0,0", "Trect", "Tend"]);
        assert!(polygon(vec![(0.0, 0.0)]).is_err());
        assert!((total_area(vec![circle(1.0), rect(1.0, 2.0)]) - (std::f64::consts::PI + 2.0)).abs() < 1e-12);
    }
}
