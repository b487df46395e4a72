/**
 * The `pipeline` example (an SDK-built async plugin) through jco 0.15.0's
 * transpiled bindings and through rdylib, scenario by scenario, each on a
 * fresh instance of each host. Run on the pinned current Node by
 * pipeline-differential.test.ts (jco's async output needs JSPI); prints the
 * results as JSON.
 *
 * Normalised differences, each for a reason:
 * - the host `Source`: jco takes a class for an imported resource, rdylib
 *   any object with its methods; both get instances of one class.
 * - every export of an instance rdylib enters through JSPI returns a
 *   Promise (its constructor and sync methods too); jco's sync ones return
 *   the value. Each call is awaited, which gives the value either way.
 * - a call that conflicts with a pending task's borrow: rdylib refuses it
 *   from the rdylib:abi section before the plugin is entered (BorrowError);
 *   jco ignores the section, so the plugin's own guard refuses it (it
 *   reports `rdylib borrow error: …` and traps). Both are `refused`.
 * - `stream<u8>` from the plugin: jco yields Uint8Array chunks from an async
 *   iterable, rdylib a ReadableStream (also async-iterable); both are read to
 *   the end and the bytes concatenated.
 * - u64 results are bigints in both; compared as decimal text.
 *
 * Each scenario carries the outcome Rust's semantics give, worked out here
 * independently of both hosts; rdylib must match it, and so must jco unless
 * the scenario says why jco differs.
 */
import { BorrowError, load } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { byteSource, type ScenarioResult as DifferentialResult } from '../async-js/differential.ts';
import { GatedSource, Gates, finish, settle } from './gates.ts';
import { instantiatePlugin } from './transpiled.ts';

export type Outcome =
  | { readonly kind: 'value'; readonly value: unknown }
  /** Refused for a borrow a pending task holds (by either host's means, see the file comment). */
  | { readonly kind: 'refused' }
  | { readonly kind: 'error'; readonly name: string };

export type ScenarioResult = DifferentialResult<Outcome>;

interface Tally {
  consume(source: Source, options?: { signal?: AbortSignal }): Promise<bigint>;
  describe(source: Source): Promise<string>;
  sizes(source: Source): Promise<Sizes>;
  lock(source: Source): Promise<TallyGuard>;
  drain(other: Tally, source: Source): Promise<bigint>;
  add(bytes: bigint): unknown;
  total(): unknown;
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
  run(steps: number): Promise<number>;
  taken(): unknown;
}
interface Pipeline {
  Tally: new () => Tally;
  counter(): Stage | Promise<Stage>;
  health(): Promise<string>;
  uppercase(input: ReadableStream<Uint8Array>): Promise<AsyncIterable<Uint8Array | number>>;
}

const gates = new Gates();

/** The host `Source`, waiting at this script's gates. */
class Source extends GatedSource {
  constructor(chunks: Uint8Array[]) {
    super(gates, chunks);
  }
}

/** A host's fresh instance, and whether an error it threw is its refusal of a borrow. */
interface Host {
  readonly api: Pipeline;
  isBorrowRefusal(e: unknown): boolean;
}

const INTERFACE = 'rdylib-guest:pipeline/pipeline@0.1.0';
const IMPORT = 'rdylib-guest:pipeline/source';

async function jcoHost(): Promise<Host> {
  const plugin = await instantiatePlugin('pipeline', { [IMPORT]: { Source } });
  return {
    api: plugin.exports[INTERFACE] as Pipeline,
    isBorrowRefusal: (e) => e instanceof WebAssembly.RuntimeError && plugin.panics.some((p) => p.message.startsWith('rdylib borrow error: ')),
  };
}

async function rdylibHost(): Promise<Host> {
  const plugin = await load(guestPath('pipeline'), { name: 'pipeline', imports: { [IMPORT]: {} } });
  return { api: (plugin.exports as Record<string, unknown>)[INTERFACE] as Pipeline, isBorrowRefusal: (e) => e instanceof BorrowError };
}

/** `text` upper-cased as the example does it: ASCII letters only. */
function asciiUpper(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b));
}

/** Length and sum of the bytes a stream from the plugin carries (see the file comment on its shapes). */
async function drain(stream: AsyncIterable<Uint8Array | number>): Promise<{ length: number; sum: number }> {
  let length = 0;
  let sum = 0;
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : Uint8Array.of(chunk);
    for (const b of bytes) sum = (sum + b) >>> 0;
    length += bytes.length;
  }
  return { length, sum };
}

/** What byteSource(total, _) upper-cased carries. */
function upperOfByteSource(total: number): { length: number; sum: number } {
  const bytes = new Uint8Array(total).map((_, i) => i % 251);
  return { length: total, sum: asciiUpper(bytes).reduce((s, b) => (s + b) >>> 0, 0) };
}

