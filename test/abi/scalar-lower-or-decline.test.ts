/**
 * flat.ts `scalarLowerOrDecline`, the declining lowerings the flat direct
 * path tries before the checked one (lift.ts `recordParamLifted`): each must
 * give exactly `scalarLower`'s value for every JS value `scalarLower`
 * accepts, and undefined for every value it refuses, without converting
 * anything (no valueOf or toString runs). Then routing a declined value to
 * `scalarLower` gives the same value or error as `scalarLower` alone.
 */
import { describe, expect, it } from 'vitest';
import { scalarLower, scalarLowerOrDecline } from '../../host/abi/flat.ts';
import type { ValType } from '../../host/types.ts';

const KINDS = ['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64'] as const;

/** Every value an object's conversion was asked for: must stay empty. */
const conversions: string[] = [];
const convertible = (name: string) => ({
  valueOf() {
    conversions.push(`${name}.valueOf`);
    return 1;
  },
  toString() {
    conversions.push(`${name}.toString`);
    return '1';
  },
  [Symbol.toPrimitive]() {
    conversions.push(`${name}[Symbol.toPrimitive]`);
    return 1;
  },
});

/** Each integer type's bounds and their neighbours, fractions, the float specials, other JS types. */
const NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, 126, 127, 128, -127, -128, -129, 254, 255, 256, 32766, 32767, 32768, -32768, -32769,
  65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 53,
  Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, NaN, Infinity,
  -Infinity, 3.4028234663852886e38, 3.4028235677973366e38, 1.401298464324817e-45, 0.1,
];
const BIGINTS = [0n, -0n, 1n, -1n, 255n, 2n ** 31n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), 2n ** 200n];
const OTHERS = [true, false, null, undefined, '', '0', '1', '255', 'true', [], [1], {}, Symbol('s'), () => 1, new Number(1), Object(1n), new Boolean(true), convertible('o')];
const CORPUS: unknown[] = [...NUMBERS, ...BIGINTS, ...OTHERS];

/** `scalarLower`'s outcome: its value, or that it refused (the error's class). */
function checked(lower: (v: unknown) => unknown, v: unknown): { value: unknown } | { refused: string } {
  try {
    return { value: lower(v) };
  } catch (e) {
    return { refused: (e as Error).constructor.name };
  }
}

describe('scalarLowerOrDecline: the value scalarLower gives, or undefined exactly where scalarLower refuses', () => {
  for (const kind of KINDS) {
    it(`${kind}: agrees with scalarLower on ${CORPUS.length} values (bounds, specials, other JS types), converting none`, () => {
      const t = { kind } as ValType;
      const decline = scalarLowerOrDecline(t)!;
      const lower = scalarLower(t, 'p.x')!;
      conversions.length = 0;
      const disagreements: string[] = [];
      let accepted = 0;
      for (const v of CORPUS) {
        const want = checked(lower, v);
        const got = decline(v);
        if ('value' in want) accepted++;
        // Object.is: -0 and 0 are different core inputs to a JS callee.
        const same = 'value' in want ? Object.is(got, want.value) : got === undefined && (want.refused === 'TypeError' || want.refused === 'RangeError');
        if (!same) disagreements.push(`${typeof v === 'bigint' ? `${v}n` : String(typeof v === 'symbol' ? 'symbol' : v)}: declining gave ${String(got)}, scalarLower ${JSON.stringify(want, (_, x) => (typeof x === 'bigint' ? `${x}n` : x))}`);
      }
      expect(disagreements).toEqual([]);
      // Conversions only by scalarLower's refusal messages (describe()), never by the declining lowering.
      const before = conversions.length;
      for (const v of CORPUS) decline(v);
      expect(conversions.length).toBe(before);
      // The corpus exercises both answers for every type.
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(CORPUS.length);
    });
  }

  it('has no declining lowering for char (its callers use scalarLower alone)', () => {
    expect(scalarLowerOrDecline({ kind: 'char' } as ValType)).toBeUndefined();
    expect(scalarLowerOrDecline({ kind: 'string' } as ValType)).toBeUndefined();
  });
});
