/**
 * The red-team table of issue 10: for each rule of docs/abi.md §5–§7, every
 * route by which a handle can reach a call, tried. One `it` per cell, titled
 * `rule × route`, with the Rust error a refusal corresponds to.
 *
 * Routes: JS (a direct call), host callback (a call made from a host
 * function while the plugin is running), linked plugin (a call through
 * another plugin that imports the owner's interface), inside a
 * list/record/tuple (a handle nested in an argument), after reload (the new
 * generation; and old handles reaching it), worker (`isolate: 'worker'`).
 *
 * Cells that cannot be reached are listed at the end of this comment, with
 * the reason, rather than written as tests that could not fail:
 * - `&mut`/`&`/`&'static` borrows nested in a list, record or tuple: the SDK
 *   refuses references nested in types (docs/abi.md §1.1), and a borrowed
 *   handle is always a whole parameter (§3.3), so rules R1, R2, R7 have no
 *   nested route. R4 (drop) takes no arguments.
 * - R1 (shared use while exclusively borrowed) via a host callback: no
 *   example call holds an exclusive borrow while calling back
 *   (caller-implemented trait methods take no handles, §1.3).
 * - R6/R7 (static handles) via a host callback: no plugin with static data
 *   calls back. Via a linked plugin, `&'static` exists only for the module's
 *   own resources, which an SDK plugin cannot import (only traits, §1.3): the
 *   R1 and R6 linked cells use the hand-written importers of relay.ts; R7
 *   would need one that calls a `&'static` parameter with strings (not written).
 * - Lent handles revoked when the call returns (§7.1): caller-implemented
 *   trait methods take no handles (§1.3), so no SDK plugin lends one to JS.
 * - Any rule via linked plugin or host callback in a worker: linking is not
 *   offered for isolated plugins and their host functions run inside the
 *   worker (importsModule), out of the test's reach; reload is not offered
 *   for isolated plugins either. So R10 (re-entry) and R11 (host objects,
 *   which cannot cross into a worker) have no worker cell.
 * - R4 (drop) via a linked plugin: a plugin can only drop what it owns,
 *   which nobody else can be borrowing.
 *
 * The rules: R1–R5 §5/§7.1 borrow rules; R6–R7 library-static handles
 * (§1.2, §7.1); R8 use after move or drop; R9 a handle of another instance,
 * type or generation (§7.3); R10 re-entry and refusal before entry (§7.2,
 * spec may_enter); R11 host objects owned by plugins (§7.2).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { load, type Plugin, type IsolatedPlugin } from '../../host/index.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import type { Shapes as SyncShapes } from '../support/example-apis.ts';
import type { Cfg, Keeper, Kv, Mutator, Shapes, Statics, Store } from './apis.ts';
import { PEEKER, peekerComponent, RELAY, relayComponent } from './relay.ts';
import { CANVAS, duringRender, linkedShapes } from './shapes-fixture.ts';
import { borrowRefused, dispose, expectNotPoisoned, handleRefused, KEEPER, KV, loadExample, MUTATOR, refused, SHAPES, STATICS, usePlugins } from './support.ts';

const kvOf = (p: Plugin | IsolatedPlugin): Kv => p.exports[KV] as Kv;
const staticsOf = (p: Plugin | IsolatedPlugin): Statics => p.exports[STATICS] as Statics;

async function inProcess(name: 'kv' | 'statics'): Promise<Plugin> {
  return load(guestPath(name), { name });
}

async function storeWith(kv: Kv, pairs: [string, string][] = [['a', '1']]): Promise<Store> {
  return kv.Store.fromPairs(pairs);
}


/** kv reloaded once: the old generation's store, and the new generation's API. */
async function reloadedKv(): Promise<{ plugin: Plugin; old: Store; kv: Kv }> {
  const plugin = await inProcess('kv');
  const old = await storeWith(kvOf(plugin));
  await plugin.reload(readGuest('kv'));
  return { plugin, old, kv: kvOf(plugin) };
}

