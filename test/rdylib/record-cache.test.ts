/**
 * A resource object keeps the ownership record its binding found for it
 * (host/runtime/guest-resources.ts, HandleState `record`), so a method call
 * that lends the object costs no map lookup. The kept record must always be
 * the binding's record for the object's rep: once the binding drops it (the
 * resource destroyed, the plugin unloaded) it is retired, and the object
 * looks again, finding the rep's record of the moment or a new one.
 * An object whose rep had no record remembers that (HandleState
 * `noRecordAt`) until the binding makes a record for any rep.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { handleOf } from '../../host/runtime/guest-resources.ts';
import { guestPath } from '../support/guests.ts';
import { KV, outcome, planOf } from '../support/kv-call-plan.ts';

interface Shape {
  area(): number;
  scale(factor: number): void;
  [Symbol.dispose](): void;
}

interface Store {
  put(k: string, v: string): unknown;
  len(): number;
  iter(): { [Symbol.dispose](): void };
  [Symbol.dispose](): void;
}

async function kv(): Promise<{ plugin: Plugin; Store: new () => Store }> {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  return { plugin, Store: (plugin.exports[KV] as { Store: new () => Store }).Store };
}

describe('a resource object keeps its ownership record only while its binding does', () => {
  it("ensureRecord gives the binding's record for the rep; once it is retired, the rep's record of the moment", async () => {
    const { plugin, Store } = await kv();
    const store = new Store();
    const h = handleOf(store)!;
    const first = h.binding.ensureRecord(h);
    expect(h.binding.records().get(h.rep)).toBe(first);
    expect(h.binding.ensureRecord(h)).toBe(first);
    expect(first.retired).toBe(false);

    // The binding drops the record (as when the resource is destroyed by any route): retired, not found again.
    h.binding.destroyed(h.rep);
    expect(first.retired).toBe(true);
    expect(h.binding.records().has(h.rep)).toBe(false);
    const second = h.binding.ensureRecord(h);
    expect(second).not.toBe(first);
    expect(h.binding.records().get(h.rep)).toBe(second);

    // Another object of the same rep (a view lent to JS) makes the rep's next record: the store finds that one.
    h.binding.destroyed(h.rep);
    const view = handleOf(h.binding.liftBorrow(h.rep, plugin.instances[0]!))!;
    expect(view.rep).toBe(h.rep);
    const third = h.binding.ensureRecord(view);
    expect(third).not.toBe(second);
    expect(h.binding.ensureRecord(h)).toBe(third);
    expect(h.binding.records().get(h.rep)).toBe(third);
    store[Symbol.dispose]();
    await plugin.unload();
  });

  it('the no-loan check reads the kept record only while it is not retired, then the rep\'s record of the moment', async () => {
    const { plugin, Store } = await kv();
    const store = new Store();
    const h = handleOf(store)!;
    const calls = { n: 0 };
    // The plan of a plugin that makes no loans (kv has no imports), its call a counter.
    const put = planOf(plugin, '[method]store.put', false, () => ++calls.n);
    const kept = h.binding.ensureRecord(h);
    expect(h.binding.keptRecordOf(h)).toBe(kept);
    kept.isStatic = true; // library-static: &mut self is refused through the kept record
    expect(outcome(() => put(store))).toMatchObject({ threw: 'BorrowError', message: expect.stringMatching(/library-static store mutably/) });
    h.binding.destroyed(h.rep);
    expect(h.binding.keptRecordOf(h)).toBeUndefined(); // retired: not read, and the map has none
    expect(put(store)).toBe(1);
    // A record made for the rep through another object (a view lent to JS) is the one read.
    const view = handleOf(h.binding.liftBorrow(h.rep, plugin.instances[0]!))!;
    const next = h.binding.ensureRecord(view);
    expect(h.binding.keptRecordOf(h)).toBe(next);
    next.isStatic = true;
    expect(outcome(() => put(store))).toMatchObject({ threw: 'BorrowError', message: expect.stringMatching(/library-static store mutably/) });
    expect(calls.n).toBe(1);
    next.isStatic = false;
    store[Symbol.dispose]();
    await plugin.unload();
  });

  it('unload retires every record: a kept one is not found again, and the object is refused as unloaded', async () => {
    const { plugin, Store } = await kv();
    const store = new Store();
    store.put('a', 'b');
    const it = store.iter(); // the store's record now carries the iterator's loan
    const h = handleOf(store)!;
    const kept = h.binding.ensureRecord(h);
    expect(kept.loans).toHaveLength(1);
    await plugin.unload();
    expect(kept.retired).toBe(true);
    expect(h.binding.records().size).toBe(0);
    expect(outcome(() => store.len())).toMatchObject({ threw: 'UnloadedError' });
    expect(outcome(() => store.put('c', 'd'))).toMatchObject({ threw: 'UnloadedError' });
    it[Symbol.dispose]();
  });

  it("a rep reused by a new resource: lending calls on the new object meet none of the old one's loans", async () => {
    const plugin = await load(guestPath('shapes'), { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas': {} } });
    const shapes = plugin.exports['rdylib-guest:shapes/shapes@0.1.0'] as { circle(r: number): Shape };
    const a = shapes.circle(1);
    expect(a.area()).toBeCloseTo(Math.PI); // a lending call: `a` keeps its record
    a.scale(2); // &mut self, the two-argument wrapper
    const recordOfA = handleOf(a)!.binding.ensureRecord(handleOf(a)!);
    expect(recordOfA.loans).toEqual([]);
    a[Symbol.dispose]();
    expect(recordOfA.retired).toBe(true);
    const b = shapes.circle(3);
    expect(handleOf(b)!.rep).toBe(handleOf(a)!.rep); // the guest reuses the rep
    expect(b.area()).toBeCloseTo(9 * Math.PI);
    b.scale(2);
    expect(b.area()).toBeCloseTo(36 * Math.PI);
    const recordOfB = handleOf(b)!.binding.ensureRecord(handleOf(b)!);
    expect(recordOfB).not.toBe(recordOfA);
    expect(recordOfB.id).not.toBe(recordOfA.id);
    expect(plugin.handles().map((x) => x.borrowers)).toEqual([[]]);
    expect(outcome(() => a.area())).toMatchObject({ threw: 'HandleError' });
    b[Symbol.dispose]();
    await plugin.unload();
  });
});

describe('a resource object remembers that its rep has no record only until its binding makes one', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** kv with a store `other` that has a record (its iterator borrowed it), so the Store binding's map is not empty. */
  async function withOtherRecord(): Promise<{ plugin: Plugin; Store: new () => Store; other: Store }> {
    const { plugin, Store } = await kv();
    const other = new Store();
    other.put('a', 'b');
    other.iter()[Symbol.dispose]();
    const h = handleOf(other)!;
    expect(h.binding.records().has(h.rep)).toBe(true);
    return { plugin, Store, other };
  }

  it("the no-loan check looks up a rep's absent record once while no record is made, and again after one is", async () => {
    const { plugin, Store, other } = await withOtherRecord();
    const store = new Store();
    const h = handleOf(store)!;
    const third = new Store();
    expect(third.len()).toBe(0); // the slot's first call (it makes the call) before counting
    const get = vi.spyOn(Map.prototype, 'get');
    expect(h.binding.keptRecordOf(h)).toBeUndefined();
    expect(get).toHaveBeenCalledTimes(1); // the binding's map, which has `other`'s record only
    expect(h.binding.keptRecordOf(h)).toBeUndefined();
    expect(store.len()).toBe(0);
    expect(store.len()).toBe(0);
    expect(get).toHaveBeenCalledTimes(1); // remembered: no lookup
    // A record for another rep: the object looks again (and still finds none).
    third.iter()[Symbol.dispose]();
    get.mockClear();
    expect(h.binding.keptRecordOf(h)).toBeUndefined();
    expect(get).toHaveBeenCalledTimes(1);
    expect(store.len()).toBe(0);
    expect(get).toHaveBeenCalledTimes(1);
    get.mockRestore();
    third[Symbol.dispose]();
    store[Symbol.dispose]();
    other[Symbol.dispose]();
    await plugin.unload();
  });

  it('a record made for the rep through another object after the object found none is the one read: its loans and static mark refuse', async () => {
    const { plugin, Store, other } = await withOtherRecord();
    const store = new Store();
    const h = handleOf(store)!;
    const calls = { n: 0 };
    const put = planOf(plugin, '[method]store.put', false, () => ++calls.n);
    expect(put(store)).toBe(1); // finds no record, remembers it
    expect(h.binding.keptRecordOf(h)).toBeUndefined();
    // A view of the same rep lent to JS makes the rep's record, which the store never kept.
    const view = handleOf(h.binding.liftBorrow(h.rep, plugin.instances[0]!))!;
    const made = h.binding.ensureRecord(view);
    expect(h.binding.keptRecordOf(h)).toBe(made);
    made.isStatic = true;
    expect(outcome(() => put(store))).toMatchObject({ threw: 'BorrowError', message: expect.stringMatching(/library-static store mutably/) });
    made.isStatic = false;
    made.loans.push({ borrower: { label: 'a test loan' }, mode: 'shared' });
    expect(outcome(() => put(store))).toMatchObject({ threw: 'BorrowError', message: expect.stringMatching(/a test loan \(shared\)/) });
    expect(calls.n).toBe(1); // the refused calls changed nothing
    made.loans.length = 0;
    expect(put(store)).toBe(2);
    store[Symbol.dispose]();
    other[Symbol.dispose]();
    await plugin.unload();
  });

  it('through the real calls: len() remembers, then an iterator borrows the store and put (&mut self) is refused until it is disposed', async () => {
    const { plugin, Store, other } = await withOtherRecord();
    const store = new Store();
    expect(store.len()).toBe(0);
    expect(store.len()).toBe(0);
    store.put('k', 'v');
    const iter = store.iter();
    expect(outcome(() => store.put('k', 'w'))).toMatchObject({ threw: 'BorrowError', message: expect.stringMatching(/borrowed by iter/) });
    expect(store.len()).toBe(1); // shared use: allowed while the iterator borrows it
    expect(outcome(() => store[Symbol.dispose]())).toMatchObject({ threw: 'BorrowError' });
    iter[Symbol.dispose]();
    expect(store.put('k', 'w')).toBe('v');
    store[Symbol.dispose]();
    expect(outcome(() => store.len())).toMatchObject({ threw: 'HandleError', message: expect.stringMatching(/disposed/) });
    other[Symbol.dispose]();
    await plugin.unload();
  });

  it('after unload, an object that remembered no record is refused as unloaded', async () => {
    const { plugin, Store } = await withOtherRecord();
    const store = new Store();
    expect(store.len()).toBe(0);
    expect(store.len()).toBe(0);
    await plugin.unload();
    expect(outcome(() => store.len())).toMatchObject({ threw: 'UnloadedError' });
    expect(outcome(() => store.put('c', 'd'))).toMatchObject({ threw: 'UnloadedError' });
  });
});
