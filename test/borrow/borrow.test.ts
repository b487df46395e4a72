/**
 * Rust's borrow rules on live handles, enforced by the host from the
 * rdylib:abi section before a call enters the plugin (host/rdylib/call-plan.ts).
 * A refusal is a BorrowError thrown by the host: the plugin did not run, so
 * it is not poisoned and every handle is as it was.
 */
import { describe, expect, it } from 'vitest';
import { BorrowError, ResultError } from '../../host/errors.ts';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';

interface Iter { next(): [string, string] | undefined; remaining(): number; [Symbol.dispose](): void }
interface Guard { get(k: string): string | undefined; put(k: string, v: string): void; [Symbol.dispose](): void }
interface Batch { put(k: string, v: string): void; [Symbol.dispose](): void }
interface Entry { key(): string; value(): string; [Symbol.dispose](): void }
interface Entries { nextKey(): string | undefined; [Symbol.dispose](): void }
interface Store {
  get(k: string): string | undefined;
  put(k: string, v: string): string | undefined;
  len(): number;
  writes(): bigint;
  iter(): Iter;
  lock(): Guard;
  batchIfUnchanged(writes: bigint): Batch;
  entry(k: string): Entry | undefined;
  merge(other: Store): void;
  [Symbol.dispose](): void;
}
interface Kv {
  Store: { new (): Store; intoPairs(s: Store): [string, string][] };
  Guard: { commit(g: Guard): number };
  Batch: { apply(b: Batch): number };
  countPrefix(store: Store, prefix: string): number;
  entriesFrom(store: Store, start: string): Entries;
}

async function loadKv(): Promise<{ plugin: Plugin; kv: Kv; store: Store }> {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  expect(plugin.lifetimes).toBe('checked');
  const api = plugin.exports['rdylib-guest:kv/kv@0.1.0'] as Kv;
  const store = new api.Store();
  store.put('a', '1');
  store.put('b', '2');
  return { plugin, kv: api, store };
}

/** The BorrowError `f` throws (failing the test if it throws anything else). */
function borrowError(f: () => unknown): BorrowError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BorrowError);
    return e as BorrowError;
  }
  throw new Error('expected a BorrowError, but the call succeeded');
}

