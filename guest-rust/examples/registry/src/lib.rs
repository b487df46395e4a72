//! The `registry` example plugin: library-static data handed out as
//! `&'static` handles, valid until the plugin is unloaded.

#[rdylib::export]
pub mod registry {
    use std::sync::OnceLock;

    /// A unit definition: name, symbol and factor to the SI base unit.
    pub struct Unit {
        name: &'static str,
        symbol: &'static str,
        factor: f64,
    }

    /// All units the plugin knows, built once and never freed.
    pub struct UnitRegistry {
        units: Vec<Unit>,
    }

    /// A unit as plain data.
    #[derive(Clone, Debug, PartialEq)]
    pub struct UnitInfo {
        pub name: String,
        pub symbol: String,
        pub factor: f64,
    }

    fn build() -> UnitRegistry {
        let units = [
            ("metre", "m", 1.0),
            ("kilometre", "km", 1000.0),
            ("inch", "in", 0.0254),
            ("foot", "ft", 0.3048),
            ("mile", "mi", 1609.344),
        ];
        UnitRegistry {
            units: units.iter().map(|&(name, symbol, factor)| Unit { name, symbol, factor }).collect(),
        }
    }

    /// The registry: library-static, so every call returns a handle to the
    /// same data, and dropping a handle frees nothing.
    pub fn registry() -> &'static UnitRegistry {
        static REGISTRY: OnceLock<UnitRegistry> = OnceLock::new();
        REGISTRY.get_or_init(build)
    }

    impl UnitRegistry {
        pub fn len(&self) -> u32 {
            self.units.len() as u32
        }

        pub fn is_empty(&self) -> bool {
            self.units.is_empty()
        }

        /// Looks a unit up by symbol: a `&'static Unit` inside an option.
        pub fn find(&'static self, symbol: &str) -> Option<&'static Unit> {
            self.units.iter().find(|u| u.symbol == symbol)
        }

        /// Every unit, as static handles in a list.
        pub fn all(&'static self) -> Vec<&'static Unit> {
            self.units.iter().collect()
        }

        pub fn convert(&self, value: f64, from: &str, to: &str) -> Result<f64, String> {
            let get = |s: &str| self.units.iter().find(|u| u.symbol == s).ok_or_else(|| format!("unknown unit `{s}`"));
            Ok(value * get(from)?.factor / get(to)?.factor)
        }
    }

    impl Unit {
        pub fn info(&self) -> UnitInfo {
            UnitInfo { name: self.name.to_string(), symbol: self.symbol.to_string(), factor: self.factor }
        }

        pub fn symbol(&self) -> String {
            self.symbol.to_string()
        }

        /// A mutation on library-static data: the host can call it, and the
        /// plugin refuses it with a trap (static data is only ever shared).
        pub fn rescale(&mut self, factor: f64) {
            self.factor = factor;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::registry::*;

    #[test]
    fn converts_between_units() {
        let r = registry();
        assert_eq!(r.len(), 5);
        assert!((r.convert(1.0, "mi", "km").unwrap() - 1.609344).abs() < 1e-12);
        assert_eq!(r.convert(1.0, "m", "parsec"), Err("unknown unit `parsec`".to_string()));
        assert_eq!(r.find("ft").unwrap().symbol(), "ft");
        assert!(std::ptr::eq(registry(), r));
    }
}
