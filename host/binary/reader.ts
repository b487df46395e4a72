import { LoadError } from '../errors.ts';
import { keepShape } from '../shape-anchors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked cursor over a byte range. Every read that runs past the end
 * or sees a bad encoding throws `LoadError('malformed')` naming what was being
 * read and the absolute byte offset, so callers never see a RangeError or a
 * silently wrong value.
 */
export class Reader {
  // The fields are `declare`d and set by the constructor alone: a field declaration compiles to
  // an initializer V8 calls on every construction (a parse makes a Reader per section and per
  // sized item), before the constructor sets the same fields again.
  /** The whole binary; offsets in errors are relative to it. */
  declare readonly bytes: Uint8Array;
  /** One past the last readable byte. */
  declare readonly end: number;
  /**
   * The absolute position of the next byte to read. A field, not a getter over a private one:
   * parsing reads it before most items (the offset each definition records), and cold loads run
   * this code mostly unoptimised, where every getter is a call. Only the reader's methods move it.
   */
  declare offset: number;

  /**
   * @param bytes the whole binary; offsets in errors are relative to it
   * @param start first readable byte
   * @param end one past the last readable byte
   */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.end = end;
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  atEnd(): boolean {
    return this.offset >= this.end;
  }

  fail(message: string, offset = this.offset): never {
    throw new LoadError('malformed', message, offset);
  }

  /** A reader over the next `length` bytes; this reader skips past them. */
  sub(length: number, what: string): Reader {
    if (length > this.end - this.offset) {
      this.fail(`unexpected end-of-file: ${what} declares ${length} bytes but only ${this.remaining} remain`);
    }
    const r = new Reader(this.bytes, this.offset, this.offset + length);
    this.offset += length;
    return r;
  }

  byte(what: string): number {
    if (this.offset >= this.end) this.fail(`unexpected end-of-file while reading ${what}`);
    return this.bytes[this.offset++]!;
  }

  peek(what: string): number {
    if (this.offset >= this.end) this.fail(`unexpected end-of-file while reading ${what}`);
    return this.bytes[this.offset]!;
  }

  take(length: number, what: string): Uint8Array {
    if (length > this.end - this.offset) {
      this.fail(`unexpected end-of-file: ${what} needs ${length} bytes but only ${this.remaining} remain`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** Unsigned LEB128 of at most 32 bits (5 bytes, unused high bits zero). */
  u32(what: string): number {
    // Most values (counts, indices, sizes of small items) take one byte: read inline, without `byte`'s call.
    const at = this.offset;
    if (at < this.end) {
      const b = this.bytes[at]!;
      if (b < 0x80) {
        this.offset = at + 1;
        return b;
      }
    }
    return this.u32Long(what);
  }

  /** `u32` of a value that does not fit one byte (or of no byte at all: then it fails as `byte` does). */
  private u32Long(what: string): number {
    const start = this.offset;
    let result = 0;
    // The place value of byte i is kept by multiplying, not computed as `2 ** (7 * i)`: unoptimised
    // code returns a heap number for `**` even when the value is a small integer, and one heap
    // number stored as a Reader's offset or end (`sub` of a length read here) changed those fields'
    // representation from small integer to double, deprecating the Reader class the anchor keeps;
    // each cold load after a GC then made a new class and recompiled byte/u32/vec against it.
    for (let i = 0, place = 1; i < 5; i++, place *= 0x80) {
      const b = this.byte(what);
      if (i === 4 && (b & 0xf0) !== 0) {
        this.fail(`integer too large or representation too long in ${what}`, start);
      }
      result += (b & 0x7f) * place;
      if ((b & 0x80) === 0) return result;
    }
    return this.fail(`integer representation too long in ${what}`, start);
  }

  /** Unsigned LEB128 of at most 64 bits, as a bigint. */
  u64(what: string): bigint {
    const start = this.offset;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(what);
      if (i === 9 && (b & 0xfe) !== 0) {
        this.fail(`integer too large or representation too long in ${what}`, start);
      }
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return result;
    }
    return this.fail(`integer representation too long in ${what}`, start);
  }

  /**
   * Signed LEB128 of at most 33 bits, used where a byte is either a negative
   * type opcode or a non-negative type index.
   */
  s33(what: string): number {
    const start = this.offset;
    let result = 0;
    // `place` multiplies rather than `2 ** (7 * i)` for the reason given in `u32Long`.
    for (let i = 0, place = 1; i < 5; i++, place *= 0x80) {
      const b = this.byte(what);
      result += (b & 0x7f) * place;
      if ((b & 0x80) === 0) {
        if (i === 4) {
          // 35 payload bits for a 33-bit value: bit 32 (0x10 here) is the
          // sign, and bits 33 and 34 (0x60) must repeat it.
          const sign = (b & 0x10) !== 0;
          if ((b & 0x60) !== (sign ? 0x60 : 0)) this.fail(`integer too large in ${what}`, start);
          return sign ? result - 2 ** 35 : result;
        }
        return (b & 0x40) !== 0 ? result - place * 0x80 : result;
      }
    }
    return this.fail(`integer representation too long in ${what}`, start);
  }

  /** A vector length, checked against the bytes left so a bogus count cannot cause a huge allocation or a long loop. */
  count(what: string, minElementSize = 1): number {
    const start = this.offset;
    const n = this.u32(`${what} count`);
    if (n * minElementSize > this.end - this.offset) {
      this.fail(`unexpected end-of-file: ${what} count ${n} exceeds the remaining ${this.remaining} bytes`, start);
    }
    return n;
  }

  vec<T>(what: string, item: (r: Reader, index: number) => T): T[] {
    const n = this.count(what);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this, i));
    return out;
  }

