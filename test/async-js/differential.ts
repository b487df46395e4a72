/**
 * The async differential against jco: each scenario runs the same WAT
 * fixture (test/async-js/fixtures) through jco's transpiled output and
 * through rdylib, and reports both outcomes as JSON-able data.
 *
 * jco's async output calls `WebAssembly.promising` on every async export
 * (callback lifts too), so it runs only where the engine has JSPI: the
 * scenarios run on the pinned current Node (scripts/async-differential.ts,
 * test/async-js/jco-differential.test.ts).
 *
 * Normalised differences, each for a reason:
 * - imports: jco's instantiation mode takes `{ name: { default: fn } }` for a
 *   function import, rdylib `{ name: fn }` (its documented ImportObject);
 *   the scenario's host functions are the same.
 * - `stream<u8>` from the guest: jco yields one Uint8Array of one byte per
 *   step, rdylib a ReadableStream of Uint8Array chunks (one per copy: JS
 *   pays per chunk, not per byte); both are read to the end and the bytes
 *   concatenated.
 * - `future<T>` returned by an async export: jco's value is a Promise of a
 *   PromiseLike, rdylib's a Promise (a JS Promise cannot resolve to a
 *   Promise); both are awaited until a plain value comes out.
 * - errors: compared by class name only (`TypeError`), since the messages
 *   are each host's own.
 *
 * Each scenario also carries the outcome the fixture's definition gives,
 * worked out independently; rdylib must match it, and so must jco unless the
 * scenario says why jco differs (its bugs found this way are listed there).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importTranspiled, parse } from '../../scripts/lib/jco.ts';
import { load } from '../../host/index.ts';
import { LoadError } from '../../host/errors.ts';
import { repoRoot } from '../support/guests.ts';

export type Outcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly name: string; readonly message: string }
  /** The host refused the component at load as unsupported (rdylib before its async runtime is in). */
  | { readonly kind: 'unsupported'; readonly message: string };

/** One scenario's outcomes on both hosts (`O`: the outcome shape of the differential). */
export interface ScenarioResult<O = Outcome> {
  readonly name: string;
  readonly expected: O;
  readonly jcoDiffers: string | undefined;
  readonly jco: O;
  readonly rdylib: O;
}

type Exports = Record<string, (...args: unknown[]) => unknown>;
type HostFns = Record<string, (...args: unknown[]) => unknown>;

interface Scenario {
  readonly name: string;
  readonly fixture: string;
  readonly imports?: () => HostFns;
  /** Runs against one host's exports; returns plain data. */
  run(exports: Exports): Promise<unknown>;
  /**
   * What the fixture's definition says the outcome is (its WAT comments and
   * the spec), worked out here independently of both hosts.
   */
  readonly expected: Outcome;
  /** Where jco's outcome is known to differ from `expected`: why (a jco bug or leniency). */
  readonly jcoDiffers?: string;
}

const delay = () => new Promise((r) => setTimeout(r, 1));

/** The bytes of a stream from the guest, whatever the host yields per step (see the file comment). */
async function drainBytes(stream: unknown): Promise<{ length: number; sum: number; head: number[] }> {
  let length = 0;
  let sum = 0;
  const head: number[] = [];
  for await (const chunk of stream as AsyncIterable<unknown>) {
    const bytes = chunk instanceof Uint8Array ? chunk : Uint8Array.of(chunk as number);
    for (const b of bytes) {
      if (head.length < 16) head.push(b);
      sum = (sum + b) >>> 0;
    }
    length += bytes.length;
  }
  return { length, sum, head };
}

/** A ReadableStream of `total` bytes (byte i is i mod 251) in `chunk`-byte chunks. */
export function byteSource(total: number, chunk: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (sent >= total) return c.close();
        const n = Math.min(chunk, total - sent);
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = (sent + i) % 251;
        sent += n;
        c.enqueue(out);
      },
    },
    { highWaterMark: 0 },
  );
}

async function settleDeep(v: unknown): Promise<unknown> {
  let x = await v;
  while (typeof x === 'object' && x !== null && typeof (x as PromiseLike<unknown>).then === 'function') x = await x;
  return x;
}

const value = (v: unknown): Outcome => ({ kind: 'value', value: v });
const error = (name: string): Outcome => ({ kind: 'error', name, message: '' });

/** The bytes produce(n, chunk) writes: copies of `chunk` bytes (byte i of a copy is i & 0xff), the last one shorter. */
function produced(n: number, chunk: number): { length: number; sum: number; head: number[] } {
  let sum = 0;
  const head: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = (i % chunk) & 0xff;
    if (head.length < 16) head.push(b);
    sum = (sum + b) >>> 0;
  }
  return { length: n, sum, head };
}

