/**
 * Trait objects both ways and plugin-to-plugin calls (issue 15), written once
 * against `CallbacksApi`. Each case checks its results before it is timed.
 */
import { expectEqual } from '../check.ts';
import type { SyncCase } from '../sync-section.ts';
import { consume, keep } from '../timing.ts';
import type { CallbacksApi } from './api.ts';

/** The callback count of the plugin-to-host case in the bench (bench.test.ts checks a smaller one). */
export const CALLBACKS = 1_000_000;

/** A closed polyline of `n` points; `render` calls `lineTo` once per point. */
function points(n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [i % 1000, Math.floor(i / 1000)] as [number, number]);
}

/** jco takes ~35 µs per callback here, so a million is left to raw and ours. */
const JCO_CALLBACKS_MAX = 10_000;

/** `shapes.render` of a polygon of `n` points: the plugin calls the host's `lineTo` `n` times. */
function renderCase(n: number, skip: SyncCase<CallbacksApi>['skip']): SyncCase<CallbacksApi> {
  return {
    name: `plugin -> host trait: ${n.toLocaleString('en')} canvas.lineTo calls (shapes.render)`,
    targets: [],
    // Seconds per op through jco (10,000 calls) or ours (a million).
    ...(n >= JCO_CALLBACKS_MAX ? { batches: 5 } : {}),
    ...(skip === undefined ? {} : { skip }),
    prepare(api) {
      const pts = points(n);
      const shape = api.shapes.polygon(pts);
      const canvas = api.newCanvas();
      expectEqual(api.shapes.render(shape, canvas), 1, 'render');
      // lineTo visits points 1..n-1, then point 0 again; moveTo point 0.
      const expected = pts.reduce((s, [x, y]) => s + x + y, 0) + pts[0]![0] + pts[0]![1];
      expectEqual([canvas.lines, canvas.sum], [n, expected], 'lineTo calls and their arguments');
      return () => consume(api.shapes.render(shape, canvas));
    },
  };
}

/** The render cases: `callbacks` calls without jco when that is more than jco can do in time, and a jco-sized one. */
function renderCases(callbacks: number): SyncCase<CallbacksApi>[] {
  if (callbacks <= JCO_CALLBACKS_MAX) return [renderCase(callbacks, undefined)];
  const reason = `not run: ~35 s per million callbacks through jco here; see the ${JCO_CALLBACKS_MAX.toLocaleString('en')}-call row`;
  return [renderCase(callbacks, { jco: reason }), renderCase(JCO_CALLBACKS_MAX, undefined)];
}

export function callbackCases(callbacks: number): SyncCase<CallbacksApi>[] {
  return [
    ...renderCases(callbacks),
    {
      name: 'host -> plugin trait object: shape.area()',
      targets: [],
      prepare(api) {
        const shape = api.shapes.circle(2);
        expectEqual(shape.area(), Math.PI * 4, 'circle(2).area()');
        return () => consume(shape.area());
      },
    },
    {
      name: 'host -> plugin trait object: shape.bounds() (record)',
      targets: [],
      prepare(api) {
        const shape = api.shapes.circle(2);
        expectEqual(shape.bounds(), { x: -2, y: -2, w: 4, h: 4 }, 'circle(2).bounds()');
        return () => consume(keep(shape.bounds()).w);
      },
    },
    {
      name: 'plugin -> plugin (linked): consumer.compactness(shape), 2 calls into shapes',
      targets: [],
      prepare(api) {
        const shape = api.shapes.circle(3);
        expectEqual(Math.abs(api.consumer.compactness(shape) - 1) < 1e-12, true, 'compactness of a circle (1)');
        return () => consume(api.consumer.compactness(shape));
      },
    },
  ];
}

export const CALLBACK_CASES: readonly SyncCase<CallbacksApi>[] = callbackCases(CALLBACKS);
