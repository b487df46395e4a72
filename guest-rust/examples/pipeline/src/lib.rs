//! An async plugin: `async fn`s and methods, a `stream<u8>` in and out, and a
//! trait the host implements with async methods.
//!
//! - `health()` is a zero-argument async function.
//! - `uppercase(input)` reads the host's `stream<u8>`, upper-cases ASCII and
//!   returns its own `stream<u8>`, fed by a task that goes on after the call
//!   has returned (`rdylib::spawn_local`).
//! - `Tally::consume(&mut self, source)` awaits the host's `Source` in a loop
//!   while it holds `&mut self`: until its task completes, the tally is
//!   exclusively borrowed, so `tally.add(..)` from the host is refused (and
//!   `tally.total()` too), as Rust refuses them.
//! - `Tally::describe(&self, source)` holds a shared borrow across an await:
//!   other shared calls go on meanwhile, `&mut self` ones are refused.
//! - `Tally::absorb(&mut self, other: &Tally, source)` holds a borrow of a
//!   resource parameter too; `Tally::finish(self)` takes the tally by value
//!   (refused while any task borrows it).
//! - `Tally::sizes(&self, source)` is an async method with a dependent
//!   result: the `Sizes` view it resolves to borrows the tally (shared) as
//!   its `Sizes<'a>` says, from the call's start for as long as the view
//!   lives, so the tally can be read but not changed, moved or dropped
//!   until the view is.
//! - `Tally::lock(&mut self, source)` is an async method with an exclusive
//!   dependent result: the `TallyGuard` it resolves to borrows the tally
//!   exclusively as its `TallyGuard<'a>` says, from the call's start for as
//!   long as the guard lives, so the tally cannot be used at all until the
//!   guard is dropped.
//! - `Tally::drain(&mut self, other: &mut Tally, source)` holds an exclusive
//!   borrow of a resource parameter across an await: until its task
//!   completes, `other` may not be read, changed, moved or dropped.
//! - `Stage` is a trait the plugin implements and the host calls, with an
//!   async method: `counter()` returns a `Box<dyn Stage>` whose
//!   `run(&mut self, steps)` yields to the host between steps, holding
//!   `&mut self` across each yield.

#[rdylib::export]
pub mod pipeline {
    use rdylib::{StreamReader, StreamResult};

    /// Implemented by the host: where chunks come from. Async: the plugin
    /// awaits each call without blocking the host.
    pub trait Source {
        /// The next chunk, or `None` at the end.
        async fn next_chunk(&mut self) -> Option<Vec<u8>>;
        /// A name for messages.
        async fn name(&self) -> String;
    }

    /// Implemented by the plugin, called by the host: returned as
    /// `Box<dyn Stage>`, so the plugin exports it.
    pub trait Stage {
        /// Takes `steps` steps, yielding to the host before each; returns
        /// how many it took in all.
        async fn run(&mut self, steps: u32) -> u32;
        /// How many steps it took so far.
        fn taken(&self) -> u32;
    }

    struct Counter {
        taken: u32,
    }

    impl Stage for Counter {
        async fn run(&mut self, steps: u32) -> u32 {
            for _ in 0..steps {
                rdylib::yield_async().await;
                self.taken += 1;
            }
            self.taken
        }

        fn taken(&self) -> u32 {
            self.taken
        }
    }

    /// A stage that counts its steps.
    pub fn counter() -> Box<dyn Stage> {
        Box::new(Counter { taken: 0 })
    }

    /// A health check: answers without arguments.
    pub async fn health() -> String {
        "ok".to_string()
    }

    /// Reads `input` to its end, upper-casing ASCII letters, and returns the
    /// result as a stream the caller reads while it is being produced.
    pub async fn uppercase(mut input: StreamReader<u8>) -> StreamReader<u8> {
        let (mut output, result) = wit_stream::new::<u8>();
        rdylib::spawn_local(async move {
            loop {
                let (status, chunk) = input.read(Vec::with_capacity(256)).await;
                match status {
                    StreamResult::Complete(_) => {
                        let left = output.write_all(chunk.to_ascii_uppercase()).await;
                        // The reader went away: stop reading too.
                        if !left.is_empty() {
                            break;
                        }
                    }
                    StreamResult::Dropped | StreamResult::Cancelled => break,
                }
            }
        });
        result
    }