/** consume's answer for byteSource(total, _): (bytes, sum of bytes mod 2^32). */
function consumed(total: number): [number, number] {
  let sum = 0;
  for (let i = 0; i < total; i++) sum = (sum + (i % 251)) >>> 0;
  return [total, sum];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'async export returns a Promise of the result',
    fixture: 'add',
    run: async (e) => { const p = e['add']!(2, 3); return { isPromise: p instanceof Promise, value: await p }; },
    expected: value({ isPromise: true, value: 5 }),
  },
  { name: 'the sync export of the same work', fixture: 'add', run: async (e) => e['addSync']!(2, 3), expected: value(5) },
  {
    name: '100 concurrent async calls',
    fixture: 'add',
    run: async (e) => Promise.all(Array.from({ length: 100 }, (_, i) => e['add']!(i, i))),
    expected: value(Array.from({ length: 100 }, (_, i) => 2 * i)),
  },
  { name: 'async export wraps u32 arithmetic', fixture: 'add', run: async (e) => e['add']!(0xffffffff, 2), expected: value(1) },
  {
    name: 'a value lowering refuses',
    fixture: 'add',
    run: async (e) => e['add']!('two', 3),
    expected: error('TypeError'),
    jcoDiffers: "jco lowers the string 'two' as the u32 0 without checking it (result 3); rdylib refuses it with a TypeError, as it does for sync calls",
  },
  {
    name: 'async guest awaits an async host import (Promise)',
    fixture: 'host-call',
    imports: () => ({ double: async (x) => { await delay(); return (x as number) * 2; }, 'double-sync': (x) => (x as number) * 2 }),
    run: async (e) => [await e['run']!(20), await e['run']!(0), e['runSync']!(20)],
    expected: value([41, 1, 41]),
  },
  {
    name: 'async host import answering with a plain value',
    fixture: 'host-call',
    imports: () => ({ double: (x) => (x as number) * 2, 'double-sync': (x) => (x as number) * 2 }),
    run: async (e) => e['run']!(7),
    expected: value(15),
  },
  {
    name: 'async host import that rejects',
    fixture: 'host-call',
    imports: () => ({ double: async () => { throw new RangeError('no double today'); }, 'double-sync': (x) => x }),
    run: async (e) => e['run']!(1),
    expected: error('TrapError'),
    jcoDiffers:
      "jco 0.15.0 rejects with the host's own RangeError; rdylib rejects with a TrapError naming the import (a failed callee is a trap of its caller in the spec, and the plugin is poisoned), the RangeError as its cause",
  },
  {
    name: 'stream<u8> from the guest, small',
    fixture: 'streams',
    run: async (e) => drainBytes(await e['produce']!(10, 4)),
    expected: value(produced(10, 4)),
    jcoDiffers: 'jco 0.15.0 repeats a byte and loses the last one when the reader takes one byte of a 4-byte write (partial copies): it yields 0,1,2,3,0,0,1,2,3,0 for 0,1,2,3,0,1,2,3,0,1',
  },
  {
    name: 'stream<u8> from the guest, 64 KiB in 4 KiB copies',
    fixture: 'streams',
    run: async (e) => drainBytes(await e['produce']!(64 * 1024, 4096)),
    expected: value(produced(64 * 1024, 4096)),
    jcoDiffers: 'the same jco partial-copy bug: the length is right, the bytes are not (sum 8352120 for 8355840)',
  },
  { name: 'stream<u8> to the guest, an Iterable of numbers', fixture: 'streams', run: async (e) => e['consume']!([1, 2, 3, 250]), expected: value([4, 256]) },
  {
    name: 'stream<u8> to the guest, a ReadableStream of 64 KiB in 4 KiB chunks',
    fixture: 'streams',
    run: async (e) => e['consume']!(byteSource(64 * 1024, 4096)),
    expected: value(consumed(64 * 1024)),
    jcoDiffers: "jco throws 'waitable set still contains waitables' at waitable-set.drop: it does not take a dropped stream end out of its waitable set (the spec's drop joins none)",
  },
  { name: 'future<u32> from the guest', fixture: 'streams', run: async (e) => settleDeep(e['later']!(21)), expected: value(42) },
];

/** Whether `actual` is the outcome `expected` describes (errors by class name: messages are each host's own). */
export function sameOutcome(actual: Outcome, expected: Outcome): boolean {
  if (actual.kind === 'error' && expected.kind === 'error') return actual.name === expected.name;
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function outcomeOf(e: unknown): Outcome {
  if (e instanceof LoadError && e.kind === 'unsupported') return { kind: 'unsupported', message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'error', name: err.name, message: err.message };
}

async function attempt(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { kind: 'value', value: await f() };
  } catch (e) {
    return outcomeOf(e);
  }
}

export async function fixtureBytes(fixture: string): Promise<Uint8Array> {
  return parse(readFileSync(join(repoRoot, 'test', 'async-js', 'fixtures', `${fixture}.wat`), 'utf8'));
}

async function viaJco(s: Scenario): Promise<Outcome> {
  return attempt(async () => {
    const outDir = join(repoRoot, 'build', 'jco-async', s.fixture);
    const m = await importTranspiled(await fixtureBytes(s.fixture), { name: s.fixture, outDir, instantiation: 'async' });
    const instantiate = m['instantiate'] as (get: (p: string) => Promise<WebAssembly.Module>, imports: object) => Promise<Exports>;
    const imports = Object.fromEntries(Object.entries(s.imports?.() ?? {}).map(([k, f]) => [k, { default: f }]));
    const exports = await instantiate((p) => WebAssembly.compile(readFileSync(join(outDir, p))), imports);
    return s.run(exports);
  });
}

async function viaRdylib(s: Scenario): Promise<Outcome> {
  let exports: Exports;
  try {
    const plugin = await load(await fixtureBytes(s.fixture), { name: s.fixture, unchecked: true, imports: s.imports?.() ?? {} });
    exports = plugin.exports as Exports;
  } catch (e) {
    return outcomeOf(e);
  }
  return attempt(() => s.run(exports));
}

/** Every scenario on both hosts, one after the other. */
export async function runDifferential(): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const s of SCENARIOS) {
    out.push({ name: s.name, expected: s.expected, jcoDiffers: s.jcoDiffers, jco: await viaJco(s), rdylib: await viaRdylib(s) });
  }
  return out;
}
