/**
 * Issue 10 items 5 and 6, the host-callback route (in-process: a worker's
 * callbacks run inside the worker, from an imports module, and cannot reach
 * the test's objects). While `render(c, canvas)` runs, the plugin calls the
 * canvas, and the canvas (JS) calls back into the host:
 *
 * - into the busy plugin: the Component Model refuses entering a busy
 *   instance; the refusal happens before entry, so it must not poison
 *   (PluginInUseError, code IN_USE);
 * - with `c`, which `render` borrows (shared) for the call: Rust's rules
 *   apply to it as to any live borrow (BorrowError, code BORROW).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { Canvas } from '../support/canvas.ts';
import { guestPath } from '../support/guests.ts';
import type { Shape, Shapes } from '../support/example-apis.ts';
import type { Keeper } from './apis.ts';
import { borrowRefused, expectNotPoisoned, KEEPER, refused, SHAPES } from './support.ts';
import { CANVAS, duringRender } from './shapes-fixture.ts';

async function loadShapes(): Promise<{ plugin: Plugin; shapes: Shapes }> {
  const plugin = await load(guestPath('shapes'), { name: 'shapes', imports: CANVAS });
  return { plugin, shapes: plugin.exports[SHAPES] as Shapes };
}

afterEach(() => {
  Canvas.onLine = undefined;
});

describe('re-entry from a host callback (item 6)', () => {
  it('describe(c) during render(c): refused before entering (IN_USE), caught by the callback, and the plugin is not poisoned', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.circle(1);
    const { rendered, replay } = duringRender(shapes, c, () => shapes.describe(c), { result: 'both' });
    await refused(replay, { code: 'IN_USE', message: /shapes/ });
    expect(rendered).toBe(1);
    expectNotPoisoned(plugin);
    expect(shapes.describe(c)).toMatch(/^circle \(area 3\.14/);
    expect(shapes.render(c, new Canvas())).toBe(1);
  });

  it('a new shape (circle(2)) during render: refused (IN_USE), nothing created, not poisoned', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.rect(1, 1);
    const before = plugin.liveHandles;
    const { rendered, replay } = duringRender(shapes, c, () => shapes.circle(2), { result: 'both' });
    await refused(replay, { code: 'IN_USE' });
    expect(rendered).toBe(1);
    expect(plugin.liveHandles).toBe(before);
    expectNotPoisoned(plugin);
  });

  it('keeper: release(i) from inside the object\'s own hit() callback is refused (IN_USE); the slot and the object are intact', async () => {
    let reentry: (() => unknown) | undefined;
    let hits = 0;
    class Obj {
      hit(): number {
        hits += 1;
        reentry?.();
        return hits;
      }
      [Symbol.dispose](): void {}
    }
    const plugin = await load(guestPath('keeper'), { name: 'keeper', imports: { 'rdylib-guest:keeper/obj@0.1.0': { Obj } } });
    const keeper = plugin.exports[KEEPER] as Keeper;
    const slot = keeper.keep(new Obj());
    let caught: unknown;
    reentry = () => {
      reentry = undefined;
      try {
        keeper.release(slot);
      } catch (e) {
        caught = e;
      }
    };
    expect(keeper.hit(slot)).toBe(1);
    await refused(() => {
      throw caught;
    }, { code: 'IN_USE', message: /keeper/ });
    expectNotPoisoned(plugin);
    expect(keeper.kept()).toBe(1);
    expect(keeper.hit(slot)).toBe(2);
  });
});

describe('borrow rules on a handle the busy call borrows (item 5, host-callback route)', () => {
  it('E0505: disposing c inside a canvas callback while render(c) borrows it is a BorrowError; c is neither dropped in JS nor leaked in the guest', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.circle(1);
    const live = plugin.liveHandles;
    const { rendered, replay } = duringRender(shapes, c, () => (c as unknown as { [Symbol.dispose](): void })[Symbol.dispose](), { result: 'both' });
    await borrowRefused(replay, /shape/);
    expect(rendered).toBe(1);
    expectNotPoisoned(plugin);
    expect(plugin.liveHandles).toBe(live);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
    (c as unknown as { [Symbol.dispose](): void })[Symbol.dispose]();
    expect(plugin.liveHandles).toBe(live - 1);
  });

  it('E0502: c.scale(2) (`&mut self`) inside a callback while render(c) borrows c is a BorrowError; c is unchanged', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.circle(1);
    const { replay } = duringRender(shapes, c, () => c.scale(2), { result: 'both' });
    await borrowRefused(replay, /shape/);
    expectNotPoisoned(plugin);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
  });

  it('E0505: totalArea([c]) inside a callback while render(c) borrows c is a BorrowError; c is not moved', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.circle(1);
    const { replay } = duringRender(shapes, c, () => shapes.totalArea([c]), { result: 'both' });
    await borrowRefused(replay, /shape/);
    expectNotPoisoned(plugin);
    expect(shapes.totalArea([c])).toBeCloseTo(Math.PI, 12);
  });

  it('disposing another shape (not borrowed) inside a callback is refused (busy plugin) or done, never half-done', async () => {
    const { plugin, shapes } = await loadShapes();
    const c = shapes.circle(1);
    const other = shapes.rect(1, 1);
    const live = plugin.liveHandles;
    const { outcome, replay } = duringRender(shapes, c, () => (other as unknown as { [Symbol.dispose](): void })[Symbol.dispose](), { result: 'both' });
    expectNotPoisoned(plugin);
    if (outcome.ok) {
      // Done: the guest freed it, and JS cannot use it.
      expect(plugin.liveHandles).toBe(live - 1);
      await refused(() => other.area(), { code: 'HANDLE', kind: 'use-after-dispose' });
    } else {
      // Refused before entry: nothing changed on either side.
      await refused(replay, { code: ['IN_USE', 'BORROW'] });
      expect(plugin.liveHandles).toBe(live);
      expect(other.area()).toBe(1);
    }
  });
});
