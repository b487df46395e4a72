/**
 * The shapes plugin with a recording canvas, mutator linked to it, and a way to run code from
 * inside a host callback while `render` borrows a shape: the fixtures of the linked-plugin and
 * host-callback routes (linked.test.ts, red-team.test.ts).
 */
import { expect } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { Canvas } from '../support/canvas.ts';
import { guestPath } from '../support/guests.ts';
import type { Shape, Shapes } from '../support/example-apis.ts';
import type { Mutator } from './apis.ts';
import { MUTATOR, SHAPES } from './support.ts';

export const CANVAS = { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } };

export interface LinkedShapes {
  shapesPlugin: Plugin;
  mutatorPlugin: Plugin;
  shapes: Shapes;
  mutator: Mutator;
}

/** shapes, and mutator linked to it (in-process), both checked. */
export async function linkedShapes(): Promise<LinkedShapes> {
  const shapesPlugin = await load(guestPath('shapes'), { name: 'shapes', imports: CANVAS });
  const mutatorPlugin = await load(guestPath('mutator'), { name: 'mutator', link: [shapesPlugin] });
  expect(mutatorPlugin.lifetimes).toBe('checked');
  return { shapesPlugin, mutatorPlugin, shapes: shapesPlugin.exports[SHAPES] as Shapes, mutator: mutatorPlugin.exports[MUTATOR] as Mutator };
}

/** Runs `during` once from the first canvas callback of `render(shape)`; returns a thunk replaying what it threw or returned. */
export function duringRender(shapes: Shapes, shape: Shape, during: () => unknown): () => unknown {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
  Canvas.onLine = () => {
    if (outcome !== undefined) return;
    try {
      outcome = { ok: true, value: during() };
    } catch (error) {
      outcome = { ok: false, error };
    }
  };
  try {
    expect(shapes.render(shape, new Canvas())).toBe(1);
  } finally {
    Canvas.onLine = undefined;
  }
  const recorded = outcome;
  if (recorded === undefined) throw new Error('render never called lineTo');
  return () => {
    if (recorded.ok) return recorded.value;
    throw recorded.error;
  };
}
