/**
 * definitions.py `load` / `store`, compiled once per type into closures.
 * A loader reads a value of its type at `ptr` (already checked aligned and in
 * bounds by whoever produced `ptr`); a storer validates a JS value and writes
 * it. Storers read `cx.dv` / `cx.u8` afresh at each write because a nested
 * string or list may call realloc, which may grow (replace) the buffer.
 */
import type { CaseType, ValType } from '../types.ts';
import type { LiftLowerContext } from './context.ts';
import { asResourceType, liftBorrow, liftOwn, lowerBorrow, lowerOwn } from './handles.ts';
import { alignment, elemSize, fieldOffsets, flagsSize, variantCases, variantPlacement } from './layout.ts';
import { toCamelCase } from './names.ts';
import { recordBuilder, recordVisitor } from './records.ts';
import {
  charToI32,
  checkBool,
  checkFloat,
  checkS64,
  checkU64,
  f32FromBits,
  f32ToBits,
  f64FromBits,
  f64ToBits,
  i32ToChar,
  intChecker,
} from './scalars.ts';
import { checkString, describe, loadStringFromRange, storeStringIntoRange } from './strings.ts';
import { trap } from './trap.ts';
import { liftAsyncValue, lowerAsyncValue } from './stream-builtins.ts';
import { liftErrorContext, lowerErrorContext } from './error-context.ts';

export type Load = (cx: LiftLowerContext, ptr: number) => unknown;
export type Store = (cx: LiftLowerContext, v: unknown, ptr: number) => void;

/** definitions.py `MAX_LIST_BYTE_LENGTH`. */
export const MAX_LIST_BYTE_LENGTH = 2 ** 28 - 1;

type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/**
 * Lists of these element types are JS typed arrays (as jco does), copied in
 * bulk. Typed arrays use the platform's byte order, so the bulk path is only
 * taken on little-endian hosts (all current ones); otherwise elements go one
 * by one through DataView.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TYPED_ARRAYS: Partial<Record<ValType['kind'], TypedArrayCtor>> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

export function typedArrayFor(t: ValType): TypedArrayCtor | undefined {
  return TYPED_ARRAYS[t.kind];
}

/** How a variant-like type looks in JS; shared by memory and flat lifting/lowering. */
export interface VariantShape {
  /** Builds the JS value for case `i` with lifted payload `val`. */
  make(i: number, val: unknown): unknown;
  /** Returns the case index of JS value `v` and stores its payload in `payload`; throws TypeError if `v` fits no case. */
  match(v: unknown, path: string): number;
  /** The payload of the JS value last passed to `match`. */
  payload: unknown;
  readonly cases: readonly CaseType[];
}

/** JS shape of variant, enum, option and result (see docs in host/abi/index.ts). */
export function variantShape(t: ValType): VariantShape {
  const cases = variantCases(t)!;
  switch (t.kind) {
    case 'enum': {
      const index = new Map(t.labels.map((l, i) => [l, i]));
      const labels = t.labels;
      return {
        cases,
        payload: undefined,
        make: (i) => labels[i],
        match(v, path) {
          const i = typeof v === 'string' ? index.get(v) : undefined;
          if (i === undefined) throw new TypeError(`${path}: expected one of ${labels.map((l) => `'${l}'`).join(', ')}, got ${describe(v)}`);
          return i;
        },
      };
    }
    case 'option': {
      if (optionIsTagged(t)) return taggedShape(cases, ['none', 'some'], path(t));
      const shape: VariantShape = {
        cases,
        payload: undefined,
        make: (i, val) => (i === 0 ? undefined : val),
        match(v) {
          if (v === undefined || v === null) return 0;
          shape.payload = v;
          return 1;
        },
      };
      return shape;
    }
    case 'result':
      return taggedShape(cases, ['ok', 'err'], path(t));
    default:
      return taggedShape(cases, cases.map((c) => c.name), path(t));
  }
}
function path(t: ValType): string {
  return t.kind;
}

/**
 * An option whose payload can itself be `undefined` in JS (an option) is
 * written `{ tag: 'none' | 'some', val }` so the two levels stay apart.
 */
export function optionIsTagged(t: ValType & { kind: 'option' }): boolean {
  return t.type.kind === 'option';
}

