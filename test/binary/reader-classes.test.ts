/**
 * Readers keep one hidden class across full GCs (reader.ts `u32Long`, and the Reader it keeps with `keepShape`), in a child
 * process with --expose-gc and V8's natives syntax (reader-classes-gc.ts): LEB128 values of more
 * than one byte come back as small integers, a Reader made by `sub` of such a length has the class
 * of a Reader of plain bytes, and code that read through such Readers stays optimised after
 * collections that found none of them alive (`after` is false without reader.ts's keepShape).
 */
import { describe, expect, it } from 'vitest';
import { nativesChildReport } from '../support/natives-child.ts';

describe('reader classes survive full GCs (child process)', () => {
  it('multi-byte LEB128 lengths keep Readers on the anchored class, and readers stay optimised', async () => {
    const report = await nativesChildReport(new URL('./reader-classes-gc.ts', import.meta.url));
    expect(report).toEqual({
      values: { u32: true, u32FiveBytes: true, s33Positive: true, s33Negative: true },
      classes: { sameAsPlain: true, offsetIsSmi: true, endIsSmi: true },
      reader: { before: true, after: true },
      value: 389 + 4 + 202,
    });
  });
});
