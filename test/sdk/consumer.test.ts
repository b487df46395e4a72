import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { readGuest } from '../support/guests.ts';
import { instantiatePlugin } from './transpiled.ts';
import type { Consumer, Shapes } from '../support/example-apis.ts';

/** Instantiates `shapes`, then `consumer` with the shape interface `shapes` exports as its import. */
async function link(): Promise<{ shapes: Shapes; consumer: Consumer }> {
  const shapes = await instantiatePlugin('shapes', { 'rdylib-guest:shapes/canvas': { Canvas: class {} } });
  const shapeInterface = shapes.exports['rdylib-guest:shapes/shape@0.1.0'] as { Shape: unknown };
  const consumer = await instantiatePlugin('consumer', { 'rdylib-guest:shapes/shape': { Shape: shapeInterface.Shape } });
  return { shapes: shapes.exports['shapes'] as Shapes, consumer: consumer.exports['consumer'] as Consumer };
}

describe('consumer: importing another plugin\'s trait', () => {
  it('names the shapes package\'s interface as an import in its section', () => {
    const abi = readRdylibAbi(readGuest('consumer'))!;
    expect(abi.interfaces.map((i) => [i.name, i.direction])).toEqual([
      ['rdylib-guest:shapes/shape@0.1.0', 'import'],
      ['rdylib-guest:consumer/consumer@0.1.0', 'export'],
    ]);
    const shape = abi.interfaces[0]!;
    expect(shape.functions.map((f) => [f.name, f.receiver])).toEqual([
      ['[method]shape.name', 'shared'],
      ['[method]shape.area', 'shared'],
      ['[method]shape.perimeter', 'shared'],
      ['[method]shape.bounds', 'shared'],
    ]);
  });

  it('imports exactly the interface the shapes plugin exports', () => {
    const shapes = readRdylibAbi(readGuest('shapes'))!;
    const consumer = readRdylibAbi(readGuest('consumer'))!;
    const exported = shapes.interfaces.find((i) => i.direction === 'export' && i.name.endsWith('/shape@0.1.0'))!;
    const imported = consumer.interfaces.find((i) => i.direction === 'import')!;
    expect(imported.name).toBe(exported.name);
    // The consumer needs a subset of the methods, with the same receivers.
    const provided = new Map(exported.functions.map((f) => [f.name, f.receiver]));
    for (const f of imported.functions) expect(provided.get(f.name)).toBe(f.receiver);
  });

  it('uses shapes made by the other plugin, borrowed and owned', async () => {
    const { shapes, consumer } = await link();
    const circle = shapes.circle(2);
    expect(consumer.compactness(circle)).toBeCloseTo(1, 12);
    expect(consumer.compactness(shapes.rect(1, 1))).toBeCloseTo(Math.PI / 4, 12);
    // The borrowed circle is still usable afterwards.
    expect(circle.area()).toBeCloseTo(4 * Math.PI, 12);
    // A record the shapes plugin returns through the imported trait method.
    expect(consumer.unionBounds(circle, shapes.rect(3, 1))).toEqual({ x: -2, y: -2, w: 5, h: 4 });
    expect(consumer.unionBounds(circle, circle)).toEqual(circle.bounds());
    const summary = consumer.summarize([shapes.rect(1, 2), circle, shapes.rect(3, 3)]);
    expect(summary).toEqual({ count: 3, totalArea: 2 + 4 * Math.PI + 9, largest: 'circle' });
  });
});