function taggedShape(cases: readonly CaseType[], tags: readonly string[], what: string): VariantShape {
  const index = new Map(tags.map((l, i) => [l, i]));
  const shape: VariantShape = {
    cases,
    payload: undefined,
    make: (i, val) => ({ tag: tags[i], val }),
    match(v, path) {
      if (typeof v !== 'object' || v === null) {
        throw new TypeError(`${path}: expected a ${what} object { tag, val }, got ${describe(v)}`);
      }
      const tag = (v as { tag?: unknown }).tag;
      const i = typeof tag === 'string' ? index.get(tag) : undefined;
      if (i === undefined) {
        throw new TypeError(`${path}: tag ${describe(tag)} is not one of ${tags.map((l) => `'${l}'`).join(', ')}`);
      }
      shape.payload = (v as { val?: unknown }).val;
      return i;
    },
  };
  return shape;
}

/** Reads an unsigned int of 1, 2 or 4 bytes. */
function loadUint(cx: LiftLowerContext, ptr: number, size: 1 | 2 | 4): number {
  const dv = cx.dv;
  return size === 1 ? dv.getUint8(ptr) : size === 2 ? dv.getUint16(ptr, true) : dv.getUint32(ptr, true);
}
function storeUint(cx: LiftLowerContext, v: number, ptr: number, size: 1 | 2 | 4): void {
  const dv = cx.dv;
  if (size === 1) dv.setUint8(ptr, v);
  else if (size === 2) dv.setUint16(ptr, v, true);
  else dv.setUint32(ptr, v, true);
}

/**
 * `load` of a scalar at a constant offset from `ptr`, with the offset folded
 * into the read: a record's scalar fields are read by one closure each, not
 * through a shifting wrapper whose inner call every field type would share
 * (one megamorphic call site per field read).
 */
function scalarLoadAt(t: ValType, off: number): Load | undefined {
  switch (t.kind) {
    case 'bool':
      return (cx, p) => cx.dv.getUint8(p + off) !== 0;
    case 'u8':
      return (cx, p) => cx.dv.getUint8(p + off);
    case 's8':
      return (cx, p) => cx.dv.getInt8(p + off);
    case 'u16':
      return (cx, p) => cx.dv.getUint16(p + off, true);
    case 's16':
      return (cx, p) => cx.dv.getInt16(p + off, true);
    case 'u32':
      return (cx, p) => cx.dv.getUint32(p + off, true);
    case 's32':
      return (cx, p) => cx.dv.getInt32(p + off, true);
    // Read as a whole word of `cx.u64` / `cx.s64` (see LiftLowerContext `u64`) at index (p + off) / 8:
    // an 8-aligned address in bounds, as the spec's loads of a 64-bit value are (its pointer is
    // checked aligned to the enclosing type's alignment), reads its word; any other address gives
    // a fractional or too-large index, which a typed array reads as undefined, and the read goes
    // out of line to DataView, which reads an unaligned address and throws out of bounds, as before.
    // Little-endian hosts only, as the bulk list copies (LITTLE_ENDIAN).
    case 'u64':
      return LITTLE_ENDIAN ? u64At(off, shiftedBy(getU64, off)) : shiftedBy(getU64, off);
    case 's64':
      return LITTLE_ENDIAN ? s64At(off, shiftedBy(getS64, off)) : shiftedBy(getS64, off);
    // decode_i32_as_float / decode_i64_as_float, read directly as floats (no BigInt
    // for f64); only NaNs need canonicalising, which `x !== x ? NaN : x` does.
    case 'f32':
      return (cx, p) => {
        const x = cx.dv.getFloat32(p + off, true);
        return x !== x ? NaN : x;
      };
    case 'f64':
      return (cx, p) => {
        const x = cx.dv.getFloat64(p + off, true);
        return x !== x ? NaN : x;
      };
    case 'char':
      return (cx, p) => i32ToChar(cx.dv.getUint32(p + off, true));
    default:
      return undefined;
  }
}

