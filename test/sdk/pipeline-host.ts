/**
 * Run by pipeline-host.test.ts on the pinned current Node (and on the system
 * Node): the async `pipeline` example on rdylib's own host, which enforces
 * the rdylib:abi section (docs/abi.md §3.4, §7.1): a call that conflicts with
 * a pending task's borrow is refused with a BorrowError before the plugin is
 * entered, and the borrow ends when the task completes, is cancelled or
 * traps; a dependent result (`sizes(&self, ..) -> Sizes<'a>`, shared;
 * `lock(&mut self, ..) -> TallyGuard<'a>`, exclusive) goes on borrowing the
 * tally until the view or guard is dropped; an exclusive resource parameter
 * (`drain(&mut self, other: &mut Tally, ..)`) is held until the task ends; an async method of a trait
 * the plugin implements (`Stage::run(&mut self, ..)` on a `Box<dyn Stage>`)
 * holds its receiver as a resource's does. Then the stream pipeline end to end: a host ReadableStream in, the
 * plugin's upper-cased ReadableStream out, with backpressure both ways and
 * cancellation through an AbortSignal. The host-implemented `Source` is a
 * plain object whose async methods wait until the scenario opens their
 * gate. Prints one JSON object of outcomes.
 */
import { BorrowError, load } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { GatedSource, Gates, finish, settle } from './gates.ts';

/** What a probing call did: returned (its value as text), or was refused (the error's class and message). */
export type HostOutcome = { readonly outcome: 'returned'; readonly value: string } | { readonly outcome: 'refused'; readonly error: string; readonly message: string };

/** What the stream scenarios saw. */
export interface StreamOutcomes {
  /** The bytes read from `uppercase`'s stream, as text. */
  readonly uppercased: string;
  /** How many chunks the plugin had pulled from the input: before JS read any output, after one output chunk, at the end. */
  readonly pullsBeforeReading: number;
  readonly pullsAfterOneChunk: number;
  readonly pullsAtEnd: number;
  readonly chunksIn: number;
  /** The pipeline cancelled through `pipeTo(.., { signal })` after its first chunk. */
  readonly cancelled: {
    readonly written: string[];
    readonly pipeTo: string;
    /** The reason the plugin's end of the input passed to the host's source when the plugin dropped it. */
    readonly inputCancelled: string | undefined;
  };
  /** unload() with nothing pending: succeeded, or the error's message. */
  readonly unload: string;
}

/** The cancellation scenario's outcomes. */
export interface CancelOutcomes {
  readonly addWhileCancelling: HostOutcome;
  readonly cancelled: HostOutcome;
  readonly addAfterCancel: HostOutcome;
}

/** Everything the script prints. */
export interface PipelineOutcomes {
  readonly [scenario: string]: HostOutcome | string | CancelOutcomes | StreamOutcomes;
  readonly described: string;
  readonly cancellation: CancelOutcomes;
  readonly streams: StreamOutcomes;
}

