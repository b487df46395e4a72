/**
 * Honesty of the kv checked floor (floors/kv.ts): the same refusals and
 * results as ours for the store's constructor, drop, `len`, and the borrow an
 * iterator holds on its store. (No input reaches a trap through these
 * functions of the kv guest; floors/micro.test.ts holds the same poisoning
 * code shape to ours's.)
 */
import { describe, expect, it } from 'vitest';
import { kvCoreModule } from '../kv/raw.ts';
import { exportedInterface, loadPlugin } from '../ours.ts';
import { readGuest } from '../paths.ts';
import { instantiateKvFloor, type KvFloorStore } from './kv.ts';
import { collectGarbage, outcome, type Outcome } from './honesty.ts';

interface Side {
  Store: new () => KvFloorStore;
  unload(): Promise<void> | void;
}

async function sides(): Promise<{ ours: Side; floor: Side & { liveObjects(): number } }> {
  const bytes = readGuest('kv');
  const plugin = await loadPlugin(bytes, { name: 'kv' });
  const api = exportedInterface(plugin, 'rdylib-guest:kv/kv@0.1.0') as { Store: new () => KvFloorStore };
  return { ours: { Store: api.Store, unload: () => plugin.unload() }, floor: instantiateKvFloor(kvCoreModule(bytes)) };
}

function same(s: { ours: Side; floor: Side }, op: (side: Side) => unknown): Outcome {
  const ours = outcome(() => op(s.ours));
  expect(outcome(() => op(s.floor))).toEqual(ours);
  return ours;
}

/** One value per side, made by `make`, looked up by side. */
function perSide<T>(s: { ours: Side; floor: Side }, make: (side: Side) => T): (side: Side) => T {
  const ours = make(s.ours);
  const floor = make(s.floor);
  return (side) => (side === s.ours ? ours : floor);
}

describe('kv checked floor: store create+drop', () => {
  it('gives the same results as ours: a new store is empty, drops, and is unusable after', async () => {
    const s = await sides();
    const store = perSide(s, (side) => new side.Store());
    expect(same(s, (side) => store(side).len())).toEqual({ ok: 0 });
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => store(side).len())).toMatchObject({ error: 'HandleError' });
    expect(same(s, (side) => store(side).iter())).toMatchObject({ error: 'HandleError' });
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toEqual({ ok: undefined });
  });

  it('refuses a wrong argument count and a foreign self as ours does; a foreign dispose does nothing', async () => {
    const s = await sides();
    expect(same(s, (side) => new (side.Store as new (...a: unknown[]) => unknown)(1))).toMatchObject({ error: 'TypeError' });
    const store = perSide(s, (side) => new side.Store());
    expect(same(s, (side) => (store(side).len as (...a: unknown[]) => unknown)(1))).toMatchObject({ error: 'TypeError' });
    for (const foreign of [{}, null, undefined, 5]) {
      expect(same(s, (side) => side.Store.prototype.len.call(foreign))).toMatchObject({ error: 'TypeError' });
      expect(same(s, (side) => side.Store.prototype.iter.call(foreign))).toMatchObject({ error: 'TypeError' });
      expect(same(s, (side) => side.Store.prototype[Symbol.dispose].call(foreign))).toEqual({ ok: undefined });
    }
  });

  it('refuses to drop a store an iterator borrows, as ours does, changing nothing; drops it once the iterator is gone', async () => {
    const s = await sides();
    const store = perSide(s, (side) => new side.Store());
    const iter = perSide(s, (side) => store(side).iter());
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toMatchObject({ error: 'BorrowError' });
    expect(same(s, (side) => store(side).len())).toEqual({ ok: 0 });
    expect(same(s, (side) => iter(side).next())).toEqual({ ok: undefined });
    expect(same(s, (side) => iter(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => iter(side).next())).toMatchObject({ error: 'HandleError' });
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toEqual({ ok: undefined });
  });

  it('ends a borrow when JS lets go of the iterator without disposing it, as ours does', async () => {
    const s = await sides();
    const store = perSide(s, (side) => new side.Store());
    for (const side of [s.ours, s.floor]) {
      store(side).iter();
      // Past the nursery of the newest objects, so the iterator is registered for finalization.
      for (let i = 0; i < 200; i++) new side.Store()[Symbol.dispose]();
    }
    await collectGarbage();
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toEqual({ ok: undefined });
  });

  it('releases stores JS lets go of without disposing them (floor: its live objects go back to the nursery\'s few)', async () => {
    const { floor } = await sides();
    for (let i = 0; i < 1000; i++) new floor.Store();
    expect(floor.liveObjects()).toBe(1000);
    await collectGarbage();
    expect(floor.liveObjects()).toBeLessThanOrEqual(64);
  });

  it('put: the same results as ours (the old value back), and the same refusals, changing nothing', async () => {
    const s = await sides();
    const store = perSide(s, (side) => new side.Store());
    const put = (side: Side, ...args: unknown[]): unknown => (store(side).put as (...a: unknown[]) => unknown)(...args);
    expect(same(s, (side) => put(side, 'a', 'b'))).toEqual({ ok: undefined });
    expect(same(s, (side) => put(side, 'a', 'c'))).toEqual({ ok: 'b' });
    expect(same(s, (side) => put(side, 'clé ✓', 'välue 🦀'.repeat(20)))).toEqual({ ok: undefined });
    expect(same(s, (side) => put(side, 'clé ✓', 'x'))).toEqual({ ok: 'välue 🦀'.repeat(20) });
    expect(same(s, (side) => put(side, 'k'.repeat(100), ''))).toEqual({ ok: undefined });
    for (const args of [[5, 'v'], ['k', undefined], ['a\ud800', 'v'], ['k', 'x'.repeat(40) + '\udfff'], ['k'], ['k', 'v', 'w'], [null, null]]) {
      expect(same(s, (side) => put(side, ...args)), `put(${args.map(String).join(', ')})`).toHaveProperty('error');
    }
    const iter = perSide(s, (side) => store(side).iter());
    expect(same(s, (side) => put(side, 'a', 'd'))).toMatchObject({ error: 'BorrowError' });
    expect(same(s, (side) => iter(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => store(side).len())).toEqual({ ok: 3 });
    expect(same(s, (side) => put(side, 'a', 'd'))).toEqual({ ok: 'c' });
  });

  it('unload revokes every live object, as ours does: calls refuse, drops do nothing, no new store', async () => {
    const s = await sides();
    const store = perSide(s, (side) => new side.Store());
    const iter = perSide(s, (side) => store(side).iter());
    const other = perSide(s, (side) => new side.Store());
    await s.ours.unload();
    await s.floor.unload();
    expect(same(s, (side) => store(side).len())).toMatchObject({ error: 'UnloadedError' });
    expect(same(s, (side) => other(side).iter())).toMatchObject({ error: 'UnloadedError' });
    expect(same(s, (side) => iter(side).next())).toMatchObject({ error: 'UnloadedError' });
    expect(same(s, (side) => iter(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => store(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => other(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => new side.Store())).toMatchObject({ error: 'UnloadedError' });
  });
});