// The 64-bit loads of scalarLoadAt, kept small for V8's inliner: a callee is inlined only while
// the caller's budget lasts (920 bytes of bytecode, --max-inlined-bytecode-size-cumulative)
// unless it is at most 27 bytes (--max-inlined-bytecode-size-small). The inline part here is 29
// bytes (was 58: an alignment test, a shift, a second test), so it still draws on the budget,
// but half as much: enough for the 8-field record lift to keep this load and the record builder
// inlined (rec.md, session 12). `rest` (the DataView read, with its error) is a parameter, not a
// closure's const: V8 checks a const read from a closure for its temporal dead zone (2 more bytes).
function u64At(off: number, rest: Load): Load {
  return (cx, p) => cx.u64[(p + off) / 8] ?? rest(cx, p);
}
function s64At(off: number, rest: Load): Load {
  return (cx, p) => cx.s64[(p + off) / 8] ?? rest(cx, p);
}
const getU64: Load = (cx, at) => cx.dv.getBigUint64(at, true);
const getS64: Load = (cx, at) => cx.dv.getBigInt64(at, true);
function shiftedBy(load: Load, off: number): Load {
  return off === 0 ? load : (cx, p) => load(cx, p + off);
}

const loadMemo = new WeakMap<ValType, Load>();

/** definitions.py `load`, compiled. */
export function compileLoad(t: ValType): Load {
  let f = loadMemo.get(t);
  if (f === undefined) loadMemo.set(t, (f = buildLoad(t)));
  return f;
}

function buildLoad(t: ValType): Load {
  const scalar = scalarLoadAt(t, 0);
  if (scalar !== undefined) return scalar;
  switch (t.kind) {
    case 'string':
      return (cx, p) => loadStringFromRange(cx, cx.dv.getUint32(p, true), cx.dv.getUint32(p + 4, true));
    case 'list': {
      const fromRange = compileLoadListFromRange(t.element);
      return (cx, p) => fromRange(cx, cx.dv.getUint32(p, true), cx.dv.getUint32(p + 4, true));
    }
    case 'record': {
      const keys = t.fields.map((f) => toCamelCase(f.name));
      const offs = fieldOffsets(t.fields.map((f) => f.type));
      const loads = t.fields.map((f, i) => loadAt(f.type, offs[i]!));
      return recordBuilder(keys, loads);
    }
    case 'tuple': {
      const offs = fieldOffsets(t.types);
      const loads = t.types.map((u) => compileLoad(u));
      const n = loads.length;
      return (cx, p) => {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = loads[i]!(cx, p + offs[i]!);
        return a;
      };
    }
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      if (t.kind === 'option' && !optionIsTagged(t)) return untaggedOptionLoad(t);
      const shape = variantShape(t);
      const cases = shape.cases;
      const n = cases.length;
      const { discriminantSize: dsize, payloadOffset: poff } = variantPlacement(cases);
      const loads = cases.map((c) => (c.type === undefined ? undefined : compileLoad(c.type)));
      return (cx, p) => {
        const i = loadUint(cx, p, dsize);
        if (i >= n) refuseDiscriminant(t.kind, i, n);
        const l = loads[i];
        return shape.make(i, l === undefined ? undefined : l(cx, p + poff));
      };
    }
    case 'flags': {
      const unpack = flagsUnpacker(t.labels);
      const size = flagsSize(t.labels.length);
      return (cx, p) => unpack(loadUint(cx, p, size));
    }
    case 'own': {
      const rt = asResourceType(t.resource);
      return (cx, p) => liftOwn(cx, cx.dv.getUint32(p, true), rt);
    }
    case 'borrow': {
      const rt = asResourceType(t.resource);
      return (cx, p) => liftBorrow(cx, cx.dv.getUint32(p, true), rt);
    }
    case 'stream':
    case 'future':
      return (cx, p) => liftAsyncValue(cx, cx.dv.getUint32(p, true), t);
    case 'error-context':
      return (cx, p) => liftErrorContext(cx, cx.dv.getUint32(p, true));
    default:
      throw new Error(`internal: no load for ${t.kind}`);
  }
}

/**
 * The load of an option JS sees untagged (`undefined` for none, else the
 * payload): the variant load above with its two cases written out, so a
 * call reads no case table and calls no `make` (kv's get and put return
 * one). Two cases take a one-byte discriminant (definitions.py
 * `discriminant_type`); anything but 0 or 1 is refused as the variant load
 * refuses it, with the same trap.
 */
