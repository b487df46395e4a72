/**
 * The async section (issue 13): an async export call, a host import awaited
 * by an async guest, and 1 MiB of stream<u8> in 4 KiB copies each way, each
 * beside a synchronous call doing the same work, through our host and
 * through jco's bindings. The components are the WAT fixtures of
 * test/async-js/fixtures (callback-lifted, so no JSPI is needed by us).
 *
 * jco 0.15.0's async output calls `WebAssembly.promising` on every async
 * export, so its async cells are n/a on an engine without JSPI (Node 20).
 * Run there, the section also measures itself on the pinned current Node
 * (scripts/lib/pinned-node.ts), run there in a process of its own as every
 * section is (section-process.ts), so the report has both engines' rows, jco beside ours
 * on the one with JSPI; each row names its engine.
 * Calls are timed in batches of CALLS_PER_OP awaited calls, reported per call.
 */
import { readFileSync } from 'node:fs';
import { parse } from '../../scripts/lib/jco.ts';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { instantiateTranspiled } from '../jco.ts';
import { loadComponent } from '../ours.ts';
import { repoPath } from '../paths.ts';
import { runInOwnProcess } from '../section-process.ts';
import { message, type CaseResult, type Cell, type Column, type Fact, type RunContext, type Section } from '../suite.ts';
import { measureAsyncInterleaved, type AsyncRuns } from '../timing.ts';

/** Awaited calls per timed op in the call cases (a single call is too short to time alone). */
export const CALLS_PER_OP = 1000;
const MIB = 1 << 20;
const CHUNK = 4096;

type Exports = Record<string, (...args: unknown[]) => unknown>;
type HostFns = Record<string, (...args: unknown[]) => unknown>;

/** One case: the fixture, its host functions, the op (returns a value to check), the expected value, how many units one op is. */
export interface AsyncCase {
  readonly name: string;
  readonly fixture: 'add' | 'host-call' | 'streams' | 'bytes';
  readonly imports?: HostFns;
  /** One op; `verify`: also compute what the check compares (sums bytes), left out of timed runs. */
  readonly op: (e: Exports, verify: boolean) => Promise<unknown>;
  readonly expected: unknown;
  /** Units per op: CALLS_PER_OP for call cases (reported per call), 1 for the 1 MiB cases. */
  readonly perOp: number;
  /** The case needs JSPI in jco's output (every async export does). */
  readonly jcoNeedsJspi: boolean;
}

async function calls(n: number, call: (i: number) => unknown): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // A sync export's value is used as it is: awaiting it would bill the sync rows a microtask per call.
    const v = call(i);
    sum = (sum + ((v instanceof Promise ? await v : v) as number)) >>> 0;
  }
  return sum;
}

/** Sum of i + 1 for i < n, mod 2^32: what add(i, 1) summed over a batch gives. */
const addSum = (n: number): number => ((n * (n + 1)) / 2) >>> 0;

/** Reads a stream from the guest to its end (Uint8Array chunks with us, one byte per step with jco): its length, and with `verify` its sum. */
async function drain(stream: unknown, verify: boolean): Promise<[number, number]> {
  let length = 0;
  let sum = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | number>) {
    const bytes = typeof chunk === 'number' ? Uint8Array.of(chunk) : chunk;
    if (verify) for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]!) >>> 0;
    length += bytes.length;
  }
  return [length, sum];
}

/** Length and (with `verify`) sum of a list<u8> a sync call returned. */
function measureList(bytes: Uint8Array, verify: boolean): [number, number] {
  let sum = 0;
  if (verify) for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]!) >>> 0;
  return [bytes.length, sum];
}

/** 1 MiB as a ReadableStream of 4 KiB chunks (byte i of a chunk is i & 0xff), pulled on demand. */
function source(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(CHUNK).map((_, i) => i & 0xff);
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (sent >= MIB) return c.close();
        sent += CHUNK;
        c.enqueue(chunk.slice());
      },
    },
    { highWaterMark: 0 },
  );
}

/** 1 MiB as one list (byte i is i & 0xff), made once. */
const MIB_LIST = new Uint8Array(MIB).map((_, i) => i & 0xff);

