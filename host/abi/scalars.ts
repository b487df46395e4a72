/**
 * Scalar conversions between core values and JS values: the spec's
 * `lift_flat_unsigned/signed`, `convert_int_to_bool`, `convert_i32_to_char`,
 * `canonicalize_nan*`, float/int reinterpretation, and the checks lowering
 * applies to JS inputs (TypeError / RangeError naming the value's path).
 */
import type { NumericType } from '../types.ts';
import { describe } from './strings.ts';
import { trap } from './trap.ts';

// Scratch for reinterpreting bits (f32 <-> i32, f64 <-> i64).
const scratch = new ArrayBuffer(8);
const scratchF32 = new Float32Array(scratch);
const scratchI32 = new Int32Array(scratch);
const scratchF64 = new Float64Array(scratch);
const scratchI64 = new BigInt64Array(scratch);

/** definitions.py `CANONICAL_FLOAT32_NAN` / `CANONICAL_FLOAT64_NAN`. */
export const CANONICAL_FLOAT32_NAN = 0x7fc00000;
export const CANONICAL_FLOAT64_NAN = 0x7ff8000000000000n;

export function f32FromBits(i: number): number {
  scratchI32[0] = i;
  const f = scratchF32[0]!;
  return f !== f ? NaN : f; // canonicalize_nan32
}
export function f32ToBits(f: number): number {
  // Deterministic profile: NaNs are stored as the canonical NaN.
  if (f !== f) return CANONICAL_FLOAT32_NAN;
  scratchF32[0] = f;
  return scratchI32[0]!;
}
export function f64FromBits(i: bigint): number {
  scratchI64[0] = i;
  const f = scratchF64[0]!;
  return f !== f ? NaN : f; // canonicalize_nan64
}
export function f64ToBits(f: number): bigint {
  if (f !== f) return CANONICAL_FLOAT64_NAN;
  scratchF64[0] = f;
  return scratchI64[0]!;
}

/** definitions.py `convert_i32_to_char` (`i` is the unsigned core value). */
export function i32ToChar(i: number): string {
  if (i >= 0x110000) trap(`char: code point 0x${i.toString(16)} is not below 0x110000`);
  if (i >= 0xd800 && i <= 0xdfff) trap(`char: code point 0x${i.toString(16)} is a surrogate`);
  return String.fromCodePoint(i);
}

/** The JS side of `char_to_i32`: `v` must be a string of exactly one Unicode scalar value. */
export function charToI32(v: unknown, path: string): number {
  if (typeof v === 'string') {
    const c = v.codePointAt(0);
    if (c !== undefined && v.length === (c > 0xffff ? 2 : 1) && !(c >= 0xd800 && c <= 0xdfff)) return c;
  }
  throw new TypeError(`${path}: expected a char (a string of one Unicode scalar value), got ${describe(v)}`);
}

const INT_RANGES = {
  s8: [-0x80, 0x7f],
  u8: [0, 0xff],
  s16: [-0x8000, 0x7fff],
  u16: [0, 0xffff],
  s32: [-0x80000000, 0x7fffffff],
  u32: [0, 0xffffffff],
} as const;

/** Checks a JS number for an 8-32-bit integer type; returns it unchanged. */
export function intChecker(t: 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32'): (v: unknown, path: string) => number {
  const [lo, hi] = INT_RANGES[t];
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) refuseInt(v, path, t);
    return v;
  };
}

// The refusals are out of line: the checks are inlined into every lowering
// closure, and V8's inlining budget counts the bytecode of message building.

function refuseInt(v: unknown, path: string, t: 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32'): never {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${path}: expected an integer (${t}), got ${describe(v)}`);
  const [lo, hi] = INT_RANGES[t];
  throw new RangeError(`${path}: ${v} is out of range for ${t} [${lo}, ${hi}]`);
}

function refuseBigInt(v: unknown, path: string, t: 'u64' | 's64'): never {
  if (typeof v !== 'bigint') throw new TypeError(`${path}: expected a bigint (${t}), got ${describe(v)}`);
  throw new RangeError(`${path}: ${v} is out of range for ${t}`);
}

// In range exactly when truncating to 64 bits changes nothing. V8 compiles BigInt.asUintN(64, v) /
// asIntN(64, v) and the comparison into the caller, where `v > 0xffffffffffffffffn` was a call of
// its BigIntLessThan builtin (~34 instructions per u64 lowered).
export function checkU64(v: unknown, path: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v) refuseBigInt(v, path, 'u64');
  return v;
}

export function checkS64(v: unknown, path: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) refuseBigInt(v, path, 's64');
  return v;
}

export function checkFloat(v: unknown, path: string, t: 'f32' | 'f64'): number {
  if (typeof v !== 'number') refuseType(v, path, `a number (${t})`);
  return v;
}

export function checkBool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') refuseType(v, path, 'a boolean');
  return v;
}

function refuseType(v: unknown, path: string, expected: string): never {
  throw new TypeError(`${path}: expected ${expected}, got ${describe(v)}`);
}

/** Is `t` a type whose JS value is a single number/bigint/boolean/string with no memory access? */
export function isNumeric(kind: string): kind is NumericType {
  switch (kind) {
    case 'bool':
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 's64':
    case 'u64':
    case 'f32':
    case 'f64':
    case 'char':
      return true;
    default:
      return false;
  }
}
