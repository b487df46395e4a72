/**
 * Run on the pinned current Node by pipeline-guards.test.ts (jco's async
 * output calls `WebAssembly.promising`, which Node 20 lacks): the async
 * `pipeline` example under jco's transpiled bindings, a host that ignores
 * the rdylib:abi section, so only the plugin's own guards (docs/abi.md §5)
 * stand between a conflicting call and the value a pending task holds.
 * Each scenario gets a fresh instance (a trapped one must not be entered
 * again); prints one JSON object of outcomes. The stream pipeline under jco
 * is compared with rdylib's in pipeline-differential.ts.
 */
import { GatedSource, Gates, finish, settle } from './gates.ts';
import { instantiatePlugin } from './transpiled.ts';

interface Tally {
  consume(source: Source): Promise<bigint>;
  describe(source: Source): Promise<string>;
  absorb(other: Tally, source: Source): Promise<bigint>;
  sizes(source: Source): Promise<Sizes>;
  lock(source: Source): Promise<TallyGuard>;
  drain(other: Tally, source: Source): Promise<bigint>;
  add(bytes: bigint): void;
  total(): bigint;
  [Symbol.dispose](): void;
}
interface Sizes {
  nextSize(): number | undefined;
  [Symbol.dispose](): void;
}
interface TallyGuard {
  bump(bytes: bigint): bigint;
  [Symbol.dispose](): void;
}
interface Stage {
  run(steps: number): Promise<number>;
  taken(): number;
  [Symbol.dispose](): void;
}
interface Pipeline {
  counter(): Stage;
  Tally: { new (): Tally; finish(t: Tally): bigint };
  health(): Promise<string>;
}

/** What a scenario's probing call did: returned a value, or trapped after the plugin reported these panics. */
export type Outcome = { readonly outcome: 'returned'; readonly value: string } | { readonly outcome: 'trapped'; readonly panics: readonly string[] };

const gates = new Gates();

/** The host `Source`, waiting at this script's gates. */
class Source extends GatedSource {
  constructor(chunks: Uint8Array[]) {
    super(gates, chunks);
  }
}

/** A fresh instance: a trapped one must not be entered again. */
async function fresh(): Promise<{ api: Pipeline; panics: readonly { readonly message: string }[] }> {
  const plugin = await instantiatePlugin('pipeline', { 'rdylib-guest:pipeline/source': { Source } });
  return { api: plugin.exports['rdylib-guest:pipeline/pipeline@0.1.0'] as Pipeline, panics: plugin.panics };
}

function probe(panics: readonly { readonly message: string }[], call: () => unknown): Outcome {
  try {
    return { outcome: 'returned', value: String(call()) };
  } catch {
    return { outcome: 'trapped', panics: panics.map((p) => p.message) };
  }
}

/** A call on a tally while one of its async methods is pending on the host. */
async function whilePending(method: 'consume' | 'describe' | 'sizes' | 'lock', call: (t: Tally, api: Pipeline) => unknown): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  void tally[method](new Source([Uint8Array.of(1, 2, 3)])).catch(() => {});
  await settle();
  return probe(panics, () => call(tally, api));
}

/** A call while `a.absorb(b, source)` is pending (b holds 5 bytes): `&mut a` and `&b` are borrowed until the task completes. */
async function whileAbsorbing(call: (a: Tally, b: Tally, api: Pipeline) => unknown): Promise<Outcome> {
  const { api, panics } = await fresh();
  const a = new api.Tally();
  const b = new api.Tally();
  b.add(5n);
  void a.absorb(b, new Source([])).catch(() => {});
  await settle();
  return probe(panics, () => call(a, b, api));
}

/** The same tally as `&mut self` and `&other` of one call. */
async function absorbItself(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const a = new api.Tally();
  let result: Outcome;
  try {
    result = { outcome: 'returned', value: String(await a.absorb(a, new Source([]))) };
  } catch {
    result = { outcome: 'trapped', panics: panics.map((p) => p.message) };
  }
  return result;
}

