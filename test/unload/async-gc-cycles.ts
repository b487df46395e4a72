/**
 * Run as `node --expose-gc --import tsx test/unload/async-gc-cycles.ts [cycles]`
 * (async-leaks.test.ts spawns it, on the system Node and on the pinned
 * current Node): loads a plugin, starts async calls that cannot finish, and
 * unloads it with `{ pending: 'cancel' }`, `cycles` times per scenario; then
 * prints one JSON line per scenario: heap growth over the cycles, how many of
 * the unloaded instances and memories a FinalizationRegistry saw collected,
 * how many threads the store still has waiting, and whether every call
 * rejected with UnloadedError.
 *
 * The calls are pending where the async ABI keeps a task:
 * - `host-promise`: host-call.wat's callback-lifted `run` waits (callback
 *   WAIT on a waitable set) for an async host import whose Promise the host
 *   never settles but keeps (its resolver sits in a host array for the
 *   whole run, as a host's pending I/O would);
 * - `cancellable-wait`: cancel.wat's `forever` waits on an empty waitable set,
 *   its caller holding a live AbortSignal it never fires;
 * - `stackful-wait` (JSPI only): wait-stackful.wat's stackful `run` is
 *   suspended inside core wasm in `waitable-set.wait`, on an async host
 *   import the host never settles.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnloadedError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import { defaultStore } from '../../host/abi/store.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { repoRoot } from '../support/guests.ts';
import { collect } from '../support/collect.ts';


const fixture = async (name: string) => parse(readFileSync(join(repoRoot, 'test', 'async-js', 'fixtures', `${name}.wat`), 'utf8'));

/** Resolvers of host promises that never settle, kept for the whole run (a host's pending I/O). */
const heldByHost: unknown[] = [];
/** AbortControllers whose signal a pending call listens to, kept for the whole run. */
const heldSignals: AbortController[] = [];

interface Scenario {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly imports: Record<string, unknown>;
  /** Starts the calls that stay pending. */
  start(exports: Record<string, (...args: unknown[]) => Promise<unknown>>): Promise<unknown>[];
}

const neverSettles = (x: unknown): Promise<number> => new Promise<number>((resolve) => heldByHost.push(resolve, x));

const hasJspi = typeof (WebAssembly as { promising?: unknown }).promising === 'function';
const CALLS = 3;
const scenarios: Scenario[] = [
  {
    name: 'host-promise',
    bytes: await fixture('host-call'),
    imports: { double: neverSettles, 'double-sync': (x: unknown) => (x as number) * 2 },
    start: (e) => Array.from({ length: CALLS }, (_, i) => e['run']!(i)),
  },
  {
    name: 'cancellable-wait',
    bytes: await fixture('cancel'),
    imports: {},
    start: (e) =>
      Array.from({ length: CALLS }, () => {
        const ac = new AbortController();
        heldSignals.push(ac);
        return e['forever']!({ signal: ac.signal });
      }),
  },
  ...(hasJspi
    ? [
        {
          name: 'stackful-wait',
          bytes: await fixture('wait-stackful'),
          imports: { double: neverSettles },
          start: (e: Record<string, (...args: unknown[]) => Promise<unknown>>) => Array.from({ length: CALLS }, (_, i) => e['run']!(i)),
        },
      ]
    : []),
];

/** One scenario's figures (async-leaks.test.ts checks them). */
export interface Report {
  scenario: string;
  cycles: number;
  growthBytes: number;
  growthPerCycleBytes: number;
  instancesCollected: number;
  /** Memories of the unloaded instances (cancel.wat has none). */
  memories: number;
  memoriesCollected: number;
  rejectedWithUnloadedError: number;
  calls: number;
  /** Threads left waiting in the unloaded plugins' Stores (and the default one). */
  storeWaitingAfter: number;
}

async function run(s: Scenario, cycles: number): Promise<Report> {
  let instancesCollected = 0;
  let memoriesCollected = 0;
  const instances = new FinalizationRegistry<void>(() => void instancesCollected++);
  const memories = new FinalizationRegistry<void>(() => void memoriesCollected++);
  let rejected = 0;
  let calls = 0;
  let memoryCount = 0;
  let storeWaitingAfter = 0;
  const cycle = async (track: boolean): Promise<void> => {
    const p = await load(s.bytes, { name: s.name, unchecked: true, imports: s.imports });
    // The plugin's own Store (one per plugin), read once it is unloaded.
    const store = p.instances[0]!.store;
    if (track) {
      for (const inst of p.instances) instances.register(inst);
      for (const m of p.memories) memories.register(m);
      memoryCount += p.memories.length;
    }
    const pending = s.start(p.exports as Record<string, (...args: unknown[]) => Promise<unknown>>);
    // Let each call reach its wait (the host import called, the set waited on).
    await new Promise((r) => setTimeout(r, 0));
    await p.unload({ pending: 'cancel' });
    storeWaitingAfter += store.numWaiting;
    for (const c of pending) {
      const outcome = await c.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      if (!track) continue;
      calls++;
      if (outcome instanceof UnloadedError) rejected++;
    }
  };
  for (let i = 0; i < 20; i++) await cycle(false); // warm up: compiled code, caches
  await collect();
  const before = process.memoryUsage();
  for (let i = 0; i < cycles; i++) await cycle(true);
  await collect();
  const after = process.memoryUsage();
  const growth = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  return {
    scenario: s.name,
    cycles,
    growthBytes: growth,
    growthPerCycleBytes: Math.round(growth / cycles),
    instancesCollected,
    memories: memoryCount,
    memoriesCollected,
    rejectedWithUnloadedError: rejected,
    calls,
    storeWaitingAfter: storeWaitingAfter + defaultStore.numWaiting,
  };
}

const cycles = Number(process.argv[2] ?? 200);
const reports: Report[] = [];
for (const s of scenarios) reports.push(await run(s, cycles));
process.stdout.write(`${JSON.stringify({ node: process.versions.node, jspi: hasJspi, heldByHost: heldByHost.length / 2, reports })}\n`, () => process.exit(0));
