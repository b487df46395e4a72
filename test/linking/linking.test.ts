/**
 * Runtime linking: the consumer example imports the `shape` interface that
 * the shapes example exports. `load(consumer, { link: [shapes] })` checks the
 * consumer's expectation (its import and the import side of its section)
 * against the shapes plugin's guarantee, then serves the import from it;
 * handles pass between the two through the host.
 */
import { describe, expect, it, vi } from 'vitest';
import { AbiMismatchError, PluginInUseError, UnloadedError } from '../../host/errors.ts';
import { load, type Plugin } from '../../host/index.ts';
import { GuestClassBinding } from '../../host/runtime/guest-resources.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { Canvas } from '../support/canvas.ts';
import type { Consumer, Shapes } from '../support/example-apis.ts';

const CANVAS = { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } };

async function linked(shapesBytes: Uint8Array = readGuest('shapes')): Promise<{ shapesPlugin: Plugin; consumerPlugin: Plugin; shapes: Shapes; consumer: Consumer }> {
  const shapesPlugin = await load(shapesBytes, { name: 'shapes', imports: CANVAS });
  const consumerPlugin = await load(guestPath('consumer'), { name: 'consumer', link: [shapesPlugin] });
  return {
    shapesPlugin,
    consumerPlugin,
    shapes: shapesPlugin.exports['rdylib-guest:shapes/shapes@0.1.0'] as Shapes,
    consumer: consumerPlugin.exports['rdylib-guest:consumer/consumer@0.1.0'] as Consumer,
  };
}

type Fn = RdylibAbi['interfaces'][number]['functions'][number];
const fnOf = (abi: RdylibAbi, name: string) => abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name) as unknown as {
  -readonly [K in keyof Fn]: Fn[K] extends readonly (infer T)[] ? { -readonly [P in keyof T]: T[P] }[] : Fn[K];
};

describe('linking consumer to shapes', () => {
  it('serves the import from the other plugin: borrowed and owned shapes pass through the host', async () => {
    const { shapes, consumer, consumerPlugin, shapesPlugin } = await linked();
    const circle = shapes.circle(2);
    expect(consumer.compactness(circle)).toBeCloseTo(1, 12);
    // Borrowed for the call only: the circle is still the caller's.
    expect(circle.area()).toBeCloseTo(4 * Math.PI, 12);
    expect(consumer.summarize([shapes.rect(1, 2), circle, shapes.rect(3, 3)])).toEqual({ count: 3, totalArea: 2 + 4 * Math.PI + 9, largest: 'circle' });
    // Moved into the consumer: no longer usable by JS.
    expect(() => circle.area()).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-move' }));
    expect(consumerPlugin.lifetimes).toBe('checked');
    expect(shapesPlugin.dependents).toEqual(['consumer']);
  });

  it('hands a shape to the linked plugin\'s direct calls as its rep, below the face (no JS object lent); the general path lends a new object per call', async () => {
    const { shapes, consumer, consumerPlugin } = await linked();
    const c = shapes.circle(2);
    const r = shapes.rect(1, 2);
    const lends = vi.spyOn(GuestClassBinding.prototype, 'liftBorrow');
    try {
      // perimeter() and area() (scalar results, lower.ts selfBorrowPath): the rep itself goes to shapes' call plan and lifted function.
      expect(consumer.compactness(c)).toBeCloseTo(1, 12);
      expect(consumer.compactness(c)).toBeCloseTo(1, 12);
      expect(consumer.compactness(r)).toBeCloseTo((Math.PI * 4 * 2) / 36, 12);
      expect(consumer.compactness(c)).toBeCloseTo(1, 12);
      expect(lends).not.toHaveBeenCalled();
      // bounds() (a record result: the general path) lends a new object each time, never a kept one.
      expect(consumer.unionBounds(c, c)).toEqual({ x: -2, y: -2, w: 4, h: 4 });
      const general = lends.mock.results.map((x) => x.value as object);
      expect(lends.mock.calls.map((a) => [a[1] === consumerPlugin.instances[0], a[2]])).toEqual([
        [true, undefined],
        [true, undefined],
      ]);
      expect(new Set(general).size).toBe(2);
      // Every lend ended with its call: none of the objects is usable now.
      for (const v of general) expect(() => shapes.describe(v as never)).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'borrow-ended' }));
      // The shapes are the caller's still.
      expect(c.area()).toBeCloseTo(4 * Math.PI, 12);
      expect(r.area()).toBe(2);
    } finally {
      lends.mockRestore();
    }
  });

  it("refuses a provider whose method became &mut self, on the importer's expectation, before anything runs", async () => {
    const stricter = withForgedAbi(readGuest('shapes'), (abi) => {
      const area = fnOf(abi, '[method]shape.area');
      area.receiver = 'exclusive';
      area.params = area.params.map((p) => ({ ...p, mode: 'exclusive' as const }));
      return abi;
    });
    const shapesPlugin = await load(stricter, { name: 'shapes', imports: CANVAS });
    const error = await load(guestPath('consumer'), { name: 'consumer', link: [shapesPlugin] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbiMismatchError);
    expect((error as AbiMismatchError).message).toBe(
      'shapes (export `rdylib-guest:shapes/shape@0.1.0`) does not provide the interface consumer (import `rdylib-guest:shapes/shape@0.1.0`) was built against\n' +
        '  `rdylib-guest:shapes/shape@0.1.0` `[method]shape.area` receiver: expected `&self`, found `&mut self`',
    );
    expect(shapesPlugin.dependents).toEqual([]);
  });

  it('a plugin that others depend on refuses to unload, naming them, unless asked to unload them too', async () => {
    const { shapesPlugin, consumerPlugin, shapes, consumer } = await linked();
    const rect = shapes.rect(2, 2);
    const error = await shapesPlugin.unload().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginInUseError);
    expect((error as Error).message).toBe("cannot unload shapes: `consumer` is linked against it; unload it first, or pass { dependents: 'unload' }");
    expect(consumer.compactness(rect)).toBeCloseTo(Math.PI / 4, 12);
    await shapesPlugin.unload({ dependents: 'unload' });
    expect(consumerPlugin.isUnloaded).toBe(true);
    expect(shapesPlugin.isUnloaded).toBe(true);
    expect(() => consumer.compactness(rect)).toThrow(UnloadedError);
    expect(() => rect.area()).toThrow(UnloadedError);
  });

  it('unloading the dependent first releases the provider', async () => {
    const { shapesPlugin, consumerPlugin, shapes } = await linked();
    await consumerPlugin.unload();
    expect(shapesPlugin.dependents).toEqual([]);
    expect(shapes.circle(1).area()).toBeCloseTo(Math.PI, 12);
    await shapesPlugin.unload();
  });

  it('an unlinked import is still reported missing', async () => {
    await expect(load(guestPath('consumer'), { name: 'consumer', link: [] })).rejects.toMatchObject({ kind: 'unlinkable' });
  });
});
