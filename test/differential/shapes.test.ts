/**
 * Differential: the `shapes` example through our runtime and through jco.
 * Both hosts implement the plugin's imported Canvas trait with the same
 * recording JS class; the draw calls each canvas records (with exact f64
 * coordinates, -0 and NaN included, and the module's `style` variant the
 * plugin passes it) and every result (among them the module's `bounds`
 * record that trait methods return) must be equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PluginInUseError } from '../../host/errors.ts';
import { f64 } from './arbitraries.ts';
import { expectSameReturns, pair } from './hosts.ts';
import { Canvas } from '../support/canvas.ts';
import type { Color, Shape, Shapes, Style, Transform } from '../support/example-apis.ts';

const IMPORTS = { 'rdylib-guest:shapes/canvas': { Canvas } };
const IFACE = 'rdylib-guest:shapes/shapes@0.1.0';

type Make = { make: 'circle'; r: number } | { make: 'rect'; w: number; h: number } | { make: 'polygon'; points: [number, number][] };
type Step =
  | { op: 'make'; shape: Make }
  | { op: 'query'; i: number }
  | { op: 'scale'; i: number; factor: number }
  | { op: 'describe'; i: number }
  | { op: 'render'; i: number; res: number }
  | { op: 'draw'; i: number; res: number }
  | { op: 'total-area'; take: number }
  | { op: 'bounds'; i: number }
  | { op: 'transform'; i: number; t: Transform }
  | { op: 'paint'; i: number; style: Style; bg: Color | undefined }
  | { op: 'drop'; i: number };

const make: fc.Arbitrary<Make> = fc.oneof(
  fc.record({ make: fc.constant('circle' as const), r: f64 }),
  fc.record({ make: fc.constant('rect' as const), w: f64, h: f64 }),
  fc.record({ make: fc.constant('polygon' as const), points: fc.array(fc.tuple(f64, f64), { maxLength: 7 }) }),
);
const index = fc.nat(20);
const byte = fc.integer({ min: 0, max: 255 });
// Few colours, so that a fill often matches the canvas background.
const color: fc.Arbitrary<Color> = fc.oneof(
  fc.constantFrom({ r: 255, g: 0, b: 0 }, { r: 0, g: 0, b: 255 }),
  fc.record({ r: byte, g: byte, b: byte }),
);
const style: fc.Arbitrary<Style> = fc.oneof(
  fc.record({ tag: fc.constant('stroke' as const), val: f64 }),
  fc.record({ tag: fc.constant('fill' as const), val: color }),
  fc.record({ tag: fc.constant('dashed' as const), val: fc.array(f64, { maxLength: 4 }) }),
);
const transform: fc.Arbitrary<Transform> = fc.oneof(
  fc.record({ tag: fc.constant('translate' as const), val: fc.tuple(f64, f64) }),
  fc.record({ tag: fc.constant('scale' as const), val: f64 }),
  fc.record({ tag: fc.constant('mirror' as const), val: fc.constantFrom('x' as const, 'y' as const) }),
);
// Resolutions from tiny to huge, and the odd ones (0, negative, NaN): the circle clamps its step count.
const res = fc.oneof(fc.double({ min: 1e-3, max: 10, noNaN: true }), f64);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('make' as const), shape: make }) },
  fc.record({ op: fc.constant('query' as const), i: index }),
  fc.record({ op: fc.constant('scale' as const), i: index, factor: f64 }),
  fc.record({ op: fc.constant('describe' as const), i: index }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('render' as const), i: index, res }) },
  fc.record({ op: fc.constant('draw' as const), i: index, res }),
  fc.record({ op: fc.constant('total-area' as const), take: fc.nat(3) }),
  fc.record({ op: fc.constant('drop' as const), i: index }),
  fc.record({ op: fc.constant('bounds' as const), i: index }),
  fc.record({ op: fc.constant('transform' as const), i: index, t: transform }),
  fc.record({ op: fc.constant('paint' as const), i: index, style, bg: fc.option(color, { nil: undefined }) }),
);

function build(api: Shapes, m: Make): Shape {
  switch (m.make) {
    case 'circle':
      return api.circle(m.r);
    case 'rect':
      return api.rect(m.w, m.h);
    case 'polygon':
      return api.polygon(m.points);
  }
}

/** Runs `steps` on one host, logging results and the ops each canvas recorded. */
function run(api: Shapes, steps: readonly Step[]): unknown[] {
  const log: unknown[] = [];
  const live: Shape[] = [];
  const pick = (i: number): Shape | undefined => live[i % Math.max(live.length, 1)];
  for (const s of steps) {
    if (s.op === 'make') {
      try {
        live.push(build(api, s.shape));
        log.push('made');
      } catch (e) {
        log.push({ err: (e as { payload?: unknown }).payload });
      }
      continue;
    }
    if (s.op === 'total-area') {
      const taken = live.splice(0, s.take);
      log.push(api.totalArea(taken));
      continue;
    }
    const shape = pick(s.i);
    if (!shape) continue;
    switch (s.op) {
      case 'query':
        log.push([shape.name(), shape.area(), shape.perimeter()]);
        break;
      case 'scale':
        log.push(shape.scale(s.factor));
        break;
      case 'describe':
        log.push(api.describe(shape));
        break;
      case 'render': {
        const canvas = new Canvas(s.res);
        log.push(api.render(shape, canvas), canvas.ops);
        break;
      }
      case 'draw': {
        const canvas = new Canvas(s.res);
        log.push(shape.draw(canvas), canvas.ops);
        break;
      }
      case 'bounds':
        log.push(shape.bounds());
        break;
      case 'transform':
        // A refused transform (non-finite numbers) is the error side of a result.
        try {
          log.push(shape.transform(s.t));
        } catch (e) {
          log.push({ err: (e as { payload?: unknown }).payload });
        }
        break;
      case 'paint': {
        const canvas = new Canvas(1, s.bg);
        const used = api.paint(shape, s.style, canvas);
        log.push(used.tag === 'dashed' ? { tag: used.tag, val: Array.from(used.val) } : used, canvas.ops);
        break;
      }
      case 'drop':
        live.splice(live.indexOf(shape), 1);
        shape[Symbol.dispose]();
        break;
    }
  }
  return log;
}

