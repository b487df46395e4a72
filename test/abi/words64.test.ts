/**
 * 64-bit integers at the boundary: loads of u64 and s64 read whole words
 * of the context's BigUint64Array / BigInt64Array views where the address
 * is 8-aligned (load-store.ts `scalarLoadAt`), and lowering checks their
 * range through BigInt.asUintN / asIntN (scalars.ts `checkU64` /
 * `checkS64`). Each is held against DataView and against the plain range
 * comparison it replaced: same values, same refusals.
 */
import { describe, expect, it } from 'vitest';
import { compileLoad } from '../../host/abi/load-store.ts';
import { checkS64, checkU64 } from '../../host/abi/scalars.ts';
import { describe as describeValue } from '../../host/abi/strings.ts';
import type { ValType } from '../../host/types.ts';
import { context, makeMem } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const U64: ValType = p('u64');
const S64: ValType = p('s64');
/** Bit patterns that matter: zero, all ones, the sign bit alone, and the highest of each half. */
const PATTERNS = [0n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x0123_4567_89ab_cdefn];

/** What a check did with `v`: passed it back, or the class and message of its refusal. */
function outcome(check: (v: unknown, path: string) => bigint, v: unknown): unknown {
  try {
    return { value: check(v, 'p.x') };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** The range comparisons `checkU64` / `checkS64` made before, with their refusals. */
function byComparison(lo: bigint, hi: bigint, t: string): (v: unknown, path: string) => bigint {
  return (v, path) => {
    if (typeof v !== 'bigint') throw new TypeError(`${path}: expected a bigint (${t}), got ${describeValue(v)}`);
    if (v < lo || v > hi) throw new RangeError(`${path}: ${v} is out of range for ${t}`);
    return v;
  };
}

describe('u64 and s64 loads read the memory words DataView reads', () => {
  it('at every offset 0-15 from an aligned base (aligned ones from the word views, others through DataView), for each bit pattern', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const dv = new DataView(mem.memory.buffer);
    const [loadU, loadS] = [compileLoad(U64), compileLoad(S64)];
    const seen: unknown[] = [];
    const expected: unknown[] = [];
    for (const bits of PATTERNS) {
      for (let at = 4096; at < 4112; at++) {
        new Uint8Array(mem.memory.buffer, 4080, 64).fill(0xa5);
        dv.setBigUint64(at, bits, true);
        seen.push([at, loadU(cx, at), loadS(cx, at)]);
        expected.push([at, dv.getBigUint64(at, true), dv.getBigInt64(at, true)]);
      }
    }
    expect(seen).toEqual(expected);
  });

  it('fields of a record at their offsets, the u64 and s64 fields 8-aligned', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const rec: ValType = { kind: 'record', fields: [{ name: 'a', type: p('u8') }, { name: 'b', type: U64 }, { name: 'c', type: S64 }] };
    const dv = new DataView(mem.memory.buffer);
    dv.setUint8(256, 9);
    dv.setBigUint64(264, 2n ** 64n - 2n, true);
    dv.setBigInt64(272, -(2n ** 63n), true);
    expect(compileLoad(rec)(cx, 256)).toEqual({ a: 9, b: 2n ** 64n - 2n, c: -(2n ** 63n) });
  });

  // Record fields read at a constant offset (scalarLoadAt(t, off), off 8 and 16 here): an unaligned
  // or out-of-bounds address goes out of line to DataView, which must read or throw exactly as a
  // DataView read of the field's address does.
  const REC: ValType = { kind: 'record', fields: [{ name: 'a', type: p('u32') }, { name: 'b', type: U64 }, { name: 'c', type: S64 }] };
  const thrown = (f: () => unknown): unknown => {
    try {
      return { value: f() };
    } catch (e) {
      return { threw: (e as Error).constructor.name, message: (e as Error).message };
    }
  };
  const byDataView = (dv: DataView, at: number) => () => ({ a: dv.getUint32(at, true), b: dv.getBigUint64(at + 8, true), c: dv.getBigInt64(at + 16, true) });

  it('record fields at offsets 8 and 16 from every base 0-15 past an aligned one (unaligned ones out of line), as DataView reads them', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const dv = new DataView(mem.memory.buffer);
    const load = compileLoad(REC);
    for (const bits of PATTERNS) {
      for (let at = 4096; at < 4112; at++) {
        new Uint8Array(mem.memory.buffer, 4080, 64).fill(0xa5);
        dv.setBigUint64(at + 8, bits, true);
        dv.setBigUint64(at + 16, ~bits & (2n ** 64n - 1n), true);
        expect([at, thrown(() => load(cx, at))]).toEqual([at, thrown(byDataView(dv, at))]);
      }
    }
  });

  it('record fields past the end of memory, or past 4 GiB: the RangeError DataView throws, never another word', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const end = mem.memory.buffer.byteLength;
    const dv = new DataView(mem.memory.buffer);
    dv.setBigUint64(0, 0x5eedn, true);
    dv.setBigUint64(8, 0x5eedn, true);
    const load = compileLoad(REC);
    for (const at of [end - 24, end - 20, end - 16, end - 12, end - 8, end, 2 ** 32 - 8, 2 ** 32 - 16, 2 ** 32 - 4]) {
      expect([at, thrown(() => load(cx, at))]).toEqual([at, thrown(byDataView(dv, at))]);
    }
    expect(thrown(() => load(cx, end - 16))).toMatchObject({ threw: 'RangeError' });
    expect(thrown(() => load(cx, 2 ** 32 - 8))).toMatchObject({ threw: 'RangeError' });
  });

  it('after the memory grew: the word views are made again with the other views', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const load = compileLoad(U64);
    const before = mem.memory.buffer.byteLength;
    mem.memory.grow(1);
    new DataView(mem.memory.buffer).setBigUint64(before + 8, 0xfeed_beefn, true);
    cx.refresh();
    expect([load(cx, before + 8), cx.u64.length * 8, cx.s64.length * 8]).toEqual([0xfeed_beefn, before + 65536, before + 65536]);
  });

  it('out of bounds: a RangeError as DataView throws, aligned or not, never a missing value', async () => {
    const mem = await makeMem();
    const cx = context(mem);
    const end = mem.memory.buffer.byteLength;
    const dv = new DataView(mem.memory.buffer);
    const thrown = (f: () => unknown): unknown => {
      try {
        return { value: f() };
      } catch (e) {
        return { threw: (e as Error).constructor.name };
      }
    };
    for (const t of [U64, S64]) {
      const load = compileLoad(t);
      for (const at of [end, end + 8, end - 4, end + 3, 2 ** 32 - 8]) {
        expect(thrown(() => load(cx, at))).toEqual(thrown(() => dv.getBigUint64(at, true)));
      }
    }
  });
});

describe('u64 and s64 range checks refuse what the comparisons refused', () => {
  const cases: unknown[] = [
    0n, 1n, -1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 64n + 1n,
    -(2n ** 64n), 2n ** 128n + 5n, -(2n ** 128n), 0, 1, 1.5, '1', true, undefined, null,
  ];
  it.each([
    ['u64', checkU64, byComparison(0n, 2n ** 64n - 1n, 'u64')],
    ['s64', checkS64, byComparison(-(2n ** 63n), 2n ** 63n - 1n, 's64')],
  ] as const)('%s', (_t, check, reference) => {
    for (const v of cases) expect([v, outcome(check, v)]).toEqual([v, outcome(reference, v)]);
  });
});
