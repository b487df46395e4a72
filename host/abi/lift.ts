/**
 * `canon lift` (definitions.py `canon_lift`, synchronous): a core function
 * becomes a component function callable from JS. Everything type-dependent
 * is compiled here once; the returned closure only moves values.
 */
import { PluginInUseError, ResultError, TrapError } from '../errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { BorrowScope } from './handle-table.ts';
import type { FuncType, ValType } from '../types.ts';
import { LiftLowerContext } from './context.ts';
import { type Flat, type LowerFlat, type Num, compileLiftFlat, compileLowerFlat, refuseRecord, scalarLift, scalarLower, scalarLowerOrDecline } from './flat.ts';
import { toCamelCase } from './names.ts';
import { trapped } from './guard.ts';
import { alignment, elemSize, fieldOffsets, flattenType, flattenTypes } from './layout.ts';
import { compileLoad, compileStore } from './load-store.ts';
import { type CanonOptions, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';
import { requireMemory, contains } from './requirements.ts';
import { trap } from './trap.ts';
import { abandonLowering, asResourceType, commitLowering, liftOwn } from './handles.ts';
import { type BelowFace, DECLINED, setBelowFace } from './below-face.ts';

type Callee = (...flat: unknown[]) => unknown;

/** The value types whose lowering puts an entry in the callee's handle table or moves an owned JS value. */
const HANDLE_KINDS: readonly ValType['kind'][] = ['own', 'borrow', 'stream', 'future', 'error-context'];

export function canonLift(
  ft: FuncType,
  opts: CanonOptions,
  inst: ComponentInstance,
  callee: Callee,
): (...args: unknown[]) => unknown {
  requireMemory(ft, opts, 'lift');
  const cx = new LiftLowerContext(opts, inst);
  const postReturn = opts.postReturn;
  const paramTypes = ft.params.map((p) => p.type);
  const nParams = paramTypes.length;
  const result = ft.result;
  const topResult = result !== undefined && result.kind === 'result';
  const hasBorrow = paramTypes.some((t) => contains(t, 'borrow'));

  const fast = directFastPath(ft, cx, inst, callee, postReturn);
  if (fast !== undefined) {
    directlyLifted.add(fast);
    return fast;
  }
  const flatDirect = flatDirectPath(ft, cx, inst, callee, postReturn);
  if (flatDirect !== undefined) {
    // Not in `isDirectlyLifted`'s family when its result is read from memory: that family is
    // the small functions V8 inlines at a wrapper's call site (kv's len()); this one is not small,
    // and is a family of its own (`liftedFamily`).
    (flatDirect.memoryResult ? memoryResultLifted : directlyLifted).add(flatDirect.lifted);
    return flatDirect.lifted;
  }

  const lowerArgs = compileLowerArgs(paramTypes, ft.params.map((p) => p.name));
  const liftResult = compileLiftResult(result);
  const callFlat = flatCaller(callee, flatParamCount(paramTypes));
  // Reused by every call: the spec's borrow scope is per call, but calls of one
  // lifted function never overlap (may_enter refuses reentrance before it is touched).
  const scope: BorrowScope | undefined = hasBorrow ? { numBorrows: 0 } : undefined;

  // Lowering parameters without handles (resources, streams, futures, error contexts) moves nothing
  // and adds nothing to the handle table (handles.ts, error-context.ts, stream-builtins.ts): nothing to commit or undo.
  const movesHandles = paramTypes.some((t) => HANDLE_KINDS.some((k) => contains(t, k)));
  const hasResult = result !== undefined;

  // Kept small: V8 inlines this into the caller along with the lowering and
  // lifting closures, within one budget of bytecode; the rare paths are calls.
  // The arguments come as `a`, `b`, `c` (up to three parameters) or as `more`
  // (more than three), as `compileLowerArgs` takes them: no array is filled per
  // call, so nothing is stored into an array that outlives it (a young argument
  // stored into an old array is a write barrier per call).
  const invoke = (a: unknown, b: unknown, c: unknown, more: readonly unknown[] | undefined): unknown => {
    inst.mayEnter = false;
    let entered = false;
    let value: unknown;
    // No `finally` (see directFastPath): both exits restore may_enter and the call's state, the throwing one in `callFailed`.
    try {
      cx.refresh();
      cx.resetLiftBudget();
      if (scope !== undefined) scope.numBorrows = 0;
      cx.borrowScope = scope;
      const flat = lowerArgs(cx, a, b, c, more);
      if (movesHandles) commitLowering(cx);
      entered = true;
      const r = callFlat(flat);
      // Poisoned during the call (a failed import whose exception the guest caught): a trap, not a result.
      if (inst.poisoned !== undefined) inst.checkNotPoisoned();
      cx.refresh();
      value = liftResult(cx, r);
      if (scope !== undefined && scope.numBorrows > 0) borrowsNotDropped(inst, scope);
      if (postReturn !== undefined) callPostReturn(inst, postReturn, r, hasResult);
    } catch (e) {
      throw callFailed(cx, e, entered, movesHandles);
    }
    endCall(cx);
    return topResult ? unwrapResult(value) : value;
  };
  const enter = (argc: number): void => {
    // `!== true`, not `!inst.mayEnter`: see directFastPath's `enter`.
    if (inst.poisoned !== undefined || inst.mayEnter !== true || argc !== nParams) refuseEntry(inst, nParams, argc);
  };
  let lifted: (...args: unknown[]) => unknown;
  switch (nParams) {
    case 0:
      lifted = function lifted0() {
        enter(arguments.length);
        return invoke(undefined, undefined, undefined, undefined);
      };
      break;
    case 1:
      lifted = function lifted1(a: unknown) {
        enter(arguments.length);
        return invoke(a, undefined, undefined, undefined);
      } as (...args: unknown[]) => unknown;
      break;
    case 2:
      lifted = function lifted2(a: unknown, b: unknown) {
        enter(arguments.length);
        return invoke(a, b, undefined, undefined);
      } as (...args: unknown[]) => unknown;
      break;
    case 3:
      lifted = function lifted3(a: unknown, b: unknown, c: unknown) {
        enter(arguments.length);
        return invoke(a, b, c, undefined);
      } as (...args: unknown[]) => unknown;
      break;
    default:
      lifted = (...args: unknown[]): unknown => {
        enter(args.length);
        return invoke(undefined, undefined, undefined, args);
      };
  }
  return lifted;
}

/**
 * definitions.py `trap_if(not inst.may_enter)`, as a refusal: the call is
 * turned away before anything of it happened, so it is a PluginInUseError
 * and the running instance is not poisoned (a host callback may catch it
 * and carry on; if it lets it unwind the running guest, that guest's own
 * frames are lost and it is poisoned like by any exception).
 */
export function refuseReentrance(inst: ComponentInstance): never {
  throw new PluginInUseError(`may_enter: ${inst.name} is already running (reentrance is not allowed); the call was refused before entering it`);
}

/**
 * What a lifted call that threw throws. A bad JS argument is found before
 * the guest runs: nothing moved, the instance is unaffected, the error is
 * the caller's. Anything after entering (or a trap while lowering) poisons
 * the instance (guard.ts `trapped`).
 */
function failedCall(cx: LiftLowerContext, e: unknown, entered: boolean, movesHandles: boolean): unknown {
  if (!entered) {
    if (movesHandles) abandonLowering(cx);
    if (!(e instanceof TrapError)) return e;
  }
  return trapped(cx.inst, e);
}

/** Either exit of a general-path call: the instance may be entered again, and the borrow scope is closed. */
function endCall(cx: LiftLowerContext): void {
  cx.inst.mayEnter = true;
  cx.borrowScope = undefined;
}

/** The throwing exit of a general-path call: what to throw (`failedCall`), with the call ended (`endCall`) either way. */
function callFailed(cx: LiftLowerContext, e: unknown, entered: boolean, movesHandles: boolean): unknown {
  try {
    return failedCall(cx, e, entered, movesHandles);
  } finally {
    endCall(cx);
  }
}

/** definitions.py `trap_if(task.num_borrows > 0)` when a lifted call returns. */
function borrowsNotDropped(inst: ComponentInstance, scope: BorrowScope): never {
  trap(`borrow: ${scope.numBorrows} borrowed handle(s) were not dropped by ${inst.name} before the call returned`);
}

/**
 * Why a lifted function's `enter` refused a call, in the order the checks
 * are made: the instance is poisoned (a trap), it is already running
 * (may_enter), or the call has `got` arguments where it takes `expected`.
 */
function refuseEntry(inst: ComponentInstance, expected: number, got: number): never {
  inst.checkNotPoisoned();
  if (inst.mayEnter !== true) refuseReentrance(inst);
  refuseArgCount(expected, got);
}

/** A lifted function called with the wrong number of arguments (out of line: the check is inlined into every call). */
function refuseArgCount(expected: number, got: number): never {
  throw new TypeError(`expected ${expected} argument(s), got ${got}`);
}

/**
 * Calls `callee` with the `n` flat values as separate arguments. The count
 * is known when the function is lifted, so each function gets the closure of
 * its own arity (a fixed-arity call, no spread, nothing decided per call).
 */
export function flatCaller(callee: Callee, n: number): (flat: Flat) => unknown {
  switch (n) {
    case 0:
      return () => callee();
    case 1:
      return (f) => callee(f[0]);
    case 2:
      return (f) => callee(f[0], f[1]);
    case 3:
      return (f) => callee(f[0], f[1], f[2]);
    case 4:
      return (f) => callee(f[0], f[1], f[2], f[3]);
    case 5:
      return (f) => callee(f[0], f[1], f[2], f[3], f[4]);
    case 6:
      return (f) => callee(f[0], f[1], f[2], f[3], f[4], f[5]);
    case 7:
      return (f) => callee(f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    case 8:
      return (f) => callee(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    default:
      return (f) => callee(...f);
  }
}

/** A top-level `result` is returned as its ok value, its err case thrown as ResultError (jco's convention). */
export function unwrapResult(v: unknown): unknown {
  const r = v as { tag: 'ok' | 'err'; val: unknown };
  if (r.tag === 'err') throw new ResultError(r.val);
  return r.val;
}

export function callPostReturn(inst: ComponentInstance, postReturn: (...flat: unknown[]) => void, r: unknown, hasResult: boolean): void {
  inst.mayLeave = false;
  // No `finally` (see directFastPath): may_leave is set again on both exits.
  try {
    if (hasResult) postReturn(r);
    else postReturn();
  } catch (e) {
    inst.mayLeave = true;
    throw e;
  }
  inst.mayLeave = true;
}

/** How many core arguments `compileLowerParams` passes: the flattened parameters, or one pointer to them when they are too many. */
function flatParamCount(ts: readonly ValType[]): number {
  const n = flattenTypes(ts).length;
  return n <= MAX_FLAT_PARAMS ? n : 1;
}

/**
 * definitions.py `lower_flat_values` for parameters, compiled; returns the
 * core arguments. The arguments are `a`, `b`, `c` when the function takes at
 * most three parameters (those past its arity are ignored), else `more`;
 * `more`, when given, always holds them all (`compileLowerParams`).
 */
export type LowerArgs = (cx: LiftLowerContext, a: unknown, b: unknown, c: unknown, more: readonly unknown[] | undefined) => Flat;

/** `compileLowerArgs` for callers that hold the arguments in an array (task-lift.ts). */
export function compileLowerParams(ts: readonly ValType[], names: readonly string[]): (cx: LiftLowerContext, args: readonly unknown[]) => Flat {
  const lower = compileLowerArgs(ts, names);
  return (cx, args) => lower(cx, args[0], args[1], args[2], args);
}

/**
 * `LowerArgs` for parameters `ts`. Specialised on the arity (0-3): each
 * parameter's lowering is called from a call site of its own, which sees
 * only the lowerings of that position (a method's `self` borrow, a string)
 * so V8 can inline them, where one loop's call site sees every kind.
 */
export function compileLowerArgs(ts: readonly ValType[], names: readonly string[]): LowerArgs {
  const slots = flattenTypes(ts);
  const n = ts.length;
  if (slots.length <= MAX_FLAT_PARAMS) {
    const lowers: LowerFlat[] = [];
    let off = 0;
    ts.forEach((t, i) => {
      lowers.push(compileLowerFlat(t, off, slots, names[i]!));
      off += flattenType(t).length;
    });
    // Reused: every position is written by every call (lower_flat writes each
    // slot of its type's flattening), and calls of one lifted function never overlap.
    const out = new Array<unknown>(slots.length).fill(0);
    const [l0, l1, l2] = lowers;
    switch (n) {
      case 0:
        return () => out;
      case 1:
        return (cx, a) => {
          l0!(cx, a, out);
          return out;
        };
      case 2:
        return (cx, a, b) => {
          l0!(cx, a, out);
          l1!(cx, b, out);
          return out;
        };
      case 3:
        return (cx, a, b, c) => {
          l0!(cx, a, out);
          l1!(cx, b, out);
          l2!(cx, c, out);
          return out;
        };
      default:
        return (cx, _a, _b, _c, more) => {
          for (let i = 0; i < n; i++) lowers[i]!(cx, more![i], out);
          return out;
        };
    }
  }
  // Too many flat values: store the parameters as a tuple in memory and pass its address.
  const tuple: ValType = { kind: 'tuple', types: ts };
  const align = alignment(tuple);
  const size = elemSize(tuple);
  const offs = fieldOffsets(ts);
  const stores = ts.map((t, i) => compileStore(t, names[i]!));
  return (cx, a, b, c, more) => {
    const args = more ?? [a, b, c];
    const ptr = cx.allocate(align, size);
    if (ptr % align !== 0) trap(`params: realloc returned ${ptr}, which is not aligned to ${align}`);
    if (ptr + size > cx.u8.length) trap(`params: realloc returned ${ptr}, and ${size} bytes from it are out of bounds`);
    for (let i = 0; i < n; i++) stores[i]!(cx, args[i], ptr + offs[i]!);
    return [ptr];
  };
}

/** definitions.py `lift_flat_values` for the result, compiled. */
export function compileLiftResult(t: ValType | undefined): (cx: LiftLowerContext, r: unknown) => unknown {
  if (t === undefined) return () => undefined;
  const slots = flattenType(t);
  if (slots.length <= MAX_FLAT_RESULTS) {
    const lift = compileLiftFlat(t, 0, slots);
    const one: Flat = [undefined]; // reused: lifting never re-enters this closure
    return (cx, r) => {
      one[0] = r;
      return lift(cx, one);
    };
  }
  const align = alignment(t);
  const size = elemSize(t);
  const load = compileLoad(t);
  return (cx, r) => {
    const ptr = (r as number) >>> 0;
    if (ptr % align !== 0 || ptr + size > cx.byteLength) refuseResultPointer(cx, ptr, align, size);
    return load(cx, ptr);
  };
}

// Out of line: the check above is inlined into every call, and V8's inlining budget counts message building.
function refuseResultPointer(cx: LiftLowerContext, ptr: number, align: number, size: number): never {
  if (ptr % align !== 0) trap(`result: pointer ${ptr} is not aligned to ${align}`);
  trap(`result: ${size} bytes at ${ptr} are out of bounds of memory (${cx.byteLength} bytes)`);
}

/**
 * How one parameter of a direct call becomes its core value: a single-slot
 * scalar, or a borrow of a resource the callee's own instance implements,
 * which definitions.py `lower_borrow` passes as the rep itself (no handle
 * in the callee's table, nothing counted in the call's borrow scope).
 */
function directLower(t: ValType, path: string, inst: ComponentInstance): ((v: unknown) => Num) | undefined {
  const scalar = scalarLower(t, path);
  if (scalar !== undefined || t.kind !== 'borrow') return scalar;
  const rt = asResourceType(t.resource);
  if (rt.impl !== inst) return undefined;
  // `rt.js` is read per call: the runtime installs its binding after lifting.
  return (v) => rt.js.lowerBorrow(v, path);
}

/** The result of a direct call from its core value: a single-slot scalar, or an `own` handle (definitions.py `lift_own`). */
function directLift(t: ValType, cx: LiftLowerContext): ((x: Num) => unknown) | undefined {
  const scalar = scalarLift(t);
  if (scalar !== undefined || t.kind !== 'own') return scalar;
  const rt = asResourceType(t.resource);
  return (x) => liftOwn(cx, (x as number) >>> 0, rt);
}

/** The functions `directFastPath` and `flatDirectPath` made (see `isDirectlyLifted`). */
const directlyLifted = new WeakSet<object>();

/**
 * Whether `f` is a lifted function of the direct path, whose closures share
 * one shape. A wrapper that calls lifted functions can keep one call site per
 * family: V8 inlines a callee at a site that has only seen functions of one
 * literal, and stops inlining once it sees two (the kv store's len() cost
 * ~2.5x more after an iterator's next(), a general-path call, had gone
 * through the same wrapper).
 */
export function isDirectlyLifted(f: unknown): boolean {
  return typeof f === 'function' && directlyLifted.has(f);
}

/** The functions `flatDirectPath` made whose result is read from memory (echo-fields; see `liftedFamily`). */
const memoryResultLifted = new WeakSet<object>();

/**
 * Which of three families the lifted function `f` is in, for a wrapper that
 * keeps one call site per family (js-exports.ts `unaryFor`): 'direct'
 * (`isDirectlyLifted`), 'memory-result' (flatDirectPath's with a result read
 * from memory, such as a record), or 'other' (the general path, strings and
 * lists, and anything not lifted here). A site that saw functions of two
 * families calls through V8's generic Call builtins and inlines neither.
 */
export function liftedFamily(f: unknown): 'direct' | 'memory-result' | 'other' {
  if (typeof f !== 'function') return 'other';
  if (directlyLifted.has(f)) return 'direct';
  return memoryResultLifted.has(f) ? 'memory-result' : 'other';
}

/** Counts `wrapper`, which calls a directly lifted function and nothing else, in the same family, so the wrappers around it can split too. */
export function wrapsDirectlyLifted(wrapper: object): void {
  directlyLifted.add(wrapper);
}

/**
 * Every parameter and the result fit one core value each with no memory
 * and no handle-table entry for the call (`directLower`, `directLift`): the
 * scalar calls, and methods of a resource the instance implements (`self`
 * is the rep) returning a scalar or a new owned handle. No flat arrays,
 * no memory views; a thin wrapper specialised on arity 0-3. A method's also
 * has an entry below its face (below-face.ts) taking `self` as the rep, for
 * a linked plugin's lowered import (lower.ts `linkedSelf`).
 */
function directFastPath(
  ft: FuncType,
  cx: LiftLowerContext,
  inst: ComponentInstance,
  callee: Callee,
  postReturn: ((...flat: unknown[]) => void) | undefined,
): ((...args: unknown[]) => unknown) | undefined {
  if (ft.params.length > 3) return undefined;
  const lowers = ft.params.map((p) => directLower(p.type, p.name, inst));
  if (lowers.some((l) => l === undefined)) return undefined;
  const liftR = ft.result === undefined ? (x: unknown) => x : directLift(ft.result, cx);
  if (liftR === undefined) return undefined;
  const hasResult = ft.result !== undefined;
  const n = lowers.length;

  // One test, the refusals out of line (`refuseEntry`): V8 inlines `enter` with the
  // rest of a call into its caller within one budget of bytecode (a self method's
  // wrapper, js-exports.ts, with its borrow check and this function).
  const enter = (argc: number): void => {
    // `!== true`, not `!inst.mayEnter`: an identity compare, where V8 compiles `!` of a field it cannot type as a truthiness test.
    if (inst.poisoned !== undefined || inst.mayEnter !== true || argc !== n) refuseEntry(inst, n, argc);
  };
  const finish = directFinish(inst, liftR, postReturn, hasResult);
  // Each `run` below clears may_enter, and sets it again on both exits: after
  // the result on the normal one, in `leftByThrow` on the other. No `finally`:
  // V8 compiles one into a saved pending message and a dispatch on how the
  // block was left, paid by every call. The lifted functions and their entry
  // below the face (`belowFace`) share them; small enough that V8 inlines
  // them into each.
  const [l0, l1, l2] = lowers as ((v: unknown) => unknown)[];
  const run1 = (x: unknown): unknown => {
    inst.mayEnter = false;
    let v: unknown;
    try {
      v = finish(callee(x));
    } catch (e) {
      throw leftByThrow(inst, e);
    }
    inst.mayEnter = true;
    return v;
  };
  const run2 = (x: unknown, y: unknown): unknown => {
    inst.mayEnter = false;
    let v: unknown;
    try {
      v = finish(callee(x, y));
    } catch (e) {
      throw leftByThrow(inst, e);
    }
    inst.mayEnter = true;
    return v;
  };
  const run3 = (x: unknown, y: unknown, z: unknown): unknown => {
    inst.mayEnter = false;
    let v: unknown;
    try {
      v = finish(callee(x, y, z));
    } catch (e) {
      throw leftByThrow(inst, e);
    }
    inst.mayEnter = true;
    return v;
  };
  let lifted: (...args: unknown[]) => unknown;
  switch (n) {
    case 0:
      return function lifted0(...args: unknown[]) {
        enter(args.length);
        inst.mayEnter = false;
        let v: unknown;
        try {
          v = finish(callee());
        } catch (e) {
          throw leftByThrow(inst, e);
        }
        inst.mayEnter = true;
        return v;
      };
    case 1:
      lifted = function lifted1(a: unknown) {
        enter(arguments.length);
        return run1(l0!(a));
      } as (...args: unknown[]) => unknown;
      break;
    case 2:
      lifted = function lifted2(a: unknown, b: unknown) {
        enter(arguments.length);
        const x = l0!(a);
        return run2(x, l1!(b));
      } as (...args: unknown[]) => unknown;
      break;
    default:
      lifted = function lifted3(a: unknown, b: unknown, c: unknown) {
        enter(arguments.length);
        const x = l0!(a);
        const y = l1!(b);
        return run3(x, y, l2!(c));
      } as (...args: unknown[]) => unknown;
  }
  const self = ft.params[0]!.type;
  if (self.kind === 'borrow') {
    // `self` is a borrow of this instance's own resource (`directLower`): below the face, it comes as the rep.
    const rt = asResourceType(self.resource);
    const below: BelowFace =
      n === 1
        ? (rep, other) => {
            if (other !== rt) return DECLINED;
            enter(1);
            return run1(rep);
          }
        : n === 2
          ? (rep, other, _via, b) => {
              if (other !== rt) return DECLINED;
              enter(2);
              return run2(rep, l1!(b));
            }
          : (rep, other, _via, b, c) => {
              if (other !== rt) return DECLINED;
              enter(3);
              const y = l1!(b);
              return run3(rep, y, l2!(c));
            };
    setBelowFace(lifted, below);
  }
  return lifted;
}

/**
 * The end of a direct call (`directFastPath`), given the core result: the
 * call's result, lifted (`liftR`), unless the instance was poisoned during
 * the call (a failed import whose exception the guest caught: a trap, not a
 * result); then the post-return, if the function has one.
 *
 * One test for both rare cases, the rest of them out of line (`rare`, same
 * order): V8 inlines this with the rest of a call into its caller within one
 * budget of bytecode (a self method's wrapper, js-exports.ts, with its borrow
 * check). A direct function's result is a scalar or an own handle, which owns
 * no memory for a post-return to free (wit-bindgen emits none for them), so
 * the function that has one is the rare one. Made here, not in
 * `directFastPath`, so that what it reads are parameters, which V8 need not
 * check for being read before they are set (2 bytes of bytecode each).
 */
function directFinish(
  inst: ComponentInstance,
  liftR: (x: never) => unknown,
  postReturn: ((...flat: unknown[]) => void) | undefined,
  hasResult: boolean,
): (r: unknown) => unknown {
  const rare = (r: unknown): unknown => {
    inst.checkNotPoisoned();
    const v = hasResult ? liftR(r as never) : undefined;
    if (postReturn !== undefined) callPostReturn(inst, postReturn, r, hasResult);
    return v;
  };
  return (r) => (inst.poisoned !== undefined || postReturn !== undefined ? rare(r) : hasResult ? liftR(r as never) : undefined);
}

/** The throwing exit of a direct call: poisons `inst` (guard.ts `trapped`), lets it be entered again, returns what to throw. */
function leftByThrow(inst: ComponentInstance, e: unknown): unknown {
  try {
    return trapped(inst, e);
  } finally {
    inst.mayEnter = true;
  }
}

/**
 * Whether `t` flattens to single-slot scalars only, in their own core types,
 * with nothing to allocate, no handle and no memory to read when lowered: a
 * scalar, or a record or tuple whose fields are all scalars.
 */
function isScalarAggregate(t: ValType): boolean {
  if (scalarLower(t, '') !== undefined) return true;
  if (t.kind === 'record') return t.fields.length > 0 && t.fields.every((f) => scalarLower(f.type, '') !== undefined);
  if (t.kind === 'tuple') return t.types.length > 0 && t.types.every((u) => scalarLower(u, '') !== undefined);
  return false;
}

/**
 * The result of a flat direct call from its core value: as `directLift`, or
 * a record or tuple of scalars, lifted from the one flat value or, when it
 * flattens to more, loaded from the return pointer the callee gave (checked
 * for alignment and bounds after the memory views are refreshed: the callee
 * may have grown the memory). Restates `compileLiftResult`'s two closures on
 * purpose, as `flatDirectPath` does directFastPath's `enter` and `finish`:
 * theirs are shared by every general-path function, so their `lift` and
 * `load` call sites see every result type.
 */
function flatDirectLift(t: ValType, cx: LiftLowerContext): ((r: unknown) => unknown) | undefined {
  const single = directLift(t, cx);
  if (single !== undefined) return single as (r: unknown) => unknown;
  if (!isScalarAggregate(t)) return undefined;
  const slots = flattenType(t);
  if (slots.length <= MAX_FLAT_RESULTS) {
    const lift = compileLiftFlat(t, 0, slots);
    const one: Flat = [undefined]; // reused: lifting never re-enters this closure
    return (r) => {
      one[0] = r;
      return lift(cx, one);
    };
  }
  const align = alignment(t);
  const size = elemSize(t);
  const load = compileLoad(t);
  return (r) => {
    const ptr = (r as number) >>> 0;
    cx.refresh();
    // `u8.length`, not `byteLength`: right after `refresh`, which reads it, V8 reuses that read
    // (callgrind, micro record: 437 instructions per call, 438 with the field).
    if (ptr % align !== 0 || ptr + size > cx.u8.length) refuseResultPointer(cx, ptr, align, size);
    return load(cx, ptr);
  };
}

/**
 * What `directFastPath` does not take but needs no more than it: parameters
 * that are scalars, borrows of the instance's own resources, or records and
 * tuples of scalars (`isScalarAggregate`), at most MAX_FLAT_PARAMS core
 * values in all, and a result that is a scalar, an own handle or a record or
 * tuple of scalars. No string, list, realloc, handle table or borrow scope:
 * the parameters are lowered into a flat array (flat.ts `compileLowerFlat`)
 * and the result is lifted straight from the core value or the return area.
 *
 * Its own closures, not the general path's: those are shared by every
 * function with strings and lists, whose lowering and lifting make their
 * call sites polymorphic (V8 then inlines none of them).
 */
function flatDirectPath(
  ft: FuncType,
  cx: LiftLowerContext,
  inst: ComponentInstance,
  callee: Callee,
  postReturn: ((...flat: unknown[]) => void) | undefined,
): { lifted: (...args: unknown[]) => unknown; memoryResult: boolean } | undefined {
  const paramTypes = ft.params.map((p) => p.type);
  const slots = flattenTypes(paramTypes);
  if (slots.length > MAX_FLAT_PARAMS) return undefined;
  const lowers: LowerFlat[] = [];
  let off = 0;
  for (const p of ft.params) {
    const at = off;
    const direct = directLower(p.type, p.name, inst);
    if (direct !== undefined) lowers.push((_cx, v, out) => void (out[at] = direct(v)));
    // Not strings (they would fit: lowered into realloc'd memory, no handle): with kv's get/put on this
    // path, `finish`'s `liftR` call site saw their results too and V8 stopped inlining it into iter.next()
    // (4138 instructions per next() instead of 3903; get and put gained ~140 and echo ~300 on their side).
    else if (isScalarAggregate(p.type)) lowers.push(compileLowerFlat(p.type, at, slots, p.name));
    else return undefined;
    off += flattenType(p.type).length;
  }
  const result = ft.result;
  const scalarResult = result === undefined ? () => undefined : flatDirectLift(result, cx);
  // A top-level `result` stays on the general path: its err case is thrown after the call has ended (`invoke`).
  if (scalarResult === undefined && result!.kind === 'result') return undefined;
  const liftR = scalarResult ?? memoryResultLift(result!, cx);
  const hasResult = result !== undefined;
  const n = lowers.length;
  const callFlat = flatCaller(callee, slots.length);
  const nFlat = slots.length;

  // `enter` and `finish` restate directFastPath's on purpose: closures of one literal share V8's
  // feedback, so a shared `finish` would see both paths' lifts at its `liftR` call site.
  const enter = (argc: number): void => {
    if (inst.poisoned !== undefined || inst.mayEnter !== true || argc !== n) refuseEntry(inst, n, argc);
  };
  const finish = (r: unknown): unknown => {
    if (inst.poisoned !== undefined) inst.checkNotPoisoned();
    const v = liftR(r);
    if (postReturn !== undefined) callPostReturn(inst, postReturn, r, hasResult);
    return v;
  };
  const memoryResult = scalarResult === undefined;
  const record = recordParamLowers(ft);
  if (record !== undefined) return { lifted: recordParamLifted(record, enter, finish, callee, inst, cx), memoryResult };
  // The flat values go into an array made per call, not one reused array: a reused one lives in
  // the old generation, and storing a new number or bigint in it (an f32 field's Math.fround)
  // takes V8's write-barrier slow path, ~100 instructions per call (cachegrind, echo-fields),
  // where a young array costs an allocation of ~10.
  // may_enter is cleared before the arguments are lowered, as in the general path: a record's
  // getter is JS that may call back in. Set again on both exits; no `finally` (see directFastPath).
  // One copy of the closure per arity 1-3, as directFastPath and the general path have: a
  // fixed-arity function takes its arguments without a rest array. They differ only in how
  // many lowerings they call; liftedN takes any other count.
  const [l0] = lowers;
  if (n === 1) {
    const lifted = function lifted1(a: unknown) {
      enter(arguments.length);
      const flat = new Array<unknown>(nFlat);
      inst.mayEnter = false;
      let entered = false;
      let v: unknown;
      try {
        l0!(cx, a, flat);
        entered = true;
        v = finish(callFlat(flat));
      } catch (e) {
        throw flatCallFailed(cx, e, entered);
      }
      inst.mayEnter = true;
      return v;
    } as (...args: unknown[]) => unknown;
    return { lifted, memoryResult };
  }
  const [, l1, l2] = lowers;
  if (n === 2) {
    const lifted = function lifted2(a: unknown, b: unknown) {
      enter(arguments.length);
      const flat = new Array<unknown>(nFlat);
      inst.mayEnter = false;
      let entered = false;
      let v: unknown;
      try {
        l0!(cx, a, flat);
        l1!(cx, b, flat);
        entered = true;
        v = finish(callFlat(flat));
      } catch (e) {
        throw flatCallFailed(cx, e, entered);
      }
      inst.mayEnter = true;
      return v;
    } as (...args: unknown[]) => unknown;
    return { lifted, memoryResult };
  }
  if (n === 3) {
    const lifted = function lifted3(a: unknown, b: unknown, c: unknown) {
      enter(arguments.length);
      const flat = new Array<unknown>(nFlat);
      inst.mayEnter = false;
      let entered = false;
      let v: unknown;
      try {
        l0!(cx, a, flat);
        l1!(cx, b, flat);
        l2!(cx, c, flat);
        entered = true;
        v = finish(callFlat(flat));
      } catch (e) {
        throw flatCallFailed(cx, e, entered);
      }
      inst.mayEnter = true;
      return v;
    } as (...args: unknown[]) => unknown;
    return { lifted, memoryResult };
  }
  const lifted = function liftedN(...args: unknown[]) {
    enter(args.length);
    const flat = new Array<unknown>(nFlat);
    inst.mayEnter = false;
    let entered = false;
    let v: unknown;
    try {
      for (let i = 0; i < n; i++) lowers[i]!(cx, args[i], flat);
      entered = true;
      v = finish(callFlat(flat));
    } catch (e) {
      throw flatCallFailed(cx, e, entered);
    }
    inst.mayEnter = true;
    return v;
  };
  return { lifted, memoryResult };
}

/**
 * Any other result of a flat direct call but a top-level `result` (strings,
 * lists, options and variants, handles inside them...): `compileLiftResult`'s
 * lifting, after what `invoke` does before it (the memory views refreshed,
 * the call's lift budget reset). Nothing of the general path's borrow scope
 * is needed: the flat direct parameters put nothing in it.
 */
function memoryResultLift(t: ValType, cx: LiftLowerContext): (r: unknown) => unknown {
  const lift = compileLiftResult(t);
  return (r) => {
    cx.refresh();
    cx.resetLiftBudget();
    return lift(cx, r);
  };
}

/** A function's one parameter, a record of scalars, lowered field by field into the core arguments (`recordParamLifted`). */
interface RecordParam {
  /** The parameter's name, for the refusal of a non-object. */
  readonly name: string;
  /** The JS keys of the fields, in order. */
  readonly keys: readonly string[];
  /** Each field's core value from its JS value, checked (flat.ts `scalarLower`, the error naming `param.key`). */
  readonly lowers: readonly ((v: unknown) => Num)[];
  /** Each field's core value, or undefined where `lowers` would refuse (flat.ts `scalarLowerOrDecline`; `lowers` itself for a type without one). */
  readonly tries: readonly ((v: unknown) => Num | undefined)[];
}

/** Fields a record parameter may have on `recordParamLifted`: one core argument each, all passed as arguments. */
const MAX_RECORD_PARAM_FIELDS = 8;

/** `ft`'s parameter when it has exactly one, a record of 1 to MAX_RECORD_PARAM_FIELDS scalar fields; otherwise undefined. */
function recordParamLowers(ft: FuncType): RecordParam | undefined {
  if (ft.params.length !== 1) return undefined;
  const { name, type } = ft.params[0]!;
  if (type.kind !== 'record' || type.fields.length === 0 || type.fields.length > MAX_RECORD_PARAM_FIELDS) return undefined;
  const keys = type.fields.map((f) => toCamelCase(f.name));
  const lowers: ((v: unknown) => Num)[] = [];
  const tries: ((v: unknown) => Num | undefined)[] = [];
  for (let i = 0; i < keys.length; i++) {
    const t = type.fields[i]!.type;
    const lower = scalarLower(t, `${name}.${keys[i]}`);
    if (lower === undefined) return undefined;
    lowers.push(lower);
    tries.push(scalarLowerOrDecline(t) ?? lower);
  }
  return { name, keys, lowers, tries };
}

/**
 * A flat direct function whose one parameter is a record of scalars
 * (`recordParamLowers`): its fields are read, checked and passed to the
 * callee as arguments, with no flat array in between (allocating it, storing
 * each value and reading it back with its hole and bounds checks, and boxing
 * the floats in it, cost ~200 instructions of an 8-field call) and no
 * separate lowering closure (V8 did not inline the record's visitor: the
 * lifted function's inlining budget was spent). Same order and checks as
 * `compileLowerFlat`'s record: the object check, then per field its read
 * and its check, before the callee runs; may_enter is cleared first, as
 * `flatDirectPath` does, since a field's getter is JS that may call in.
 *
 * One closure for every field count: the reads of fields beyond the record's
 * are skipped by `n > i` (the record's keys only are ever read), and
 * `spreadCaller` passes exactly the record's `n` values to the callee.
 *
 * Each field is tried first by its type's declining lowering (flat.ts
 * `scalarLowerOrDecline`), small enough that V8 inlines it whatever budget
 * is left, and only a declined value reaches the field's checked lowering
 * (never called on a good call, so V8 compiles no call there). With the
 * checked lowerings inline (an integer's closure and checker: 81 bytes of
 * bytecode each), V8's budget of inlined bytecode per function (920) was
 * spent before the result's record builder, which stayed a call; and when
 * V8 compiled the caller first (as its concurrent compiler does in the
 * bench), this function, then under its limit of 460 bytes for an inlinee,
 * was inlined there and its checks became calls, eight per call. Now the
 * builder and its loads are inlined here, and this function (over 460
 * bytes) is inlined nowhere, whichever V8 compiles first. Instructions per
 * call of the 8-field echo (callgrind, build/perf micro3.mjs, JIT code and
 * builtins): 785 -> 763 single-threaded, ~867 -> ~760 with V8's threads.
 */
function recordParamLifted(
  record: RecordParam,
  enter: (argc: number) => void,
  finish: (r: unknown) => unknown,
  callee: Callee,
  inst: ComponentInstance,
  cx: LiftLowerContext,
): (...args: unknown[]) => unknown {
  const { name, keys, lowers, tries } = record;
  const n = keys.length;
  const [k0, k1, k2, k3, k4, k5, k6, k7] = keys as string[];
  const [l0, l1, l2, l3, l4, l5, l6, l7] = lowers as ((v: unknown) => Num)[];
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tries as ((v: unknown) => Num | undefined)[];
  const call = spreadCaller(callee, n);
  return function liftedRecord(r: unknown) {
    enter(arguments.length);
    inst.mayEnter = false;
    let entered = false;
    let v: unknown;
    try {
      if (typeof r !== 'object' || r === null) refuseRecord(r, name);
      const o = r as Record<string, unknown>;
      // Each field is read once and tried; a value its `t` declines goes to its `l`, which refuses
      // it (or, for a type without a declining lowering, lowers it): the value or error `l` alone gives.
      let y: unknown;
      const x0 = t0!((y = o[k0!])) ?? l0!(y);
      const x1 = n > 1 ? (t1!((y = o[k1!])) ?? l1!(y)) : 0;
      const x2 = n > 2 ? (t2!((y = o[k2!])) ?? l2!(y)) : 0;
      const x3 = n > 3 ? (t3!((y = o[k3!])) ?? l3!(y)) : 0;
      const x4 = n > 4 ? (t4!((y = o[k4!])) ?? l4!(y)) : 0;
      const x5 = n > 5 ? (t5!((y = o[k5!])) ?? l5!(y)) : 0;
      const x6 = n > 6 ? (t6!((y = o[k6!])) ?? l6!(y)) : 0;
      const x7 = n > 7 ? (t7!((y = o[k7!])) ?? l7!(y)) : 0;
      entered = true;
      v = finish(call(x0, x1, x2, x3, x4, x5, x6, x7));
    } catch (e) {
      throw flatCallFailed(cx, e, entered);
    }
    inst.mayEnter = true;
    return v;
  } as (...args: unknown[]) => unknown;
}

/** Calls `callee` with the first `n` (1 to 8) of its eight arguments: the core function gets exactly its own parameters. */
function spreadCaller(callee: Callee, n: number): (a: Num, b: Num, c: Num, d: Num, e: Num, f: Num, g: Num, h: Num) => unknown {
  switch (n) {
    case 1:
      return (a) => callee(a);
    case 2:
      return (a, b) => callee(a, b);
    case 3:
      return (a, b, c) => callee(a, b, c);
    case 4:
      return (a, b, c, d) => callee(a, b, c, d);
    case 5:
      return (a, b, c, d, e) => callee(a, b, c, d, e);
    case 6:
      return (a, b, c, d, e, f) => callee(a, b, c, d, e, f);
    case 7:
      return (a, b, c, d, e, f, g) => callee(a, b, c, d, e, f, g);
    default:
      return (a, b, c, d, e, f, g, h) => callee(a, b, c, d, e, f, g, h);
  }
}

/**
 * The throwing exit of a flat direct call: `failedCall`'s rule (a refused
 * argument, or whatever a record's getter threw, is the caller's error and
 * changes nothing; a trap, or anything after entering, poisons), with no
 * handles to abandon. may_enter is set again either way.
 */
function flatCallFailed(cx: LiftLowerContext, e: unknown, entered: boolean): unknown {
  try {
    return failedCall(cx, e, entered, false);
  } finally {
    cx.inst.mayEnter = true;
  }
}