/** The bytes of a stream of MIB bytes in CHUNK copies: length and sum. */
const MIB_SUM: [number, number] = [MIB, (MIB / CHUNK) * ((255 * 256) / 2) * (CHUNK / 256)];

const double = async (x: unknown): Promise<number> => (x as number) * 2;
const doubleSync = (x: unknown): number => (x as number) * 2;

export const ASYNC_CASES: readonly AsyncCase[] = [
  { name: 'async export call (add)', fixture: 'add', op: (e) => calls(CALLS_PER_OP, (i) => e['add']!(i, 1)), expected: addSum(CALLS_PER_OP), perOp: CALLS_PER_OP, jcoNeedsJspi: true },
  { name: 'the same work as a sync export (add-sync)', fixture: 'add', op: (e) => calls(CALLS_PER_OP, (i) => e['addSync']!(i, 1)), expected: addSum(CALLS_PER_OP), perOp: CALLS_PER_OP, jcoNeedsJspi: true },
  {
    name: 'async guest awaits an async host import (run)',
    fixture: 'host-call',
    imports: { double, 'double-sync': doubleSync },
    op: (e) => calls(CALLS_PER_OP, (i) => e['run']!(i)),
    expected: (CALLS_PER_OP * (CALLS_PER_OP - 1) + CALLS_PER_OP) >>> 0,
    perOp: CALLS_PER_OP,
    jcoNeedsJspi: true,
  },
  {
    name: 'sync guest calls a sync host import (run-sync)',
    fixture: 'host-call',
    imports: { double, 'double-sync': doubleSync },
    op: (e) => calls(CALLS_PER_OP, (i) => e['runSync']!(i)),
    expected: (CALLS_PER_OP * (CALLS_PER_OP - 1) + CALLS_PER_OP) >>> 0,
    perOp: CALLS_PER_OP,
    jcoNeedsJspi: true,
  },
  { name: 'stream<u8> 1 MiB in 4 KiB copies, guest to host (produce)', fixture: 'streams', op: async (e, verify) => drain(await e['produce']!(MIB, CHUNK), verify), expected: MIB_SUM, perOp: 1, jcoNeedsJspi: true },
  { name: 'list<u8> 1 MiB returned by a sync call (bytes)', fixture: 'bytes', op: async (e, verify) => measureList(e['bytes']!(MIB, CHUNK) as Uint8Array, verify), expected: MIB_SUM, perOp: 1, jcoNeedsJspi: false },
  { name: 'stream<u8> 1 MiB in 4 KiB chunks, host to guest (consume)', fixture: 'streams', op: async (e) => e['consume']!(source()), expected: MIB_SUM, perOp: 1, jcoNeedsJspi: true },
  {
    name: 'list<u8> 1 MiB passed to a sync call (sum)',
    fixture: 'bytes',
    op: async (e) => e['sum']!(MIB_LIST),
    expected: MIB_SUM,
    perOp: 1,
    jcoNeedsJspi: false,
  },
];

export function fixture(name: AsyncCase['fixture']): Promise<Uint8Array> {
  return parse(readFileSync(repoPath('test', 'async-js', 'fixtures', `${name}.wat`), 'utf8'));
}

const hasJspi = typeof (WebAssembly as { promising?: unknown }).promising === 'function';

/** How each column instantiates a case's fixture (shared with bench.test.ts). */
export const ASYNC_IMPLEMENTATIONS: Readonly<Record<'ours' | 'jco', (c: AsyncCase) => Promise<Exports>>> = {
  ours: async (c) => (await loadComponent(await fixture(c.fixture), { name: c.fixture, imports: c.imports ?? {} })).exports as Exports,
  jco: async (c) => {
    if (c.jcoNeedsJspi && !hasJspi) throw new Error('jco 0.15.0 async output needs WebAssembly.promising (JSPI): run on Node 24+');
    const imports = Object.fromEntries(Object.entries(c.imports ?? {}).map(([k, f]) => [k, { default: f }]));
    return (await instantiateTranspiled(await fixture(c.fixture), { name: c.fixture, outDir: repoPath('build', 'bench', 'jco', `async-${c.fixture}`), imports })) as Exports;
  },
};

export function asyncRuns(quick: boolean): AsyncRuns {
  return quick ? { warmups: 1, samples: 3 } : { warmups: 3, samples: 15 };
}

