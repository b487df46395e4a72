/**
 * 📝 definitions.py `ErrorContext`: an immutable debug message behind a table
 * index, and how an `error-context` value crosses a call (`lift_error_context`,
 * `lower_error_context`): lifting reads the caller's table without removing
 * the entry (the context is immutable, so sharing it is safe), lowering adds
 * it to the callee's table. In JS an error context is the `ErrorContext`
 * object itself.
 */
import type { LiftLowerContext } from './context.ts';
import { describeElement } from './handle-table.ts';
import { describe } from './strings.ts';
import { trap } from './trap.ts';

export class ErrorContext {
  readonly kind = 'error-context' as const;
  constructor(
    /** The host-defined transformation of the guest's message (we keep it as written). */
    readonly debugMessage: string,
  ) {}
}

/** definitions.py `lift_error_context`. */
export function liftErrorContext(cx: LiftLowerContext, i: number): ErrorContext {
  const e = cx.inst.handles.get(i);
  if (e.kind !== 'error-context') trap(`lift error-context: index ${i} is ${describeElement(e)}, not an error context`);
  return e;
}

/** definitions.py `lower_error_context`; a refused call takes the entry out again (`abandonLowering`). */
export function lowerErrorContext(cx: LiftLowerContext, v: unknown, path: string): number {
  if (!(v instanceof ErrorContext)) throw new TypeError(`${path}: expected an ErrorContext, got ${describe(v)}`);
  const i = cx.inst.handles.add(v);
  cx.addedHandles.push(i);
  return i;
}
