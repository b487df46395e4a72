/**
 * `canon resource.new`, `canon resource.drop`, `canon resource.rep`
 * (definitions.py), as core functions bound to one instance and resource type.
 */
import { TrapError } from '../errors.ts';
import type { FuncType } from '../types.ts';
import type { ComponentInstance } from './component-instance.ts';
import { promisingEntry } from './jspi-glue.ts';
import type { ResourceType } from './resource-type.ts';
import type { FuncInst } from './task.ts';
import { canonLiftTask } from './task-lift.ts';
import { trap } from './trap.ts';
import { trapped } from './guard.ts';

// These run on every resource call, so each catches inline (as `guardTrap` would) instead of
// allocating a closure per call.

// Out of line: resource.new and resource.drop run on every resource created or dropped by a guest.
function refuseLeave(op: string): never {
  trap(`${op}: may_leave is false (called from realloc, post-return or a destructor)`);
}

export function canonResourceNew(rt: ResourceType, inst: ComponentInstance): (rep: number) => number {
  return (rep: number): number => {
    try {
      // `!== true`, not `!`: an identity compare, where V8 compiles `!` of a field it cannot type as a full truthiness test.
      if (inst.mayLeave !== true) refuseLeave('resource.new');
      return inst.handles.add({ kind: 'resource', rt, rep: rep >>> 0, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
    } catch (e) {
      throw trapped(inst, e);
    }
  };
}

export function canonResourceDrop(rt: ResourceType, inst: ComponentInstance): (handleIndex: number) => void {
  return (handleIndex: number): void => {
    try {
      if (inst.mayLeave !== true) refuseLeave('resource.drop');
      const i = handleIndex >>> 0;
      // definitions.py's order: removed, then checked (a failed check traps and poisons the instance).
      const h = inst.handles.removeResource(i, 'resource.drop');
      if (h.rt !== rt) trap(`resource.drop: handle ${i} is a ${h.rt.name}, not a ${rt.name}`);
      if (h.numLends !== 0) trap(`resource.drop: handle ${i} is lent to ${h.numLends} call(s) in progress`);
      if (h.own === true) {
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
 * allowed to leave, checked by the caller). In an instance that uses tasks the
 * destructor runs as a synchronous task of its own (definitions.py
 * `canon_resource_drop`: `store.lift(dtor, ...)`), so the built-ins it calls
 * (`future.read`, `task.*`, ...) find it current.
 */
export function runDestructor(rt: ResourceType, inst: ComponentInstance, rep: number): void {
  const dtor = rt.dtor;
  if (dtor !== undefined) {
    const impl = rt.impl;
    if (impl.usesTasks === true) {
      runDestructorTask(rt, destructorTask(rt, dtor), inst, rep);
    } else if (impl === inst) {
      // Same instance: entering_set(caller) is empty, so no may_enter check or change.
      callCore(impl, dtor, rep);
    } else {
      if (impl.poisoned !== undefined) impl.checkNotPoisoned();
      if (impl.mayEnter !== true) refuseDestructorReentrance(impl);
      // No `finally`: V8 compiles one into a saved pending message and a
      // dispatch on how the block was left, paid by every drop. may_enter is
      // set again on both exits: here, and in `destructorTrapped`.
      impl.mayEnter = false;
      try {
        dtor(rep);
      } catch (e) {
        throw destructorTrapped(impl, e);
      }
      impl.mayEnter = true;
    }
  }
  // Whichever route dropped the last own handle, the host hears of it here once.
  rt.js.destroyed?.(rep);
}

// Out of line: runDestructor runs on every drop and is inlined into its callers only while it is small.
function refuseDestructorReentrance(impl: ComponentInstance): never {
  trap(`resource.drop: the destructor's instance ${impl.name} may not be entered (reentrance)`);
}

function callCore(impl: ComponentInstance, dtor: (rep: number) => void, rep: number): void {
  try {
    dtor(rep);
  } catch (e) {
    throw destructorTrap(impl, e);
  }
}

/** A destructor threw: `impl` is poisoned by the trap, which is returned to be thrown. */
function destructorTrap(impl: ComponentInstance, e: unknown): TrapError {
  const t = e instanceof TrapError ? e : new TrapError(`destructor of a resource trapped: ${String(e)}`, { cause: e });
  impl.poison(t);
  return t;
}

/** `destructorTrap` on the exit of a cross-instance destructor call, which also lets `impl` be entered again. */
function destructorTrapped(impl: ComponentInstance, e: unknown): TrapError {
  impl.mayEnter = true;
  return destructorTrap(impl, e);
}

/** definitions.py `canon_resource_drop`: the destructor's type, `(func (param u32))`, lifted and lowered without options. */
const DTOR_TYPE: FuncType = { async: false, params: [{ name: 'rep', type: { kind: 'u32' } }], result: undefined };
const DTOR_CORE_SIG = { params: ['i32'], results: [] } as const;

/** Each resource type's destructor lifted as a task, made at its first use (the instance's mode is final by then). */
const destructorTasks = new WeakMap<ResourceType, FuncInst>();

function destructorTask(rt: ResourceType, dtor: (rep: number) => void): FuncInst {
  let f = destructorTasks.get(rt);
  if (f === undefined) {
    const impl = rt.impl;
    const suspension = impl.coreSuspension;
    const callee = suspension === 'jspi' ? promisingEntry(dtor, DTOR_CORE_SIG) : dtor;
    const opts = { memory: undefined, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8', async: false } as const;
    f = canonLiftTask(DTOR_TYPE, opts, impl, callee as (...flat: unknown[]) => unknown, { suspension }).invoke;
    destructorTasks.set(rt, f);
  }
  return f;
}

/**
 * The synchronous lowered call of a destructor task from `inst` (the spec's
 * `store.lower(callee, ft, opts, inst)`). `resource.drop` is not an import
 * that can suspend its caller, so a destructor that blocks before returning
 * traps here.
 */
function runDestructorTask(rt: ResourceType, task: FuncInst, inst: ComponentInstance, rep: number): void {
  let returned = false;
  let failure: { e: unknown } | undefined;
  task(
    () => [rep],
    () => {
      returned = true;
    },
    inst,
    (e) => {
      failure = { e };
    },
  );
  if (failure !== undefined) throw failure.e;
  if (!returned) trap(`resource.drop: the destructor of ${rt.name} in ${rt.impl.name} blocked before returning, and resource.drop cannot wait for it`);
}
