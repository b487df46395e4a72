//! Async functions, methods and trait methods in both directions, compiled
//! natively: the generated glue must type-check against wit-bindgen 0.63's
//! async signatures (async Guest methods, owned arguments of async imports,
//! stream and future ends). The plugin-side logic runs directly, polled by a
//! minimal executor: nothing here waits on the host.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[rdylib::export(package = "test:asyncfns")]
pub mod asyncfns {
    use rdylib::{FutureReader, StreamReader};

    /// Implemented by the caller, awaited by the plugin.
    pub trait Source {
        async fn next_chunk(&mut self) -> Option<Vec<u8>>;
        async fn name(&self) -> String;
        fn size_hint(&self) -> u32;
    }

    /// Implemented by the plugin.
    pub trait Stage {
        async fn apply(&mut self, chunk: Vec<u8>) -> Vec<u8>;
        async fn label(&self) -> String;
    }

    struct Upper;

    impl Stage for Upper {
        async fn apply(&mut self, chunk: Vec<u8>) -> Vec<u8> {
            chunk.to_ascii_uppercase()
        }
        async fn label(&self) -> String {
            "upper".to_string()
        }
    }

    pub fn new_upper() -> Box<dyn Stage> {
        Box::new(Upper)
    }

    pub struct Tally {
        bytes: u64,
    }

    pub struct Window<'a> {
        tally: &'a Tally,
    }

    impl Tally {
        pub fn new() -> Self {
            Tally { bytes: 0 }
        }
        pub async fn consume(&mut self, source: &mut dyn Source) -> u64 {
            while let Some(chunk) = source.next_chunk().await {
                self.bytes += chunk.len() as u64;
            }
            self.bytes
        }
        pub async fn describe(&self, source: &dyn Source) -> String {
            format!("{} from {}", self.bytes, source.name().await)
        }
        pub async fn staged(&mut self, stage: &mut dyn Stage, chunk: Vec<u8>) -> Vec<u8> {
            let out = stage.apply(chunk).await;
            self.bytes += out.len() as u64;
            out
        }
        pub async fn window<'a>(&'a self) -> Window<'a> {
            Window { tally: self }
        }
        pub async fn merge(&mut self, other: &Tally) {
            self.bytes += other.bytes;
        }
        pub async fn finish(self) -> u64 {
            self.bytes
        }
        pub fn bytes(&self) -> u64 {
            self.bytes
        }
    }

    impl<'a> Window<'a> {
        pub fn bytes(&self) -> u64 {
            self.tally.bytes
        }
    }

    pub async fn health() -> String {
        "ok".to_string()
    }

    pub async fn count(input: StreamReader<u8>, name: &str, parts: &[String]) -> u32 {
        drop(input);
        (name.len() + parts.len()) as u32
    }

    pub fn later(n: u32) -> Option<u32> {
        Some(n)
    }

    pub async fn pass(f: FutureReader<String>) -> FutureReader<String> {
        f
    }
}

/// Polls `f` to completion; every future here is ready without waiting.
fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the future did not complete");
}

/// A source implemented outside the annotated module: written in the
/// dyn-compatible form the macro rewrites the module's impls to.
struct Chunks(Vec<Vec<u8>>);

impl asyncfns::Source for Chunks {
    fn next_chunk<'f>(&'f mut self) -> std::pin::Pin<Box<dyn Future<Output = Option<Vec<u8>>> + 'f>> {
        Box::pin(async move { if self.0.is_empty() { None } else { Some(self.0.remove(0)) } })
    }
    fn name<'f>(&'f self) -> std::pin::Pin<Box<dyn Future<Output = String> + 'f>> {
        Box::pin(async move { "chunks".to_string() })
    }
    fn size_hint(&self) -> u32 {
        self.0.len() as u32
    }
}

#[test]
fn async_methods_hold_their_borrows_across_awaits() {
    let mut tally = asyncfns::Tally::new();
    let mut source = Chunks(vec![b"ab".to_vec(), b"cde".to_vec()]);
    assert_eq!(run(tally.consume(&mut source)), 5);
    assert_eq!(run(tally.describe(&source)), "5 from chunks");
    let mut stage = asyncfns::new_upper();
    assert_eq!(run(tally.staged(&mut *stage, b"xy".to_vec())), b"XY".to_vec());
    assert_eq!(run(stage.label()), "upper");
    let other = asyncfns::Tally::new();
    run(tally.merge(&other));
    assert_eq!(run(tally.window()).bytes(), 7);
    assert_eq!(run(asyncfns::health()), "ok");
    assert_eq!(run(tally.finish()), 7);
}
