/** The result checks cases make before anything is timed, and the inputs they check with. */
import { deepStrictEqual } from 'node:assert/strict';

/** Throws `wrong result from <what>` unless `actual` deep-equals `expected`. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch {
    throw new Error(`wrong result from ${what}`);
  }
}

/** Reproducible bytes that do not compress to a pattern (xorshift32). */
export function pseudoRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
