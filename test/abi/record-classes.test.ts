/**
 * Record results keep their hidden classes across full GCs (records.ts
 * `constructors`), in a child process with --expose-gc and V8's natives
 * syntax (record-classes-gc.ts): code that read a record's fields stays
 * optimised after collections that found no record alive, for a record read
 * from the return area and one lifted from its flat value; records of other
 * field types under the same keys, lifted by functions of another instance
 * (as another load makes them), get the same classes and their own values;
 * past MAX_RECORD_SHAPES key sequences nothing more is kept.
 */
import { describe, expect, it } from 'vitest';
import { nativesChildReport } from '../support/natives-child.ts';

describe('record classes survive full GCs (child process)', () => {
  it('a reader of lifted records stays optimised after full GCs with no record alive', async () => {
    const report = await nativesChildReport(new URL('./record-classes-gc.ts', import.meta.url));
    expect(report).toEqual({
      wide: { before: true, after: true },
      narrow: { before: true, after: true },
      value: 4_000_000_000 + 1.5 + Math.PI + 0.25,
      sameKeys: { sameClass: true, values: [0.25, 7, 'seven'], reader: { before: true, after: true } },
      pastTheBound: { shapes: 5000, known: { before: true, after: true }, unknown: { before: true, after: false } },
    });
  });
});