  /** `vec(u32)` as one typed array: for long vectors of indices (a core module's function section). */
  u32s(what: string): Uint32Array {
    const n = this.count(what);
    const out = new Uint32Array(n);
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) {
      // One-byte values inline; longer ones (and every failure) through `u32`.
      const b = bytes[this.offset]!;
      if (b < 0x80 && this.offset < this.end) {
        this.offset++;
        out[i] = b;
      } else out[i] = this.u32(what);
    }
    return out;
  }

  /** `core:name`: a length-prefixed UTF-8 string. */
  name(what: string): string {
    const len = this.u32(`${what} length`);
    const start = this.offset;
    const bytes = this.take(len, what);
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail(`malformed UTF-8 encoding in ${what}`, start);
    }
  }

  /** A 0x00/0x01 flag, rejecting anything else. */
  bool(what: string): boolean {
    const start = this.offset;
    const b = this.byte(what);
    if (b === 0) return false;
    if (b === 1) return true;
    return this.fail(`invalid boolean value 0x${b.toString(16)} for ${what}`, start);
  }

  /** `<T>?`: 0x00 for absent, 0x01 followed by T. */
  optional<T>(what: string, item: (r: Reader) => T): T | undefined {
    const start = this.offset;
    const b = this.byte(what);
    if (b === 0) return undefined;
    if (b === 1) return item(this);
    return this.fail(`invalid leading byte (0x${b.toString(16)}) for optional ${what}`, start);
  }

  expectByte(expected: number, what: string): void {
    const start = this.offset;
    const b = this.byte(what);
    if (b !== expected) {
      this.fail(`invalid leading byte (0x${b.toString(16)}) for ${what}, expected 0x${expected.toString(16)}`, start);
    }
  }

  /** Throws when bytes are left over inside a sized range. */
  expectEnd(what: string): void {
    if (this.offset !== this.end) {
      this.fail(`unexpected content after the end of ${what}: ${this.end - this.offset} trailing bytes`);
    }
  }
}

/**
 * One Reader kept for the life of the process, so that its hidden class stays alive (shape-anchors.ts).
 * Readers live only while bytes are parsed, so between two loads none may be left, and a full GC
 * then collects their map; V8 deoptimises every function compiled against it ("weak objects":
 * byte, vec, u32, count...) and the next load parses in unoptimised code while they are compiled
 * again (measured: once per cold load when a GC ran between loads, ~5 TurboFan compiles each).
 */
keepShape(new Reader(new Uint8Array(0)));

export function leadingByteError(r: Reader, b: number, what: string, offset: number): never {
  return r.fail(`invalid leading byte (0x${b.toString(16)}) for ${what}`, offset);
}
