/**
 * Issue 10 item 3: a host object the plugin owns more than once (`keep(o)`
 * twice, `keep_all([o, o])`) is reference-counted per ownership: its
 * `[Symbol.dispose]` runs exactly once, when the plugin drops the last
 * handle that owns it, and never while one still does. Borrowing it
 * (`poke(&dyn Obj)`) takes no ownership. In-process only: host objects
 * cannot cross into a worker.
 *
 * Plugin: keeper (guest-rust/examples/keeper).
 */
import { describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import type { Keeper } from './apis.ts';
import { expectNotPoisoned, KEEPER, refused } from './support.ts';

/** A host object counting its hits and its disposals. */
class Obj {
  hits = 0;
  disposals = 0;
  hit(): number {
    if (this.disposals > 0) throw new TypeError('hit after dispose');
    this.hits += 1;
    return this.hits;
  }
  [Symbol.dispose](): void {
    this.disposals += 1;
  }
}

async function loadKeeper(): Promise<{ plugin: Plugin; keeper: Keeper }> {
  const plugin = await load(guestPath('keeper'), { name: 'keeper', imports: { 'rdylib-guest:keeper/obj@0.1.0': { Obj } } });
  return { plugin, keeper: plugin.exports[KEEPER] as Keeper };
}

describe('a host object owned twice by a plugin (item 3)', () => {
  it('keep(o); keep(o); release(0) does not dispose o; hit(1) still reaches it; release(1) disposes it once', async () => {
    const { plugin, keeper } = await loadKeeper();
    const o = new Obj();
    const first = keeper.keep(o);
    const second = keeper.keep(o);
    expect(second).not.toBe(first);
    expect(keeper.release(first)).toBe(true);
    expect(o.disposals).toBe(0);
    expect(keeper.hit(second)).toBe(1);
    expect(keeper.hit(second)).toBe(2);
    expect(keeper.release(second)).toBe(true);
    expect(o.disposals).toBe(1);
    expect(o.hits).toBe(2);
    expectNotPoisoned(plugin);
  });

  it('the release order does not matter: release(1) then release(0)', async () => {
    const { keeper } = await loadKeeper();
    const o = new Obj();
    const first = keeper.keep(o);
    const second = keeper.keep(o);
    keeper.release(second);
    expect(o.disposals).toBe(0);
    expect(keeper.hit(first)).toBe(1);
    keeper.release(first);
    expect(o.disposals).toBe(1);
  });

  it('keep_all([o, o]) is two ownerships of one host object (like two Rc clones), disposed once after both are released', async () => {
    const { keeper } = await loadKeeper();
    const o = new Obj();
    expect(keeper.keepAll([o, o])).toBe(2);
    keeper.release(0);
    expect(o.disposals).toBe(0);
    expect(keeper.hit(1)).toBe(1);
    keeper.release(1);
    expect(o.disposals).toBe(1);
  });

  it('borrowing it (poke(&dyn Obj)) while the plugin owns it takes no ownership and disposes nothing', async () => {
    const { keeper } = await loadKeeper();
    const o = new Obj();
    const slot = keeper.keep(o);
    expect(keeper.poke(o)).toBe(1);
    expect(keeper.poke(o)).toBe(2);
    expect(o.disposals).toBe(0);
    expect(keeper.hit(slot)).toBe(3);
    keeper.release(slot);
    expect(o.disposals).toBe(1);
  });

  it('unload drops every ownership: an object kept twice is disposed exactly once', async () => {
    const { plugin, keeper } = await loadKeeper();
    const o = new Obj();
    const other = new Obj();
    keeper.keep(o);
    keeper.keep(o);
    keeper.keep(other);
    await plugin.unload();
    expect(o.disposals).toBe(1);
    expect(other.disposals).toBe(1);
  });

  it('an empty slot is the plugin\'s own error (ResultError), not a host failure; the plugin stays usable', async () => {
    const { plugin, keeper } = await loadKeeper();
    const o = new Obj();
    const slot = keeper.keep(o);
    keeper.release(slot);
    await refused(() => keeper.hit(slot), { code: 'RESULT_ERR', message: /empty/ });
    expectNotPoisoned(plugin);
    expect(keeper.kept()).toBe(0);
  });

  it('one host object owned by two plugins: releasing it in one leaves it alive for the other; unloading the other disposes it once', async () => {
    const first = await loadKeeper();
    const second = await loadKeeper();
    const o = new Obj();
    const slotInFirst = first.keeper.keep(o);
    const slotInSecond = second.keeper.keep(o);
    first.keeper.release(slotInFirst);
    expect(o.disposals).toBe(0);
    expect(second.keeper.hit(slotInSecond)).toBe(1);
    await second.plugin.unload();
    expect(o.disposals).toBe(1);
    await first.plugin.unload();
    expect(o.disposals).toBe(1);
  });
});
