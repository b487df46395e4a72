/**
 * Handle transfer (definitions.py `lift_own`, `lift_borrow`, `lower_own`,
 * `lower_borrow`), joined to the JS side through `ResourceType.js`.
 */
import { HandleError } from '../errors.ts';
import type { ResourceTypeRef } from '../types.ts';
import { type LendKeep, ResourceType, type ResourceJsBinding } from './resource-type.ts';
import type { LiftLowerContext } from './context.ts';
import type { ResourceHandle } from './handle-table.ts';
import { trap } from './trap.ts';

export function asResourceType(r: ResourceTypeRef): ResourceType {
  if (!(r instanceof ResourceType)) {
    throw new TypeError(`resource type ${r.name} was not created by host/runtime (expected a ResourceType)`);
  }
  return r;
}

/** definitions.py `lift_own` (the handle is removed, then checked: a failed check traps), then hands ownership to JS. */
export function liftOwn(cx: LiftLowerContext, i: number, rt: ResourceType): unknown {
  const h = cx.inst.handles.removeResource(i, 'lift own');
  // `!== true`, not `!`: V8 compiles `!` of a field it cannot type as a full truthiness test.
  if (h.rt !== rt || h.numLends !== 0 || h.own !== true) refuseLiftOwn(i, h, rt);
  return rt.js.liftOwn(h.rep);
}

/** Out of line: `liftOwn` runs on every returned own handle, and V8 inlines it only while it is small. */
function refuseLiftOwn(i: number, h: ResourceHandle, rt: ResourceType): never {
  if (h.rt !== rt) trap(`lift own: handle ${i} is a ${h.rt.name}, expected a ${rt.name}`);
  if (h.numLends !== 0) trap(`lift own: handle ${i} is lent to ${h.numLends} call(s) in progress`);
  trap(`lift own: handle ${i} is a borrow, not an own`);
}

/**
 * definitions.py `lift_borrow`: lends the handle for the duration of the
 * current `canon lower` call (the lend is released when the call returns).
 * The lend and the JS object it gives are recorded on `cx` (`lenders`,
 * `borrowEnds`), which `releaseLends` unwinds, newest first. `keep`: the
 * callee is a linked plugin's export (resource-type.ts `liftBorrow`).
 */
export function liftBorrow(cx: LiftLowerContext, i: number, rt: ResourceType, keep?: LendKeep): unknown {
  const h = lendHandle(cx, i, rt);
  cx.lenders.push(h);
  const js = rt.js;
  const value = lentValue(cx, h, js, keep);
  if (js.endBorrow !== undefined) {
    cx.borrowEnds.push(js);
    cx.borrowedValues.push(value);
  }
  return value;
}

/**
 * `lift_borrow`'s table part: the handle `i`, checked to be a `rt`, lent to
 * the call (`num_lends`). Whoever calls it ends the lend (decrements
 * `numLends`) when the call returns: `releaseLends` for `liftBorrow`, or a
 * call that lifts only this one borrow itself (lower.ts, a trait object's
 * `&self` in a callback).
 */
export function lendHandle(cx: LiftLowerContext, i: number, rt: ResourceType): ResourceHandle {
  const h = cx.inst.handles.getResource(i, 'lift borrow');
  if (h.rt !== rt) trap(`lift borrow: handle ${i} is a ${h.rt.name}, expected a ${rt.name}`);
  h.numLends++;
  return h;
}

/** The JS value a lent handle gives: the value JS lent (`ResourceHandle.lent`), else the binding's object for it (`keep`: see `liftBorrow`). */
export function lentValue(cx: LiftLowerContext, h: ResourceHandle, js: ResourceJsBinding, keep?: LendKeep): unknown {
  return h.lent !== undefined ? h.lent : js.liftBorrow(h.rep, cx.inst, keep);
}

/**
 * Checks the JS value can give up ownership, then definitions.py
 * `lower_own`. The JS side moves only at `commitLowering`, once every value
 * of the call is lowered; the same object twice in one call is refused
 * (unless the binding counts ownerships, as for host objects).
 */
