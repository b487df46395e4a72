//! The `types` example plugin: every data type the SDK maps, round-tripped.

#[rdylib::export]
pub mod types {
    /// A record of primitives.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Primitives {
        pub flag: bool,
        pub byte: u8,
        pub short: i16,
        pub word: u32,
        pub signed: i32,
        pub long: u64,
        pub signed_long: i64,
        pub single: f32,
        pub double: f64,
        pub letter: char,
    }

    #[derive(Clone, Debug, PartialEq)]
    pub struct Point {
        pub x: f64,
        pub y: f64,
    }

    /// A nested record: records, lists, options and tuples inside.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Polygon {
        pub name: String,
        pub points: Vec<Point>,
        pub color: Color,
        pub label: Option<(String, Point)>,
    }

    /// A fieldless enum becomes a WIT enum.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Color {
        Red,
        Green,
        Blue,
    }

    /// An enum with data becomes a WIT variant.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Shape {
        Empty,
        Dot(Point),
        Segment(Point, Point),
        Poly(Polygon),
        Tagged(Option<String>),
    }

    #[derive(Clone, Debug, PartialEq)]
    pub enum ParseError {
        Empty,
        BadNumber(String),
        TooLarge(u64),
    }

    pub fn echo_primitives(p: Primitives) -> Primitives {
        p
    }

    pub fn echo_polygon(p: Polygon) -> Polygon {
        p
    }

    pub fn echo_shapes(shapes: Vec<Shape>) -> Vec<Shape> {
        shapes
    }

    pub fn echo_tuple(t: (u8, String, (bool, Option<i64>))) -> (u8, String, (bool, Option<i64>)) {
        t
    }

    pub fn echo_nested(v: Vec<Vec<Option<Color>>>) -> Vec<Vec<Option<Color>>> {
        v
    }

    pub fn echo_result(r: Result<Point, ParseError>) -> Result<Point, ParseError> {
        r
    }

    pub fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
        b
    }

    /// `&str` and `&[T]` parameters are borrowed for the call.
    pub fn describe(name: &str, points: &[Point], origin: &Point) -> String {
        let far = points
            .iter()
            .map(|p| ((p.x - origin.x).powi(2) + (p.y - origin.y).powi(2)).sqrt())
            .fold(0.0_f64, f64::max);
        format!("{name}: {} points, farthest {far}", points.len())
    }

    /// Result with a unit ok side and a variant error.
    pub fn parse_u32(text: String) -> Result<u32, ParseError> {
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        let n: u64 = text.parse().map_err(|_| ParseError::BadNumber(text.clone()))?;
        u32::try_from(n).map_err(|_| ParseError::TooLarge(n))
    }

    pub fn check(ok: bool) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err("not ok".to_string())
        }
    }

    /// Area of a shape (the plain logic the native tests check).
    pub fn area(shape: Shape) -> f64 {
        match shape {
            Shape::Poly(p) => {
                let n = p.points.len();
                let twice: f64 = (0..n)
                    .map(|i| {
                        let (a, b) = (&p.points[i], &p.points[(i + 1) % n]);
                        a.x * b.y - b.x * a.y
                    })
                    .sum();
                twice.abs() / 2.0
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::types::*;

    #[test]
    fn parses_and_measures() {
        assert_eq!(parse_u32("42".into()), Ok(42));
        assert_eq!(parse_u32(String::new()), Err(ParseError::Empty));
        assert_eq!(parse_u32("x".into()), Err(ParseError::BadNumber("x".into())));
        assert_eq!(parse_u32("99999999999".into()), Err(ParseError::TooLarge(99_999_999_999)));
        let square = Polygon {
            name: "sq".into(),
            points: vec![Point { x: 0.0, y: 0.0 }, Point { x: 2.0, y: 0.0 }, Point { x: 2.0, y: 2.0 }, Point { x: 0.0, y: 2.0 }],
            color: Color::Red,
            label: None,
        };
        assert_eq!(area(Shape::Poly(square.clone())), 4.0);
        assert_eq!(describe("sq", &square.points, &Point { x: 0.0, y: 0.0 }), format!("sq: 4 points, farthest {}", 8f64.sqrt()));
    }
}