/**
 * Dropping the tally while `consume(&mut self)` is pending: the guard cannot
 * refuse a drop (the host calls the destructor), so the value stays alive
 * for the task, which completes with it; what it returns shows it.
 */
async function dropWhileConsuming(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  const consuming = tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)]));
  await settle();
  const dropped = probe(panics, () => tally[Symbol.dispose]());
  if (dropped.outcome === 'trapped') return dropped;
  return { outcome: 'returned', value: `dropped, then consume took ${await finish(consuming, gates)}` };
}

async function afterAbsorb(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const a = new api.Tally();
  const b = new api.Tally();
  b.add(5n);
  const absorbed = await finish(a.absorb(b, new Source([])), gates);
  return probe(panics, () => {
    b.add(1n);
    return `${absorbed} ${api.Tally.finish(b)} ${a.total()}`;
  });
}

async function afterCompletion(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  const taken = await finish(tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
  return probe(panics, () => {
    tally.add(10n);
    return `${taken} ${tally.total()}`;
  });
}

/**
 * A call on a tally while the view `sizes(&self, ..)` resolved to lives (it borrows the tally, shared), or,
 * with `dropView`, after the view was dropped.
 */
async function whileViewLives(call: (t: Tally, api: Pipeline, view: Sizes) => unknown, dropView = false): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  await finish(tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
  const view = await finish(tally.sizes(new Source([])), gates);
  if (dropView) view[Symbol.dispose]();
  return probe(panics, () => call(tally, api, view));
}

/**
 * A call on a tally (2 bytes) while the guard `lock(&mut self, ..)` resolved to lives (it borrows the tally,
 * exclusive), or, with `dropGuard`, after the guard was dropped.
 */
async function whileGuardLives(call: (t: Tally, api: Pipeline, guard: TallyGuard) => unknown, dropGuard = false): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  tally.add(2n);
  const guard = await finish(tally.lock(new Source([])), gates);
  if (dropGuard) guard[Symbol.dispose]();
  // Awaited, for `lock` (async): jco starts its task a turn later, where a trap rejects the call's promise.
  try {
    return { outcome: 'returned', value: String(await call(tally, api, guard)) };
  } catch {
    return { outcome: 'trapped', panics: panics.map((p) => p.message) };
  }
}

/** A call while `c.drain(d, source)` is pending (d holds 5 bytes): `&mut c` and `&mut d` are borrowed until the task completes. */
async function whileDraining(call: (c: Tally, d: Tally, api: Pipeline) => unknown): Promise<Outcome> {
  const { api, panics } = await fresh();
  const c = new api.Tally();
  const d = new api.Tally();
  d.add(5n);
  void c.drain(d, new Source([])).catch(() => {});
  await settle();
  return probe(panics, () => call(c, d, api));
}

async function afterDrain(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const c = new api.Tally();
  const d = new api.Tally();
  d.add(5n);
  const drained = await finish(c.drain(d, new Source([])), gates);
  return probe(panics, () => {
    const left = d.total();
    d.add(1n);
    return `${drained} ${left} ${api.Tally.finish(d)} ${c.total()}`;
  });
}

/** The same tally as `&mut self` and `&mut other` of one call. */
async function drainItself(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const c = new api.Tally();
  try {
    return { outcome: 'returned', value: String(await c.drain(c, new Source([]))) };
  } catch {
    return { outcome: 'trapped', panics: panics.map((p) => p.message) };
  }
}

/** A call on a `Box<dyn Stage>` while its `run(&mut self, ..)` is pending (yielding; jco starts the task a turn later). */
async function whileRunning(call: (s: Stage) => unknown): Promise<Outcome> {
  const { api, panics } = await fresh();
  const stage = api.counter();
  void stage.run(1_000_000_000).catch(() => {});
  await settle();
  // Awaited: jco starts an async call's task a turn later, where a trap rejects the call's promise.
  try {
    return { outcome: 'returned', value: String(await call(stage)) };
  } catch {
    return { outcome: 'trapped', panics: panics.map((p) => p.message) };
  }
}