interface Tally {
  consume(source: object, options?: { signal?: AbortSignal }): Promise<bigint>;
  describe(source: object): Promise<string>;
  absorb(other: Tally, source: object): Promise<bigint>;
  sizes(source: object): Promise<Sizes>;
  lock(source: object): Promise<TallyGuard>;
  drain(other: Tally, source: object): Promise<bigint>;
  add(bytes: bigint): unknown;
  total(): unknown;
  [Symbol.dispose](): void;
}
interface Sizes {
  nextSize(): unknown;
  [Symbol.dispose](): void;
}
interface TallyGuard {
  bump(bytes: bigint): unknown;
  [Symbol.dispose](): void;
}
interface Stage {
  run(steps: number, options?: { signal?: AbortSignal }): Promise<number>;
  taken(): unknown;
  [Symbol.dispose](): void;
}
interface Pipeline {
  Tally: { new (): Tally; finish(t: Tally): unknown };
  counter(): Stage | Promise<Stage>;
  health(): Promise<string>;
  uppercase(input: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>>;
}

const gates = new Gates();
const source = (chunks: Uint8Array[]) => new GatedSource(gates, chunks);

async function loadPipeline(): Promise<{ plugin: Awaited<ReturnType<typeof load>>; api: Pipeline }> {
  const plugin = await load(process.argv[2] ?? guestPath('pipeline'), { name: 'pipeline', imports: { 'rdylib-guest:pipeline/source': {} } });
  return { plugin, api: (plugin.exports as Record<string, unknown>)['rdylib-guest:pipeline/pipeline@0.1.0'] as Pipeline };
}

const { plugin, api } = await loadPipeline();

async function probe(call: () => unknown): Promise<HostOutcome> {
  try {
    // On an engine with JSPI, the instance's every export returns a promise.
    return { outcome: 'returned', value: String(await call()) };
  } catch (e) {
    return { outcome: 'refused', error: e instanceof BorrowError ? 'BorrowError' : (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** Lets every turn the plugin and the host can take without JS run (a few event-loop turns). */
async function quiesce(): Promise<void> {
  for (let i = 0; i < 5; i++) await settle();
}

// Borrows held by pending tasks.
const tally = await new api.Tally();
const consuming = tally.consume(source([Uint8Array.of(1, 2), Uint8Array.of(3)]));
await settle();
const addWhileConsuming = await probe(() => tally.add(1n));
const totalWhileConsuming = await probe(() => tally.total());
const consumed = await finish(consuming, gates);
const addAfterConsume = await probe(async () => {
  await tally.add(10n);
  return `${consumed} ${await tally.total()}`;
});
const describing = tally.describe(source([]));
await settle();
const totalWhileDescribing = await probe(() => tally.total());
const addWhileDescribing = await probe(() => tally.add(1n));
const described = await finish(describing, gates);
const health = await probe(() => api.health());

// Dropping or moving the tally while consume(&mut self) is pending.
const held = await new api.Tally();
const holding = held.consume(source([Uint8Array.of(4)]));
await settle();
const dropWhileConsuming = await probe(() => held[Symbol.dispose]());
const finishWhileConsuming = await probe(() => api.Tally.finish(held));
await finish(holding, gates);

// A resource parameter: absorb(&mut self, other: &Tally, ..) holds &mut a and &b until it completes.
const a = await new api.Tally();
const b = await new api.Tally();
await b.add(5n);
const absorbing = a.absorb(b, source([]));
await settle();
const otherTotalWhileAbsorbing = await probe(() => b.total());
const otherAddWhileAbsorbing = await probe(() => b.add(1n));
const otherDropWhileAbsorbing = await probe(() => b[Symbol.dispose]());
const otherFinishWhileAbsorbing = await probe(() => api.Tally.finish(b));
const selfTotalWhileAbsorbing = await probe(() => a.total());
const absorbed = await finish(absorbing, gates);
const afterAbsorb = await probe(async () => {
  await b.add(1n);
  return `${absorbed} ${await api.Tally.finish(b)} ${await a.total()}`;
});
const absorbItself = await probe(() => a.absorb(a, source([])));

// A dependent result of an async fn: `sizes<'a>(&'a self, ..) -> Sizes<'a>` borrows the tally (shared) from the
// call's start, while pending and then in the view it resolves to, until the view is dropped.
const viewed = await new api.Tally();
await finish(viewed.consume(source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
const viewing = viewed.sizes(source([]));
await settle();
const totalWhileViewPending = await probe(() => viewed.total());
const addWhileViewPending = await probe(() => viewed.add(1n));
const view = await finish(viewing, gates);
const totalWhileViewLives = await probe(() => viewed.total());
const addWhileViewLives = await probe(() => viewed.add(1n));
const finishWhileViewLives = await probe(() => api.Tally.finish(viewed));
const dropWhileViewLives = await probe(() => viewed[Symbol.dispose]());
const readView = await probe(async () => [await view.nextSize(), await view.nextSize(), await view.nextSize()].map(String).join(' '));
view[Symbol.dispose]();
const addAfterViewDropped = await probe(async () => {
  await viewed.add(1n);
  return String(await viewed.total());
});

// An async method of a trait the plugin implements: `run(&mut self, steps)` on the `Box<dyn Stage>` that
// `counter()` returned holds the stage exclusively across its yields, until its task completes or is cancelled.
const stage = await api.counter();
// No await before the probes: three yields may take no longer than one settle() does.
const running = stage.run(3);
const [takenWhileRunning, runWhileRunning, dropWhileRunning] = await Promise.all([
  probe(() => stage.taken()),
  probe(() => stage.run(1)),
  probe(() => stage[Symbol.dispose]()),
]);
const ran = await probe(() => running);
const takenAfterRun = await probe(() => stage.taken());
// Cancelled while it yields (no host call pending, so no engine needs JSPI for it): the borrow ends with the task.
const stopRun = new AbortController();
const endlessRun = stage.run(1_000_000_000, { signal: stopRun.signal });
await settle();
const takenWhileEndless = await probe(() => stage.taken());
stopRun.abort(new Error('enough steps'));
const stageCancelled = await probe(async () => {
  try {
    return await endlessRun;
  } catch (e) {
    throw Object.assign(e as Error, { message: `${(e as Error).message} (cause: ${String((e as Error).cause)})` });
  }
});
const takenAfterCancel = await probe(async () => {
  const taken = Number(await stage.taken());
  return taken >= 3 && taken < 1_000_000_003 ? 'cut short' : String(taken);
});
stage[Symbol.dispose]();

// An exclusive dependent result of an async fn: `lock<'a>(&'a mut self, ..) -> TallyGuard<'a>` borrows the tally
// exclusively from the call's start, while pending and then in the guard it resolves to, until the guard is dropped.
const locked = await new api.Tally();
await locked.add(2n);
const locking = locked.lock(source([]));
await settle();
const totalWhileLockPending = await probe(() => locked.total());
const addWhileLockPending = await probe(() => locked.add(1n));
const lockWhileLockPending = await probe(() => locked.lock(source([])));
const guard = await finish(locking, gates);
const totalWhileGuardLives = await probe(() => locked.total());
const addWhileGuardLives = await probe(() => locked.add(1n));
const lockWhileGuardLives = await probe(() => locked.lock(source([])));
const finishWhileGuardLives = await probe(() => api.Tally.finish(locked));
const dropWhileGuardLives = await probe(() => locked[Symbol.dispose]());
const bumpThroughGuard = await probe(() => guard.bump(3n));
guard[Symbol.dispose]();
const addAfterGuardDropped = await probe(async () => {
  await locked.add(1n);
  return String(await locked.total());
});

// An exclusive resource parameter: drain(&mut self, other: &mut Tally, ..) holds &mut c and &mut d until it completes.
const c = await new api.Tally();
const d = await new api.Tally();
await d.add(5n);
const draining = c.drain(d, source([]));
await settle();
const otherTotalWhileDraining = await probe(() => d.total());
const otherAddWhileDraining = await probe(() => d.add(1n));
const otherDropWhileDraining = await probe(() => d[Symbol.dispose]());
const otherFinishWhileDraining = await probe(() => api.Tally.finish(d));
const selfTotalWhileDraining = await probe(() => c.total());
const drained = await finish(draining, gates);
const afterDrain = await probe(async () => {
  const left = await d.total();
  await d.add(1n);
  return `${drained} ${left} ${await api.Tally.finish(d)} ${await c.total()}`;
});
const drainItself = await probe(() => c.drain(c, source([])));

/**
 * Cancelled through an AbortSignal while it awaits the host: the promise rejects with the signal's reason as
 * cause, and the exclusive borrow ends with the task.
 *
 * It needs JSPI: the cancelled Rust future drops its pending call of the host's `Source.next_chunk`, for which
 * wit-bindgen calls the synchronous `subtask.cancel`; the host's Promise cannot be interrupted, so that built-in
 * has to wait for it inside the plugin's core call, which only JSPI can suspend. Without it that wait traps, so
 * the scenario runs on a plugin of its own.
 */
async function cancelWhileAwaitingHost(): Promise<CancelOutcomes> {
  const own = await loadPipeline();
  const tally = await new own.api.Tally();
  const abort = new AbortController();
  const cancelling = tally.consume(source([Uint8Array.of(9)]), { signal: abort.signal });
  await settle();
  const addWhileCancelling = await probe(() => tally.add(1n));
  abort.abort(new Error('enough'));
  const cancelled = await probe(async () => {
    try {
      return await finish(cancelling, gates);
    } catch (e) {
      throw Object.assign(e as Error, { message: `${(e as Error).message} (cause: ${String((e as Error).cause)})` });
    }
  });
  const addAfterCancel = await probe(async () => {
    await tally.add(100n);
    return String(await tally.total());
  });
  await own.plugin.unload({ pending: 'cancel' });
  return { addWhileCancelling, cancelled, addAfterCancel };
}
const cancellation = await cancelWhileAwaitingHost();

// The stream pipeline, with backpressure: the plugin pulls the next input chunk only once JS took its last output.
const words = ['hello ', 'wörld', ', ', 'async ', 'rust'];
let pulls = 0;
const counted = (chunks: string[]) =>
  new ReadableStream<Uint8Array>(
    {
      pull(c) {
        pulls++;
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(new TextEncoder().encode(next));
      },
    },
    { highWaterMark: 0 },
  );
const out = (await api.uppercase(counted([...words]))).getReader();
await quiesce();
const pullsBeforeReading = pulls;
const parts: Uint8Array[] = [];
const firstChunk = await out.read();
parts.push(firstChunk.value!);
await quiesce();
const pullsAfterOneChunk = pulls;
for (;;) {
  const r = await out.read();
  if (r.done) break;
  parts.push(r.value);
}
const pullsAtEnd = pulls;
const uppercased = new TextDecoder().decode(Uint8Array.from(parts.flatMap((p) => [...p])));

// Cancelled through an AbortSignal: piping the output stops, the output is cancelled, the plugin sees its
// reader gone, stops and drops its input, which cancels the host's source.
let inputCancelled: string | undefined;
const endless = new ReadableStream<Uint8Array>(
  {
    pull(c) {
      c.enqueue(new TextEncoder().encode('more '));
    },
    cancel(reason) {
      inputCancelled = String(reason);
    },
  },
  { highWaterMark: 0 },
);
const stop = new AbortController();
const written: string[] = [];
const piping = (await api.uppercase(endless)).pipeTo(
  new WritableStream<Uint8Array>({
    write(chunk) {
      written.push(new TextDecoder().decode(chunk));
      if (written.length === 2) stop.abort(new Error('stop piping'));
    },
  }),
  { signal: stop.signal },
);
const pipeTo = await piping.then(
  () => 'resolved',
  (e: unknown) => `rejected: ${(e as Error).message}`,
);
await quiesce();

// The task's last turn may still be on its (JSPI) stack right after its stream ended.
await quiesce();
const unload = await plugin.unload().then(
  () => 'unloaded',
  (e: unknown) => (e as Error).message,
);

// A trap (a host import that rejects) ends the task and its borrow: the next call meets the poisoned
// instance, not a BorrowError.
const second = await loadPipeline();
const trapTally = await new second.api.Tally();
const broken = { nextChunk: () => Promise.reject(new Error('source broke')), name: async () => 'broken' };
const trapped = await probe(() => trapTally.consume(broken));
const addAfterTrap = await probe(() => trapTally.add(1n));
await second.plugin.unload({ pending: 'cancel' });

const streams: StreamOutcomes = {
  uppercased,
  pullsBeforeReading,
  pullsAfterOneChunk,
  pullsAtEnd,
  chunksIn: words.length,
  cancelled: { written, pipeTo, inputCancelled },
  unload,
};
const outcomes: PipelineOutcomes = {
  addWhileConsuming,
  totalWhileConsuming,
  addAfterConsume,
  totalWhileDescribing,
  addWhileDescribing,
  described,
  health,
  dropWhileConsuming,
  finishWhileConsuming,
  otherTotalWhileAbsorbing,
  otherAddWhileAbsorbing,
  otherDropWhileAbsorbing,
  otherFinishWhileAbsorbing,
  selfTotalWhileAbsorbing,
  afterAbsorb,
  absorbItself,
  totalWhileViewPending,
  addWhileViewPending,
  totalWhileViewLives,
  addWhileViewLives,
  finishWhileViewLives,
  dropWhileViewLives,
  readView,
  addAfterViewDropped,
  takenWhileRunning,
  runWhileRunning,
  dropWhileRunning,
  ran,
  takenAfterRun,
  takenWhileEndless,
  stageCancelled,
  takenAfterCancel,
  totalWhileLockPending,
  addWhileLockPending,
  lockWhileLockPending,
  totalWhileGuardLives,
  addWhileGuardLives,
  lockWhileGuardLives,
  finishWhileGuardLives,
  dropWhileGuardLives,
  bumpThroughGuard,
  addAfterGuardDropped,
  otherTotalWhileDraining,
  otherAddWhileDraining,
  otherDropWhileDraining,
  otherFinishWhileDraining,
  selfTotalWhileDraining,
  afterDrain,
  drainItself,
  cancellation,
  trapped,
  addAfterTrap,
  streams,
};
process.stdout.write(JSON.stringify(outcomes), () => process.exit(0));
