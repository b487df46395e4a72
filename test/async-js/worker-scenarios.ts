/**
 * Async work through a worker-isolated plugin (host/isolate), on the real
 * WAT fixtures: promises, streams both ways, `future<T>` and AbortSignal
 * cross the thread boundary, and `unload()` refuses or cancels pending async
 * work as the in-process plugin does. Each scenario gives plain data, so
 * worker.test.ts checks the same outcomes in its own process (system Node)
 * and from a child on the pinned current Node (worker-pinned.ts).
 */
import { loadInWorker, type IsolatedPlugin } from '../../host/index.ts';
import { byteSource, fixtureBytes } from './differential.ts';

type Fn = (...args: unknown[]) => Promise<unknown>;
const fns = (p: IsolatedPlugin) => p.exports as Record<string, Fn>;
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** An error as data: its class and message, and its cause's. */
export interface Failure {
  readonly name: string;
  readonly message: string;
  readonly cause?: Failure;
}

function failure(e: unknown): Failure {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  return { name: e.constructor.name, message: e.message, ...(e.cause === undefined ? {} : { cause: failure(e.cause) }) };
}

/** What a promise settled with: `{ value }` or `{ error }`. */
async function settled(p: Promise<unknown>): Promise<{ value: unknown } | { error: Failure }> {
  return p.then(
    // `null` for undefined, which JSON (from the pinned Node's child) would drop.
    (value) => ({ value: value ?? null }),
    (e: unknown) => ({ error: failure(e) }),
  );
}

const loadFixture = async (fixture: string, importsModule?: URL): Promise<IsolatedPlugin> =>
  loadInWorker(await fixtureBytes(fixture), { name: fixture, unchecked: true, ...(importsModule === undefined ? {} : { importsModule }) });

export interface WorkerOutcomes {
  /** Async calls waiting on a host import in the worker: unload refused naming them, then cancelled. */
  readonly pendingCalls: {
    readonly other: unknown;
    readonly refusal: { error: Failure } | { value: unknown };
    readonly unloadedAfterRefusal: boolean;
    readonly calls: readonly ({ error: Failure } | { value: unknown })[];
    readonly later: { error: Failure } | { value: unknown };
  };
  /** A stream from the plugin, still open: refused naming it; cancel errors the host's ReadableStream. */
  readonly streamOut: {
    readonly firstChunk: number;
    readonly refusal: { error: Failure } | { value: unknown };
    readonly read: { error: Failure } | { value: unknown };
  };
  /** A stream the host passed, still being read: refused naming the call; cancel cancels the host's stream. */
  readonly streamIn: {
    readonly refusal: { error: Failure } | { value: unknown };
    readonly call: { error: Failure } | { value: unknown };
    readonly cancelReason: Failure;
  };
  /** Streams both ways, a future, then an unload with nothing pending. */
  readonly roundTrip: {
    readonly produced: number;
    readonly isStream: boolean;
    readonly consumed: unknown;
    readonly future: unknown;
    readonly unloaded: { error: Failure } | { value: unknown };
  };
  /** `{ signal }` through the worker: an abort cancels the guest task; a fired signal refuses the call. */
  readonly abort: {
    readonly pendingBeforeAbort: boolean;
    readonly aborted: { error: Failure } | { value: unknown };
    readonly alreadyAborted: { error: Failure } | { value: unknown };
    readonly unloaded: { error: Failure } | { value: unknown };
  };
}

async function pendingCalls(): Promise<WorkerOutcomes['pendingCalls']> {
  const w = await loadFixture('host-call', new URL('./fixtures/host-call-imports.ts', import.meta.url));
  // `run` waits in the worker for a host import that never answers; the worker answers other calls meanwhile,
  // and since it answers in order, both `run` calls are pending once `runSync` answered.
  const calls = [settled(fns(w)['run']!(1)), settled(fns(w)['run']!(2))];
  const other = await fns(w)['runSync']!(3);
  const refusal = await settled(w.unload());
  const unloadedAfterRefusal = w.isUnloaded;
  await w.unload({ pending: 'cancel' });
  return { other, refusal, unloadedAfterRefusal, calls: await Promise.all(calls), later: await settled(fns(w)['run']!(3)) };
}

async function streamOut(): Promise<WorkerOutcomes['streamOut']> {
  const w = await loadFixture('streams');
  const rs = (await fns(w)['produce']!(1 << 20, 4096)) as ReadableStream<Uint8Array>;
  const reader = rs.getReader();
  const first = await reader.read();
  const refusal = await settled(w.unload());
  await w.unload({ pending: 'cancel' });
  return { firstChunk: first.value?.length ?? -1, refusal, read: await settled(reader.read()) };
}

async function streamIn(): Promise<WorkerOutcomes['streamIn']> {
  const w = await loadFixture('streams');
  let cancelled!: (reason: Failure) => void;
  const cancelReason = new Promise<Failure>((r) => (cancelled = r));
  const endless = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        c.enqueue(new Uint8Array(16));
      },
      cancel(r) {
        cancelled(failure(r));
      },
    },
    { highWaterMark: 0 },
  );
  const call = settled(fns(w)['consume']!(endless));
  // The worker answers in order: once a later call answered, it has said that `consume` waits (not runs) there.
  await fns(w)['later']!(1);
  const refusal = await settled(w.unload());
  await w.unload({ pending: 'cancel' });
  // The cancellation reaches the host's stream through the worker's relay (a message later).
  return { refusal, call: await call, cancelReason: await cancelReason };
}

async function roundTrip(): Promise<WorkerOutcomes['roundTrip']> {
  const w = await loadFixture('streams');
  const rs = await fns(w)['produce']!(10_000, 4096);
  let produced = 0;
  for await (const c of rs as AsyncIterable<Uint8Array>) produced += c.length;
  const consumed = await fns(w)['consume']!(byteSource(10_000, 4096));
  const future = await fns(w)['later']!(4);
  return { produced, isStream: rs instanceof ReadableStream, consumed, future, unloaded: await settled(w.unload()) };
}

async function abort(): Promise<WorkerOutcomes['abort']> {
  const w = await loadFixture('cancel');
  const ac = new AbortController();
  let pending = true;
  const call = settled(fns(w)['forever']!({ signal: ac.signal })).finally(() => (pending = false));
  // Several macrotasks: a deadlock check in the worker would have failed the call by now, were it to.
  await tick(20);
  const pendingBeforeAbort = pending;
  ac.abort(new Error('user pressed stop'));
  const aborted = await call;
  const fired = new AbortController();
  fired.abort();
  const alreadyAborted = await settled(fns(w)['forever']!({ signal: fired.signal }));
  return { pendingBeforeAbort, aborted, alreadyAborted, unloaded: await settled(w.unload()) };
}

export async function runWorkerScenarios(): Promise<WorkerOutcomes> {
  return {
    pendingCalls: await pendingCalls(),
    streamOut: await streamOut(),
    streamIn: await streamIn(),
    roundTrip: await roundTrip(),
    abort: await abort(),
  };
}