interface Scenario {
  readonly name: string;
  run(host: Host): Promise<unknown>;
  readonly expected: Outcome;
  readonly jcoDiffers?: string;
}

const value = (v: unknown): Outcome => ({ kind: 'value', value: v });
const REFUSED: Outcome = { kind: 'refused' };

/** Runs `call` on a tally while `method` is pending on the host (its source waiting at the gates). */
async function whilePending(host: Host, method: 'consume' | 'describe' | 'lock', call: (t: Tally) => unknown): Promise<unknown> {
  const tally = await new host.api.Tally();
  const pending = tally[method](new Source([Uint8Array.of(1, 2, 3)]));
  pending.catch(() => {});
  await settle();
  const r = await call(tally);
  return String(r);
}

/** Runs `call` on a tally (3 bytes taken in chunks of 2 and 1) and the view `sizes` resolved to, dropped first with `dropView`. */
async function withView(host: Host, dropView: boolean, call: (t: Tally, view: Sizes) => unknown): Promise<unknown> {
  const tally = await new host.api.Tally();
  await finish(tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
  const view = await finish(tally.sizes(new Source([])), gates);
  if (dropView) view[Symbol.dispose]();
  return String(await call(tally, view));
}

/** Runs `call` on a tally (2 bytes) and the guard `lock` resolved to, dropped first with `dropGuard`. */
async function withGuard(host: Host, dropGuard: boolean, call: (t: Tally, guard: TallyGuard) => unknown): Promise<unknown> {
  const tally = await new host.api.Tally();
  await tally.add(2n);
  const guard = await finish(tally.lock(new Source([])), gates);
  if (dropGuard) guard[Symbol.dispose]();
  return String(await call(tally, guard));
}

/** Runs `call` on `c` and `d` (5 bytes) while `c.drain(d, ..)` is pending on the host. */
async function whileDraining(host: Host, call: (c: Tally, d: Tally) => unknown): Promise<unknown> {
  const c = await new host.api.Tally();
  const d = await new host.api.Tally();
  await d.add(5n);
  c.drain(d, new Source([])).catch(() => {});
  await settle();
  return String(await call(c, d));
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'a zero-argument async fn', run: async (h) => h.api.health(), expected: value('ok') },
  {
    name: 'an async &mut self method awaiting the host trait twice',
    run: async (h) => {
      const tally = await new h.api.Tally();
      const taken = await finish(tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
      return `${taken} ${await finish(tally.describe(new Source([])), gates)}`;
    },
    expected: value('3 3 bytes in 2 chunks, next from gated'),
  },
  // E0499: a second `&mut` of the tally while consume's future holds one.
  { name: '&mut self call while consume(&mut self) is pending', run: (h) => whilePending(h, 'consume', (t) => t.add(1n)), expected: REFUSED },
  // E0502: `&` while the `&mut` is held.
  { name: '&self call while consume(&mut self) is pending', run: (h) => whilePending(h, 'consume', (t) => t.total()), expected: REFUSED },
  // Two `&` coexist.
  { name: '&self call while describe(&self) is pending', run: (h) => whilePending(h, 'describe', (t) => t.total()), expected: value('0') },
  // E0502: `&mut` while a `&` is held.
  { name: '&mut self call while describe(&self) is pending', run: (h) => whilePending(h, 'describe', (t) => t.add(1n)), expected: REFUSED },
  {
    name: 'the borrow ends with the task: &mut self call after consume resolved',
    run: async (h) => {
      const tally = await new h.api.Tally();
      await finish(tally.consume(new Source([Uint8Array.of(1, 2, 3)])), gates);
      await tally.add(10n);
      return String(await tally.total());
    },
    expected: value('13'),
  },
  // A dependent result of an async fn: the `Sizes<'a>` view keeps the tally borrowed (shared) until it is dropped.
  { name: '&mut self call while the view sizes(&self) resolved to lives (E0502)', run: (h) => withView(h, false, (t) => t.add(1n)), expected: REFUSED },
  { name: '&self call and the view read while the view lives', run: (h) => withView(h, false, async (t, v) => `${await t.total()} ${await v.nextSize()} ${await v.nextSize()} ${await v.nextSize()}`), expected: value('3 2 1 undefined') },
  {
    name: 'the borrow ends with the view: &mut self call after it was dropped',
    run: (h) =>
      withView(h, true, async (t) => {
        await t.add(1n);
        return t.total();
      }),
    expected: value('4'),
  },
  // An exclusive dependent result of an async fn: the `TallyGuard<'a>` keeps the tally borrowed (exclusive) until it is dropped.
  { name: '&self call while lock(&mut self) is pending (E0502)', run: (h) => whilePending(h, 'lock', (t) => t.total()), expected: REFUSED },
  { name: '&self call while the guard lock(&mut self) resolved to lives (E0502)', run: (h) => withGuard(h, false, (t) => t.total()), expected: REFUSED },
  { name: 'the guard itself while it lives', run: (h) => withGuard(h, false, (_t, g) => g.bump(3n)), expected: value('5') },
  {
    name: 'the borrow ends with the guard: &mut self call after it was dropped',
    run: (h) =>
      withGuard(h, true, async (t) => {
        await t.add(1n);
        return t.total();
      }),
    expected: value('3'),
  },
  // An exclusive resource parameter of an async fn: `drain(&mut self, other: &mut Tally)` holds both until its task completes.
  { name: '&self call on other while drain(&mut self, &mut other) is pending (E0502)', run: (h) => whileDraining(h, (_c, d) => d.total()), expected: REFUSED },
  { name: '&mut self call on other while drain is pending (E0499)', run: (h) => whileDraining(h, (_c, d) => d.add(1n)), expected: REFUSED },
  {
    name: 'both borrows end with drain\'s task: other and self read after it resolved',
    run: async (h) => {
      const c = await new h.api.Tally();
      const d = await new h.api.Tally();
      await d.add(5n);
      const drained = await finish(c.drain(d, new Source([])), gates);
      return `${drained} ${await d.total()} ${await c.total()}`;
    },
    expected: value('5 0 5'),
  },
  // An async method of a trait the plugin implements (`Stage::run(&mut self)` on a `Box<dyn Stage>`).
  {
    name: 'an async &mut self method of a plugin-implemented trait, then a &self call',
    run: async (h) => {
      const stage = await h.api.counter();
      const ran = await stage.run(3);
      return `${ran} ${await stage.taken()}`;
    },
    expected: value('3 3'),
  },
  {
    name: 'stream<u8> in and out: uppercase of a short text',
    run: async (h) => {
      const words = ['hello ', 'wörld'];
      const input = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            const w = words.shift();
            if (w === undefined) c.close();
            else c.enqueue(new TextEncoder().encode(w));
          },
        },
        { highWaterMark: 0 },
      );
      const bytes: number[] = [];
      for await (const chunk of await h.api.uppercase(input)) bytes.push(...(chunk instanceof Uint8Array ? chunk : [chunk]));
      return new TextDecoder().decode(Uint8Array.from(bytes));
    },
    expected: value('HELLO WöRLD'),
  },
  {
    name: 'stream<u8> in and out: 64 KiB in 4 KiB chunks (the plugin reads 256 bytes at a time)',
    run: async (h) => drain(await h.api.uppercase(byteSource(64 * 1024, 4096))),
    expected: value(upperOfByteSource(64 * 1024)),
  },
  {
    name: 'an AbortSignal cancels a pending async call; its borrow ends with it',
    run: async (h) => {
      const tally = await new h.api.Tally();
      const abort = new AbortController();
      const pending = tally.consume(new Source([Uint8Array.of(1)]), { signal: abort.signal });
      await settle();
      abort.abort(new Error('enough'));
      let result: string;
      try {
        result = String(await finish(pending, gates));
      } catch (e) {
        result = (e as Error).name;
      }
      await tally.add(10n);
      return `${result} ${await tally.total()}`;
    },
    expected: value('CancelledError 10'),
    jcoDiffers: 'jco 0.15.0 takes no call options: the signal is ignored, the call runs to its end (1 byte taken, total 11)',
  },
  // E0502: `&` while the pending `run` holds `&mut`. Last: its task goes on yielding until the script exits.
  {
    name: '&self call while Stage::run(&mut self) is pending',
    run: async (h) => {
      const stage = await h.api.counter();
      stage.run(1_000_000_000).catch(() => {});
      await settle();
      return String(await stage.taken());
    },
    expected: REFUSED,
  },
];

export function sameOutcome(actual: Outcome, expected: Outcome): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

async function outcome(host: () => Promise<Host>, s: Scenario): Promise<Outcome> {
  const h = await host();
  try {
    return { kind: 'value', value: await s.run(h) };
  } catch (e) {
    if (h.isBorrowRefusal(e)) return REFUSED;
    return { kind: 'error', name: e instanceof Error ? e.name : String(e) };
  }
}

export async function runDifferential(): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const s of SCENARIOS) {
    out.push({ name: s.name, expected: s.expected, jcoDiffers: s.jcoDiffers, jco: await outcome(jcoHost, s), rdylib: await outcome(rdylibHost, s) });
  }
  return out;
}

// Run as a script: print the results, then exit (a task left pending on purpose must not keep the process waiting).
if (process.argv[1]?.endsWith('pipeline-differential.ts')) {
  const results = await runDifferential();
  process.stdout.write(JSON.stringify({ node: process.version, results }), () => process.exit(0));
}