describe('red-team table: rule × route', () => {
  // One worker per plugin for the whole table (fresh ones after a failed worker cell): the worker cells create fresh objects.
  const workers = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, 'worker', ['kv', 'statics', 'shapes']);
  const workerKv = () => workers().kv;
  const workerStatics = () => workers().statics;
  const workerShapes = () => workers().shapes;

  describe('R1 shared use refused while exclusively borrowed (E0502)', () => {
    it('R1 × JS: store.get while store.lock() lives', async () => {
      const plugin = await inProcess('kv');
      const store = await storeWith(kvOf(plugin));
      const guard = await store.lock();
      await borrowRefused(() => store.get('a'), /store/);
      expect(await guard.get('a')).toBe('1');
      expectNotPoisoned(plugin);
    });
    it('R1 × linked plugin: peeker.peek(&store) (a hand-written importer of kv) while store.lock() lives', async () => {
      const kvPlugin = await inProcess('kv');
      const peekerPlugin = await load(await peekerComponent(), { name: 'peeker', link: [kvPlugin] });
      const store = await storeWith(kvOf(kvPlugin));
      const guard = await store.lock();
      await borrowRefused(() => (peekerPlugin.exports[PEEKER] as { peek(s: Store): number }).peek(store), /store/);
      expectNotPoisoned(kvPlugin);
      expectNotPoisoned(peekerPlugin);
      expect(await guard.get('a')).toBe('1');
    });
    it('R1 × after reload: the new generation keeps the rule', async () => {
      const { kv, plugin } = await reloadedKv();
      const store = await storeWith(kv);
      await store.lock();
      await borrowRefused(() => kv.countPrefix(store, 'a'), /store/);
      expectNotPoisoned(plugin);
    });
    it('R1 × worker: store.get while store.lock() lives', async () => {
      const store = await storeWith(kvOf(workerKv()));
      const guard = await store.lock();
      await borrowRefused(() => store.get('a'), /store/);
      expect(await guard.get('a')).toBe('1');
      await dispose(guard, 'worker');
      expect(await store.get('a')).toBe('1');
    });
  });

  describe('R2 exclusive use refused while borrowed (E0502)', () => {
    it('R2 × JS: store.put while store.iter() lives', async () => {
      const store = await storeWith(kvOf(await inProcess('kv')));
      const iter = await store.iter();
      await borrowRefused(() => store.put('b', '2'), /store/);
      expect(await iter.remaining()).toBe(1);
    });
    it('R2 × host callback: c.scale(2) while render(c) borrows c', async () => {
      const { shapes, shapesPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      await borrowRefused(duringRender(shapes, c, () => c.scale(2)), /shape/);
      expectNotPoisoned(shapesPlugin);
      expect(c.area()).toBeCloseTo(Math.PI, 12);
    });
    it('R2 × linked plugin: mutator.grow(&mut c) while render(c) borrows c', async () => {
      const { shapes, mutator, shapesPlugin, mutatorPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      await borrowRefused(duringRender(shapes, c, () => mutator.grow(c, 2)), /shape/);
      expectNotPoisoned(shapesPlugin);
      expectNotPoisoned(mutatorPlugin);
      expect(c.area()).toBeCloseTo(Math.PI, 12);
    });
    it('R2 × after reload: put while an iterator of the new generation lives', async () => {
      const { kv } = await reloadedKv();
      const store = await storeWith(kv);
      await store.iter();
      await borrowRefused(() => store.put('b', '2'), /store/);
      expect(await store.len()).toBe(1);
    });
    it('R2 × worker: put while an iterator lives', async () => {
      const store = await storeWith(kvOf(workerKv()));
      const iter = await store.iter();
      await borrowRefused(() => store.put('b', '2'), /store/);
      expect(await iter.remaining()).toBe(1);
    });
  });

  describe('R3 consume refused while borrowed (E0505)', () => {
    it('R3 × JS: Store.intoPairs(store) while an entry view lives', async () => {
      const kv = kvOf(await inProcess('kv'));
      const store = await storeWith(kv);
      const entry = await store.entry('a');
      await borrowRefused(() => kv.Store.intoPairs(store), /store/);
      expect(await entry!.key()).toBe('a');
    });
    it('R3 × host callback: totalArea([c]) while render(c) borrows c', async () => {
      const { shapes } = await linkedShapes();
      const c = shapes.circle(1);
      await borrowRefused(duringRender(shapes, c, () => shapes.totalArea([c])), /shape/);
      expect(c.area()).toBeCloseTo(Math.PI, 12);
    });
    it('R3 × linked plugin: mutator.take(c) while render(c) borrows c', async () => {
      const { shapes, mutator } = await linkedShapes();
      const c = shapes.circle(1);
      await borrowRefused(duringRender(shapes, c, () => mutator.take(c)), /shape/);
      expect(c.area()).toBeCloseTo(Math.PI, 12);
    });
    it('R3 × inside list/tuple/record: a borrowed Cfg nested in takeAll / takePair / takeRecord', async () => {
      const s = staticsOf(await inProcess('statics'));
      const a = await new s.Cfg('a', 1);
      const b = await new s.Cfg('b', 2);
      await b.view();
      await borrowRefused(() => s.takeAll([a, b]), /cfg/);
      await borrowRefused(() => s.takePair([a, b]), /cfg/);
      await borrowRefused(() => s.takeRecord({ first: a, second: b }), /cfg/);
      expect(await a.value()).toBe(1);
    });
    it('R3 × after reload: intoPairs while an iterator of the new generation lives', async () => {
      const { kv } = await reloadedKv();
      const store = await storeWith(kv);
      await store.iter();
      await borrowRefused(() => kv.Store.intoPairs(store), /store/);
    });
    it('R3 × worker: a borrowed Cfg inside a record passed by value', async () => {
      const s = staticsOf(workerStatics());
      const a = await new s.Cfg('a', 1);
      const b = await new s.Cfg('b', 2);
      const view = await b.view();
      await borrowRefused(() => s.takeRecord({ first: a, second: b }), /cfg/);
      expect(await a.value()).toBe(1);
      expect(await view.value()).toBe(2);
    });
  });

  describe('R4 drop refused while borrowed (E0505)', () => {
    it('R4 × JS: dispose(store) while an iterator lives', async () => {
      const store = await storeWith(kvOf(await inProcess('kv')));
      await store.iter();
      await borrowRefused(() => dispose(store, 'in-process'), /store/);
      expect(await store.len()).toBe(1);
    });
    it('R4 × host callback: dispose(c) while render(c) borrows c', async () => {
      const { shapes, shapesPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      const live = shapesPlugin.liveHandles;
      await borrowRefused(duringRender(shapes, c, () => c[Symbol.dispose]()), /shape/);
      expect(shapesPlugin.liveHandles).toBe(live);
      expect(c.area()).toBeCloseTo(Math.PI, 12);
    });
    it('R4 × after reload: dispose while a guard of the new generation lives', async () => {
      const { kv } = await reloadedKv();
      const store = await storeWith(kv);
      await store.lock();
      await borrowRefused(() => dispose(store, 'in-process'), /store/);
    });
    it('R4 × worker: asyncDispose while an iterator lives, and the object is still there', async () => {
      const store = await storeWith(kvOf(workerKv()));
      const iter = await store.iter();
      await borrowRefused(() => dispose(store, 'worker'), /store/);
      expect(await store.get('a')).toBe('1');
      await dispose(iter, 'worker');
      await dispose(store, 'worker');
    });
  });

  describe('R5 one handle twice where one use is exclusive or by value (E0499 / E0502 / E0382)', () => {
    it('R5 × JS: store.merge(store) (E0499), copyInto(a, a) (E0502)', async () => {
      const store = await storeWith(kvOf(await inProcess('kv')));
      await borrowRefused(() => store.merge(store), /store/);
      const s = staticsOf(await inProcess('statics'));
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => s.copyInto(a, a), /cfg/);
      expect(await store.len()).toBe(1);
    });
    it('R5 × host callback: growBy(d, d) through the linked plugin from inside render(c)', async () => {
      const { shapes, mutator } = await linkedShapes();
      const c = shapes.circle(1);
      const d = shapes.rect(1, 1);
      await borrowRefused(duringRender(shapes, c, () => mutator.growBy(d, d)), /shape/);
      expect(d.area()).toBe(1);
    });
    it('R5 × linked plugin: mutator.growBy(c, c) (E0502)', async () => {
      const { shapes, mutator, shapesPlugin, mutatorPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      await borrowRefused(() => mutator.growBy(c, c), /shape/);
      expectNotPoisoned(shapesPlugin);
      expectNotPoisoned(mutatorPlugin);
    });
    it('R5 × inside list/tuple/record: [a, a], (a, a), {first: a, second: a} by value (E0382)', async () => {
      const s = staticsOf(await inProcess('statics'));
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => s.takeAll([a, a]), /cfg/);
      await borrowRefused(() => s.takePair([a, a]), /cfg/);
      await borrowRefused(() => s.takeRecord({ first: a, second: a }), /cfg/);
      expect(await a.value()).toBe(1);
    });
    it('R5 × after reload: merge(store, store) in the new generation', async () => {
      const { kv } = await reloadedKv();
      const store = await storeWith(kv);
      await borrowRefused(() => store.merge(store), /store/);
    });
    it('R5 × worker: totalArea([c, c]) (E0382) and swap(a, a) (E0499)', async () => {
      const shapes = workerShapes().exports[SHAPES] as Shapes;
      const c = await shapes.circle(1);
      await borrowRefused(() => shapes.totalArea([c, c]), /shape/);
      expect(await c.area()).toBeCloseTo(Math.PI, 12);
      const s = staticsOf(workerStatics());
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => s.swap(a, a), /cfg/);
    });
  });

  describe("R6 a library-static handle allows only shared access (E0596 &mut, E0507 move)", () => {
    it('R6 × JS: set(&mut self) and intoValue(self) on config()', async () => {
      const s = staticsOf(await inProcess('statics'));
      const c = await s.config();
      await borrowRefused(() => c.set(1), /cfg/);
      await borrowRefused(() => s.Cfg.intoValue(c), /cfg/);
      expect(await c.value()).toBe(3);
    });
    it('R6 × inside list/tuple/record: a static Cfg nested in takeAll / takePair / takeRecord', async () => {
      const s = staticsOf(await inProcess('statics'));
      const c = await s.config();
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => s.takeAll([a, c]), /cfg/);
      await borrowRefused(() => s.takePair([c, a]), /cfg/);
      await borrowRefused(() => s.takeRecord({ first: a, second: c }), /cfg/);
      expect(await a.value()).toBe(1);
    });
    it('R6 × linked plugin: relay.setVia(&mut) and relay.bounce(by value) of config(), and intoValue of a static handed back by relay.fetchConfig() (a hand-written importer of statics)', async () => {
      const staticsPlugin = await inProcess('statics');
      const relayPlugin = await load(await relayComponent(), { name: 'relay', link: [staticsPlugin] });
      const relay = relayPlugin.exports[RELAY] as { setVia(c: Cfg, v: number): void; bounce(c: Cfg): Cfg; fetchConfig(): Cfg };
      const c = await staticsOf(staticsPlugin).config();
      await borrowRefused(() => relay.setVia(c, 1), /cfg/);
      await borrowRefused(() => relay.bounce(c), /cfg/);
      // And back: a static handle handed on by the linked plugin is still static.
      await borrowRefused(() => staticsOf(staticsPlugin).Cfg.intoValue(relay.fetchConfig()), /cfg/);
      expectNotPoisoned(staticsPlugin);
      expectNotPoisoned(relayPlugin);
      expect(await c.value()).toBe(3);
    });
    it('R6 × after reload: a static handle of the new generation is still static', async () => {
      const plugin = await inProcess('statics');
      await plugin.reload(readGuest('statics'));
      const s = staticsOf(plugin);
      const c = await s.config();
      await borrowRefused(() => s.take(c), /cfg/);
      expectNotPoisoned(plugin);
    });
    it('R6 × worker: take(config()) and set on a static from configs()', async () => {
      const s = staticsOf(workerStatics());
      const c = await s.config();
      await borrowRefused(() => s.take(c), /cfg/);
      const [first] = await s.configs();
      await borrowRefused(() => first!.set(0), /cfg/);
      expect(await c.value()).toBe(3);
    });
  });

  describe("R7 a `&'static` parameter accepts only a library-static handle (E0597)", () => {
    it('R7 × JS: readStatic(owned)', async () => {
      const s = staticsOf(await inProcess('statics'));
      const a: Cfg = await new s.Cfg('a', 1);
      await borrowRefused(() => s.readStatic(a), /cfg/);
      expect(await s.readStatic(await s.config())).toBe('depth');
    });
    it('R7 × after reload: describe(&\'static self) on an owned Cfg of the new generation', async () => {
      const plugin = await inProcess('statics');
      await plugin.reload(readGuest('statics'));
      const s = staticsOf(plugin);
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => a.describe(), /cfg/);
    });
    it('R7 × worker: readStatic(owned)', async () => {
      const s = staticsOf(workerStatics());
      const a = await new s.Cfg('a', 1);
      await borrowRefused(() => s.readStatic(a), /cfg/);
      expect(await a.value()).toBe(1);
    });
  });

  describe('R8 use after move or drop is a typed HandleError (E0382)', () => {
    it('R8 × JS: a store after intoPairs; a store after dispose', async () => {
      const kv = kvOf(await inProcess('kv'));
      const moved = await storeWith(kv);
      await kv.Store.intoPairs(moved);
      await handleRefused(() => moved.len(), 'use-after-move', /store/);
      const dropped = await storeWith(kv);
      await dispose(dropped, 'in-process');
      await handleRefused(() => dropped.len(), 'use-after-dispose', /store/);
    });
    it('R8 × linked plugin: a shape moved into mutator, passed again', async () => {
      const { shapes, mutator } = await linkedShapes();
      const c = shapes.circle(1);
      mutator.take(c);
      await handleRefused(() => mutator.peek(c), 'use-after-move', /shape/);
    });
    it('R8 × host callback: a shape moved into mutator earlier, passed again from inside render(c)', async () => {
      const { shapes, mutator, shapesPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      const moved = shapes.rect(1, 1);
      mutator.take(moved);
      await handleRefused(duringRender(shapes, c, () => mutator.peek(moved)), 'use-after-move', /shape/);
      expectNotPoisoned(shapesPlugin);
    });
    it('R8 × after reload: a store moved in the new generation, used again', async () => {
      const { kv } = await reloadedKv();
      const store = await storeWith(kv);
      await kv.Store.intoPairs(store);
      await handleRefused(() => store.len(), 'use-after-move', /store/);
    });
    it('R8 × inside list: a moved Cfg nested in takeAll, next to a live one that is not moved', async () => {
      const s = staticsOf(await inProcess('statics'));
      const gone = await new s.Cfg('gone', 1);
      await s.take(gone);
      const a = await new s.Cfg('a', 2);
      await handleRefused(() => s.takeAll([a, gone]), 'use-after-move', /cfg/);
      expect(await a.value()).toBe(2);
    });
    it('R8 × worker: a store after intoPairs', async () => {
      const kv = kvOf(workerKv());
      const moved = await storeWith(kv);
      await kv.Store.intoPairs(moved);
      await handleRefused(() => moved.len(), 'use-after-move', /store/);
      await handleRefused(() => kv.countPrefix(moved, 'a'), 'use-after-move', /store/);
    });
  });

  describe('R9 a handle of another instance or type is a HandleError foreign-instance (Rust: E0308)', () => {
    it('R9 × JS: a store of another kv plugin; a Cfg, and an iterator of the same plugin, where a store is expected', async () => {
      const kvA = kvOf(await inProcess('kv'));
      const kvB = kvOf(await inProcess('kv'));
      const a = await storeWith(kvA);
      const b = await storeWith(kvB);
      await handleRefused(() => kvA.countPrefix(b, 'a'), 'foreign-instance', /store/);
      await handleRefused(() => a.merge(b), 'foreign-instance', /store/);
      const s = staticsOf(await inProcess('statics'));
      const cfg = (await new s.Cfg('x', 1)) as unknown as Store;
      await handleRefused(() => kvA.countPrefix(cfg, 'a'), 'foreign-instance', /store/);
      // Another resource type of the same plugin (an iterator where a store is expected).
      const iter = (await a.iter()) as unknown as Store;
      await handleRefused(() => kvA.countPrefix(iter, 'a'), 'foreign-instance', /store/);
      expect(await a.len()).toBe(1);
      expect(await b.len()).toBe(1);
    });
    it('R9 × linked plugin: a shape of an unlinked shapes plugin passed to mutator', async () => {
      const { mutator } = await linkedShapes();
      const other = await load(guestPath('shapes'), { name: 'other-shapes', imports: CANVAS });
      const stranger = (other.exports[SHAPES] as SyncShapes).circle(1);
      await handleRefused(() => mutator.peek(stranger), 'foreign-instance', /shape/);
    });
    it('R9 × inside list: a foreign Cfg nested in takeAll; the local one is not moved', async () => {
      const s = staticsOf(await inProcess('statics'));
      const t = staticsOf(await inProcess('statics'));
      const a = await new s.Cfg('a', 1);
      const stranger = await new t.Cfg('b', 2);
      await handleRefused(() => s.takeAll([a, stranger]), 'foreign-instance', /cfg/);
      expect(await a.value()).toBe(1);
      expect(await stranger.value()).toBe(2);
    });
    it('R9 × after reload: a store from before reload passed to the new generation is stale-generation', async () => {
      const { kv, old, plugin } = await reloadedKv();
      await handleRefused(() => kv.countPrefix(old, 'a'), 'stale-generation', /store/);
      const fresh = await storeWith(kv, [['n', '1']]);
      await handleRefused(() => fresh.merge(old), 'stale-generation', /store/);
      await refused(() => old.len(), { code: 'UNLOADED' });
      expect(await fresh.len()).toBe(1);
      expectNotPoisoned(plugin);
    });
    it('R9 × after reload, inside a list: an old-generation Cfg next to a new one is stale-generation, and the new one is not moved', async () => {
      const plugin = await inProcess('statics');
      const oldOwned = await new (staticsOf(plugin).Cfg)('old', 1);
      const oldStatic = await staticsOf(plugin).config();
      await plugin.reload(readGuest('statics'));
      const s = staticsOf(plugin);
      const fresh = await new s.Cfg('fresh', 2);
      await handleRefused(() => s.takeAll([fresh, oldOwned]), 'stale-generation', /cfg/);
      await handleRefused(() => s.readStatic(oldStatic), 'stale-generation', /cfg/);
      expect(await fresh.value()).toBe(2);
      expectNotPoisoned(plugin);
    });
    it('R9 × linked plugin after reload: a shape from before the provider\'s reload, passed to a plugin linked to the new generation, is stale-generation', async () => {
      const { shapes, shapesPlugin, mutatorPlugin } = await linkedShapes();
      const old = shapes.circle(1);
      // Reloading a provider others are linked against is refused; unlink first.
      await refused(() => shapesPlugin.reload(readGuest('shapes')), { code: 'IN_USE', message: /mutator/ });
      expect(old.area()).toBeCloseTo(Math.PI, 12);
      await mutatorPlugin.unload();
      await shapesPlugin.reload(readGuest('shapes'));
      const relinked = await load(guestPath('mutator'), { name: 'mutator', link: [shapesPlugin] });
      const mutator = relinked.exports[MUTATOR] as Mutator;
      await handleRefused(() => mutator.peek(old), 'stale-generation', /shape/);
      expect(mutator.peek((shapesPlugin.exports[SHAPES] as SyncShapes).circle(1))).toBeCloseTo(Math.PI, 12);
      expectNotPoisoned(relinked);
    });
    it('R9 × worker: a store of another worker plugin, and an in-process store, passed to a worker kv', async () => {
      const other = await loadExample('kv', 'worker');
      try {
        const mine = await storeWith(kvOf(workerKv()));
        const theirs = await storeWith(kvOf(other));
        await handleRefused(() => kvOf(workerKv()).countPrefix(theirs, 'a'), 'foreign-instance', /store/);
        const local = await storeWith(kvOf(await inProcess('kv')));
        await handleRefused(() => kvOf(workerKv()).countPrefix(local, 'a'), 'foreign-instance', /store/);
        expect(await mine.len()).toBe(1);
      } finally {
        await Promise.resolve(other.unload()).catch(() => undefined);
      }
    });
  });

  describe('R10 a refusal before entry never poisons; entering a busy instance is refused (IN_USE)', () => {
    it('R10 × host callback: describe(c) during render(c), caught by the callback', async () => {
      const { shapes, shapesPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      await refused(duringRender(shapes, c, () => shapes.describe(c)), { code: 'IN_USE' });
      expectNotPoisoned(shapesPlugin);
      expect(shapes.describe(c)).toMatch(/^circle/);
    });
    it('R10 × linked plugin: unload of the provider while mutator is linked is refused (IN_USE) and both keep working', async () => {
      const { shapes, mutator, shapesPlugin, mutatorPlugin } = await linkedShapes();
      const c = shapes.circle(1);
      await refused(() => shapesPlugin.unload(), { code: 'IN_USE', message: /mutator/ });
      expect(mutator.peek(c)).toBeCloseTo(Math.PI, 12);
      await shapesPlugin.unload({ dependents: 'unload' });
      expect(mutatorPlugin.isUnloaded).toBe(true);
      await refused(() => mutator.peek(c), { code: 'UNLOADED' });
    });
    it('R10 × host callback: unload during a call is refused (IN_USE) and the call completes', async () => {
      const { shapes, shapesPlugin } = await linkedShapes();
      const c = shapes.rect(1, 1);
      let unloading: Promise<void> | undefined;
      duringRender(shapes, c, () => {
        unloading = shapesPlugin.unload();
        // An unhandled rejection would fail the run: the refusal is checked below.
        unloading.catch(() => undefined);
      });
      await refused(() => unloading, { code: 'IN_USE' });
      expect(shapesPlugin.isUnloaded).toBe(false);
    });
  });

  describe('R11 a host object owned by a plugin is disposed once, after its last owner drops it', () => {
    class Obj {
      disposals = 0;
      hit(): number {
        return this.disposals;
      }
      [Symbol.dispose](): void {
        this.disposals += 1;
      }
    }
    const keeperPlugin = () => load(guestPath('keeper'), { name: 'keeper', imports: { 'rdylib-guest:keeper/obj@0.1.0': { Obj } } });
    it('R11 × JS: keep(o) twice, release one', async () => {
      const keeper = (await keeperPlugin()).exports[KEEPER] as Keeper;
      const o = new Obj();
      keeper.keep(o);
      keeper.keep(o);
      keeper.release(0);
      expect(o.disposals).toBe(0);
      keeper.release(1);
      expect(o.disposals).toBe(1);
    });
    it('R11 × two plugins: keep(o) in two keepers, release in one', async () => {
      const first = (await keeperPlugin()).exports[KEEPER] as Keeper;
      const second = (await keeperPlugin()).exports[KEEPER] as Keeper;
      const o = new Obj();
      first.keep(o);
      second.keep(o);
      first.release(0);
      expect(o.disposals).toBe(0);
      second.release(0);
      expect(o.disposals).toBe(1);
    });
    it('R11 × after reload: reloading drops the old generation\'s ownerships (o disposed once); the new generation keeps o afresh', async () => {
      const plugin = await keeperPlugin();
      const o = new Obj();
      (plugin.exports[KEEPER] as Keeper).keep(o);
      (plugin.exports[KEEPER] as Keeper).keep(o);
      await plugin.reload(readGuest('keeper'));
      expect(o.disposals).toBe(1);
      const keeper = plugin.exports[KEEPER] as Keeper;
      expect(keeper.kept()).toBe(0);
      const slot = keeper.keep(o);
      // The object is reachable again (its hit() answers with its disposal count), and not disposed again.
      expect(keeper.hit(slot)).toBe(1);
      expect(o.disposals).toBe(1);
    });
    it('R11 × inside list: keepAll([o, o]), release one', async () => {
      const keeper = (await keeperPlugin()).exports[KEEPER] as Keeper;
      const o = new Obj();
      keeper.keepAll([o, o]);
      keeper.release(1);
      expect(o.disposals).toBe(0);
      expect(keeper.hit(0)).toBe(0);
    });
  });
});