/**
 * Dropping a stage while its `run(&mut self, ..)` is pending: the guard cannot refuse a destructor, so the value
 * stays alive for the task, which runs to its end with it; what it returns shows it.
 */
async function dropWhileRunning(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const stage = api.counter();
  const running = stage.run(1_000);
  await settle();
  const dropped = probe(panics, () => stage[Symbol.dispose]());
  if (dropped.outcome === 'trapped') return dropped;
  return { outcome: 'returned', value: `dropped, then run took ${await running}` };
}

async function afterRun(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const stage = api.counter();
  const ran = await stage.run(3);
  return probe(panics, () => `${ran} ${stage.taken()}`);
}

async function health(): Promise<Outcome> {
  const { api } = await fresh();
  return { outcome: 'returned', value: await api.health() };
}

const outcomes = {
  addWhileConsuming: await whilePending('consume', (t) => t.add(1n)),
  totalWhileConsuming: await whilePending('consume', (t) => t.total()),
  totalWhileDescribing: await whilePending('describe', (t) => t.total()),
  addWhileDescribing: await whilePending('describe', (t) => t.add(1n)),
  addAfterConsume: await afterCompletion(),
  health: await health(),
  finishWhileConsuming: await whilePending('consume', (t, api) => api.Tally.finish(t)),
  otherTotalWhileAbsorbing: await whileAbsorbing((_a, b) => b.total()),
  otherAddWhileAbsorbing: await whileAbsorbing((_a, b) => b.add(1n)),
  selfTotalWhileAbsorbing: await whileAbsorbing((a) => a.total()),
  otherFinishWhileAbsorbing: await whileAbsorbing((_a, b, api) => api.Tally.finish(b)),
  absorbItself: await absorbItself(),
  afterAbsorb: await afterAbsorb(),
  dropWhileConsuming: await dropWhileConsuming(),
  addWhileViewPending: await whilePending('sizes', (t) => t.add(1n)),
  totalWhileViewLives: await whileViewLives((t, _api, view) => `${t.total()} ${view.nextSize()} ${view.nextSize()} ${view.nextSize()}`),
  addWhileViewLives: await whileViewLives((t) => t.add(1n)),
  finishWhileViewLives: await whileViewLives((t, api) => api.Tally.finish(t)),
  addAfterViewDropped: await whileViewLives((t) => {
    t.add(1n);
    return t.total();
  }, true),
  totalWhileLockPending: await whilePending('lock', (t) => t.total()),
  addWhileLockPending: await whilePending('lock', (t) => t.add(1n)),
  bumpWhileGuardLives: await whileGuardLives((_t, _api, guard) => guard.bump(3n)),
  totalWhileGuardLives: await whileGuardLives((t) => t.total()),
  addWhileGuardLives: await whileGuardLives((t) => t.add(1n)),
  finishWhileGuardLives: await whileGuardLives((t, api) => api.Tally.finish(t)),
  lockWhileGuardLives: await whileGuardLives((t) => t.lock(new Source([]))),
  addAfterGuardDropped: await whileGuardLives((t) => {
    t.add(1n);
    return t.total();
  }, true),
  otherTotalWhileDraining: await whileDraining((_c, d) => d.total()),
  otherAddWhileDraining: await whileDraining((_c, d) => d.add(1n)),
  otherFinishWhileDraining: await whileDraining((_c, d, api) => api.Tally.finish(d)),
  selfTotalWhileDraining: await whileDraining((c) => c.total()),
  afterDrain: await afterDrain(),
  drainItself: await drainItself(),
  // Last: each of these leaves a task yielding until the script exits.
  afterRun: await afterRun(),
  takenWhileRunning: await whileRunning((s) => s.taken()),
  runWhileRunning: await whileRunning((s) => s.run(1)),
  dropWhileRunning: await dropWhileRunning(),
};
// Exit once written: a task left pending on purpose (above) must not keep the process waiting.
process.stdout.write(JSON.stringify(outcomes), () => process.exit(0));
