import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { readGuest } from '../support/guests.ts';
import { BorrowError, GuestPanicError } from '../../host/errors.ts';
import { expectTrap, expectTypedTrap, instantiatePlugin } from './transpiled.ts';

interface Iter {
  next(): [string, string] | undefined;
  remaining(): number;
  [Symbol.dispose](): void;
}
interface Guard {
  get(key: string): string | undefined;
  put(key: string, value: string): void;
  remove(key: string): string | undefined;
  [Symbol.dispose](): void;
}
interface Store {
  get(key: string): string | undefined;
  put(key: string, value: string): string | undefined;
  len(): number;
  writes(): bigint;
  iter(): Iter;
  lock(): Guard;
  batchIfUnchanged(writes: bigint): Batch;
  entry(key: string): Entry | undefined;
  merge(other: Store): number;
  [Symbol.dispose](): void;
}
interface Batch {
  put(key: string, value: string): void;
  [Symbol.dispose](): void;
}
interface Entry {
  key(): string;
  value(): string;
  valueLen(): number;
  [Symbol.dispose](): void;
}
interface Kv {
  Store: { new (): Store; intoPairs(s: Store): [string, string][]; fromPairs(p: [string, string][]): Store };
  Guard: { commit(g: Guard): number };
  Batch: { apply(b: Batch): number };
  countPrefix(store: Store, prefix: string): number;
  entriesFrom(store: Store, start: string): { nextKey(): string | undefined };
  fail(message: string): number;
}

async function loadKv() {
  const plugin = await instantiatePlugin('kv');
  return { plugin, kv: plugin.exports['kv'] as Kv };
}

describe('kv: the rdylib:abi section', () => {
  const abi = readRdylibAbi(readGuest('kv'));

  it('names the crate, the interface and its version', () => {
    expect(abi).toBeDefined();
    expect(abi!.crate).toEqual({ name: 'kv', version: '0.1.0' });
    expect(abi!.package).toBe('rdylib-guest:kv');
    expect(abi!.interfaceVersion).toBe('0.1.0');
    expect(abi!.world).toBe('plugin');
    expect(abi!.interfaces.map((i) => [i.name, i.direction])).toEqual([['rdylib-guest:kv/kv@0.1.0', 'export']]);
    expect(abi!.interfaces[0]!.resources).toEqual([
      { name: 'store', dependent: false },
      { name: 'iter', dependent: true },
      { name: 'entry', dependent: true },
      { name: 'batch', dependent: true },
      { name: 'entries', dependent: true },
      { name: 'guard', dependent: true },
    ]);
  });

  it('records receivers as the Rust source declares them', () => {
    const fns = new Map(abi!.interfaces[0]!.functions.map((f) => [f.name, f]));
    expect(fns.get('[constructor]store')?.receiver).toBeNull();
    expect(fns.get('[method]store.get')?.receiver).toBe('shared');
    expect(fns.get('[method]store.put')?.receiver).toBe('exclusive');
    expect(fns.get('[static]store.into-pairs')?.receiver).toBe('consume');
    expect(fns.get('[static]store.from-pairs')?.receiver).toBeNull();
    expect(fns.get('[method]iter.next')?.receiver).toBe('exclusive');
    expect(fns.get('[method]guard.get')?.receiver).toBe('shared');
    expect(fns.get('[static]guard.commit')?.receiver).toBe('consume');
    expect(fns.get('count-prefix')?.rust).toBe('count_prefix');
  });

  it('records which parameter each dependent result borrows, and how', () => {
    const fns = new Map(abi!.interfaces[0]!.functions.map((f) => [f.name, f]));
    expect(fns.get('[method]store.iter')?.results).toEqual([
      { path: [], resource: 'iter', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'shared' }] },
    ]);
    expect(fns.get('[method]store.lock')?.results).toEqual([
      { path: [], resource: 'guard', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'exclusive' }] },
    ]);
    expect(fns.get('[static]store.from-pairs')?.results).toEqual([{ path: [], resource: 'store', lifetime: 'owned' }]);
    // A dependent handle inside an option or on the ok side of a result.
    expect(fns.get('[method]store.entry')?.results).toEqual([
      { path: ['some'], resource: 'entry', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'shared' }] },
    ]);
    expect(fns.get('[method]store.batch-if-unchanged')?.results).toEqual([
      { path: ['ok'], resource: 'batch', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'exclusive' }] },
    ]);
    // A free function's result borrowing its first parameter (not `self`).
    expect(fns.get('entries-from')?.results).toEqual([
      { path: [], resource: 'entries', lifetime: 'dependent', borrows: [{ param: 0, name: 'store', mode: 'shared' }] },
    ]);
    expect(fns.get('[method]store.get')?.results).toEqual([]);
  });
});

