/** The result checks cases make before anything is timed. */
import { deepStrictEqual } from 'node:assert/strict';

/** Throws `wrong result from <what>` unless `actual` deep-equals `expected`. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch {
    throw new Error(`wrong result from ${what}`);
  }
}
