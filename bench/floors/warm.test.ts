/**
 * Honesty of the warm-load checked floor (floors/warm.ts): a cache hit only
 * for the very bytes compiled before (changed bytes, or a buffer refilled in
 * place, run their own code, as in ours), and unload revokes every live
 * object and every export, as in ours. The instance it makes is the micro
 * floor's, whose refusals floors/micro.test.ts holds to ours's.
 */
import { describe, expect, it } from 'vitest';
import type { BenchApi } from '../micro/api.ts';
import { buildBenchGuest } from '../micro/guest.ts';
import { oursHost } from '../ours.ts';
import { outcomeOf } from './honesty.ts';
import { benchWarmFloor, kvWarmFloor } from './warm.ts';
import { readGuest } from '../paths.ts';
import { clearCompileCache, exportedInterface, loadPlugin } from '../ours.ts';

/** `add`'s body in the bench component (local.get 0, local.get 1, i32.add, end): its first such sequence. */
const ADD_BODY = [0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b];

/** The component with `add`'s i32.add replaced by another i32 binary op (0x6b sub, 0x6c mul). */
function withAddOp(component: Uint8Array, op: number): Uint8Array {
  const at = component.findIndex((_, i) => ADD_BODY.every((b, k) => component[i + k] === b));
  if (at < 0) throw new Error("add's body not found in the bench component");
  const out = component.slice();
  out[at + 4] = op;
  return out;
}

/** Loads with `host`, calls add(5, 3), unloads: whether the load was a cache hit, and the sum. */
function loadAndAdd(host: ReturnType<typeof benchWarmFloor>): (bytes: Uint8Array) => { hit: boolean; sum: number } {
  return (bytes) => {
    const p = host.load(bytes);
    const sum = p.api.add(5, 3);
    p.unload();
    return { hit: p.hit, sum };
  };
}

async function oursAdd(bytes: Uint8Array): Promise<number> {
  const plugin = await oursHost.load(bytes);
  try {
    return oursHost.api(plugin).add(5, 3);
  } finally {
    await plugin.unload();
  }
}

describe('warm-load checked floor', () => {
  it('hits its cache only for the same bytes: a copy hits, changed bytes or a buffer refilled in place run their own code, as in ours', async () => {
    const original = (await buildBenchGuest(10)).component;
    const minus = withAddOp(original, 0x6b);
    const times = withAddOp(original, 0x6c);
    const load = loadAndAdd(benchWarmFloor());
    expect(load(original)).toEqual({ hit: false, sum: 8 });
    expect(load(new Uint8Array(original))).toEqual({ hit: true, sum: 8 });
    expect(load(minus)).toEqual({ hit: false, sum: 2 });
    expect(await oursAdd(original)).toBe(8);
    expect(await oursAdd(minus)).toBe(2);
    // One buffer (a Node Buffer: its slice() shares memory, the cache's copy must not), compiled on its
    // first load by a fresh host, then refilled with other bytes and loaded again.
    const loadFresh = loadAndAdd(benchWarmFloor());
    // Ours from an empty cache too, so its first load of the Buffer compiles and caches from it.
    clearCompileCache();
    const buffer = Buffer.from(original);
    expect(loadFresh(buffer)).toEqual({ hit: false, sum: 8 });
    expect(await oursAdd(buffer)).toBe(8);
    buffer.set(times);
    expect(loadFresh(buffer)).toEqual({ hit: false, sum: 15 });
    expect(await oursAdd(buffer)).toBe(15);
  });

  it('unload revokes every live object and every export, as in ours', async () => {
    const bytes = (await buildBenchGuest(10)).component;
    const host = benchWarmFloor();
    host.load(bytes).unload();
    const floor = host.load(bytes);
    expect(floor.hit).toBe(true);
    const ours = await oursHost.load(bytes);
    const sides: [BenchApi, () => unknown][] = [
      [floor.api, () => floor.unload()],
      [oursHost.api(ours), () => ours.unload()],
    ];
    const after: unknown[] = [];
    for (const [api, unload] of sides) {
      const counters = [1, 2, 3].map((n) => new api.Counter(n));
      counters[1]!.increment(4);
      await unload();
      const outcomes = [];
      for (const c of counters) {
        outcomes.push(await outcomeOf(async () => c.increment(1)), await outcomeOf(async () => c.value()), await outcomeOf(async () => c[Symbol.dispose]()));
      }
      outcomes.push(await outcomeOf(async () => api.add(1, 2)), await outcomeOf(async () => api.echo('x')), await outcomeOf(async () => new api.Counter(1)));
      after.push(outcomes);
    }
    expect(after[0]).toEqual(after[1]);
    expect((after[0] as { error?: string }[]).filter((o) => o.error === 'UnloadedError')).toHaveLength(9);
  });

  it('refuses a bad argument on a warm-loaded instance as ours does (the micro floor, floors/micro.test.ts, in full)', async () => {
    const bytes = (await buildBenchGuest(10)).component;
    const host = benchWarmFloor();
    host.load(bytes).unload();
    const floor = host.load(bytes).api;
    const ours = oursHost.api(await oursHost.load(bytes));
    for (const api of [floor, ours]) expect(await outcomeOf(async () => (api.add as (...a: unknown[]) => unknown)(-1, 2))).toEqual({ error: 'RangeError', item: 'a' });
  });

  it('kv: a copy of the bytes hits, changed bytes miss; a warm-loaded store answers and unload revokes it, as in ours', async () => {
    const bytes = readGuest('kv');
    const host = kvWarmFloor();
    const first = host.load(bytes);
    expect(first.hit).toBe(false);
    first.unload();
    // Copies for certain (readGuest gives a Buffer, whose slice() shares memory).
    const floor = host.load(new Uint8Array(bytes));
    expect(floor.hit).toBe(true);
    // The last byte (in a custom section) changed: other bytes, so not a hit.
    const other = new Uint8Array(bytes);
    other[other.length - 1]! ^= 1;
    const changed = host.load(other);
    expect(changed.hit).toBe(false);
    changed.unload();
    const plugin = await loadPlugin(bytes, { name: 'kv' });
    const ours = exportedInterface(plugin, 'rdylib-guest:kv/kv@0.1.0') as { Store: new () => { put(k: string, v: string): unknown; len(): number } };
    const results: unknown[] = [];
    for (const [api, unload] of [
      [floor.api, () => floor.unload()],
      [ours, () => plugin.unload()],
    ] as const) {
      const store = new api.Store();
      const outcomes = [await outcomeOf(async () => store.put('a', 'b')), await outcomeOf(async () => store.len())];
      await unload();
      outcomes.push(await outcomeOf(async () => store.len()), await outcomeOf(async () => new api.Store()));
      results.push(outcomes);
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toEqual([{ ok: undefined }, { ok: 1 }, { error: 'UnloadedError', item: 'kv was unloaded' }, { error: 'UnloadedError', item: 'kv was unloaded' }]);
  });
});