    /// Counts bytes and chunks taken from sources.
    pub struct Tally {
        bytes: u64,
        chunks: u32,
        /// The size of every chunk taken, in order.
        sizes: Vec<u32>,
    }

    /// The chunk sizes a tally has taken, read one by one: a view that
    /// borrows the tally (shared).
    pub struct Sizes<'a> {
        inner: std::slice::Iter<'a, u32>,
    }

    impl<'a> Sizes<'a> {
        /// The next chunk's size, or `None` after the last.
        pub fn next_size(&mut self) -> Option<u32> {
            self.inner.next().copied()
        }
    }

    /// Exclusive access to a tally, for as long as the guard lives.
    pub struct TallyGuard<'a> {
        tally: &'a mut Tally,
    }

    impl<'a> TallyGuard<'a> {
        /// Adds `bytes` through the guard, giving the new total.
        pub fn bump(&mut self, bytes: u64) -> u64 {
            self.tally.bytes += bytes;
            self.tally.bytes
        }
    }

    impl Tally {
        pub fn new() -> Self {
            Tally { bytes: 0, chunks: 0, sizes: Vec::new() }
        }

        /// Takes every chunk of `source`, holding `&mut self` across each await.
        pub async fn consume(&mut self, source: &mut dyn Source) -> u64 {
            let mut taken = 0;
            while let Some(chunk) = source.next_chunk().await {
                taken += chunk.len() as u64;
                self.bytes += chunk.len() as u64;
                self.chunks += 1;
                self.sizes.push(chunk.len() as u32);
            }
            taken
        }

        /// Once `source` has said its name, a view of the chunk sizes taken
        /// so far. The view borrows `self` (its `'a`), so the borrow the
        /// call holds while pending goes on in the view it resolves to.
        pub async fn sizes<'a>(&'a self, source: &dyn Source) -> Sizes<'a> {
            let _from = source.name().await;
            Sizes { inner: self.sizes.iter() }
        }

        /// Once `source` has said its name, a guard holding the tally
        /// exclusively: the borrow the call holds while pending goes on in
        /// the guard it resolves to (its `'a`).
        pub async fn lock<'a>(&'a mut self, source: &dyn Source) -> TallyGuard<'a> {
            let _from = source.name().await;
            TallyGuard { tally: self }
        }

        /// A line about the tally and `source`, holding `&self` across an await.
        pub async fn describe(&self, source: &dyn Source) -> String {
            let name = source.name().await;
            format!("{} bytes in {} chunks, next from {name}", self.bytes, self.chunks)
        }

        /// Adds `other`'s bytes once `source` has said its name, holding
        /// `&mut self` and `&other` across the await: until the task
        /// completes, `other` may be read but not changed or dropped, and
        /// `self` not used at all.
        pub async fn absorb(&mut self, other: &Tally, source: &dyn Source) -> u64 {
            let _from = source.name().await;
            self.bytes += other.bytes;
            self.chunks += other.chunks;
            self.sizes.extend_from_slice(&other.sizes);
            self.bytes
        }

        /// Moves `other`'s bytes, chunks and sizes into this tally once
        /// `source` has said its name, leaving `other` empty; holds
        /// `&mut self` and `&mut other` across the await: until the task
        /// completes, neither may be used at all.
        pub async fn drain(&mut self, other: &mut Tally, source: &dyn Source) -> u64 {
            let _from = source.name().await;
            self.bytes += std::mem::take(&mut other.bytes);
            self.chunks += std::mem::take(&mut other.chunks);
            self.sizes.append(&mut other.sizes);
            self.bytes
        }

        pub fn add(&mut self, bytes: u64) {
            self.bytes += bytes;
        }

        pub fn total(&self) -> u64 {
            self.bytes
        }

        /// Ends the tally, giving its count (takes it by value).
        pub fn finish(self) -> u64 {
            self.bytes
        }
    }
}
