/**
 * Handle transfer (definitions.py `lift_own`, `lift_borrow`, `lower_own`,
 * `lower_borrow`), joined to the JS side through `ResourceType.js`.
 */
import type { ResourceTypeRef } from '../types.ts';
import { ResourceType } from '../runtime/component-instance.ts';
import type { LiftLowerContext } from './context.ts';
import { trap } from './trap.ts';

export function asResourceType(r: ResourceTypeRef): ResourceType {
  if (!(r instanceof ResourceType)) {
    throw new TypeError(`resource type ${r.name} was not created by host/runtime (expected a ResourceType)`);
  }
  return r;
}

/** definitions.py `lift_own`, then hands ownership to JS. */
export function liftOwn(cx: LiftLowerContext, i: number, rt: ResourceType): unknown {
  const handles = cx.inst.handles;
  const h = handles.get(i);
  if (h.rt !== rt) trap(`lift own: handle ${i} is a ${h.rt.name}, expected a ${rt.name}`);
  if (h.numLends !== 0) trap(`lift own: handle ${i} is lent to ${h.numLends} call(s) in progress`);
  if (!h.own) trap(`lift own: handle ${i} is a borrow, not an own`);
  handles.remove(i);
  return rt.js.liftOwn(h.rep);
}

/**
 * definitions.py `lift_borrow`: lends the handle for the duration of the
 * current `canon lower` call (the lend is released when the call returns).
 */
export function liftBorrow(cx: LiftLowerContext, i: number, rt: ResourceType): unknown {
  const h = cx.inst.handles.get(i);
  if (h.rt !== rt) trap(`lift borrow: handle ${i} is a ${h.rt.name}, expected a ${rt.name}`);
  h.numLends++;
  cx.lenders.push(h);
  const js = rt.js;
  const value = js.liftBorrow(h.rep);
  cx.borrowed.push({ end: js.endBorrow?.bind(js), value });
  return value;
}

/** Takes ownership from the JS value, then definitions.py `lower_own`. */
export function lowerOwn(cx: LiftLowerContext, v: unknown, rt: ResourceType, path: string): number {
  const rep = rt.js.lowerOwn(v, path);
  return cx.inst.handles.add({ rt, rep, own: true, borrowScope: undefined, numLends: 0 });
}

/** definitions.py `lower_borrow`: the implementing instance gets the rep itself. */
export function lowerBorrow(cx: LiftLowerContext, v: unknown, rt: ResourceType, path: string): number {
  const rep = rt.js.lowerBorrow(v, path);
  if (cx.inst === rt.impl) return rep;
  const scope = cx.borrowScope;
  if (scope === undefined) trap('lower borrow: a borrow can only be passed as an argument of a call');
  scope.numBorrows++;
  return cx.inst.handles.add({ rt, rep, own: false, borrowScope: scope, numLends: 0 });
}
