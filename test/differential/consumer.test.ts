/**
 * Differential: the `consumer` example, which imports the `shape` interface
 * the `shapes` plugin exports, linked to a `shapes` instance on each side.
 *
 * Linking is done the way test/sdk/consumer.test.ts does it for jco, and it
 * is public API on our side too: the consumer's import
 * `rdylib-guest:shapes/shape@0.1.0` is given the `Shape` class the shapes
 * plugin exports (`load`/`instantiate` options `imports`). Calls from the
 * consumer to a shape go through JS into the shapes plugin. There is no
 * component-to-component linking without JS in between in either host.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f64 } from './arbitraries.ts';
import { expectSameReturns, pair, SideImports, type Pair } from './hosts.ts';
import { Canvas } from '../support/canvas.ts';
import type { Consumer, Shape, Shapes } from '../support/example-apis.ts';

const SHAPE = 'rdylib-guest:shapes/shape@0.1.0';
/** The consumer's import of SHAPE, keyed as jco takes it (hosts.ts). */
const SHAPE_IMPORT = 'rdylib-guest:shapes/shape';

interface Linked {
  shapes: Pair<Shapes>;
  consumer: Pair<Consumer>;
}

async function link(): Promise<Linked> {
  const shapes = await pair<Shapes>('shapes', 'rdylib-guest:shapes/shapes@0.1.0', { 'rdylib-guest:shapes/canvas': { Canvas } });
  const shapeInterface = (plugin: { exports: Record<string, unknown> }) => ({ Shape: (plugin.exports[SHAPE] as { Shape: unknown }).Shape });
  // Each side's consumer is linked to that side's shapes plugin.
  const consumer = await pair<Consumer>(
    'consumer',
    'rdylib-guest:consumer/consumer@0.1.0',
    new SideImports({ [SHAPE_IMPORT]: shapeInterface(shapes.oursPlugin) }, { [SHAPE_IMPORT]: shapeInterface(shapes.jcoPlugin) }),
  );
  return { shapes, consumer };
}

type Make = { make: 'circle'; r: number } | { make: 'rect'; w: number; h: number } | { make: 'polygon'; points: [number, number][] };
const make: fc.Arbitrary<Make> = fc.oneof(
  fc.record({ make: fc.constant('circle' as const), r: f64 }),
  fc.record({ make: fc.constant('rect' as const), w: f64, h: f64 }),
  fc.record({ make: fc.constant('polygon' as const), points: fc.array(fc.tuple(f64, f64), { minLength: 3, maxLength: 6 }) }),
);

function build(api: Shapes, m: Make): Shape {
  return m.make === 'circle' ? api.circle(m.r) : m.make === 'rect' ? api.rect(m.w, m.h) : api.polygon(m.points);
}

/**
 * Compactness of each shape (borrowed; the shape stays usable), the union of
 * each shape's bounds with the next one's (a record the consumer gets from
 * the shapes plugin through its imported trait), then a summary that
 * consumes them all.
 */
function run(shapes: Shapes, consumer: Consumer, makes: readonly Make[]): unknown[] {
  const made = makes.map((m) => build(shapes, m));
  const log: unknown[] = made.map((s) => [consumer.compactness(s), s.area()]);
  made.forEach((s, i) => log.push(consumer.unionBounds(s, made[(i + 1) % made.length]!)));
  log.push(consumer.summarize(made));
  return log;
}

describe('consumer linked to shapes: our runtime agrees with jco', () => {
  it('compactness of borrowed shapes and a summary of owned ones', async () => {
    const { shapes, consumer } = await link();
    expectSameReturns(fc.array(make, { maxLength: 6 }), 100, consumer.jcoPlugin, (makes) => run(shapes.ours, consumer.ours, makes), (makes) => run(shapes.jco, consumer.jco, makes));
  });
});
