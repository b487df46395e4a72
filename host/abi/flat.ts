/**
 * definitions.py `lift_flat` / `lower_flat`, compiled once per type into
 * closures that read or write a flat core-value array at fixed positions.
 *
 * `slots` gives the core type actually present at each flat position. It is
 * the type's own flattening except inside a variant payload, where positions
 * hold the variant's joined types and the spec's coercions apply
 * (`f32` carried in `i32`, anything narrower carried in `i64`).
 */
import type { ValType } from '../types.ts';
import type { LiftLowerContext } from './context.ts';
import { asResourceType, liftBorrow, liftOwn, lowerBorrow, lowerOwn } from './handles.ts';
import { type CoreValType, flattenType } from './layout.ts';
import {
  caseName,
  checkTuple,
  compileLoadListFromRange,
  compileStoreListIntoRange,
  flagsPacker,
  flagsUnpacker,
  refuseDiscriminant,
  variantShape,
} from './load-store.ts';
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
import { checkString, loadStringFromRange, storeStringIntoRange } from './strings.ts';
import { trap } from './trap.ts';
import { liftAsyncValue, lowerAsyncValue } from './stream-builtins.ts';
import { liftErrorContext, lowerErrorContext } from './error-context.ts';

export type Flat = unknown[];
export type LiftFlat = (cx: LiftLowerContext, flat: Flat) => unknown;
export type LowerFlat = (cx: LiftLowerContext, v: unknown, out: Flat) => void;

export type Num = number | bigint;

/** Reads position `off` (holding a `have`) as the `want` the type's own flattening expects. */
function reader(off: number, have: CoreValType, want: CoreValType): (flat: Flat) => Num {
  if (have === want) return (f) => f[off] as Num;
  if (have === 'i32' && want === 'f32') return (f) => f32FromBits(f[off] as number);
  if (have === 'i64' && want === 'i32') return (f) => Number(BigInt.asUintN(32, f[off] as bigint));
  if (have === 'i64' && want === 'f32') return (f) => f32FromBits(Number(BigInt.asUintN(32, f[off] as bigint)));
  if (have === 'i64' && want === 'f64') return (f) => f64FromBits(f[off] as bigint);
  throw new Error(`internal: no flat coercion from ${have} to ${want}`);
}

/** Writes a `want` value into position `off`, which holds a `have` (the spec's lower_flat_variant coercions). */
function writer(off: number, have: CoreValType, want: CoreValType): (out: Flat, x: Num) => void {
  if (have === want) return (o, x) => void (o[off] = x);
  if (have === 'i32' && want === 'f32') return (o, x) => void (o[off] = f32ToBits(x as number));
  if (have === 'i64' && want === 'i32') return (o, x) => void (o[off] = BigInt((x as number) >>> 0));
  if (have === 'i64' && want === 'f32') return (o, x) => void (o[off] = BigInt(f32ToBits(x as number) >>> 0));
  if (have === 'i64' && want === 'f64') return (o, x) => void (o[off] = f64ToBits(x as number));
  throw new Error(`internal: no flat coercion from ${want} to ${have}`);
}

const ZERO: Record<CoreValType, Num> = { i32: 0, i64: 0n, f32: 0, f64: 0 };

/**
 * The JS value of a single-slot scalar from its core value (already in the
 * type's own core domain): lift_flat for bool, integers, floats and char.
 */
export function scalarLift(t: ValType): ((x: Num) => unknown) | undefined {
  switch (t.kind) {
    case 'bool':
      return (x) => x !== 0; // convert_int_to_bool: any non-zero is true
    case 'u8':
      return (x) => (x as number) & 0xff;
    case 's8':
      return (x) => ((x as number) << 24) >> 24;
    case 'u16':
      return (x) => (x as number) & 0xffff;
    case 's16':
      return (x) => ((x as number) << 16) >> 16;
    case 'u32':
      return (x) => (x as number) >>> 0;
    case 's32':
      return (x) => (x as number) | 0;
    case 'u64':
      return (x) => BigInt.asUintN(64, x as bigint);
    case 's64':
      return (x) => BigInt.asIntN(64, x as bigint);
    case 'f32':
    case 'f64':
      return (x) => (x !== x ? NaN : x); // canonicalize_nan
    case 'char':
      return (x) => i32ToChar((x as number) >>> 0);
    default:
      return undefined;
  }
}

