//! Panic reporting: a plugin panic reaches the host as a call to the world's
//! `rdylib-panic` import (message, file, line, column) just before the trap.
//!
//! Guests build with `panic = "abort"`, so after the hook returns the panic
//! aborts, which on wasm is an `unreachable` trap. The hook is what lets the
//! host turn that bare trap into a typed error with the message and location.

use std::sync::Once;

/// Signature of the generated wrapper around the `rdylib-panic` import.
pub type Reporter = fn(message: &str, file: &str, line: u32, column: u32);

static INSTALL: Once = Once::new();

thread_local! {
    static REPORTER: std::cell::Cell<Option<Reporter>> = const { std::cell::Cell::new(None) };
}

/// Reports `message` to the host and traps, without going through std's
/// panic machinery. Used for borrow violations: after a trap the std panic
/// count is never reset (there is no unwinding), so a second *panic* in the
/// same instance would abort before reaching the hook; this path always
/// reports. On native targets (unit tests) it is an ordinary panic.
#[track_caller]
pub fn trap(message: String) -> ! {
    #[cfg(target_arch = "wasm32")]
    {
        let loc = std::panic::Location::caller();
        if let Some(report) = REPORTER.with(|r| r.get()) {
            report(&message, loc.file(), loc.line(), loc.column());
        }
        core::arch::wasm32::unreachable()
    }
    #[cfg(not(target_arch = "wasm32"))]
    panic!("{message}")
}

/// Called at the start of every exported function: installs the panic hook
/// on first use. A plugin has no start function we could use instead, and
/// doing it lazily keeps plugins that never panic from paying for it.
pub fn enter(report: Reporter) {
    INSTALL.call_once(|| {
        REPORTER.with(|r| r.set(Some(report)));
        std::panic::set_hook(Box::new(move |info| {
            let message = payload_message(info.payload());
            let (file, line, column) = match info.location() {
                Some(loc) => (loc.file(), loc.line(), loc.column()),
                None => ("<unknown>", 0, 0),
            };
            report(&message, file, line, column);
        }));
    });
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_messages() {
        let a: Box<dyn std::any::Any + Send> = Box::new("static text");
        assert_eq!(payload_message(&*a), "static text");
        let b: Box<dyn std::any::Any + Send> = Box::new(String::from("formatted 7"));
        assert_eq!(payload_message(&*b), "formatted 7");
        let c: Box<dyn std::any::Any + Send> = Box::new(7u32);
        assert_eq!(payload_message(&*c), "Box<dyn Any>");
    }
}
