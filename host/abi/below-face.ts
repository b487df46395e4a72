/**
 * Entries below a JS face: how a linked plugin's lowered import reaches an
 * export with its borrowed `self` as the rep, as definitions.py `lower_borrow`
 * gives it to the resource's own instance, instead of as a JS object the
 * export's face turns back into that rep.
 *
 * An export function JS calls (a lifted function, or the call plan wrapping
 * it, host/rdylib/call-plan.ts) may have an entry here doing exactly what
 * that function does once its `self` argument is lowered: the same rules on
 * the same state, in the same order. An entry whose rules would refuse the
 * call returns `DECLINED` with nothing changed, and the caller makes the
 * call through the function itself, so every refusal is the face's own.
 */
import type { ResourceType } from './resource-type.ts';

/** What an entry returns when the call must go through the function's face (nothing was changed). */
export const DECLINED: unique symbol = Symbol('below-face entry declined');

/**
 * An entry: the call with `self` given as `rep`, a handle of resource type
 * `rt` (DECLINED unless it is the function's own `self` type), lent by a
 * call running in `via` (the instance whose handle it is: a use through it
 * does not conflict with that call's own loan), then the other arguments as
 * JS values.
 */
export type BelowFace = (rep: number, rt: ResourceType, via: object, b: unknown, c: unknown) => unknown;

const entries = new WeakMap<object, BelowFace>();

/** Records `entry` as `f`'s entry below its face. */
export function setBelowFace(f: object, entry: BelowFace): void {
  entries.set(f, entry);
}

/** `f`'s entry below its face, if it has one. */
export function belowFaceOf(f: object): BelowFace | undefined {
  return entries.get(f);
}