describe('shapes: our runtime agrees with jco, drawing on the same recording canvas', () => {
  it('the same shapes, queries and draw calls', async () => {
    const p = await pair<Shapes>('shapes', IFACE, IMPORTS);
    expectSameReturns(fc.array(step, { maxLength: 20 }), 150, p.jcoPlugin, (steps) => run(p.ours, steps), (steps) => run(p.jco, steps));
  });

  // A disagreement, not normalised (normalise.ts, item 4): a host callback
  // that calls back into the plugin while the plugin is drawing. Our runtime
  // refuses the reentrant call (the Component Model's may_enter rule) with a
  // PluginInUseError before the plugin runs; jco lets it in, and the plugin's own
  // borrow check then refuses `shape.scale` on the shape lent to `render`.
  // Either way the call traps and the shape is not mutated while lent.
  it('a canvas callback that scales the shape being drawn: ours refuses reentrance, jco reaches the plugin\'s BorrowError', async () => {
    await fc.assert(
      fc.asyncProperty(make, f64, async (m, factor) => {
        const p = await pair<Shapes>('shapes', IFACE, IMPORTS);
        let reentrance: unknown;
        const [o, j] = p.both((api) => {
          const shape = build(api, m);
          const canvas = new Canvas(1);
          canvas.moveTo = () => {
            try {
              shape.scale(factor);
            } catch (e) {
              if (api === p.ours) reentrance = e;
              throw e;
            }
          };
          return api.render(shape, canvas);
        });
        if (j.kind === 'result-error') {
          // A polygon with fewer than 3 points is not made: nothing is drawn.
          expect(o).toEqual(j);
          return;
        }
        expect(j).toMatchObject({ kind: 'trap', error: 'BorrowError', message: expect.stringContaining('`shape.scale` needs exclusive access to `shape`') });
        // The refusal the callback let through unwound the plugin: the caller sees it.
        expect(o).toEqual({ kind: 'refused', error: 'PluginInUseError' });
        expect(reentrance).toBeInstanceOf(PluginInUseError);
        expect((reentrance as Error).message).toMatch(/reentrance is not allowed/);
      }),
      { numRuns: 15 },
    );
  });
});
