/**
 * Strings across the boundary (definitions.py `load_string_from_range`,
 * `store_string_into_range`). JS strings are sequences of UTF-16 code units,
 * so the host is a string source of encoding `utf16` and follows the spec's
 * `utf16 -> utf8`, `utf16 -> utf16` and `utf16 -> latin1+utf16` rules
 * (including their realloc sequences) when storing.
 */
import type { LiftLowerContext } from './context.ts';
import { trap } from './trap.ts';

/** definitions.py `MAX_STRING_BYTE_LENGTH`. */
export const MAX_STRING_BYTE_LENGTH = 2 ** 28 - 1;
/** definitions.py `utf16_tag` for 32-bit memories. */
export const UTF16_TAG = 2 ** 31;

// Decoders are stateless between calls; `fatal` makes invalid input throw (a trap),
// `ignoreBOM` keeps a leading U+FEFF as content, as the spec's decode does.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Strings at most this long are decoded by hand when ASCII (cheaper than TextDecoder's call overhead). */
const SHORT = 32;

/** definitions.py `load_string_from_range`. */
export function loadStringFromRange(cx: LiftLowerContext, ptr: number, taggedCodeUnits: number): string {
  let byteLength: number;
  let align: number;
  let encoding: 'utf8' | 'utf16' | 'latin1';
  switch (cx.stringEncoding) {
    case 'utf8':
      align = 1;
      byteLength = taggedCodeUnits;
      encoding = 'utf8';
      break;
    case 'utf16':
      align = 2;
      byteLength = 2 * taggedCodeUnits;
      encoding = 'utf16';
      break;
    case 'latin1+utf16':
      align = 2;
      if (taggedCodeUnits >= UTF16_TAG) {
        byteLength = 2 * (taggedCodeUnits - UTF16_TAG);
        encoding = 'utf16';
      } else {
        byteLength = taggedCodeUnits;
        encoding = 'latin1';
      }
      break;
  }
  const u8 = cx.u8;
  if (byteLength > MAX_STRING_BYTE_LENGTH || ptr % align !== 0 || ptr + byteLength > cx.byteLength) refuseStringRange(ptr, byteLength, align, cx.byteLength);
  if ((cx.liftBudget -= byteLength) < 0) cx.liftBudgetExhausted();
  switch (encoding) {
    case 'utf8':
      return decodeUtf8(u8, ptr, byteLength);
    case 'utf16':
      try {
        return utf16Decoder.decode(u8.subarray(ptr, ptr + byteLength));
      } catch {
        return trap('string: invalid UTF-16 (unpaired surrogate)');
      }
    case 'latin1':
      return decodeLatin1(u8, ptr, byteLength);
  }
}

// The refusals below build their messages out of line: inline, V8 counts the message's bytecode
// against the caller's inlining budget, and TurboFan computes a `${ptr}` that two messages share
// once, before the first check (a NumberToString on every string, ~18 instructions).

/** load_string_from_range's traps, in the spec's order: the byte length, the alignment, the bounds. */
function refuseStringRange(ptr: number, byteLength: number, align: number, memoryLength: number): never {
  if (byteLength > MAX_STRING_BYTE_LENGTH) trap(`string: byte length ${byteLength} exceeds MAX_STRING_BYTE_LENGTH`);
  if (ptr % align !== 0) trap(`string: pointer ${ptr} is not aligned to ${align}`);
  trap(`string: range [${ptr}, ${ptr + byteLength}) is out of bounds of memory (${memoryLength} bytes)`);
}

/** A realloc result for a string: misaligned (`align` 2 only), or `bytes` from it out of bounds. */
function refuseStringRealloc(ptr: number, bytes: number, align: number): never {
  if (ptr % align !== 0) trap(`string: realloc returned ${ptr}, which is not 2-aligned`);
  trap(`string: realloc returned ${ptr}, and ${bytes} bytes from it are out of bounds`);
}

