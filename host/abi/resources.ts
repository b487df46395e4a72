/**
 * `canon resource.new`, `canon resource.drop`, `canon resource.rep`
 * (definitions.py), as core functions bound to one instance and resource type.
 */
import { TrapError } from '../errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { ResourceType } from './resource-type.ts';
import { trap } from './trap.ts';
import { trapped } from './guard.ts';

// These run on every resource call, so each catches inline (as `guardTrap` would) instead of
// allocating a closure per call.

export function canonResourceNew(rt: ResourceType, inst: ComponentInstance): (rep: number) => number {
  return (rep: number): number => {
    try {
      if (!inst.mayLeave) trap('resource.new: may_leave is false (called from realloc, post-return or a destructor)');
      return inst.handles.add({ kind: 'resource', rt, rep: rep >>> 0, own: true, borrowScope: undefined, numLends: 0 });
    } catch (e) {
      throw trapped(inst, e);
    }
  };
}

export function canonResourceDrop(rt: ResourceType, inst: ComponentInstance): (handleIndex: number) => void {
  return (handleIndex: number): void => {
    try {
      if (!inst.mayLeave) trap('resource.drop: may_leave is false (called from realloc, post-return or a destructor)');
      const i = handleIndex >>> 0;
      const h = inst.handles.getResource(i, 'resource.drop');
      if (h.rt !== rt) trap(`resource.drop: handle ${i} is a ${h.rt.name}, not a ${rt.name}`);
      if (h.numLends !== 0) trap(`resource.drop: handle ${i} is lent to ${h.numLends} call(s) in progress`);
      inst.handles.remove(i);
      if (h.own) {
        runDestructor(rt, inst, h.rep);
      } else {
        // A borrow handle given to this instance by a call: its scope counts it as returned.
        h.borrowScope!.numBorrows -= 1;
      }
    } catch (e) {
      throw trapped(inst, e);
    }
  };
}

export function canonResourceRep(rt: ResourceType, inst: ComponentInstance): (handleIndex: number) => number {
  return (handleIndex: number): number => {
    try {
      const i = handleIndex >>> 0;
      const h = inst.handles.getResource(i, 'resource.rep');
      if (h.rt !== rt) trap(`resource.rep: handle ${i} is a ${h.rt.name}, not a ${rt.name}`);
      return h.rep;
    } catch (e) {
      throw trapped(inst, e);
    }
  };
}

/**
 * Runs `rt.dtor(rep)` as the spec does: a lifted call into the implementing
 * instance (`rt.impl`), entered only if it may be (reentrance from a different
 * instance traps), made from `inst` through a lowered call (so `inst` must be
 * allowed to leave, checked by the caller).
 */
export function runDestructor(rt: ResourceType, inst: ComponentInstance, rep: number): void {
  const dtor = rt.dtor;
  if (dtor !== undefined) {
    const impl = rt.impl;
    if (impl === inst) {
      // Same instance: entering_set(caller) is empty, so no may_enter check or change.
      callCore(impl, dtor, rep);
    } else {
      impl.checkNotPoisoned();
      if (!impl.mayEnter) trap(`resource.drop: the destructor's instance ${impl.name} may not be entered (reentrance)`);
      impl.mayEnter = false;
      try {
        callCore(impl, dtor, rep);
      } finally {
        impl.mayEnter = true;
      }
    }
  }
  // Whichever route dropped the last own handle, the host hears of it here once.
  rt.js.destroyed?.(rep);
}

function callCore(impl: ComponentInstance, dtor: (rep: number) => void, rep: number): void {
  try {
    dtor(rep);
  } catch (e) {
    const t = e instanceof TrapError ? e : new TrapError(`destructor of a resource trapped: ${String(e)}`, { cause: e });
    impl.poison(t);
    throw t;
  }
}