/** Checks each column once (a wrong answer is n/a with the reason), then times the right ones interleaved. */
async function measureCase(c: AsyncCase, runs: AsyncRuns, collectGarbage: () => void): Promise<CaseResult> {
  const cells: Partial<Record<Column, Cell>> = {};
  const timed: { column: Column; op: () => Promise<void> }[] = [];
  for (const [column, make] of Object.entries(ASYNC_IMPLEMENTATIONS) as ['ours' | 'jco', (c: AsyncCase) => Promise<Exports>][]) {
    try {
      const e = await make(c);
      const got = await c.op(e, true);
      if (JSON.stringify(got) !== JSON.stringify(c.expected)) cells[column] = { reason: `wrong result ${JSON.stringify(got)}, expected ${JSON.stringify(c.expected)}` };
      else timed.push({ column, op: async () => void (await c.op(e, false)) });
    } catch (error) {
      cells[column] = { reason: message(error) };
    }
  }
  const measured = await measureAsyncInterleaved(timed.map((t) => t.op), runs, collectGarbage);
  timed.forEach((t, i) => {
    const m = measured[i]!;
    cells[t.column] = 'error' in m ? { reason: message(m.error) } : { ns: m.ns / c.perOp, spread: m.spread };
  });
  return { section: 'async', name: c.name, targets: [], cells };
}

/** The section's cases measured on the engine running this (names without the engine). */
async function measureAsyncHere(ctx: RunContext): Promise<CaseResult[]> {
  const cases: CaseResult[] = [];
  for (const c of ASYNC_CASES) cases.push(await measureCase(c, asyncRuns(ctx.quick), () => ctx.collectGarbage()));
  return cases;
}

/** `name [Node 26.12.1]`: one row per engine. */
function onEngine(cases: readonly CaseResult[], node: string): CaseResult[] {
  return cases.map((c) => ({ ...c, name: `${c.name} [Node ${node}]` }));
}

/**
 * The section's rows measured on the pinned current Node: this section run
 * there by the compiled bench (`bundle`, this one) in a process of its own
 * with --expose-gc (section-process.ts), where it has JSPI and so measures
 * only itself; its rows, or why there are none.
 */
async function measureOnPinnedNode(ctx: RunContext, bundle: string): Promise<{ readonly cases: readonly CaseResult[] } | { readonly reason: string }> {
  const unavailable = pinnedNodeUnavailable();
  if (unavailable !== undefined) return { reason: unavailable };
  try {
    const pinned = ensurePinnedNode();
    // Run there without JSPI, this section would start the pinned Node again, without end.
    if (pinned.executable === process.execPath) return { reason: `the pinned Node (${pinned.version}) has no JSPI` };
    const run = await runInOwnProcess(asyncSection, ctx.quick, { script: bundle, execPath: pinned.executable, execArgv: ['--expose-gc'], timeoutMs: 600_000 });
    return { cases: run.results.cases };
  } catch (error) {
    return { reason: message(error) };
  }
}

/** The compiled bench this runs in (build/bench/run.mjs), which the child runs again. */
const BENCH_BUNDLE = repoPath('build', 'bench', 'run.mjs');

export const asyncSection: Section = {
  id: 'async',
  title: `async: calls (per call, batches of ${CALLS_PER_OP}) and 1 MiB streams, each beside a sync call of the same work`,
  async run(ctx) {
    const here = onEngine(await measureAsyncHere(ctx), process.versions.node);
    // An engine with JSPI runs jco's async output itself; one without gets the pinned Node's rows beside its own.
    const published: Fact = {
      section: 'async',
      name: "wasmtime's published host -> guest async call, for reference (wasmtime#14280; not measured here)",
      value: '1.41 µs',
    };
    if (hasJspi) return { cases: here, facts: [published] };
    const pinned = await measureOnPinnedNode(ctx, BENCH_BUNDLE);
    if ('reason' in pinned) {
      const fact: Fact = { section: 'async', name: 'rows on the pinned current Node (JSPI, jco)', value: `not measured: ${pinned.reason}` };
      return { cases: here, facts: [published, fact] };
    }
    return { cases: [...here, ...pinned.cases], facts: [published] };
  },
};
