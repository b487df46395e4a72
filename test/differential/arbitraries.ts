/** fast-check generators shared by the differential tests. */
import fc from 'fast-check';

/** Any Unicode scalar value as a one-character string (no surrogate code points), astral ones often. */
export const scalarChar: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
    { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
    { weight: 2, arbitrary: fc.integer({ min: 0x1_0000, max: 0x10_ffff }) },
  )
  .map((cp) => String.fromCodePoint(cp));

/**
 * Strings of arbitrary Unicode scalar values: every string a `string`
 * parameter can take, except one that starts with U+FEFF, which jco's
 * lifting drops (normalise.ts, item 5; asserted in types.test.ts).
 */
export function unicodeString(maxLength = 40): fc.Arbitrary<string> {
  return fc
    .oneof(fc.string({ unit: scalarChar, maxLength }), fc.string({ unit: 'grapheme', maxLength }))
    .filter((s) => !s.startsWith(BYTE_ORDER_MARK));
}

/** U+FEFF, which a `TextDecoder` made without `ignoreBOM` removes from the start of its input. */
export const BYTE_ORDER_MARK = '\u{feff}';

/** Every f64, with NaN, ±0, ±Infinity and subnormals. */
export const f64 = fc.double();