function refuseStringLength(byteLength: number): never {
  trap(`string: ${byteLength} bytes exceed MAX_STRING_BYTE_LENGTH`);
}

function decodeUtf8(u8: Uint8Array, ptr: number, len: number): string {
  if (len <= SHORT) {
    const s = decodeShortAscii(u8, ptr, len);
    if (s !== undefined) return s;
  }
  try {
    return utf8Decoder.decode(u8.subarray(ptr, ptr + len));
  } catch {
    return trap('string: invalid UTF-8');
  }
}

const fromCharCode = String.fromCharCode;

/**
 * The string of `len` bytes at `ptr` if all are ASCII (UTF-8 and Latin-1
 * agree there), else undefined. Eight code units per `fromCharCode` call:
 * for short strings this beats both a per-byte loop and TextDecoder's call
 * overhead several times over.
 */
function decodeShortAscii(u8: Uint8Array, ptr: number, len: number): string | undefined {
  let s = '';
  let i = ptr;
  const end = ptr + len;
  for (; i + 8 <= end; i += 8) {
    const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!;
    const e = u8[i + 4]!, f = u8[i + 5]!, g = u8[i + 6]!, h = u8[i + 7]!;
    if ((a | b | c | d | e | f | g | h) >= 0x80) return undefined;
    s += fromCharCode(a, b, c, d, e, f, g, h);
  }
  for (; i < end; i++) {
    const a = u8[i]!;
    if (a >= 0x80) return undefined;
    s += fromCharCode(a);
  }
  return s;
}

