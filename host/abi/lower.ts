/**
 * `canon lower` (definitions.py `canon_lower`, synchronous): a component
 * function (JS, or another instance's lifted export) becomes a core function
 * the guest imports. Compiled once; the returned closure only moves values.
 */
import { ResultError, TrapError } from '../errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { FuncType, ValType } from '../types.ts';
import { LiftLowerContext } from './context.ts';
import { type Flat, type LiftFlat, compileLiftFlat, compileLowerFlat, scalarLift, scalarLower } from './flat.ts';
import { trapped } from './guard.ts';
import { type CoreValType, alignment, elemSize, fieldOffsets, flattenType, flattenTypes } from './layout.ts';
import { type Load, compileLoad, compileStore } from './load-store.ts';
import { type CanonOptions, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';
import { contains, requireMemory } from './requirements.ts';
import { trap } from './trap.ts';
import { abandonLowering, asResourceType, commitLowering, endLend, lendHandle, lentValue, liftBorrow, liftOwn, releaseLends } from './handles.ts';
import type { ResourceHandle } from './handle-table.ts';
import type { LendKeep, ResourceJsBinding, ResourceType } from './resource-type.ts';
import { type BelowFace, belowFaceOf, DECLINED } from './below-face.ts';
import { shapeSource } from '../shape-sources.ts';

type Callee = (...args: unknown[]) => unknown;

/**
 * `linked`: `callee` is a linked plugin's export (instantiate.ts
 * `RuntimeFunc.linked`), which keeps none of its arguments.
 */
export function canonLower(
  ft: FuncType,
  opts: CanonOptions,
  inst: ComponentInstance,
  callee: Callee,
  linked = false,
): (...flat: unknown[]) => unknown {
  requireMemory(ft, opts, 'lower');
  const cx = new LiftLowerContext(opts, inst);
  const fast = directFastPath(ft, cx, inst, callee, linked);
  if (fast !== undefined) return fast;

  const { liftParams, lowerResult } = generalPieces(ft);
  const topResult = ft.result !== undefined && ft.result.kind === 'result';

  return function lowered(...flat: unknown[]): unknown {
    // A guest that caught the exception of an earlier failed import (catch_all) is trapped: it calls nothing more.
    if (inst.poisoned !== undefined) inst.checkNotPoisoned();
    if (!inst.mayLeave) throw trapped(inst, new TrapError(`may_leave: ${inst.name} may not call imports now (inside realloc, post-return or a destructor)`));
    const lendBase = cx.lenders.length;
    const borrowBase = cx.borrowEnds.length;
    try {
      cx.refresh();
      cx.resetLiftBudget();
      const args = liftParams(cx, flat);
      let v: unknown;
      if (topResult) {
        try {
          v = { tag: 'ok', val: callee(...args) };
        } catch (e) {
          if (!(e instanceof ResultError)) throw e;
          v = { tag: 'err', val: e.payload };
        }
      } else {
        v = callee(...args);
      }
      cx.refresh();
      const r = lowerResult(cx, v, flat);
      commitLowering(cx);
      return r;
    } catch (e) {
      abandonLowering(cx);
      throw trapped(inst, e);
    } finally {
      releaseLends(cx, lendBase, borrowBase);
    }
  };
}

/** The general path's compiled parameter lifting and result lowering (`generalPieces`). */
interface GeneralPieces {
  readonly liftParams: (cx: LiftLowerContext, flat: Flat) => unknown[];
  readonly lowerResult: (cx: LiftLowerContext, v: unknown, flat: Flat) => unknown;
}

/**
 * `generalPieces` per function type object. Both pieces are functions of
 * `ft` alone: compileLiftParams and compileLowerResult read nothing but the
 * types, constants (MAX_FLAT_*, the path 'result') and the out-pointer's
 * index (from `ft`); the memory, realloc, string encoding and instance come
 * from the `cx` each call passes, and a handle's resource type comes from
 * the type object (`t.resource`), so a fresh compile for the same `ft` gives
 * closures that behave the same in every context. A component in the compile
 * cache keeps its function types, so a warm load finds them here. A type made
 * from another by replacing resource identities (shape-sources.ts: a type
 * that names a resource, made anew at every instantiation) is not a key: its
 * pieces are made from its source's `GeneralPlan` (`plansBySource`).
 */
const piecesByType = new WeakMap<FuncType, GeneralPieces>();

/**
 * What the general path's pieces of a function type are, as far as its
 * shape decides them: the parameters' lifting plan (`liftParamsPlan`), the
 * out-pointer's index, and the result's lowering unless the result holds a
 * handle. Kept per source type (shape-sources.ts `shapeSource`: the type as
 * the cached component declares it), so the instantiations of a component
 * whose lowered imports name a per-instance resource (shapes' canvas
 * methods) flatten and compile the handle-free parts once; each compiles
 * only its handles' liftings, from its own type. It holds nothing an
 * instance made: two loads share no state through it.
 */
interface GeneralPlan {
  readonly params: LiftParamsPlan;
  readonly outIndex: number;
  /** The compiled result lowering; undefined when the result holds a handle (compiled from each type). */
  readonly lowerResult: GeneralPieces['lowerResult'] | undefined;
}

const plansBySource = new WeakMap<FuncType, GeneralPlan>();

function generalPieces(ft: FuncType): GeneralPieces {
  let pieces = piecesByType.get(ft);
  if (pieces !== undefined) return pieces;
  const source = shapeSource(ft);
  if (source === ft) {
    pieces = piecesFrom(generalPlan(ft), ft);
    piecesByType.set(ft, pieces);
    return pieces;
  }
  let plan = plansBySource.get(source);
  if (plan === undefined) plansBySource.set(source, (plan = generalPlan(source)));
  return piecesFrom(plan, ft);
}

function generalPlan(ft: FuncType): GeneralPlan {
  const paramTypes = ft.params.map((p) => p.type);
  const params = liftParamsPlan(paramTypes, MAX_FLAT_PARAMS);
  const outIndex = ft.params.length === 0 ? 0 : params.slots.length > MAX_FLAT_PARAMS ? 1 : params.slots.length;
  const result = ft.result;
  const lowerResult = result !== undefined && holdsHandles(result) ? undefined : compileLowerResult(result, outIndex);
  return { params, outIndex, lowerResult };
}

/** `ft`'s pieces from its plan (made from `ft` or from the type `ft` was made from by replacing resource identities). */
function piecesFrom(plan: GeneralPlan, ft: FuncType): GeneralPieces {
  const params = ft.params;
  return {
    liftParams: liftParamsWith(plan.params, (i) => params[i]!.type),
    lowerResult: plan.lowerResult ?? compileLowerResult(ft.result, plan.outIndex),
  };
}

/**
 * Compiled pieces per value type object and `key`, which names the piece and
 * every other argument its closure depends on. For a function type that
 * names a resource, made anew at every instantiation (so `generalPieces`
 * misses), its handle-free parameter and result types are still the cached
 * component's objects: shapes' canvas methods, borrow<canvas> then a string
 * or a variant. A type with `own` or `borrow` is compiled afresh and not kept
 * (its lifting binds a resource type); the check runs on a miss only.
 */
const piecesByValueType = new WeakMap<ValType, Map<string, unknown>>();

function perValueType<F>(t: ValType, key: string, make: () => F): F {
  return sharedPiece(t, key, make) ?? make();
}

/** `perValueType`'s piece when it can be kept (compiled and kept on a miss); undefined, with nothing compiled, when `t` holds a handle. */
function sharedPiece<F>(t: ValType, key: string, make: () => F): F | undefined {
  let pieces = piecesByValueType.get(t);
  const known = pieces?.get(key) as F | undefined;
  if (known !== undefined) return known;
  if (holdsHandles(t)) return undefined;
  const f = make();
  if (pieces === undefined) piecesByValueType.set(t, (pieces = new Map()));
  pieces.set(key, f);
  return f;
}

/** Whether `t` holds an `own` or `borrow` handle: its lifting and lowering bind a resource type. */
function holdsHandles(t: ValType): boolean {
  return contains(t, 'own') || contains(t, 'borrow');
}

/**
 * definitions.py `lift_flat_values` for parameters, as far as their types
 * decide it without resource identities: whether they are read from core
 * values or from a tuple in memory behind the first, where each starts
 * (slot, or byte offset in the tuple), and the compiled lifting of each
 * parameter that holds no handle (undefined for one that does: its lifting
 * binds a resource type, so it is compiled from the types it is used with,
 * `liftParamsWith`).
 */
interface LiftParamsPlan {
  readonly inMemory: boolean;
  readonly slots: readonly CoreValType[];
  readonly offsets: readonly number[];
  readonly pieces: readonly (LiftFlat | Load | undefined)[];
  /** Whether any piece is undefined. */
  readonly handles: boolean;
  /** The parameter tuple's alignment and size in memory (`inMemory` only). */
  readonly align: number;
  readonly size: number;
}

function liftParamsPlan(ts: readonly ValType[], maxFlat: number): LiftParamsPlan {
  const slots = flattenTypes(ts);
  const pieces: (LiftFlat | Load | undefined)[] = [];
  let handles = false;
  if (slots.length <= maxFlat) {
    const offsets: number[] = [];
    let off = 0;
    for (const t of ts) {
      offsets.push(off);
      const o = off;
      // `slots` is the concatenation of each type's own flattening, so this lift reads t's own core types at off..: a function of (t, off).
      const piece = sharedPiece(t, `lift@${o}`, () => compileLiftFlat(t, o, slots));
      if (piece === undefined) handles = true;
      pieces.push(piece);
      off += flattenType(t).length;
    }
    return { inMemory: false, slots, offsets, pieces, handles, align: 0, size: 0 };
  }
  const tuple: ValType = { kind: 'tuple', types: ts };
  for (const t of ts) {
    const piece = holdsHandles(t) ? undefined : compileLoad(t);
    if (piece === undefined) handles = true;
    pieces.push(piece);
  }
  return { inMemory: true, slots, offsets: fieldOffsets(ts), pieces, handles, align: alignment(tuple), size: elemSize(tuple) };
}

/** The lifting of parameters of the types `typeOf` gives (by index, of `plan`'s shape): `plan`'s pieces, and those of its handles compiled from these types. */
function liftParamsWith(plan: LiftParamsPlan, typeOf: (i: number) => ValType): (cx: LiftLowerContext, flat: Flat) => unknown[] {
  const { slots, offsets } = plan;
  let pieces = plan.pieces;
  if (plan.handles) {
    const own = pieces.slice();
    for (let i = 0; i < own.length; i++) {
      if (own[i] === undefined) own[i] = plan.inMemory ? compileLoad(typeOf(i)) : compileLiftFlat(typeOf(i), offsets[i]!, slots);
    }
    pieces = own;
  }
  const n = pieces.length;
  if (!plan.inMemory) {
    const lifts = pieces as readonly LiftFlat[];
    return (cx, flat) => {
      const args = new Array<unknown>(n);
      for (let i = 0; i < n; i++) args[i] = lifts[i]!(cx, flat);
      return args;
    };
  }
  const { align, size } = plan;
  const loads = pieces as readonly Load[];
  return (cx, flat) => {
    const ptr = (flat[0] as number) >>> 0;
    if (ptr % align !== 0) trap(`params: pointer ${ptr} is not aligned to ${align}`);
    if (ptr + size > cx.u8.length) trap(`params: ${size} bytes at ${ptr} are out of bounds of memory (${cx.u8.length} bytes)`);
    const args = new Array<unknown>(n);
    for (let i = 0; i < n; i++) args[i] = loads[i]!(cx, ptr + offsets[i]!);
    return args;
  };
}

/** definitions.py `lift_flat_values` for parameters, compiled. */
export function compileLiftParams(ts: readonly ValType[], maxFlat: number = MAX_FLAT_PARAMS): (cx: LiftLowerContext, flat: Flat) => unknown[] {
  return liftParamsWith(liftParamsPlan(ts, maxFlat), (i) => ts[i]!);
}

/**
 * definitions.py `lower_flat_values` for the result, compiled: returns the
 * single core result, or stores into the caller's out-pointer (the last core
 * argument, at index `outIndex`) when the result does not fit in
 * `maxFlat` values (0 for an async lower: always through the out-pointer).
 */
export function compileLowerResult(t: ValType | undefined, outIndex: number, maxFlat: number = MAX_FLAT_RESULTS): (cx: LiftLowerContext, v: unknown, flat: Flat) => unknown {
  if (t === undefined) return () => undefined;
  return perValueType(t, `result@${outIndex}/${maxFlat}`, () => buildLowerResult(t, outIndex, maxFlat));
}

function buildLowerResult(t: ValType, outIndex: number, maxFlat: number): (cx: LiftLowerContext, v: unknown, flat: Flat) => unknown {
  const slots = flattenType(t);
  if (slots.length <= maxFlat) {
    const lower = compileLowerFlat(t, 0, slots, 'result');
    return (cx, v) => {
      const out: Flat = [undefined];
      lower(cx, v, out);
      return out[0];
    };
  }
  const align = alignment(t);
  const size = elemSize(t);
  const store = compileStore(t, 'result');
  return (cx, v, flat) => {
    const ptr = (flat[outIndex] as number) >>> 0;
    if (ptr % align !== 0) trap(`result: out-pointer ${ptr} is not aligned to ${align}`);
    if (ptr + size > cx.u8.length) trap(`result: ${size} bytes at out-pointer ${ptr} are out of bounds of memory (${cx.u8.length} bytes)`);
    store(cx, v, ptr);
    return undefined;
  };
}

/**
 * A borrowed handle first and single-slot scalars after it: a trait
 * object's method, `&self` then its arguments (a host trait object's, in
 * every callback; a linked plugin's trait object's, in every call into it).
 * Its one lend is kept in locals and ended after the call (`endLend`), not
 * recorded on `cx` for `releaseLends`: ~136 of ~810 instructions per host
 * callback (callgrind). The same steps in the same order as `liftBorrow`
 * and `releaseLends` take: the handle lifted inside the try (a bad one traps
 * and poisons), the scalars after it; on a throw, poisoned first, then the
 * lend ended (`selfLeftByThrow`). `linked`: as `directLift`'s.
 */
function selfBorrowPath(
  ft: FuncType,
  cx: LiftLowerContext,
  inst: ComponentInstance,
  callee: Callee,
  enter: () => void,
  lowerR: (v: unknown) => unknown,
  linked: boolean,
): ((...flat: unknown[]) => unknown) | undefined {
  const params = ft.params;
  const self = params[0];
  if (self === undefined || self.type.kind !== 'borrow') return undefined;
  // Indexed, no destructuring or array callbacks: this runs per lowered import at every load, in
  // V8's baseline code, where destructuring an array steps the array iterator's next() per element.
  const lifts: ((x: unknown) => unknown)[] = [];
  for (let i = 1; i < params.length; i++) {
    const l = scalarLift(params[i]!.type) as ((x: unknown) => unknown) | undefined;
    if (l === undefined) return undefined;
    lifts.push(l);
  }
  const l1 = lifts[0];
  const l2 = lifts[1];
  const rt = asResourceType(self.type.resource);
  const arity = params.length;
  if (linked) {
    const below = belowFaceOf(callee);
    if (below !== undefined) return linkedSelf(cx, inst, callee, below, enter, lowerR, rt, arity, l1, l2);
  }
  const keep: LendKeep | undefined = linked ? { kept: undefined } : undefined;
  // One function for 1-3 parameters: the guest calls it with exactly its import's arity, and the callee
  // gets exactly that many arguments (a JS host function may read `arguments.length`).
  return function loweredSelf(a: unknown, b: unknown, c: unknown) {
    enter();
    let h: ResourceHandle | undefined;
    let js: ResourceJsBinding | undefined;
    let value: unknown;
    let r: unknown;
    try {
      h = lendHandle(cx, (a as number) >>> 0, rt);
      js = rt.js;
      value = lentValue(cx, h, js, keep);
      r = lowerR(arity === 1 ? callee(value) : arity === 2 ? callee(value, l1!(b)) : callee(value, l1!(b), l2!(c)));
    } catch (e) {
      throw selfLeftByThrow(inst, e, h, js, value);
    }
    endLend(h, js, value);
    return r;
  } as (...flat: unknown[]) => unknown;
}

/**
 * `selfBorrowPath` for a linked plugin's export that has an entry below its
 * face (abi/below-face.ts): the lent handle's rep goes to the provider as
 * definitions.py `lower_borrow` gives a resource's own instance its rep,
 * with no JS object made for it and turned back into the rep. The same steps
 * as `loweredSelf`'s up to the callee (may_leave, `lendHandle`'s trap on a
 * bad handle, the scalars lifted); then the entry, whose rules are the
 * face's; when it DECLINED (nothing changed), the call goes through the face
 * as `loweredSelf`'s does, which refuses it or makes it. A value JS lent
 * (`ResourceHandle.lent`) goes through the face too.
 */
function linkedSelf(
  cx: LiftLowerContext,
  inst: ComponentInstance,
  callee: Callee,
  below: BelowFace,
  enter: () => void,
  lowerR: (v: unknown) => unknown,
  rt: ResourceType,
  arity: number,
  l1: ((x: unknown) => unknown) | undefined,
  l2: ((x: unknown) => unknown) | undefined,
): (...flat: unknown[]) => unknown {
  const keep: LendKeep = { kept: undefined };
  return function loweredLinked(a: unknown, b: unknown, c: unknown) {
    enter();
    let h: ResourceHandle | undefined;
    let js: ResourceJsBinding | undefined;
    let value: unknown;
    let r: unknown;
    try {
      h = lendHandle(cx, (a as number) >>> 0, rt);
      const y = arity >= 2 ? l1!(b) : undefined;
      const z = arity === 3 ? l2!(c) : undefined;
      let v = h.lent === undefined ? below(h.rep, rt, inst, y, z) : DECLINED;
      // `typeof` first: the results here are scalars, and an identity compare of a value V8 cannot type is its generic StrictEqual call.
      if (typeof v === 'symbol' && v === DECLINED) {
        js = rt.js;
        value = lentValue(cx, h, js, keep);
        v = arity === 1 ? callee(value) : arity === 2 ? callee(value, y) : callee(value, y, z);
      }
      r = lowerR(v);
    } catch (e) {
      throw selfLeftByThrow(inst, e, h, js, value);
    }
    if (js === undefined) h.numLends--;
    else endLend(h, js, value);
    return r;
  } as (...flat: unknown[]) => unknown;
}

/**
 * The throwing exit of `selfBorrowPath`'s call: poisons `inst` (guard.ts
 * `trapped`), then ends the lend if one was made (with the object it gave JS, if it gave one); returns what to throw.
 */
function selfLeftByThrow(inst: ComponentInstance, e: unknown, h: ResourceHandle | undefined, js: ResourceJsBinding | undefined, value: unknown): unknown {
  try {
    return trapped(inst, e);
  } finally {
    if (h !== undefined) {
      if (js === undefined) h.numLends--;
      else endLend(h, js, value);
    }
  }
}

/**
 * How one parameter of a direct call comes from its core value: a
 * single-slot scalar, or a handle (definitions.py `lift_borrow`, which lends
 * it to the call, and `lift_own`). A borrow lent to a linked plugin's export
 * is seen by no JS but the host's (`linked`), so the binding may keep what
 * it lent for this parameter and lend it again (resource-type.ts `liftBorrow`).
 */
function directLift(t: ValType, cx: LiftLowerContext, linked: boolean): ((x: unknown) => unknown) | undefined {
  const scalar = scalarLift(t);
  if (scalar !== undefined) return scalar as (x: unknown) => unknown;
  if (t.kind === 'borrow') {
    const rt = asResourceType(t.resource);
    if (linked) {
      const keep: LendKeep = { kept: undefined };
      return (x) => liftBorrow(cx, (x as number) >>> 0, rt, keep);
    }
    return (x) => liftBorrow(cx, (x as number) >>> 0, rt);
  }
  if (t.kind === 'own') {
    const rt = asResourceType(t.resource);
    return (x) => liftOwn(cx, (x as number) >>> 0, rt);
  }
  return undefined;
}

/**
 * Every parameter is one core value (`directLift`: scalars and handles, so
 * host trait objects' methods, `&self` first) and the result a single-slot
 * scalar or nothing: no flat arrays, no memory views, no lowering to undo;
 * a thin wrapper specialised on arity 0-3. Lends made by `lift_borrow` end
 * when the callee returns, as on the general path.
 */
function directFastPath(ft: FuncType, cx: LiftLowerContext, inst: ComponentInstance, callee: Callee, linked: boolean): ((...flat: unknown[]) => unknown) | undefined {
  if (ft.params.length > 3 || (ft.result !== undefined && ft.result.kind === 'result')) return undefined;
  const lowerR = ft.result === undefined ? () => undefined : scalarLower(ft.result, 'result');
  if (lowerR === undefined) return undefined;
  const enter = (): void => {
    if (inst.poisoned !== undefined) inst.checkNotPoisoned();
    if (!inst.mayLeave) throw trapped(inst, new TrapError(`may_leave: ${inst.name} may not call imports now (inside realloc, post-return or a destructor)`));
  };
  const self = selfBorrowPath(ft, cx, inst, callee, enter, lowerR, linked);
  if (self !== undefined) return self;
  // Every parameter's lifting made before any is checked (directLift of a handle checks its resource type), indexed as in selfBorrowPath.
  const params = ft.params;
  const lifts: (((x: unknown) => unknown) | undefined)[] = [];
  let direct = true;
  for (let i = 0; i < params.length; i++) {
    const l = directLift(params[i]!.type, cx, linked);
    if (l === undefined) direct = false;
    lifts.push(l);
  }
  if (!direct) return undefined;
  const l0 = lifts[0];
  const l1 = lifts[1];
  const l2 = lifts[2];
  // Handles are lifted inside the try: a bad handle index traps (and poisons) as on the general path.
  // No `finally`: V8 compiles one into a saved pending message and a dispatch on how the block was
  // left, paid by every call (lift.ts directFastPath); the lends end on both exits, after the
  // result on the normal one, in `leftByThrow` (after the poisoning, as a `finally` did) on the other.
  switch (lifts.length) {
    case 0:
      return function lowered0() {
        enter();
        try {
          return lowerR(callee());
        } catch (e) {
          throw trapped(inst, e);
        }
      };
    case 1:
      return function lowered1(a: unknown) {
        enter();
        const lendBase = cx.lenders.length;
        const borrowBase = cx.borrowEnds.length;
        let r: unknown;
        try {
          r = lowerR(callee(l0!(a)));
        } catch (e) {
          throw leftByThrow(cx, inst, e, lendBase, borrowBase);
        }
        releaseLends(cx, lendBase, borrowBase);
        return r;
      } as (...flat: unknown[]) => unknown;
    case 2:
      return function lowered2(a: unknown, b: unknown) {
        enter();
        const lendBase = cx.lenders.length;
        const borrowBase = cx.borrowEnds.length;
        let r: unknown;
        try {
          r = lowerR(callee(l0!(a), l1!(b)));
        } catch (e) {
          throw leftByThrow(cx, inst, e, lendBase, borrowBase);
        }
        releaseLends(cx, lendBase, borrowBase);
        return r;
      } as (...flat: unknown[]) => unknown;
    default:
      return function lowered3(a: unknown, b: unknown, c: unknown) {
        enter();
        const lendBase = cx.lenders.length;
        const borrowBase = cx.borrowEnds.length;
        let r: unknown;
        try {
          r = lowerR(callee(l0!(a), l1!(b), l2!(c)));
        } catch (e) {
          throw leftByThrow(cx, inst, e, lendBase, borrowBase);
        }
        releaseLends(cx, lendBase, borrowBase);
        return r;
      } as (...flat: unknown[]) => unknown;
  }
}

/** The throwing exit of a direct lowered call: poisons `inst` (guard.ts `trapped`), then ends the call's lends; returns what to throw. */
function leftByThrow(cx: LiftLowerContext, inst: ComponentInstance, e: unknown, lendBase: number, borrowBase: number): unknown {
  try {
    return trapped(inst, e);
  } finally {
    releaseLends(cx, lendBase, borrowBase);
  }
}