export function lowerOwn(cx: LiftLowerContext, v: unknown, rt: ResourceType, path: string): number {
  const js = rt.js;
  const rep = js.lowerOwn(v, path);
  const moved = cx.movedValues;
  for (let i = 0; i < moved.length && js.sharedOwnership !== true; i++) {
    if (moved[i] === v) throw new HandleError('use-after-move', `${path}: this ${rt.name} is already moved into the call by an earlier argument; a handle can be moved only once`);
  }
  cx.movedBindings.push(js);
  moved.push(v);
  const i = cx.inst.handles.add({ kind: 'resource', rt, rep, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
  cx.addedHandles.push(i);
  return i;
}

/** definitions.py `lower_borrow`: the implementing instance gets the rep itself. */
export function lowerBorrow(cx: LiftLowerContext, v: unknown, rt: ResourceType, path: string): number {
  const js = rt.js;
  const rep = js.lowerBorrow(v, path);
  if (cx.inst === rt.impl) return rep;
  const scope = cx.borrowScope;
  if (scope === undefined) trap('lower borrow: a borrow can only be passed as an argument of a call');
  scope.numBorrows++;
  const i = cx.inst.handles.add({ kind: 'resource', rt, rep, own: false, borrowScope: scope, numLends: 0, lent: js.liftsLentValue === true ? v : undefined });
  cx.addedHandles.push(i);
  return i;
}

/** Ends the one lend `lendHandle` made for a call and revokes the object it gave JS, as `releaseLends` does for `liftBorrow`'s. */
export function endLend(h: ResourceHandle, js: ResourceJsBinding, value: unknown): void {
  h.numLends--;
  if (js.endBorrow !== undefined) js.endBorrow(value);
}

/**
 * definitions.py `Subtask.deliver_resolve`: the lowered call that began when
 * `cx.lenders` and `cx.borrowEnds` had these lengths is over, so its lends
 * end and the JS objects it borrowed are revoked (newest first; nested calls
 * release only their own). Popping, not assigning `length` (a V8 runtime
 * call, which was 8% of a host callback).
 */
export function releaseLends(cx: LiftLowerContext, lendBase: number, borrowBase: number): void {
  const lenders = cx.lenders;
  while (lenders.length > lendBase) lenders.pop()!.numLends--;
  const ends = cx.borrowEnds;
  if (ends.length > borrowBase) {
    const values = cx.borrowedValues;
    while (ends.length > borrowBase) ends.pop()!.endBorrow!(values.pop());
  }
}

/** Every value lowered: the owned JS values checked by `lowerOwn` now belong to the callee. */
export function commitLowering(cx: LiftLowerContext): void {
  const bindings = cx.movedBindings;
  const values = cx.movedValues;
  // Assigning `length` is a runtime call in V8 even on an empty array, and
  // most calls move nothing: truncate only what was used.
  if (values.length !== 0) {
    for (let i = 0; i < values.length; i++) bindings[i]!.commitOwn(values[i]);
    bindings.length = 0;
    values.length = 0;
  }
  // Popped, not truncated: a call adds one or two handles (a borrowed argument), and assigning `length` is a runtime call.
  const added = cx.addedHandles;
  while (added.length > 0) added.pop();
}

/**
 * A value was refused part-way: nothing moves, and the handles already put
 * in the callee's table are taken out (borrows counted in the call's scope
 * with them), so the refused call leaves every table as it was.
 */
export function abandonLowering(cx: LiftLowerContext): void {
  const handles = cx.inst.handles;
  for (const i of cx.addedHandles) {
    const h = handles.remove(i);
    if (h.kind === 'resource' && !h.own && h.borrowScope !== undefined) h.borrowScope.numBorrows--;
  }
  cx.addedHandles.length = 0;
  cx.movedBindings.length = 0;
  cx.movedValues.length = 0;
}