describe('kv through jco transpile (a host that ignores the section)', () => {
  it('stores, reads and iterates in key order', async () => {
    const { kv } = await loadKv();
    const store = new kv.Store();
    expect(store.put('b', '2')).toBeUndefined();
    expect(store.put('a', '1')).toBeUndefined();
    expect(store.put('a', 'one')).toBe('1');
    expect(store.get('a')).toBe('one');
    expect(store.get('zz')).toBeUndefined();
    expect(store.len()).toBe(2);
    expect(store.writes()).toBe(3n);
    expect(kv.countPrefix(store, 'a')).toBe(1);
    const it = store.iter();
    expect(it.remaining()).toBe(2);
    expect(it.next()).toEqual(['a', 'one']);
    expect(it.next()).toEqual(['b', '2']);
    expect(it.next()).toBeUndefined();
    it[Symbol.dispose]();
    expect(store.put('c', '3')).toBeUndefined();
    expect(kv.Store.intoPairs(store)).toEqual([['a', 'one'], ['b', '2'], ['c', '3']]);
    const again = kv.Store.fromPairs([['x', 'y']]);
    expect(again.get('x')).toBe('y');
  });

  it('writes through an exclusive guard and commits it', async () => {
    const { kv } = await loadKv();
    const store = new kv.Store();
    store.put('a', '1');
    const guard = store.lock();
    guard.put('b', '2');
    expect(guard.remove('a')).toBe('1');
    expect(guard.get('b')).toBe('2');
    expect(kv.Guard.commit(guard)).toBe(2);
    expect(store.get('b')).toBe('2');
    expect(store.get('a')).toBeUndefined();
  });

  it('an iterator outlives its store handle: the store is kept alive, not freed', async () => {
    const { kv } = await loadKv();
    const store = new kv.Store();
    for (let i = 0; i < 50; i++) store.put(`k${String(i).padStart(2, '0')}`, 'v'.repeat(i));
    const it = store.iter();
    store[Symbol.dispose]();
    // Allocate in the plugin after the drop: freed memory would be reused here.
    const other = new kv.Store();
    for (let i = 0; i < 50; i++) other.put(`o${i}`, 'x'.repeat(100));
    const seen: string[] = [];
    for (let e = it.next(); e; e = it.next()) seen.push(`${e[0]}=${e[1].length}`);
    expect(seen).toHaveLength(50);
    expect(seen[0]).toBe('k00=0');
    expect(seen[49]).toBe('k49=49');
  });

  it('an optional dependent handle borrows only when present', async () => {
    const { plugin, kv } = await loadKv();
    const store = kv.Store.fromPairs([['k', 'value']]);
    expect(store.entry('missing')).toBeUndefined();
    // No entry, no borrow: writing is fine.
    store.put('x', '1');
    const entry = store.entry('k')!;
    expect([entry.key(), entry.value(), entry.valueLen()]).toEqual(['k', 'value', 5]);
    expect(expectTrap(plugin, () => store.put('k', 'changed')).message).toContain('shared-borrowed 1 time(s), most recently by `entry`');
  });

  it('a failed batch-if-unchanged leaves the store unlocked; a successful batch holds it until applied', async () => {
    const { kv } = await loadKv();
    const store = kv.Store.fromPairs([['a', '1']]);
    expect(() => store.batchIfUnchanged(0n)).toThrow(expect.objectContaining({ payload: 'store changed: 1 writes, expected 0' }));
    expect(store.put('b', '2')).toBeUndefined();
    const batch = store.batchIfUnchanged(2n);
    batch.put('c', '3');
    batch.put('d', '4');
    expect(kv.Batch.apply(batch)).toBe(2);
    expect(store.get('d')).toBe('4');
  });

  it('reading a store while a batch holds it traps', async () => {
    const { plugin, kv } = await loadKv();
    const store = new kv.Store();
    const batch = store.batchIfUnchanged(0n);
    expect(expectTrap(plugin, () => store.get('c')).message).toContain('exclusively borrowed by `batch`');
    void batch;
  });

  it('a dependent handle can borrow a parameter of a free function', async () => {
    const { plugin, kv } = await loadKv();
    const store = kv.Store.fromPairs([['a', '1'], ['b', '2'], ['c', '3']]);
    const entries = kv.entriesFrom(store, 'b');
    store[Symbol.dispose]();
    expect(entries.nextKey()).toBe('b');
    expect(entries.nextKey()).toBe('c');
    expect(entries.nextKey()).toBeUndefined();
    const other = kv.Store.fromPairs([['x', 'y']]);
    const guard = kv.entriesFrom(other, '');
    expect(expectTrap(plugin, () => other.put('z', 'z')).message).toContain('`store.put` needs exclusive access to `store`');
    void guard;
  });

  it('writing while an iterator borrows the store traps with a clear message', async () => {
    const { plugin, kv } = await loadKv();
    const store = new kv.Store();
    store.put('a', '1');
    const it = store.iter();
    const report = expectTrap(plugin, () => store.put('b', '2'));
    expect(report.message).toMatch(/^rdylib borrow error: `store\.put` needs exclusive access to `store`/);
    expect(report.message).toContain('`iter`');
    void it;
  });

  it('reading while a guard holds the store exclusively traps', async () => {
    const { plugin, kv } = await loadKv();
    const store = new kv.Store();
    const guard = store.lock();
    const report = expectTrap(plugin, () => store.get('a'));
    expect(report.message).toContain('`store.get` needs shared access to `store`');
    expect(report.message).toContain('exclusively borrowed by `guard`');
    void guard;
  });

  it('a guard outlives its store handle and keeps writing to the live store', async () => {
    const { kv } = await loadKv();
    const store = kv.Store.fromPairs([['a', '1']]);
    const guard = store.lock();
    store[Symbol.dispose]();
    guard.put('b', '2');
    expect(guard.get('a')).toBe('1');
    expect(guard.get('b')).toBe('2');
    expect(kv.Guard.commit(guard)).toBe(1);
  });

  it('a second lock while the first guard lives traps; after dropping it, locking works', async () => {
    const { plugin, kv } = await loadKv();
    const store = new kv.Store();
    const first = store.lock();
    first[Symbol.dispose]();
    const second = store.lock();
    second.put('k', 'v');
    second[Symbol.dispose]();
    expect(store.get('k')).toBe('v');
    const third = store.lock();
    expect(expectTrap(plugin, () => store.lock()).message).toContain('`store.lock` needs exclusive access');
    void third;
  });

  it('consuming a store that an iterator borrows traps instead of freeing it', async () => {
    const { plugin, kv } = await loadKv();
    const store = new kv.Store();
    const it = store.iter();
    expect(expectTrap(plugin, () => kv.Store.intoPairs(store)).message).toContain('`store.into-pairs` needs exclusive access');
    void it;
  });

  it('merge borrows both stores exclusively: entries move, and aliasing or a live borrow of either traps', async () => {
    const { plugin, kv } = await loadKv();
    const into = kv.Store.fromPairs([['a', '1'], ['b', '2']]);
    const from = kv.Store.fromPairs([['b', 'two'], ['c', '3']]);
    expect(into.merge(from)).toBe(2);
    expect(kv.Store.intoPairs(into)).toEqual([['a', '1'], ['b', 'two'], ['c', '3']]);
    expect(from.len()).toBe(0);
    expect(from.writes()).toBe(3n); // two puts, then emptied by the merge
    // The same store as both `&mut self` and `other: &mut Store`: Rust forbids it, so does the plugin.
    const store = kv.Store.fromPairs([['k', 'v']]);
    expect(expectTrap(plugin, () => store.merge(store)).message).toMatch(
      /^rdylib borrow error: `store\.merge` needs exclusive access to `store`, but it is exclusively borrowed/,
    );
    // A store an iterator still borrows (shared) cannot be drained.
    const again = await loadKv();
    const target = new again.kv.Store();
    const source = again.kv.Store.fromPairs([['x', 'y']]);
    const it = source.iter();
    expect(expectTrap(again.plugin, () => target.merge(source)).message).toContain(
      '`store.merge` needs exclusive access to `store`, but it is shared-borrowed 1 time(s), most recently by `iter`',
    );
    void it;
  });

  it('a panic reaches the host with its message and location', async () => {
    const { plugin, kv } = await loadKv();
    const report = expectTrap(plugin, () => kv.fail('disk full'));
    expect(report.message).toBe('kv failed: disk full');
    expect(report.file).toMatch(/examples\/kv\/src\/lib\.rs$/);
    expect(report.line).toBeGreaterThan(0);
  });

  it('reports become typed errors: a panic a GuestPanicError, a borrow violation a BorrowError', async () => {
    const first = await loadKv();
    const panic = expectTypedTrap(first.plugin, () => first.kv.fail('quota'));
    expect(panic).toBeInstanceOf(GuestPanicError);
    expect(panic.message).toMatch(/^the plugin panicked at .*examples\/kv\/src\/lib\.rs:\d+:\d+: kv failed: quota$/);
    expect(panic.cause).toBeInstanceOf(WebAssembly.RuntimeError);
    const second = await loadKv();
    const store = new second.kv.Store();
    const guard = store.lock();
    const borrow = expectTypedTrap(second.plugin, () => store.put('a', 'b'));
    expect(borrow).toBeInstanceOf(BorrowError);
    expect(borrow.code).toBe('BORROW');
    expect(borrow.message).toMatch(/^`store\.put` needs exclusive access to `store`, but it is exclusively borrowed by `guard`/);
    void guard;
  });
});

