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

/** What `during` did from inside the callback. */
export type CallbackOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };
/** Replays a CallbackOutcome: returns what `during` returned, throws what it threw. */
export type Replay = () => unknown;

export interface RenderAndOutcome {
  readonly rendered: unknown;
  readonly outcome: CallbackOutcome;
  readonly replay: Replay;
}

/**
 * Runs `during` once from the first canvas callback of `render(shape)`.
 * By default checks that render returned 1 and returns a thunk replaying
 * what `during` threw or returned; with `{ result: 'both' }` it returns what
 * render returned, unchecked, beside `during`'s outcome and that thunk.
 */
export function duringRender(shapes: Shapes, shape: Shape, during: () => unknown): Replay;
export function duringRender(shapes: Shapes, shape: Shape, during: () => unknown, options: { result: 'both' }): RenderAndOutcome;
export function duringRender(shapes: Shapes, shape: Shape, during: () => unknown, options?: { result: 'both' }): Replay | RenderAndOutcome {
  let outcome: CallbackOutcome | undefined;
  Canvas.onLine = () => {
    if (outcome !== undefined) return;
    try {
      outcome = { ok: true, value: during() };
    } catch (error) {
      // The callback catches the refusal, as a careful host would: the call must go on unharmed.
      outcome = { ok: false, error };
    }
  };
  let rendered: unknown;
  try {
    rendered = shapes.render(shape, new Canvas());
  } finally {
    Canvas.onLine = undefined;
  }
  const recorded = outcome;
  if (recorded === undefined) throw new Error('render never called lineTo');
  const replay = (): unknown => {
    if (recorded.ok) return recorded.value;
    throw recorded.error;
  };
  if (options?.result === 'both') return { rendered, outcome: recorded, replay };
  expect(rendered).toBe(1);
  return replay;
}