function decodeLatin1(u8: Uint8Array, ptr: number, len: number): string {
  // Latin-1 maps each byte to the code point of the same value (TextDecoder's
  // 'latin1' is windows-1252, which differs in 0x80-0x9f, so it is not used).
  let s = '';
  const CHUNK = 8192;
  for (let i = 0; i < len; i += CHUNK) {
    s += String.fromCharCode.apply(null, u8.subarray(ptr + i, ptr + Math.min(len, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

/** Throws a TypeError unless `s` is a string of Unicode scalar values (no lone surrogates). */
export function checkString(s: unknown, path: string): string {
  if (typeof s !== 'string') throw new TypeError(`${path}: expected a string, got ${describe(s)}`);
  // `!== true`, not `!`: TurboFan does not type this builtin's result, and `!` of an untyped value
  // compiles to a full truthiness test (false, '', a string, a number, a bigint) on every string lowered.
  if ((s as string & { isWellFormed(): boolean }).isWellFormed() !== true) {
    throw new TypeError(`${path}: string contains a lone surrogate, which is not a Unicode scalar value`);
  }
  return s;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/**
 * definitions.py `store_string_into_range` with a `utf16` source (a JS string,
 * already checked well-formed). Returns the pointer and leaves the tagged code
 * units in `cx.storedUnits`: a `[ptr, units]` pair would be a fresh array per
 * string, since the stores below are too large for V8 to inline into their
 * callers and so cannot escape-analyse it away.
 */
export function storeStringIntoRange(cx: LiftLowerContext, s: string): number {
  switch (cx.stringEncoding) {
    case 'utf8':
      return storeUtf16ToUtf8(cx, s);
    case 'utf16':
      return storeStringCopyUtf16(cx, s);
    case 'latin1+utf16':
      return storeStringToLatin1OrUtf16(cx, s);
  }
}

function checkLength(byteLength: number): void {
  // The spec asserts this (the source string is valid); for a JS source it is a trap-worthy input limit.
  if (byteLength > MAX_STRING_BYTE_LENGTH) refuseStringLength(byteLength);
}

/** definitions.py `store_utf16_to_utf8` / `store_string_to_utf8`. */
function storeUtf16ToUtf8(cx: LiftLowerContext, s: string): number {
  const units = s.length;
  checkLength(units);
  let ptr = cx.allocate(1, units);
  if (ptr + units > cx.byteLength) refuseStringRealloc(ptr, units, 1);
  const u8 = cx.u8;
  // Optimistic ASCII pass, as the spec writes code points < 0x80 one byte each.
  let i = 0;
  if (units <= SHORT) {
    for (; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      u8[ptr + i] = c;
    }
  } else {
    const r = utf8Encoder.encodeInto(s, u8.subarray(ptr, ptr + units));
    // read === units with written === units means every code unit was ASCII.
    i = r.read === units && r.written === units ? units : 0;
    if (i !== units) {
      // Find the first non-ASCII code unit; the bytes before it are already in place.
      while (s.charCodeAt(i) < 0x80) i++;
    }
  }
  if (i === units) {
    cx.storedUnits = units;
    return ptr;
  }
  const worst = 3 * units;
  checkLength(worst);
  ptr = cx.reallocate(ptr, units, 1, worst);
  if (ptr + worst > cx.byteLength) refuseStringRealloc(ptr, worst, 1);
  const written = utf8Encoder.encodeInto(s.slice(i), cx.u8.subarray(ptr + i, ptr + worst)).written;
  const len = i + written;
  if (worst > len) {
    ptr = cx.reallocate(ptr, worst, 1, len);
    if (ptr + len > cx.byteLength) refuseStringRealloc(ptr, len, 1);
  }
  cx.storedUnits = len;
  return ptr;
}

/** definitions.py `store_string_copy` for utf16 -> utf16. */
function storeStringCopyUtf16(cx: LiftLowerContext, s: string): number {
  const units = s.length;
  const byteLength = 2 * units;
  checkLength(byteLength);
  const ptr = cx.allocate(2, byteLength);
  if (ptr % 2 !== 0 || ptr + byteLength > cx.byteLength) refuseStringRealloc(ptr, byteLength, 2);
  writeUtf16(cx.dv, ptr, s, 0);
  cx.storedUnits = units;
  return ptr;
}

function writeUtf16(dv: DataView, ptr: number, s: string, from: number): void {
  for (let i = from; i < s.length; i++) dv.setUint16(ptr + 2 * i, s.charCodeAt(i), true);
}

/** definitions.py `store_string_to_latin1_or_utf16` with a utf16 source. */
function storeStringToLatin1OrUtf16(cx: LiftLowerContext, s: string): number {
  const units = s.length;
  checkLength(units);
  let ptr = cx.allocate(2, units);
  if (ptr % 2 !== 0 || ptr + units > cx.byteLength) refuseStringRealloc(ptr, units, 2);
  let dstByteLength = 0;
  let u8 = cx.u8;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x100) {
      u8[ptr + dstByteLength] = c;
      dstByteLength++;
      continue;
    }
    // A code unit outside Latin-1: switch the whole string to UTF-16.
    const worst = 2 * units;
    checkLength(worst);
    ptr = cx.reallocate(ptr, units, 2, worst);
    if (ptr % 2 !== 0 || ptr + worst > cx.byteLength) refuseStringRealloc(ptr, worst, 2);
    u8 = cx.u8;
    // Inflate the Latin-1 prefix in place, back to front so nothing is overwritten early.
    for (let j = dstByteLength - 1; j >= 0; j--) {
      u8[ptr + 2 * j] = u8[ptr + j]!;
      u8[ptr + 2 * j + 1] = 0;
    }
    writeUtf16(cx.dv, ptr, s, dstByteLength);
    // A utf16 source encodes to exactly `worst` bytes, so the spec's shrink step never applies.
    cx.storedUnits = units + UTF16_TAG;
    return ptr;
  }
  if (dstByteLength < units) {
    // Unreachable for a utf16 source (each Latin-1 code unit is one byte); kept to mirror the spec.
    ptr = cx.reallocate(ptr, units, 2, dstByteLength);
    if (ptr % 2 !== 0 || ptr + dstByteLength > cx.byteLength) refuseStringRealloc(ptr, dstByteLength, 2);
  }
  cx.storedUnits = dstByteLength;
  return ptr;
}
