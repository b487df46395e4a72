/**
 * Issue 10 items 7 and 8 on the receiver route: a method detached from its
 * object and called with another `this` (`store.get.call(other)`), as JS
 * allows. The receiver is a handle like any argument, so the same checks and
 * the same typed errors apply, in-process and in a worker: a handle of
 * another plugin or of another resource type is HandleError
 * foreign-instance (Rust: E0308); a value that is no handle at all (a plain
 * object, or one made with the class's prototype but never returned by the
 * plugin) is a TypeError. Nothing changes, the plugin stays usable.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kv, Statics, Store } from './apis.ts';
import { api, borrowRefused, handleRefused, KV, loadExample, MODES, STATICS, typeRefused, usePlugins } from './support.ts';

describe.each(MODES)('a method called on another `this` (%s)', (mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['kv', 'statics']);
  const kv = (): Kv => api<Kv>(plugins().kv, KV);

  it("E0308: a store of another kv plugin as `this` of this plugin's method is a HandleError foreign-instance; both stores unchanged", async () => {
    const other = await loadExample('kv', mode);
    try {
      const mine = await kv().Store.fromPairs([['a', '1']]);
      const theirs = await api<Kv>(other, KV).Store.fromPairs([['b', '2']]);
      await handleRefused(() => mine.get.call(theirs, 'b'), 'foreign-instance', /store/);
      await handleRefused(() => mine.put.call(theirs, 'x', 'y'), 'foreign-instance', /store/);
      expect(await theirs.len()).toBe(1);
      expect(await mine.len()).toBe(1);
    } finally {
      await other.unload();
    }
  });

  it("E0308: another resource type as `this` (this plugin's iterator, statics' cfg) is a HandleError foreign-instance", async () => {
    const store = await kv().Store.fromPairs([['a', '1']]);
    const iter = await store.iter();
    await handleRefused(() => store.len.call(iter), 'foreign-instance', /store/);
    const cfg = await new (api<Statics>(plugins().statics, STATICS).Cfg)('c', 1);
    await handleRefused(() => store.len.call(cfg), 'foreign-instance', /store/);
    expect(await iter.remaining()).toBe(1);
    expect(await cfg.value()).toBe(1);
  });

  it('a receiver or an argument that is no handle at all ({} or an object made from the class prototype) is a TypeError', async () => {
    const store = await kv().Store.fromPairs([['a', '1']]);
    const forged = Object.create(Object.getPrototypeOf(store) as object) as Store;
    await typeRefused(() => store.len.call({}));
    await typeRefused(() => store.len.call(forged));
    await typeRefused(() => kv().countPrefix(forged, 'a'));
    expect(await store.len()).toBe(1);
  });

  it('E0502: the borrow rules apply on the receiver route too (put.call(store) while an iterator lives)', async () => {
    const store = await kv().Store.fromPairs([['a', '1']]);
    const iter = await store.iter();
    await borrowRefused(() => store.put.call(store, 'b', '2'), /store/);
    expect(await iter.remaining()).toBe(1);
  });
});