/** The core value of a JS scalar, validated (TypeError / RangeError naming `path`). */
export function scalarLower(t: ValType, path: string): ((v: unknown) => Num) | undefined {
  switch (t.kind) {
    case 'bool':
      return (v) => (checkBool(v, path) ? 1 : 0);
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32': {
      const check = intChecker(t.kind);
      return (v) => check(v, path) | 0;
    }
    case 'u64':
      return (v) => checkU64(v, path);
    case 's64':
      return (v) => checkS64(v, path);
    case 'f32':
      return (v) => Math.fround(checkFloat(v, path, 'f32'));
    case 'f64':
      return (v) => checkFloat(v, path, 'f64');
    case 'char':
      return (v) => charToI32(v, path);
    default:
      return undefined;
  }
}

/**
 * What `scalarLower(t, path)` gives for a JS value it accepts, and
 * undefined for every value it refuses: a lowering that declines instead of
 * throwing, for a caller that then hands a declined value to `scalarLower`'s
 * closure for its typed error (`v` of an integer type must be a number that
 * is an integer in range, so `v`'s low bits, sign-extended where the type is
 * signed, equal `v` exactly then; a bigint is in range of u64 exactly when
 * truncating it to 64 bits changes nothing). Pure, and it converts nothing
 * (each check starts with `typeof` or `===`, so no valueOf runs): declining
 * and retrying changes nothing. Undefined for a type with no such lowering
 * (char); the caller then uses `scalarLower` alone.
 *
 * One function per type, shared by every field of that type, each at most
 * 27 bytes of bytecode but u64's and s64's (38): V8 inlines a function that
 * small at every call site, whatever the caller's inlining budget has left
 * (its `max_inlined_bytecode_size_small`), where an integer's `scalarLower`
 * closure and the checker it calls (19 + 62 bytes) each took budget from the
 * caller. `(v & 0xff) === v` and the like cost one instruction less than
 * a range check and name no bounds to load.
 */
export function scalarLowerOrDecline(t: ValType): ((v: unknown) => Num | undefined) | undefined {
  switch (t.kind) {
    case 'bool':
      return lowerBool;
    case 'u8':
      return lowerU8;
    case 's8':
      return lowerS8;
    case 'u16':
      return lowerU16;
    case 's16':
      return lowerS16;
    case 'u32':
      return lowerU32;
    case 's32':
      return lowerS32;
    case 'u64':
      return lowerU64;
    case 's64':
      return lowerS64;
    case 'f32':
      return lowerF32;
    case 'f64':
      return lowerF64;
    default:
      return undefined;
  }
}

