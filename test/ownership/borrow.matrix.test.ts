/**
 * Issue 10, the borrow suite as a matrix: every sequence runs in-process and
 * in a worker (`isolate: 'worker'`) with the same outcome and the same error
 * class and code. A sequence Rust refuses (its error code in the title) must
 * be refused by the host before the plugin runs, change nothing (checked by
 * later calls) and leave the plugin usable; a sequence Rust allows must work.
 *
 * Plugin: kv (a store with a shared iterator, an exclusive guard, an entry
 * view inside an option, a consuming `into_pairs` and `merge(&mut, &mut)`).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kv, Store } from './apis.ts';
import { api, borrowRefused, dispose, expectNotPoisoned, handleRefused, KV, MODES, usePlugins } from './support.ts';

describe.each(MODES)('borrow rules on kv (%s)', (mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['kv']);
  const kv = (): Kv => api<Kv>(plugins().kv, KV);
  async function filledStore(): Promise<Store> {
    const store = await new (kv().Store)();
    await store.put('a', '1');
    await store.put('b', '2');
    return store;
  }

  it('E0502: `&mut self` (put) while a shared iterator lives is refused; nothing changed; allowed once the iterator is dropped', async () => {
    const store = await filledStore();
    const iter = await store.iter();
    await borrowRefused(() => store.put('c', '3'), /store/);
    expect(await store.len()).toBe(2);
    expect(await store.get('c')).toBeUndefined();
    expect(await iter.remaining()).toBe(2);
    expect(await iter.next()).toEqual(['a', '1']);
    expectNotPoisoned(plugins().kv);
    await dispose(iter, mode);
    expect(await store.put('c', '3')).toBeUndefined();
    expect(await store.len()).toBe(3);
  });

  it('allowed: shared uses while a shared iterator lives (get, a second iterator, count_prefix(&Store))', async () => {
    const store = await filledStore();
    const first = await store.iter();
    const second = await store.iter();
    expect(await store.get('a')).toBe('1');
    expect(await kv().countPrefix(store, 'a')).toBe(1);
    expect(await first.next()).toEqual(['a', '1']);
    expect(await second.next()).toEqual(['a', '1']);
  });

  it('E0502: reading the store (as receiver and as an argument) while an exclusive guard lives is refused; the guard still works', async () => {
    const store = await filledStore();
    const guard = await store.lock();
    await borrowRefused(() => store.get('a'), /store/);
    await borrowRefused(() => kv().countPrefix(store, 'a'), /store/);
    await borrowRefused(() => store.iter(), /store/);
    await guard.put('g', 'guarded');
    expect(await guard.get('g')).toBe('guarded');
    expect(await kv().Guard.commit(guard)).toBe(1);
    expect(await store.get('g')).toBe('guarded');
    expect(await store.len()).toBe(3);
  });

  it('E0499: a second exclusive borrow (lock) while the guard lives is refused', async () => {
    const store = await filledStore();
    const guard = await store.lock();
    await borrowRefused(() => store.lock(), /store/);
    await borrowRefused(() => store.put('x', 'y'), /store/);
    expect(await guard.get('a')).toBe('1');
    await dispose(guard, mode);
    expect(await store.put('x', 'y')).toBeUndefined();
  });

  it('E0499: the same store as `&mut self` and `&mut other` (merge(store, store)) is refused; two stores merge', async () => {
    const store = await filledStore();
    await borrowRefused(() => store.merge(store), /store/);
    expectNotPoisoned(plugins().kv);
    expect(await store.len()).toBe(2);
    const other = await kv().Store.fromPairs([['z', '26']]);
    expect(await store.merge(other)).toBe(1);
    expect(await store.len()).toBe(3);
    expect(await other.len()).toBe(0);
  });

  it('E0502: merge(other) where `other` is borrowed by a live iterator is refused (a parameter, not the receiver)', async () => {
    const store = await filledStore();
    const other = await kv().Store.fromPairs([['z', '26']]);
    const iter = await other.iter();
    await borrowRefused(() => store.merge(other), /store/);
    expect(await other.len()).toBe(1);
    expect(await store.len()).toBe(2);
    expect(await iter.next()).toEqual(['z', '26']);
  });

  it('E0505: moving the store (into_pairs(self)) while an entry view borrows it is refused; allowed after', async () => {
    const store = await filledStore();
    const entry = (await store.entry('a'))!;
    await borrowRefused(() => kv().Store.intoPairs(store), /store/);
    expect(await entry.key()).toBe('a');
    expect(await store.len()).toBe(2);
    await dispose(entry, mode);
    expect(await kv().Store.intoPairs(store)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('E0505: dropping the store while an iterator borrows it is refused; the store and the iterator stay usable', async () => {
    const store = await filledStore();
    const iter = await store.iter();
    await borrowRefused(() => dispose(store, mode), /store/);
    expect(await store.get('b')).toBe('2');
    expect(await iter.remaining()).toBe(2);
    await dispose(iter, mode);
    await dispose(store, mode);
  });

  it('E0382: use after move (into_pairs) is a HandleError use-after-move, as receiver and as an argument; the plugin stays usable', async () => {
    const store = await filledStore();
    await kv().Store.intoPairs(store);
    await handleRefused(() => store.get('a'), 'use-after-move', /store/);
    await handleRefused(() => kv().countPrefix(store, 'a'), 'use-after-move', /store/);
    await handleRefused(() => kv().Store.intoPairs(store), 'use-after-move', /store/);
    const fresh = await filledStore();
    expect(await fresh.len()).toBe(2);
  });

  it('E0382: a guard consumed by commit(self) cannot be used again (HandleError use-after-move); the store is free again', async () => {
    const store = await filledStore();
    const guard = await store.lock();
    await kv().Guard.commit(guard);
    await handleRefused(() => guard.put('x', '1'), 'use-after-move', /guard/);
    await handleRefused(() => kv().Guard.commit(guard), 'use-after-move', /guard/);
    expect(await store.put('x', '2')).toBeUndefined();
  });

  it('use after drop: a disposed store is a HandleError use-after-dispose, as receiver and as an argument', async () => {
    const store = await filledStore();
    await dispose(store, mode);
    await handleRefused(() => store.len(), 'use-after-dispose', /store/);
    await handleRefused(() => kv().countPrefix(store, 'a'), 'use-after-dispose', /store/);
    const other = await filledStore();
    await handleRefused(() => other.merge(store), 'use-after-dispose', /store/);
    expect(await other.len()).toBe(2);
  });

  it('calls made before earlier ones returned are checked in the order they were made (worker: several in flight)', async () => {
    const store = await filledStore();
    // Not awaited in between: in a worker all three are in flight at once.
    const iterating = store.iter();
    const writing = Promise.resolve().then(() => store.put('c', '3'));
    const disposing = dispose(store, mode);
    // Marked handled now (they are checked below, after the iterator arrives).
    for (const pending of [writing, disposing]) pending.catch(() => undefined);
    const iter = await iterating;
    await borrowRefused(() => writing, /store/);
    await borrowRefused(() => disposing, /store/);
    expect(await iter.remaining()).toBe(2);
    expect(await store.len()).toBe(2);
  });
});
