/**
 * Issue 10 items 1 and 2 through a linked plugin that imports the owner's
 * main interface (hand-written importers, relay.ts): kv's `store` and
 * statics' `cfg` pass through another plugin, and the owner's borrow state
 * and library-static property hold on that route exactly as from JS. A
 * refusal happens before either plugin runs, so neither is poisoned.
 */
import { describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import type { Cfg, Kv, Statics } from './apis.ts';
import { PEEKER, peekerComponent, RELAY, relayComponent } from './relay.ts';
import { borrowRefused, dispose, expectNotPoisoned, handleRefused, handleState, KV, refused, STATICS } from './support.ts';

interface Peeker {
  peek(store: object): number;
}
interface Relay {
  valueOf(c: object): number;
  setVia(c: object, v: number): void;
  bounce(c: object): object;
  holdView(c: object): void;
  dropView(): void;
  fetchConfig(): Cfg;
}

async function kvAndPeeker(): Promise<{ kvPlugin: Plugin; peekerPlugin: Plugin; kv: Kv; peeker: Peeker }> {
  const kvPlugin = await load(guestPath('kv'), { name: 'kv' });
  const peekerPlugin = await load(await peekerComponent(), { name: 'peeker', link: [kvPlugin] });
  expect(peekerPlugin.lifetimes).toBe('checked');
  return { kvPlugin, peekerPlugin, kv: kvPlugin.exports[KV] as Kv, peeker: peekerPlugin.exports[PEEKER] as Peeker };
}

async function staticsAndRelay(): Promise<{ staticsPlugin: Plugin; relayPlugin: Plugin; s: Statics; relay: Relay }> {
  const staticsPlugin = await load(guestPath('statics'), { name: 'statics' });
  const relayPlugin = await load(await relayComponent(), { name: 'relay', link: [staticsPlugin] });
  expect(relayPlugin.lifetimes).toBe('checked');
  return { staticsPlugin, relayPlugin, s: staticsPlugin.exports[STATICS] as Statics, relay: relayPlugin.exports[RELAY] as Relay };
}

describe("kv's store through a linked plugin (item 1: peek(&Store) while store.lock() lives)", () => {
  it('E0502: peek(store) while the guard lives is a BorrowError before either plugin runs; neither is poisoned; allowed after commit', async () => {
    const { kvPlugin, peekerPlugin, kv, peeker } = await kvAndPeeker();
    const store = await kv.Store.fromPairs([['a', '1']]);
    const guard = await store.lock();
    const before = [await handleState(kvPlugin), await handleState(peekerPlugin)];
    await borrowRefused(() => peeker.peek(store), /store/);
    // Nothing lent, moved or left behind in either plugin.
    expect([await handleState(kvPlugin), await handleState(peekerPlugin)]).toEqual(before);
    expectNotPoisoned(kvPlugin);
    expectNotPoisoned(peekerPlugin);
    await guard.put('b', '2');
    expect(await kv.Guard.commit(guard)).toBe(1);
    expect(peeker.peek(store)).toBe(2);
  });

  it('allowed: peek(store) while a shared iterator lives (two shared borrows)', async () => {
    const { kv, peeker } = await kvAndPeeker();
    const store = await kv.Store.fromPairs([['a', '1']]);
    const iter = await store.iter();
    expect(peeker.peek(store)).toBe(1);
    expect(await iter.next()).toEqual(['a', '1']);
  });

  it('E0382 / use after drop: a moved or disposed store passed through the linked plugin is a HandleError', async () => {
    const { kv, peeker, kvPlugin } = await kvAndPeeker();
    const moved = await kv.Store.fromPairs([['a', '1']]);
    await kv.Store.intoPairs(moved);
    await handleRefused(() => peeker.peek(moved), 'use-after-move', /store/);
    const dropped = await kv.Store.fromPairs([['a', '1']]);
    await dispose(dropped, 'in-process');
    await handleRefused(() => peeker.peek(dropped), 'use-after-dispose', /store/);
    expectNotPoisoned(kvPlugin);
  });

  it('a store of another kv plugin passed to the linked plugin is a HandleError foreign-instance', async () => {
    const { peeker } = await kvAndPeeker();
    const other = await load(guestPath('kv'), { name: 'other-kv' });
    const stranger = await (other.exports[KV] as Kv).Store.fromPairs([['a', '1']]);
    await handleRefused(() => peeker.peek(stranger), 'foreign-instance', /store/);
    expect(await stranger.len()).toBe(1);
  });
});

describe("statics' cfg through a linked plugin (items 1 and 2)", () => {
  it('E0502: set_via(&mut c) while a view (made by JS) borrows c is a BorrowError; c unchanged', async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = await new s.Cfg('c', 5);
    const view = await c.view();
    await borrowRefused(() => relay.setVia(c, 1), /cfg/);
    expectNotPoisoned(staticsPlugin);
    expectNotPoisoned(relayPlugin);
    expect(await view.value()).toBe(5);
    await dispose(view, 'in-process');
    relay.setVia(c, 1);
    expect(await c.value()).toBe(1);
  });

  it('a dependent made through the linked plugin is tracked by the owner: while relay holds a view of c, JS cannot mutate (E0502) or drop (E0505) c', async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = await new s.Cfg('c', 5);
    relay.holdView(c);
    await borrowRefused(() => c.set(1), /cfg/);
    await borrowRefused(() => dispose(c, 'in-process'), /cfg/);
    await borrowRefused(() => relay.setVia(c, 1), /cfg/);
    expectNotPoisoned(staticsPlugin);
    expectNotPoisoned(relayPlugin);
    expect(relay.valueOf(c)).toBe(5); // shared use is fine
    relay.dropView();
    await c.set(2);
    expect(await c.value()).toBe(2);
  });

  it("E0596: set_via(&mut) of a `&'static Cfg` through the linked plugin is a BorrowError; the static data is unchanged", async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = await s.config();
    await borrowRefused(() => relay.setVia(c, 1), /cfg/);
    expectNotPoisoned(staticsPlugin);
    expectNotPoisoned(relayPlugin);
    expect(await c.value()).toBe(3);
    expect(relay.valueOf(c)).toBe(3); // shared use of a static handle through the linked plugin is allowed
  });

  it("E0507: moving a `&'static Cfg` into the linked plugin (bounce(c: Cfg)) is a BorrowError; c still usable", async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = await s.config();
    await borrowRefused(() => relay.bounce(c), /cfg/);
    expectNotPoisoned(staticsPlugin);
    expectNotPoisoned(relayPlugin);
    expect(await c.describe()).toBe('depth=3 (static)');
  });

  it("allowed: an owned Cfg moved through the linked plugin and back stays owned (not static: describe(&'static self) is E0597); the original is moved", async () => {
    const { s, relay } = await staticsAndRelay();
    const c = await new s.Cfg('c', 4);
    const back = relay.bounce(c) as Awaited<ReturnType<Statics['config']>>;
    expect(await back.value()).toBe(4);
    await handleRefused(() => c.value(), 'use-after-move', /cfg/);
    await borrowRefused(() => back.describe(), /cfg/);
    await back.set(6);
    expect(await s.Cfg.intoValue(back)).toBe(6);
  });

  it("E0507 / E0596: a static handle handed on by the linked plugin (fetch_config, whose section says `owned`) is still static", async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = relay.fetchConfig();
    await borrowRefused(() => s.Cfg.intoValue(c), /cfg/);
    await borrowRefused(() => c.set(1), /cfg/);
    await borrowRefused(() => s.take(c), /cfg/);
    expectNotPoisoned(staticsPlugin);
    expectNotPoisoned(relayPlugin);
    expect(await c.describe()).toBe('depth=3 (static)');
    expect(await (await s.config()).value()).toBe(3);
  });

  it('unload with a linked plugin still holding a view of the provider\'s Cfg: refused while linked (IN_USE); with dependents: unload, both go without a trap and every object is UNLOADED', async () => {
    const { staticsPlugin, relayPlugin, s, relay } = await staticsAndRelay();
    const c = await new s.Cfg('c', 5);
    relay.holdView(c);
    await refused(() => staticsPlugin.unload(), { code: 'IN_USE', message: /relay/ });
    expect(await c.value()).toBe(5);
    await staticsPlugin.unload({ dependents: 'unload' });
    expect(relayPlugin.isUnloaded).toBe(true);
    expect(staticsPlugin.isUnloaded).toBe(true);
    await refused(() => c.value(), { code: 'UNLOADED' });
    await refused(() => relay.dropView(), { code: 'UNLOADED' });
  });
});