// The integers return the value `| 0` as `scalarLower` does (u32 above 2^31 as its negative i32, -0 as 0).
const lowerBool = (v: unknown): number | undefined => (v === true ? 1 : v === false ? 0 : undefined);
const lowerU8 = (v: unknown): number | undefined => {
  if (typeof v === 'number') {
    const x = v & 0xff;
    if (x === v) return x;
  }
  return undefined;
};
const lowerS8 = (v: unknown): number | undefined => {
  if (typeof v === 'number') {
    const x = (v << 24) >> 24;
    if (x === v) return x;
  }
  return undefined;
};
const lowerU16 = (v: unknown): number | undefined => {
  if (typeof v === 'number') {
    const x = (v << 16) >>> 16; // v & 0xffff, without a 4-byte operand
    if (x === v) return x;
  }
  return undefined;
};
const lowerS16 = (v: unknown): number | undefined => {
  if (typeof v === 'number') {
    const x = (v << 16) >> 16;
    if (x === v) return x;
  }
  return undefined;
};
const lowerU32 = (v: unknown): number | undefined => {
  if (typeof v === 'number' && v >>> 0 === v) return v | 0;
  return undefined;
};
const lowerS32 = (v: unknown): number | undefined => {
  if (typeof v === 'number') {
    const x = v | 0;
    if (x === v) return x;
  }
  return undefined;
};
const lowerU64 = (v: unknown): bigint | undefined => (typeof v === 'bigint' && BigInt.asUintN(64, v) === v ? v : undefined);
const lowerS64 = (v: unknown): bigint | undefined => (typeof v === 'bigint' && BigInt.asIntN(64, v) === v ? v : undefined);
const lowerF32 = (v: unknown): number | undefined => (typeof v === 'number' ? Math.fround(v) : undefined);
const lowerF64 = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** definitions.py `lift_flat` for `t` at position `off`; `slots` are the core types present. */
export function compileLiftFlat(t: ValType, off: number, slots: readonly CoreValType[]): LiftFlat {
  const own = flattenType(t);
  const rd = (k: number) => reader(off + k, slots[off + k]!, own[k]!);
  const lift = scalarLift(t);
  if (lift !== undefined) {
    const r = rd(0);
    return (_cx, f) => lift(r(f));
  }
  switch (t.kind) {
    case 'string': {
      const rp = rd(0);
      const rl = rd(1);
      return (cx, f) => loadStringFromRange(cx, (rp(f) as number) >>> 0, (rl(f) as number) >>> 0);
    }
    case 'list': {
      const fromRange = compileLoadListFromRange(t.element);
      const rp = rd(0);
      const rl = rd(1);
      return (cx, f) => fromRange(cx, (rp(f) as number) >>> 0, (rl(f) as number) >>> 0);
    }
    case 'record': {
      const keys = t.fields.map((x) => toCamelCase(x.name));
      const lifts = sequence(t.fields.map((x) => x.type), off, (u, o) => compileLiftFlat(u, o, slots));
      return recordBuilder(keys, lifts);
    }
    case 'tuple': {
      const lifts = sequence(t.types, off, (u, o) => compileLiftFlat(u, o, slots));
      const n = lifts.length;
      return (cx, f) => {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = lifts[i]!(cx, f);
        return a;
      };
    }
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      const shape = variantShape(t);
      const n = shape.cases.length;
      const disc = rd(0);
      const lifts = shape.cases.map((c) => (c.type === undefined ? undefined : compileLiftFlat(c.type, off + 1, slots)));
      return (cx, f) => {
        const i = (disc(f) as number) >>> 0;
        if (i >= n) refuseDiscriminant(t.kind, i, n);
        const l = lifts[i];
        return shape.make(i, l === undefined ? undefined : l(cx, f));
      };
    }
    case 'flags': {
      const unpack = flagsUnpacker(t.labels);
      const r = rd(0);
      return (_cx, f) => unpack(r(f) as number);
    }
    case 'own': {
      const rt = asResourceType(t.resource);
      const r = rd(0);
      return (cx, f) => liftOwn(cx, (r(f) as number) >>> 0, rt);
    }
    case 'borrow': {
      const rt = asResourceType(t.resource);
      const r = rd(0);
      return (cx, f) => liftBorrow(cx, (r(f) as number) >>> 0, rt);
    }
    case 'stream':
    case 'future': {
      const r = rd(0);
      return (cx, f) => liftAsyncValue(cx, (r(f) as number) >>> 0, t);
    }
    case 'error-context': {
      const r = rd(0);
      return (cx, f) => liftErrorContext(cx, (r(f) as number) >>> 0);
    }
    default:
      throw new Error(`internal: no flat lifting for ${t.kind}`);
  }
}

