//! The `hello` example plugin: exports `rdylib:hello/greeter`.

use std::cell::Cell;

wit_bindgen::generate!({
    path: "../../../wit/hello",
    world: "hello",
});

use exports::rdylib::hello::greeter::{Greeting, Guest, GuestCounter};

struct Hello;

impl Guest for Hello {
    type Counter = Counter;

    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }

    fn make_greeting(name: String) -> Greeting {
        let message = Self::greet(name);
        // Characters, not bytes: the host sees a string of chars.
        let length = message.chars().count() as u32;
        Greeting { message, length }
    }
}

/// A counter whose state stays inside the plugin; the host holds only a handle.
pub struct Counter {
    value: Cell<u32>,
}

impl GuestCounter for Counter {
    fn new(start: u32) -> Self {
        Counter { value: Cell::new(start) }
    }

    fn increment(&self, by: u32) -> u32 {
        let next = self.value.get().wrapping_add(by);
        self.value.set(next);
        next
    }

    fn value(&self) -> u32 {
        self.value.get()
    }
}

export!(Hello);