describe('shared borrows (&self -> Iter<\'a>)', () => {
  it('refuse &mut self calls and drops of the parent while the iterator lives, naming it', async () => {
    const { store } = await loadKv();
    const it = store.iter();
    expect(borrowError(() => store.put('c', '3')).message).toBe(
      'cannot borrow mutably store #1 (self of `[method]store.put`): it is borrowed by iter #2 (shared); drop it first',
    );
    expect(borrowError(() => store[Symbol.dispose]()).message).toBe('cannot drop store #1: it is still borrowed by iter #2 (shared); drop it first');
    // Shared access is fine, and the refused calls changed nothing.
    expect(store.get('a')).toBe('1');
    expect(store.len()).toBe(2);
    expect(it.remaining()).toBe(2);
    expect(it.next()).toEqual(['a', '1']);
    it[Symbol.dispose]();
    expect(store.put('c', '3')).toBeUndefined();
    expect(store.len()).toBe(3);
  });

  it('two shared dependents: both must go before a &mut call', async () => {
    const { store } = await loadKv();
    const a = store.iter();
    const b = store.entry('a')!;
    expect(borrowError(() => store.put('x', 'y')).message).toMatch(/borrowed by iter #2 \(shared\), entry #3 \(shared\); drop them first/);
    a[Symbol.dispose]();
    expect(() => store.put('x', 'y')).toThrow(/entry #3/);
    b[Symbol.dispose]();
    store.put('x', 'y');
    expect(store.get('x')).toBe('y');
  });

  it('a dependent inside an option is tracked (entry -> Option<Entry<\'a>>), an absent one borrows nothing', async () => {
    const { kv, store } = await loadKv();
    expect(store.entry('missing')).toBeUndefined();
    store.put('c', '3');
    const e = store.entry('c')!;
    expect(borrowError(() => kv.Store.intoPairs(store)).message).toMatch(/^cannot move store #1 \(self of `\[static\]store\.into-pairs`\): it is borrowed by entry #\d+ \(shared\)/);
    e[Symbol.dispose]();
    expect(kv.Store.intoPairs(store)).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
  });

  it('a free function\'s result can borrow a parameter (entries_from(&\'a Store) -> Entries<\'a>)', async () => {
    const { kv, store } = await loadKv();
    const entries = kv.entriesFrom(store, 'a');
    expect(borrowError(() => store.put('z', '0')).message).toMatch(/borrowed by entries #2 \(shared\)/);
    expect(kv.countPrefix(store, 'a')).toBe(1);
    expect(entries.nextKey()).toBe('a');
    entries[Symbol.dispose]();
    store.put('z', '0');
  });
});

describe('exclusive borrows (&mut self -> Guard<\'a>)', () => {
  it('refuse every use of the parent, as receiver or as an argument, until the guard is consumed', async () => {
    const { kv, store } = await loadKv();
    const guard = store.lock();
    expect(borrowError(() => store.get('a')).message).toBe(
      'cannot borrow store #1 (self of `[method]store.get`): it is borrowed by guard #2 (exclusive); drop it first',
    );
    expect(borrowError(() => kv.countPrefix(store, 'a')).message).toMatch(/^cannot borrow store #1 \(`store` of `count-prefix`\)/);
    expect(borrowError(() => store.iter()).message).toMatch(/guard #2 \(exclusive\)/);
    guard.put('a', 'guarded');
    expect(kv.Guard.commit(guard)).toBeGreaterThanOrEqual(0);
    // Consumed: the loan ended with the move.
    expect(store.get('a')).toBe('guarded');
  });

  it('a dependent on the ok side of a result is tracked; an err result borrows nothing', async () => {
    const { kv, store } = await loadKv();
    expect(() => store.batchIfUnchanged(999n)).toThrow(ResultError);
    store.put('q', '1'); // no loan was recorded by the failed call
    const batch = store.batchIfUnchanged(store.writes());
    expect(borrowError(() => store.len()).message).toMatch(/borrowed by batch #\d+ \(exclusive\)/);
    batch.put('k', 'v');
    kv.Batch.apply(batch);
    expect(store.get('k')).toBe('v');
  });

  it('the same handle passed twice where one use is exclusive is refused (no &mut aliasing)', async () => {
    const { store, plugin } = await loadKv();
    expect(borrowError(() => store.merge(store)).message).toMatch(/cannot pass the same store as self \(exclusive\) and as `other` \(exclusive\)/);
    // Refused by the host: the plugin never ran, so it is not poisoned.
    expect(plugin.instances.every((i) => i.poisoned === undefined)).toBe(true);
    expect(store.len()).toBe(2);
  });

  it('disposing the dependent ends the borrow; disposing in the wrong order is refused and changes nothing', async () => {
    const { store, plugin } = await loadKv();
    const guard = store.lock();
    expect(() => store[Symbol.dispose]()).toThrow(BorrowError);
    expect(guard.get('a')).toBe('1');
    guard[Symbol.dispose]();
    store[Symbol.dispose]();
    expect(plugin.liveHandles).toBe(0);
  });
});

describe("library-static handles ('static)", () => {
  interface Unit { symbol(): string; rescale(f: number): void; [Symbol.dispose](): void }
  interface UnitRegistry { len(): number; find(s: string): Unit | undefined; all(): Unit[] }
  async function registry(): Promise<{ plugin: Plugin; api: { registry(): UnitRegistry } }> {
    const plugin = await load(guestPath('registry'), { name: 'registry' });
    return { plugin, api: plugin.exports['rdylib-guest:registry/registry@0.1.0'] as { registry(): UnitRegistry } };
  }

  it('allow shared access only: &mut self on static data is refused by the host, before the plugin runs', async () => {
    const { plugin, api } = await registry();
    const ft = api.registry().find('ft')!;
    expect(borrowError(() => ft.rescale(2)).message).toBe(
      "`[method]unit.rescale`: cannot borrow a library-static unit mutably (self): 'static handles allow only shared access",
    );
    expect(plugin.instances.every((i) => i.poisoned === undefined)).toBe(true);
    expect(ft.symbol()).toBe('ft');
    // Static handles in a list, too.
    const all = api.registry().all();
    expect(all.length).toBe(5);
    expect(() => all[0]!.rescale(2)).toThrow(BorrowError);
  });
});

describe('a wrong argument count through a call plan', () => {
  it('is refused with a TypeError for methods of every arity and for functions, and changes nothing', async () => {
    const { plugin, kv, store } = await loadKv();
    const it = store.iter();
    const call = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return 'ok';
    };
    const refusals = [
      call(() => (it.next as (...a: unknown[]) => unknown).call(it, 1)),
      call(() => (store.len as (...a: unknown[]) => unknown).call(store, 1)),
      call(() => (store.get as (...a: unknown[]) => unknown).call(store)),
      call(() => (store.get as (...a: unknown[]) => unknown).call(store, 'a', 'b')),
      call(() => (kv.countPrefix as (...a: unknown[]) => unknown)(store)),
      call(() => (kv.countPrefix as (...a: unknown[]) => unknown)(store, 'a', 'b')),
    ];
    for (const r of refusals) expect(r).toMatch(/^TypeError: expected \d argument\(s\), got \d$/);
    expect(it.next()).toEqual(['a', '1']);
    expect(store.get('b')).toBe('2');
    expect(kv.countPrefix(store, '')).toBe(2);
    it[Symbol.dispose]();
    store.put('c', '3');
    expect(store.len()).toBe(3);
    await plugin.unload();
  });
});