function untaggedOptionLoad(t: ValType & { kind: 'option' }): Load {
  const { payloadOffset: poff } = variantPlacement(variantShape(t).cases);
  const some = compileLoad(t.type);
  return (cx, p) => {
    const i = cx.dv.getUint8(p);
    if (i === 0) return undefined;
    if (i !== 1) refuseDiscriminant('option', i, 2);
    return some(cx, p + poff);
  };
}

/** `load` of `t` at a constant field offset: scalars read there directly, others through a shifting wrapper (offset 0 needs none). */
function loadAt(t: ValType, off: number): Load {
  const scalar = off === 0 ? undefined : scalarLoadAt(t, off);
  if (scalar !== undefined) return scalar;
  const load = compileLoad(t);
  return off === 0 ? load : (cx, p) => load(cx, p + off);
}
function storeAtOffset(store: Store, off: number): Store {
  return off === 0 ? store : (cx, v, p) => store(cx, v, p + off);
}

/** definitions.py `unpack_flags_from_int`: bits beyond the labels are ignored, as the spec does. */
export function flagsUnpacker(labels: readonly string[]): (i: number) => Record<string, boolean> {
  const keys = labels.map(toCamelCase);
  const n = keys.length;
  return (i) => {
    const o: Record<string, boolean> = {};
    for (let k = 0; k < n; k++) o[keys[k]!] = ((i >>> k) & 1) === 1;
    return o;
  };
}

/** definitions.py `pack_flags_into_int`, validating the JS object. */
export function flagsPacker(labels: readonly string[], path: string): (v: unknown) => number {
  const keys = labels.map(toCamelCase);
  const n = keys.length;
  return (v) => {
    if (typeof v !== 'object' || v === null) throw new TypeError(`${path}: expected a flags object, got ${describe(v)}`);
    let i = 0;
    for (let k = 0; k < n; k++) {
      const b = (v as Record<string, unknown>)[keys[k]!];
      if (b === true) i |= 1 << k;
      else if (b !== false && b !== undefined) {
        throw new TypeError(`${path}.${keys[k]}: expected a boolean or undefined, got ${describe(b)}`);
      }
    }
    return i >>> 0;
  };
}

/** definitions.py `load_list_from_range`, compiled: checks length, alignment and bounds. */
export function compileLoadListFromRange(elem: ValType): (cx: LiftLowerContext, ptr: number, length: number) => unknown {
  const size = elemSize(elem);
  const align = alignment(elem);
  const ctor = LITTLE_ENDIAN ? typedArrayFor(elem) : undefined;
  const load = compileLoad(elem);
  const isFloat = elem.kind === 'f32' || elem.kind === 'f64';
  // Elements of size 0 take no memory but still become JS values: charge each one a byte.
  const cost = size === 0 ? 1 : size;
  return (cx, ptr, length) => {
    const byteLength = length * size;
    if (byteLength > MAX_LIST_BYTE_LENGTH || ptr % align !== 0 || ptr + byteLength > cx.byteLength) refuseListRange(ptr, byteLength, align, cx.byteLength);
    if ((cx.liftBudget -= length * cost) < 0) cx.liftBudgetExhausted();
    if (ctor !== undefined) {
      const a = new ctor(cx.u8.buffer.slice(ptr, ptr + byteLength) as ArrayBuffer);
      if (isFloat) {
        const fa = a as Float32Array | Float64Array;
        for (let i = 0; i < length; i++) if (fa[i] !== fa[i]) fa[i] = NaN; // canonicalize_nan
      }
      return a;
    }
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) out[i] = load(cx, ptr + i * size);
    return out;
  };
}

