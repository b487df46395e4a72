/**
 * The callbacks section: the shapes example calling a host-implemented
 * `Canvas` trait, the host calling shapes' trait objects, and the consumer
 * example calling shapes through linking; ours, raw (core modules wired by
 * hand, raw.ts) and jco (the consumer's import given the shapes bindings'
 * `Shape` class, the only way jco links two components).
 */
import { columnCopy } from '../column-copy.ts';
import { instantiateTranspiled } from '../jco.ts';
import { exportedInterface, loadPlugin } from '../ours.ts';
import { readGuest, repoPath } from '../paths.ts';
import type { Section } from '../suite.ts';
import { syncSection } from '../sync-section.ts';
import { CANVAS_IMPORT, CONSUMER_INTERFACE, CountingCanvas, SHAPE_IMPORT, SHAPE_INTERFACE, SHAPES_INTERFACE, type CallbacksApi, type ConsumerApi, type ShapesApi } from './api.ts';
import type * as CallbackCases from './cases.ts';
import { callbackCoreModules, instantiateRawCallbacks } from './raw.ts';

async function ours(): Promise<CallbacksApi> {
  const shapes = await loadPlugin(readGuest('shapes'), { name: 'shapes', imports: { [CANVAS_IMPORT]: {} } });
  const consumer = await loadPlugin(readGuest('consumer'), { name: 'consumer', link: [shapes] });
  return {
    shapes: exportedInterface(shapes, SHAPES_INTERFACE) as ShapesApi,
    consumer: exportedInterface(consumer, CONSUMER_INTERFACE) as ConsumerApi,
    newCanvas: () => new CountingCanvas(),
  };
}

async function jco(): Promise<CallbacksApi> {
  const shapes = await instantiateTranspiled(readGuest('shapes'), {
    name: 'shapes',
    outDir: repoPath('build', 'bench', 'jco', 'shapes'),
    imports: { [CANVAS_IMPORT]: { Canvas: CountingCanvas } },
  });
  const consumer = await instantiateTranspiled(readGuest('consumer'), {
    name: 'consumer',
    outDir: repoPath('build', 'bench', 'jco', 'consumer'),
    imports: { [SHAPE_IMPORT]: { Shape: (shapes[SHAPE_INTERFACE] as { Shape: unknown }).Shape } },
  });
  return {
    shapes: shapes[SHAPES_INTERFACE] as ShapesApi,
    consumer: consumer[CONSUMER_INTERFACE] as ConsumerApi,
    newCanvas: () => new CountingCanvas(),
  };
}

/** How each column makes the callbacks API (shared with bench.test.ts). */
export const CALLBACK_IMPLEMENTATIONS = {
  raw: async () => instantiateRawCallbacks(callbackCoreModules(readGuest('shapes'), readGuest('consumer'))),
  ours,
  jco,
} satisfies Record<string, () => Promise<CallbacksApi>>;

export const callbacksSection: Section = syncSection({
  id: 'callbacks',
  title: 'trait objects both ways, plugin-to-plugin (shapes, consumer)',
  implementations: CALLBACK_IMPLEMENTATIONS,
  cases: async (column) => (await columnCopy<typeof CallbackCases>('callbacks/cases', column)).CALLBACK_CASES,
});
