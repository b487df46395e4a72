/**
 * Honesty of the warm-load checked floor (floors/warm.ts): a cache hit only
 * for the very bytes compiled before (changed bytes, or a buffer refilled in
 * place, run their own code, as in ours), and unload revokes every live
 * object and every export, as in ours. The instance it makes is the micro
 * floor's, whose refusals floors/micro.test.ts holds to ours's.
 */
import { describe, expect, it } from 'vitest';
import type { BenchApi } from '../micro/api.ts';
import { BENCH_INTERFACE, buildBenchGuest } from '../micro/guest.ts';
import { oursHost } from '../ours.ts';
import { outcomeOf } from './honesty.ts';
import { WarmFloorHost } from './warm.ts';

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
    const host = new WarmFloorHost();
    const load = (bytes: Uint8Array): { hit: boolean; sum: number } => {
      const p = host.load(bytes);
      const sum = p.exports[BENCH_INTERFACE].add(5, 3);
      p.unload();
      return { hit: p.hit, sum };
    };
    expect(load(original)).toEqual({ hit: false, sum: 8 });
    expect(load(original.slice())).toEqual({ hit: true, sum: 8 });
    expect(load(minus)).toEqual({ hit: false, sum: 2 });
    expect(await oursAdd(original)).toBe(8);
    expect(await oursAdd(minus)).toBe(2);
    // One buffer, loaded, then refilled with other bytes and loaded again.
    const buffer = original.slice();
    expect(load(buffer)).toEqual({ hit: true, sum: 8 });
    expect(await oursAdd(buffer)).toBe(8);
    buffer.set(times);
    expect(load(buffer)).toEqual({ hit: false, sum: 15 });
    expect(await oursAdd(buffer)).toBe(15);
  });

  it('unload revokes every live object and every export, as in ours', async () => {
    const bytes = (await buildBenchGuest(10)).component;
    const host = new WarmFloorHost();
    host.load(bytes).unload();
    const floor = host.load(bytes);
    expect(floor.hit).toBe(true);
    const ours = await oursHost.load(bytes);
    const sides: [BenchApi, () => unknown][] = [
      [floor.exports[BENCH_INTERFACE], () => floor.unload()],
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
    const host = new WarmFloorHost();
    host.load(bytes).unload();
    const floor = host.load(bytes).exports[BENCH_INTERFACE];
    const ours = oursHost.api(await oursHost.load(bytes));
    for (const api of [floor, ours]) expect(await outcomeOf(async () => (api.add as (...a: unknown[]) => unknown)(-1, 2))).toEqual({ error: 'RangeError', item: 'a' });
  });
});
