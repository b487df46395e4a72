/**
 * Issue 10 item 1, the linked-plugin route: a handle reaches the owner's
 * borrow rules through another plugin's call. The mutator plugin imports
 * the shapes plugin's `shape` interface (`load(mutator, { link: [shapes] })`)
 * and borrows shared (`peek`), exclusively (`grow`, `grow_by` dst) or
 * consumes (`take`, `take_all`, `take_pair`) the shapes it is given. The
 * borrow state of a shape lives with its owner (shapes), so a call through
 * mutator is checked against the same state as a call from JS, before
 * either plugin runs. In-process only: linking is not offered for workers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../host/index.ts';
import { Canvas } from '../support/canvas.ts';
import { guestPath } from '../support/guests.ts';
import type { Consumer, Shapes } from '../support/example-apis.ts';
import { CANVAS, duringRender, linkedShapes, type LinkedShapes } from './shapes-fixture.ts';
import { borrowRefused, CONSUMER, expectNotPoisoned, handleRefused, refused, SHAPES } from './support.ts';

const notPoisoned = (l: LinkedShapes): void => {
  expectNotPoisoned(l.shapesPlugin);
  expectNotPoisoned(l.mutatorPlugin);
};

afterEach(() => {
  Canvas.onLine = undefined;
});

describe('allowed through a linked plugin', () => {
  it('shared, exclusive and consuming uses of shapes the caller owns', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    const r = l.shapes.rect(2, 2);
    expect(l.mutator.peek(c)).toBeCloseTo(Math.PI, 12);
    expect(l.mutator.grow(c, 2)).toBeCloseTo(4 * Math.PI, 12);
    expect(c.area()).toBeCloseTo(4 * Math.PI, 12); // the mutation reached the owner's object
    expect(l.mutator.growBy(r, l.shapes.rect(1, 1))).toBe(4);
    expect(l.mutator.takePair([c, r])).toBeCloseTo(4 * Math.PI + 4, 12);
    notPoisoned(l);
  });
});

describe('refused through a linked plugin, checked against the owner (item 1)', () => {
  it('E0502: grow(&mut c) from a host callback while the owner\'s render(c) borrows c is a BorrowError; c unchanged, nobody poisoned', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    await borrowRefused(duringRender(l.shapes, c, () => l.mutator.grow(c, 2)), /shape/);
    notPoisoned(l);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
    expect(l.mutator.grow(c, 2)).toBeCloseTo(4 * Math.PI, 12);
  });

  it('E0505: take(c) through the linked plugin while render(c) borrows c is a BorrowError; c not moved', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    await borrowRefused(duringRender(l.shapes, c, () => l.mutator.take(c)), /shape/);
    notPoisoned(l);
    expect(l.shapes.describe(c)).toMatch(/^circle/);
  });

  it('E0505 inside a list: take_all([d, c]) while render(c) borrows c is a BorrowError; d not moved either', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    const d = l.shapes.rect(1, 3);
    await borrowRefused(duringRender(l.shapes, c, () => l.mutator.takeAll([d, c])), /shape/);
    notPoisoned(l);
    expect(d.area()).toBe(3);
    expect(l.mutator.takeAll([d, c])).toBeCloseTo(3 + Math.PI, 12);
  });

  it('Rust allows peek(&c) during render(&c) (two shared borrows), but the owner is busy: a typed refusal, the owner not poisoned, c intact', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    // The refusal comes when mutator calls into the busy shapes instance; mutator itself may have to stop (it was running).
    await refused(duringRender(l.shapes, c, () => l.mutator.peek(c)), { code: ['IN_USE', 'TRAP'] });
    expectNotPoisoned(l.shapesPlugin);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
    expect(l.shapes.describe(c)).toMatch(/^circle/);
  });

  it('E0502: grow_by(c, c) (`&mut` and `&` of one shape) is refused before either plugin runs', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    await borrowRefused(() => l.mutator.growBy(c, c), /shape/);
    notPoisoned(l);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
  });

  it('E0382: the same shape twice in a list or a tuple passed by value is refused; nothing moved', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    await borrowRefused(() => l.mutator.takeAll([c, c]), /shape/);
    await borrowRefused(() => l.mutator.takePair([c, c]), /shape/);
    notPoisoned(l);
    expect(c.area()).toBeCloseTo(Math.PI, 12);
    expect(l.mutator.take(c)).toBeCloseTo(Math.PI, 12);
  });

  it('E0382: a shape moved into the linked plugin cannot be used again, from JS or through either plugin (HandleError use-after-move)', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    expect(l.mutator.take(c)).toBeCloseTo(Math.PI, 12);
    await handleRefused(() => c.area(), 'use-after-move', /shape/);
    await handleRefused(() => l.shapes.describe(c), 'use-after-move', /shape/);
    await handleRefused(() => l.mutator.peek(c), 'use-after-move', /shape/);
    notPoisoned(l);
  });

  it('use after drop through the linked plugin: a disposed shape is a HandleError use-after-dispose', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    (c as unknown as { [Symbol.dispose](): void })[Symbol.dispose]();
    await handleRefused(() => l.mutator.peek(c), 'use-after-dispose', /shape/);
    await handleRefused(() => l.mutator.takeAll([c]), 'use-after-dispose', /shape/);
    notPoisoned(l);
  });

  it('a shape of another shapes plugin (not the one linked) is a HandleError foreign-instance (Rust: E0308, another type)', async () => {
    const l = await linkedShapes();
    const otherShapes = await load(guestPath('shapes'), { name: 'other-shapes', imports: CANVAS });
    const stranger = (otherShapes.exports[SHAPES] as Shapes).circle(1);
    await handleRefused(() => l.mutator.peek(stranger), 'foreign-instance', /shape/);
    await handleRefused(() => l.mutator.take(stranger), 'foreign-instance', /shape/);
    expect(stranger.area()).toBeCloseTo(Math.PI, 12);
    notPoisoned(l);
  });

  it('lent to shapes again and again by mutator (the host lends the object of an ended call again), c meets every check of a first lend: busy owner, dispose, unload', async () => {
    const l = await linkedShapes();
    const c = l.shapes.circle(1);
    const r = l.shapes.rect(1, 2);
    // The first call lends a new object for c, the next ones that object again; another shape between them gets its own.
    for (let i = 0; i < 3; i++) expect(l.mutator.peek(c)).toBeCloseTo(Math.PI, 12);
    expect(l.mutator.grow(c, 2)).toBeCloseTo(4 * Math.PI, 12);
    expect(l.mutator.peek(r)).toBe(2);
    // grow_by scales c by r's area (2): 4x the area.
    expect(l.mutator.growBy(c, r)).toBeCloseTo(16 * Math.PI, 12);
    expect(c.area()).toBeCloseTo(16 * Math.PI, 12);
    notPoisoned(l);
    // Refused mid-call (shapes busy in render: its may_enter): a typed refusal, shapes not poisoned, c intact.
    await refused(duringRender(l.shapes, c, () => l.mutator.peek(c)), { code: ['IN_USE', 'TRAP'] });
    expectNotPoisoned(l.shapesPlugin);
    expect(c.area()).toBeCloseTo(16 * Math.PI, 12);
    expect(l.shapes.describe(c)).toMatch(/^circle/);
    // Disposed, then unloaded: refused as on a first lend.
    const fresh = await linkedShapes();
    const d = fresh.shapes.circle(1);
    expect(fresh.mutator.peek(d)).toBeCloseTo(Math.PI, 12);
    expect(fresh.mutator.peek(d)).toBeCloseTo(Math.PI, 12);
    (d as unknown as { [Symbol.dispose](): void })[Symbol.dispose]();
    await handleRefused(() => fresh.mutator.peek(d), 'use-after-dispose', /shape/);
    const e = fresh.shapes.circle(2);
    expect(fresh.mutator.peek(e)).toBeCloseTo(4 * Math.PI, 12);
    notPoisoned(fresh);
    await fresh.shapesPlugin.unload({ dependents: 'unload' });
    await refused(() => fresh.mutator.peek(e), { code: 'UNLOADED' });
  });

  it('the consumer example: summarize([c]) while render(c) borrows c is a BorrowError (E0505); c not moved', async () => {
    const shapesPlugin = await load(guestPath('shapes'), { name: 'shapes', imports: CANVAS });
    const consumerPlugin = await load(guestPath('consumer'), { name: 'consumer', link: [shapesPlugin] });
    const shapes = shapesPlugin.exports[SHAPES] as Shapes;
    const consumer = consumerPlugin.exports[CONSUMER] as Consumer;
    const c = shapes.circle(1);
    await borrowRefused(duringRender(shapes, c, () => consumer.summarize([c as never])), /shape/);
    expectNotPoisoned(shapesPlugin);
    expectNotPoisoned(consumerPlugin);
    expect(consumer.summarize([c as never]).count).toBe(1);
  });
});
