//! The `shapes` example plugin: trait objects in both directions. The
//! plugin returns `Box<dyn Shape>` (it implements `Shape`) and draws on a
//! `&mut dyn Canvas` the host implements. Both traits' methods use the
//! module's own records and variants (`Bounds`, `Transform`, `Style`, `Color`).

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
        /// How the following lines are drawn.
        fn set_style(&mut self, style: Style);
        /// The canvas's background colour, if it has one.
        fn background(&self) -> Option<Color>;
    }

    /// An axis-aligned rectangle around a shape (`Rect` would clash with `fn rect`: WIT types and functions share one namespace).
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Bounds {
        pub x: f64,
        pub y: f64,
        pub w: f64,
        pub h: f64,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Color {
        pub r: u8,
        pub g: u8,
        pub b: u8,
    }

    /// A drawing style, passed to the caller's canvas.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Style {
        /// Outline with this line width.
        Stroke(f64),
        Fill(Color),
        /// Outline in dashes of these lengths.
        Dashed(Vec<f64>),
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Axis {
        X,
        Y,
    }

    /// A change to a shape in place.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Transform {
        Translate(f64, f64),
        /// About the origin.
        Scale(f64),
        /// Across the axis.
        Mirror(Axis),
    }

    /// Implemented by the plugin: returned as `Box<dyn Shape>`, so the
    /// plugin exports it.
    pub trait Shape {
        fn name(&self) -> String;
        fn area(&self) -> f64;
        fn perimeter(&self) -> f64;
        fn scale(&mut self, factor: f64);
        fn draw(&self, canvas: &mut dyn Canvas);
        fn bounds(&self) -> Bounds;
        /// Applies `t` and returns the new bounds; non-finite numbers are refused.
        fn transform(&mut self, t: Transform) -> Result<Bounds, String>;
    }

    /// Refuses a transform with non-finite numbers (the shape is left as is).
    fn check(t: &Transform) -> Result<(), String> {
        let finite = match *t {
            Transform::Translate(dx, dy) => dx.is_finite() && dy.is_finite(),
            Transform::Scale(f) => f.is_finite(),
            Transform::Mirror(_) => true,
        };
        if finite {
            Ok(())
        } else {
            Err(format!("a transform needs finite numbers, got {t:?}"))
        }
    }

    struct Circle {
        radius: f64,
        /// The centre; the origin until translated.
        centre: (f64, f64),
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
            let (cx, cy) = self.centre;
            canvas.move_to(cx + self.radius, cy + 0.0);
            for i in 1..=steps {
                let a = 2.0 * PI * f64::from(i) / f64::from(steps);
                canvas.line_to(cx + self.radius * a.cos(), cy + self.radius * a.sin());
            }
            canvas.label("circle");
        }
        fn bounds(&self) -> Bounds {
            let r = self.radius.abs();
            Bounds { x: self.centre.0 - r, y: self.centre.1 - r, w: 2.0 * r, h: 2.0 * r }
        }
        fn transform(&mut self, t: Transform) -> Result<Bounds, String> {
            check(&t)?;
            let c = &mut self.centre;
            match t {
                Transform::Translate(dx, dy) => *c = (c.0 + dx, c.1 + dy),
                Transform::Scale(f) => {
                    *c = (c.0 * f, c.1 * f);
                    self.radius *= f;
                }
                Transform::Mirror(Axis::X) => c.1 = -c.1,
                Transform::Mirror(Axis::Y) => c.0 = -c.0,
            }
            Ok(self.bounds())
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
        fn bounds(&self) -> Bounds {
            let (mut lo, mut hi) = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
            for p in &self.points {
                lo = (lo.0.min(p.0), lo.1.min(p.1));
                hi = (hi.0.max(p.0), hi.1.max(p.1));
            }
            Bounds { x: lo.0, y: lo.1, w: hi.0 - lo.0, h: hi.1 - lo.1 }
        }
        fn transform(&mut self, t: Transform) -> Result<Bounds, String> {
            check(&t)?;
            for p in &mut self.points {
                *p = match t {
                    Transform::Translate(dx, dy) => (p.0 + dx, p.1 + dy),
                    Transform::Scale(f) => (p.0 * f, p.1 * f),
                    Transform::Mirror(Axis::X) => (p.0, -p.1),
                    Transform::Mirror(Axis::Y) => (-p.0, p.1),
                };
            }
            Ok(self.bounds())
        }
    }

    pub fn circle(radius: f64) -> Box<dyn Shape> {
        Box::new(Circle { radius, centre: (0.0, 0.0) })
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

    /// Draws a shape in `style`. A fill in the canvas's own background colour
    /// would not show, so the shape is outlined instead; returns the style used.
    pub fn paint(shape: &dyn Shape, style: Style, canvas: &mut dyn Canvas) -> Style {
        let style = match style {
            Style::Fill(c) if canvas.background() == Some(c) => Style::Stroke(1.0),
            s => s,
        };
        canvas.set_style(style.clone());
        shape.draw(canvas);
        style
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
        background: Option<Color>,
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
        fn set_style(&mut self, style: Style) {
            self.ops.push(format!("S{style:?}"));
        }
        fn background(&self) -> Option<Color> {
            self.background
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

    #[test]
    fn bounds_transforms_and_styles() {
        let mut c = circle(2.0);
        assert_eq!(c.bounds(), Bounds { x: -2.0, y: -2.0, w: 4.0, h: 4.0 });
        assert_eq!(c.transform(Transform::Translate(1.0, 3.0)), Ok(Bounds { x: -1.0, y: 1.0, w: 4.0, h: 4.0 }));
        assert_eq!(c.transform(Transform::Mirror(Axis::X)), Ok(Bounds { x: -1.0, y: -5.0, w: 4.0, h: 4.0 }));
        assert_eq!(c.transform(Transform::Scale(f64::NAN)), Err("a transform needs finite numbers, got Scale(NaN)".into()));
        let mut r = rect(2.0, 1.0);
        assert_eq!(r.transform(Transform::Scale(-1.0)), Ok(Bounds { x: -2.0, y: -1.0, w: 2.0, h: 1.0 }));
        let red = Color { r: 255, g: 0, b: 0 };
        let mut canvas = Recorder { background: Some(red), ..Recorder::default() };
        assert_eq!(paint(&*rect(1.0, 1.0), Style::Fill(red), &mut canvas), Style::Stroke(1.0));
        assert_eq!(canvas.ops[0], "SStroke(1.0)");
        let blue = Color { r: 0, g: 0, b: 255 };
        assert_eq!(paint(&*rect(1.0, 1.0), Style::Fill(blue), &mut canvas), Style::Fill(blue));
    }
}
