/**
 * Issue 10 items 5, 7 and 8: unload and dispose as a matrix (in-process and
 * worker) with the same outcomes, error classes and return types. `unload()`
 * returns a Promise in both modes; a refused dispose leaves the object usable
 * in both modes; handing a list with a bad element to a consuming call moves
 * nothing.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cfg, Kv, Shapes, Statics } from './apis.ts';
import { api, borrowRefused, dispose, handleRefused, KV, loadExample, MODES, refused, SHAPES, STATICS, typeRefused, usePlugins, type Mode } from './support.ts';

describe.each(MODES)('unload (%s)', (mode: Mode) => {
  it('returns a Promise that resolves, also when called again', async () => {
    const plugin = await loadExample('kv', mode);
    const first = plugin.unload();
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toBeUndefined();
    const again = plugin.unload();
    expect(again).toBeInstanceOf(Promise);
    await expect(again).resolves.toBeUndefined();
    expect(plugin.isUnloaded).toBe(true);
  });

  it('revokes functions, classes, methods, dependents and static handles: UnloadedError naming the plugin', async () => {
    const kvPlugin = await loadExample('kv', mode);
    const staticsPlugin = await loadExample('statics', mode);
    const kv = api<Kv>(kvPlugin, KV);
    const s = api<Statics>(staticsPlugin, STATICS);
    const store = await new kv.Store();
    await store.put('a', '1');
    const iter = await store.iter(); // a live dependent does not block unload
    const cfg = await s.config();
    await kvPlugin.unload();
    await staticsPlugin.unload();
    const unloaded = { code: 'UNLOADED', message: /kv/ } as const;
    await refused(() => store.get('a'), unloaded);
    await refused(() => iter.next(), unloaded);
    await refused(() => kv.countPrefix(store, 'a'), unloaded);
    await refused(() => new kv.Store(), unloaded);
    await refused(() => cfg.value(), { code: 'UNLOADED', message: /statics/ });
    await refused(() => s.config(), { code: 'UNLOADED', message: /statics/ });
  });

  it('disposing an object after unload is a no-op in both modes (unload already dropped it)', async () => {
    const plugin = await loadExample('kv', mode);
    const kv = api<Kv>(plugin, KV);
    const store = await new kv.Store();
    await plugin.unload();
    await expect(dispose(store, mode)).resolves.toBeUndefined();
  });
});

describe.each(MODES)('dispose (%s)', (mode: Mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['kv', 'statics']);
  const kv = (): Kv => api<Kv>(plugins().kv, KV);

  it('E0505: a refused dispose (live iterator) is a BorrowError and the object stays usable (not removed on either side)', async () => {
    const store = await new (kv().Store)();
    await store.put('a', '1');
    const iter = await store.iter();
    await borrowRefused(() => dispose(store, mode), /store/);
    expect(await store.get('a')).toBe('1');
    expect(await iter.next()).toEqual(['a', '1']);
    await dispose(iter, mode);
    await dispose(store, mode);
    await handleRefused(() => store.get('a'), 'use-after-dispose', /store/);
  });

  it('E0505: the synchronous [Symbol.dispose] of a borrowed object does not remove it (in-process it throws the BorrowError)', async () => {
    const store = await new (kv().Store)();
    await store.put('a', '1');
    const iter = await store.iter();
    const sync = (): void => (store as unknown as { [Symbol.dispose](): void })[Symbol.dispose]();
    if (mode === 'in-process') await borrowRefused(sync, /store/);
    else sync(); // fire-and-forget by design for `using`; the refusal must still leave the object alive
    expect(await store.get('a')).toBe('1');
    expect(await iter.remaining()).toBe(1);
  });

  it('allowed: a dependent then its parent; afterwards both are HandleError use-after-dispose', async () => {
    const store = await new (kv().Store)();
    const guard = await store.lock();
    await dispose(guard, mode);
    await dispose(store, mode);
    await handleRefused(() => guard.get('a'), 'use-after-dispose', /guard/);
    await handleRefused(() => store.len(), 'use-after-dispose', /store/);
    // The plugin is fine.
    const fresh = await new (kv().Store)();
    expect(await fresh.len()).toBe(0);
  });

  it('allowed: disposing a handle that was moved into the plugin, or disposing twice, is a no-op (the `using` pattern); the plugin keeps what it owns', async () => {
    const s = api<Statics>(plugins().statics, STATICS);
    const c: Cfg = await new s.Cfg('c', 1);
    const back = await s.giveBack(c);
    // `using c = ...; giveBack(c)` disposes c at the end of the scope: it must not touch what the plugin now owns.
    await dispose(c, mode);
    expect(await back.value()).toBe(1);
    await dispose(back, mode);
    await dispose(back, mode);
    await handleRefused(() => back.value(), 'use-after-dispose', /cfg/);
    await handleRefused(() => c.value(), 'use-after-move', /cfg/);
  });
});

describe.each(MODES)('totalArea(Vec<Box<dyn Shape>>) checks the whole list before moving anything (%s)', (mode: Mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['shapes']);
  const shapes = (): Shapes => api<Shapes>(plugins().shapes, SHAPES);

  it('[c, {}] is a TypeError and `c` is still the caller\'s (not moved, not leaked)', async () => {
    const c = await shapes().circle(1);
    await typeRefused(() => shapes().totalArea([c, {}]));
    expect(await c.area()).toBeCloseTo(Math.PI, 12);
    expect(await shapes().totalArea([c])).toBeCloseTo(Math.PI, 12);
    await handleRefused(() => c.area(), 'use-after-move', /shape/);
  });

  it('E0382: [c, c] is a BorrowError (a value used after it was moved by the first element); `c` is still usable', async () => {
    const c = await shapes().circle(1);
    await borrowRefused(() => shapes().totalArea([c, c]), /shape/);
    expect(await shapes().describe(c)).toMatch(/^circle/);
    const r = await shapes().rect(2, 3);
    expect(await shapes().totalArea([c, r])).toBeCloseTo(Math.PI + 6, 12);
  });
});