/** definitions.py `store`, compiled for values found at `path` (for error messages). */
export function compileStore(t: ValType, path: string): Store {
  switch (t.kind) {
    case 'bool':
      return (cx, v, p) => cx.dv.setUint8(p, checkBool(v, path) ? 1 : 0);
    case 'u8':
    case 's8': {
      const check = intChecker(t.kind);
      return (cx, v, p) => cx.dv.setUint8(p, check(v, path) & 0xff);
    }
    case 'u16':
    case 's16': {
      const check = intChecker(t.kind);
      return (cx, v, p) => cx.dv.setUint16(p, check(v, path) & 0xffff, true);
    }
    case 'u32':
    case 's32': {
      const check = intChecker(t.kind);
      return (cx, v, p) => cx.dv.setUint32(p, check(v, path) >>> 0, true);
    }
    case 'u64':
      return (cx, v, p) => cx.dv.setBigUint64(p, checkU64(v, path), true);
    case 's64':
      return (cx, v, p) => cx.dv.setBigInt64(p, checkS64(v, path), true);
    // encode_float_as_i32 / encode_float_as_i64: a non-NaN float is stored with its
    // exact bits (setFloat32 rounds like maybe_scramble_nan32's f32 conversion); a NaN
    // is stored as the canonical NaN's bits.
    case 'f32':
      return (cx, v, p) => {
        const x = checkFloat(v, path, 'f32');
        if (x !== x) cx.dv.setInt32(p, f32ToBits(x), true);
        else cx.dv.setFloat32(p, x, true);
      };
    case 'f64':
      return (cx, v, p) => {
        const x = checkFloat(v, path, 'f64');
        if (x !== x) cx.dv.setBigInt64(p, f64ToBits(x), true);
        else cx.dv.setFloat64(p, x, true);
      };
    case 'char':
      return (cx, v, p) => cx.dv.setUint32(p, charToI32(v, path), true);
    case 'string':
      return (cx, v, p) => {
        const begin = storeStringIntoRange(cx, checkString(v, path));
        cx.dv.setUint32(p, begin, true);
        cx.dv.setUint32(p + 4, cx.storedUnits, true);
      };
    case 'list': {
      const intoRange = compileStoreListIntoRange(t.element, path);
      return (cx, v, p) => {
        const [begin, length] = intoRange(cx, v);
        cx.dv.setUint32(p, begin, true);
        cx.dv.setUint32(p + 4, length, true);
      };
    }
    case 'record': {
      const keys = t.fields.map((f) => toCamelCase(f.name));
      const offs = fieldOffsets(t.fields.map((f) => f.type));
      const stores = t.fields.map((f, i) => storeAtOffset(compileStore(f.type, `${path}.${keys[i]}`), offs[i]!));
      const visit = recordVisitor(keys, stores);
      return (cx, v, p) => {
        if (typeof v !== 'object' || v === null) throw new TypeError(`${path}: expected a record object, got ${describe(v)}`);
        visit(cx, v as Record<string, unknown>, p);
      };
    }
    case 'tuple': {
      const offs = fieldOffsets(t.types);
      const stores = t.types.map((u, i) => compileStore(u, `${path}[${i}]`));
      const n = stores.length;
      return (cx, v, p) => {
        checkTuple(v, n, path);
        for (let i = 0; i < n; i++) stores[i]!(cx, (v as unknown[])[i], p + offs[i]!);
      };
    }
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      const shape = variantShape(t);
      const cases = shape.cases;
      const { discriminantSize: dsize, payloadOffset: poff } = variantPlacement(cases);
      const stores = cases.map((c) => (c.type === undefined ? undefined : compileStore(c.type, caseName(path, t, c))));
      return (cx, v, p) => {
        const i = shape.match(v, path);
        const payload = shape.payload;
        storeUint(cx, i, p, dsize);
        const s = stores[i];
        if (s !== undefined) s(cx, payload, p + poff);
      };
    }
    case 'flags': {
      const pack = flagsPacker(t.labels, path);
      const size = flagsSize(t.labels.length);
      return (cx, v, p) => storeUint(cx, pack(v), p, size);
    }
    case 'own': {
      const rt = asResourceType(t.resource);
      return (cx, v, p) => cx.dv.setUint32(p, lowerOwn(cx, v, rt, path), true);
    }
    case 'borrow': {
      const rt = asResourceType(t.resource);
      return (cx, v, p) => cx.dv.setUint32(p, lowerBorrow(cx, v, rt, path), true);
    }
    case 'stream':
    case 'future':
      return (cx, v, p) => cx.dv.setUint32(p, lowerAsyncValue(cx, v, t, path), true);
    case 'error-context':
      return (cx, v, p) => cx.dv.setUint32(p, lowerErrorContext(cx, v, path), true);
  }
}