/** definitions.py `lower_flat` for `t` at position `off` of `out`; `slots` are the core types present. */
export function compileLowerFlat(t: ValType, off: number, slots: readonly CoreValType[], path: string): LowerFlat {
  const own = flattenType(t);
  const wr = (k: number) => writer(off + k, slots[off + k]!, own[k]!);
  const lower = scalarLower(t, path);
  if (lower !== undefined) {
    // In its own core type (not a variant's joined slot): stored directly, no writer closure in between.
    if (slots[off] === own[0]) return (_cx, v, o) => void (o[off] = lower(v));
    const w = wr(0);
    return (_cx, v, o) => w(o, lower(v));
  }
  switch (t.kind) {
    case 'string': {
      // In its own core types (a parameter, not a variant's joined slots): stored directly, as a scalar is.
      if (slots[off] === 'i32' && slots[off + 1] === 'i32') {
        return (cx, v, o) => {
          o[off] = storeStringIntoRange(cx, checkString(v, path)) | 0;
          o[off + 1] = cx.storedUnits | 0;
        };
      }
      const wp = wr(0);
      const wl = wr(1);
      return (cx, v, o) => {
        wp(o, storeStringIntoRange(cx, checkString(v, path)) | 0);
        wl(o, cx.storedUnits | 0);
      };
    }
    case 'list': {
      const intoRange = compileStoreListIntoRange(t.element, path);
      const wp = wr(0);
      const wl = wr(1);
      return (cx, v, o) => {
        const [ptr, length] = intoRange(cx, v);
        wp(o, ptr | 0);
        wl(o, length | 0);
      };
    }
    case 'record': {
      const keys = t.fields.map((x) => toCamelCase(x.name));
      const lowers = sequence(t.fields.map((x) => x.type), off, (u, o, i) => compileLowerFlat(u, o, slots, `${path}.${keys[i]}`));
      const visit = recordVisitor(keys, lowers);
      return (cx, v, o) => {
        if (typeof v !== 'object' || v === null) refuseRecord(v, path);
        visit(cx, v as Record<string, unknown>, o);
      };
    }
    case 'tuple': {
      const lowers = sequence(t.types, off, (u, o, i) => compileLowerFlat(u, o, slots, `${path}[${i}]`));
      const n = lowers.length;
      return (cx, v, o) => {
        checkTuple(v, n, path);
        for (let i = 0; i < n; i++) lowers[i]!(cx, (v as unknown[])[i], o);
      };
    }
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      const shape = variantShape(t);
      const lowers = shape.cases.map((c) =>
        c.type === undefined ? undefined : compileLowerFlat(c.type, off + 1, slots, caseName(path, t, c)),
      );
      const wd = wr(0);
      const payloadSlots = own.slice(1).map((_, k) => slots[off + 1 + k]!);
      const np = payloadSlots.length;
      return (cx, v, o) => {
        const i = shape.match(v, path);
        const payload = shape.payload;
        wd(o, i);
        // Positions the chosen case does not use are zero, as lower_flat_variant pads them.
        for (let k = 0; k < np; k++) o[off + 1 + k] = ZERO[payloadSlots[k]!];
        const l = lowers[i];
        if (l !== undefined) l(cx, payload, o);
      };
    }
    case 'flags': {
      const pack = flagsPacker(t.labels, path);
      const w = wr(0);
      return (_cx, v, o) => w(o, pack(v) | 0);
    }
    case 'own': {
      const rt = asResourceType(t.resource);
      const w = wr(0);
      return (cx, v, o) => w(o, lowerOwn(cx, v, rt, path));
    }
    case 'borrow': {
      const rt = asResourceType(t.resource);
      if (slots[off] === 'i32') return (cx, v, o) => void (o[off] = lowerBorrow(cx, v, rt, path));
      const w = wr(0);
      return (cx, v, o) => w(o, lowerBorrow(cx, v, rt, path));
    }
    case 'stream':
    case 'future': {
      const w = wr(0);
      return (cx, v, o) => w(o, lowerAsyncValue(cx, v, t, path));
    }
    case 'error-context': {
      const w = wr(0);
      return (cx, v, o) => w(o, lowerErrorContext(cx, v, path));
    }
    default:
      throw new Error(`internal: no flat lowering for ${t.kind}`);
  }
}

// Out of line: the check is inlined into every call, and V8's inlining budget counts message building.
export function refuseRecord(v: unknown, path: string): never {
  throw new TypeError(`${path}: expected a record object, got ${v === null ? 'null' : typeof v}`);
}

/** Compiles consecutive members starting at `off`, each after the previous one's flat positions. */
function sequence<F>(ts: readonly ValType[], off: number, compile: (u: ValType, off: number, i: number) => F): F[] {
  const out: F[] = [];
  let o = off;
  ts.forEach((u, i) => {
    out.push(compile(u, o, i));
    o += flattenType(u).length;
  });
  return out;
}