/** The path of a case payload in error messages. */
export function caseName(path: string, t: ValType, c: CaseType): string {
  if (t.kind === 'option' && !optionIsTagged(t)) return path;
  return `${path}<${c.name}>`;
}

export function checkTuple(v: unknown, n: number, path: string): void {
  if (!Array.isArray(v) || v.length !== n) {
    throw new TypeError(`${path}: expected a tuple (array) of length ${n}, got ${describe(v)}${Array.isArray(v) ? ` of length ${v.length}` : ''}`);
  }
}

/**
 * definitions.py `store_list_into_range`, compiled: allocates, checks the
 * realloc result, stores the elements. Returns `[ptr, length]`.
 */
export function compileStoreListIntoRange(elem: ValType, path: string): (cx: LiftLowerContext, v: unknown) => [number, number] {
  const size = elemSize(elem);
  const align = alignment(elem);
  const ctor = LITTLE_ENDIAN ? typedArrayFor(elem) : undefined;
  const elemPath = `${path}[]`;
  const store = compileStore(elem, elemPath);
  return (cx, v) => {
    const typed = ctor !== undefined && v instanceof ctor;
    if (!typed && !Array.isArray(v)) {
      throw new TypeError(`${path}: expected an array${ctor ? ` or ${ctor.name}` : ''}, got ${describe(v)}`);
    }
    const length = (v as ArrayLike<unknown>).length;
    const byteLength = length * size;
    if (byteLength > MAX_LIST_BYTE_LENGTH) throw new RangeError(`${path}: list of ${byteLength} bytes exceeds MAX_LIST_BYTE_LENGTH`);
    const ptr = cx.allocate(align, byteLength);
    if (ptr % align !== 0 || ptr + byteLength > cx.byteLength) refuseListRealloc(ptr, byteLength, align);
    if (typed) {
      const a = v as ArrayBufferView;
      cx.u8.set(new Uint8Array(a.buffer, a.byteOffset, byteLength), ptr);
      return [ptr, length];
    }
    const arr = v as unknown[];
    let i = 0;
    try {
      for (; i < length; i++) store(cx, arr[i], ptr + i * size);
    } catch (e) {
      throw withIndex(e, elemPath, i);
    }
    return [ptr, length];
  };
}

/** Replaces the `[]` placeholder of a list element path with the element's index in an error message. */
export function withIndex(e: unknown, elemPath: string, i: number): unknown {
  if ((e instanceof TypeError || e instanceof RangeError) && e.message.includes(elemPath)) {
    const fixed = `${elemPath.slice(0, -2)}[${i}]`;
    const ne = new (e.constructor as ErrorConstructor)(e.message.replace(elemPath, fixed));
    return ne;
  }
  return e;
}

// Out of line: the checks are inlined into every load and store, V8's inlining budget counts message
// building, and TurboFan may compute a number's string that two messages share before the first check.

/** A variant's discriminant `i` of `n` cases out of range (a trap; flat.ts's lifting shares it). */
export function refuseDiscriminant(kind: string, i: number, n: number): never {
  trap(`${kind}: discriminant ${i} is out of range (${n} cases)`);
}

/** load_list_from_range's traps, in the spec's order: the byte length, the alignment, the bounds. */
function refuseListRange(ptr: number, byteLength: number, align: number, memoryLength: number): never {
  if (byteLength > MAX_LIST_BYTE_LENGTH) trap(`list: byte length ${byteLength} exceeds MAX_LIST_BYTE_LENGTH`);
  if (ptr % align !== 0) trap(`list: pointer ${ptr} is not aligned to ${align}`);
  trap(`list: range [${ptr}, ${ptr + byteLength}) is out of bounds of memory (${memoryLength} bytes)`);
}

function refuseListRealloc(ptr: number, byteLength: number, align: number): never {
  if (ptr % align !== 0) trap(`list: realloc returned ${ptr}, which is not aligned to ${align}`);
  trap(`list: realloc returned ${ptr}, and ${byteLength} bytes from it are out of bounds`);
}
