import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { alignment, elemSize, flattenType } from '../../host/abi/index.ts';
import { compileLiftFlat, compileLowerFlat } from '../../host/abi/flat.ts';
import { compileLoad, compileStore } from '../../host/abi/load-store.ts';
import type { StringEncoding } from '../../host/abi/options.ts';
import type { ValType } from '../../host/types.ts';
import { context, makeMem, type Mem } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;

/** Memory round trip: store at an aligned fresh address, load back. */
function viaMemory(mem: Mem, t: ValType, v: unknown, enc: StringEncoding = 'utf8'): unknown {
  const cx = context(mem, enc);
  const ptr = cx.allocate(alignment(t), elemSize(t));
  compileStore(t, 'v')(cx, v, ptr);
  cx.refresh();
  return compileLoad(t)(cx, ptr);
}

/** Flat round trip: lower to core values, lift back. */
function viaFlat(mem: Mem, t: ValType, v: unknown, enc: StringEncoding = 'utf8'): unknown {
  const cx = context(mem, enc);
  const slots = flattenType(t);
  const out: unknown[] = new Array(slots.length);
  compileLowerFlat(t, 0, slots, 'v')(cx, v, out);
  slots.forEach((s, i) => expect(typeof out[i]).toBe(s === 'i64' ? 'bigint' : 'number'));
  cx.refresh();
  return compileLiftFlat(t, 0, slots)(cx, out);
}

const samples: [string, ValType, unknown][] = [
  ['bool true', p('bool'), true],
  ['bool false', p('bool'), false],
  ['u8', p('u8'), 255],
  ['s8', p('s8'), -128],
  ['u16', p('u16'), 65535],
  ['s16', p('s16'), -32768],
  ['u32', p('u32'), 0xffffffff],
  ['s32', p('s32'), -0x80000000],
  ['u64', p('u64'), 0xffffffffffffffffn],
  ['s64', p('s64'), -0x8000000000000000n],
  ['f32', p('f32'), 1.5],
  ['f64', p('f64'), -Math.PI],
  ['f64 -0', p('f64'), -0],
  ['f32 inf', p('f32'), Infinity],
  ['char ascii', p('char'), 'a'],
  ['char astral', p('char'), '😀'],
  ['string', p('string'), 'héllo wörld ✓ 😀'],
  ['empty string', p('string'), ''],
  ['string with BOM', p('string'), '\ufeffbom'],
  ['long ascii string', p('string'), 'x'.repeat(1000)],
  ['long mixed string', p('string'), 'ab'.repeat(100) + 'é' + '😀'.repeat(50)],
  ['list<u8>', { kind: 'list', element: p('u8') }, new Uint8Array([1, 2, 3, 255])],
  ['list<s16>', { kind: 'list', element: p('s16') }, new Int16Array([-1, 2, -300])],
  ['list<u64>', { kind: 'list', element: p('u64') }, new BigUint64Array([1n, 2n ** 64n - 1n])],
  ['list<f64>', { kind: 'list', element: p('f64') }, new Float64Array([1.5, -2])],
  ['list<string>', { kind: 'list', element: p('string') }, ['a', 'bé', '']],
  ['list<bool>', { kind: 'list', element: p('bool') }, [true, false, true]],
  ['list<list<u8>>', { kind: 'list', element: { kind: 'list', element: p('u8') } }, [new Uint8Array([1]), new Uint8Array([])]],
  [
    'record',
    { kind: 'record', fields: [{ name: 'first-name', type: p('string') }, { name: 'age', type: p('u8') }, { name: 'score', type: p('f64') }] },
    { firstName: 'Ada', age: 36, score: 9.5 },
  ],
  ['tuple', { kind: 'tuple', types: [p('u8'), p('string'), p('s64')] }, [1, 'x', -5n]],
  [
    'variant',
    { kind: 'variant', cases: [{ name: 'circle', type: p('f32') }, { name: 'named-point', type: { kind: 'tuple', types: [p('string'), p('u64')] } }, { name: 'empty', type: undefined }] },
    { tag: 'named-point', val: ['p', 7n] },
  ],
  ['variant f32 in i32 slot', { kind: 'variant', cases: [{ name: 'a', type: p('f32') }, { name: 'b', type: p('u32') }] }, { tag: 'a', val: 2.5 }],
  ['variant f64 in i64 slot', { kind: 'variant', cases: [{ name: 'a', type: p('f64') }, { name: 'b', type: p('u64') }] }, { tag: 'a', val: -1.25 }],
  ['variant f32 in i64 slot', { kind: 'variant', cases: [{ name: 'a', type: p('f32') }, { name: 'b', type: p('u64') }] }, { tag: 'a', val: 0.5 }],
  ['variant u32 in i64 slot', { kind: 'variant', cases: [{ name: 'a', type: p('u32') }, { name: 'b', type: p('f64') }] }, { tag: 'a', val: 0xfffffffe }],
  ['variant string in i64 slots', { kind: 'variant', cases: [{ name: 'a', type: p('string') }, { name: 'b', type: { kind: 'tuple', types: [p('u64'), p('u64')] } }] }, { tag: 'a', val: 'hi' }],
  ['variant no payload', { kind: 'variant', cases: [{ name: 'a', type: p('u32') }, { name: 'none-here', type: undefined }] }, { tag: 'none-here', val: undefined }],
  ['enum', { kind: 'enum', labels: ['red', 'dark-green'] }, 'dark-green'],
  ['option some', { kind: 'option', type: p('u32') }, 7],
  ['option none', { kind: 'option', type: p('u32') }, undefined],
  ['option<option> some none', { kind: 'option', type: { kind: 'option', type: p('u8') } }, { tag: 'some', val: undefined }],
  ['option<option> some some', { kind: 'option', type: { kind: 'option', type: p('u8') } }, { tag: 'some', val: 3 }],
  ['option<option> none', { kind: 'option', type: { kind: 'option', type: p('u8') } }, { tag: 'none', val: undefined }],
  ['result ok', { kind: 'result', ok: p('string'), err: p('u8') }, { tag: 'ok', val: 'yes' }],
  ['result err', { kind: 'result', ok: p('string'), err: p('u8') }, { tag: 'err', val: 4 }],
  ['result<_,_> err', { kind: 'result', ok: undefined, err: undefined }, { tag: 'err', val: undefined }],
  ['flags', { kind: 'flags', labels: ['read', 'write', 'exec-now'] }, { read: true, write: false, execNow: true }],
  ['flags 32', { kind: 'flags', labels: Array.from({ length: 32 }, (_, i) => `f${i}`) }, Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`f${i}`, i % 3 === 0]))],
];

describe('round trips of every type', () => {
  let mem: Mem;
  beforeEach(async () => {
    mem = await makeMem();
  });
  for (const enc of ['utf8', 'utf16', 'latin1+utf16'] as const) {
    for (const [name, t, v] of samples) {
      it(`${name} through memory (${enc})`, () => expect(viaMemory(mem, t, v, enc)).toEqual(v));
      it(`${name} through flat values (${enc})`, () => expect(viaFlat(mem, t, v, enc)).toEqual(v));
    }
  }

  it('NaN is canonical when stored and lifted', () => {
    const cx = context(mem);
    const ptr = cx.allocate(8, 16);
    compileStore(p('f32'), 'v')(cx, NaN, ptr);
    expect(cx.dv.getUint32(ptr, true)).toBe(0x7fc00000);
    compileStore(p('f64'), 'v')(cx, NaN, ptr + 8);
    expect(cx.dv.getBigUint64(ptr + 8, true)).toBe(0x7ff8000000000000n);
    cx.dv.setUint32(ptr, 0x7f800001, true); // a signalling NaN payload
    expect(compileLoad(p('f32'))(cx, ptr)).toBeNaN();
  });

  it('bool lifts any non-zero byte as true', () => {
    const cx = context(mem);
    cx.dv.setUint8(2000, 7);
    expect(compileLoad(p('bool'))(cx, 2000)).toBe(true);
    expect(compileLiftFlat(p('bool'), 0, ['i32'])(cx, [-1])).toBe(true);
  });

  it('flags lifting ignores bits beyond the labels (unpack_flags_from_int)', () => {
    const cx = context(mem);
    expect(compileLiftFlat({ kind: 'flags', labels: ['a', 'b'] }, 0, ['i32'])(cx, [0xff])).toEqual({ a: true, b: true });
  });

  it('lists of primitives lift to typed arrays and accept plain arrays', () => {
    const t: ValType = { kind: 'list', element: p('u32') };
    const back = viaMemory(mem, t, [1, 2, 3]);
    expect(back).toBeInstanceOf(Uint32Array);
    expect(Array.from(back as Uint32Array)).toEqual([1, 2, 3]);
  });

  it('grows memory during lowering and re-reads the buffer', () => {
    const t: ValType = { kind: 'list', element: p('string') };
    const big = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(4000, 'é'));
    const before = mem.memory.buffer;
    expect(viaMemory(mem, t, big)).toEqual(big);
    expect(mem.memory.buffer).not.toBe(before);
  });
});

describe('string transcoding follows the spec realloc sequences', () => {
  it('utf8: ASCII is allocated once at its length', async () => {
    const mem = await makeMem();
    const cx = context(mem, 'utf8');
    compileStore(p('string'), 's')(cx, 'abc', 0);
    expect(mem.calls).toEqual([[0, 0, 1, 3]]);
  });
  it('utf8: non-ASCII grows to 3x code units, then shrinks to the encoded length', async () => {
    const mem = await makeMem();
    const cx = context(mem, 'utf8');
    compileStore(p('string'), 's')(cx, 'aé', 0);
    const [first, grow, shrink] = mem.calls;
    expect(first).toEqual([0, 0, 1, 2]);
    expect(grow!.slice(1)).toEqual([2, 1, 6]);
    expect(shrink!.slice(1)).toEqual([6, 1, 3]);
    expect(cx.dv.getUint32(4, true)).toBe(3);
  });
  it('utf16: one 2-aligned allocation of 2 bytes per code unit', async () => {
    const mem = await makeMem();
    const cx = context(mem, 'utf16');
    compileStore(p('string'), 's')(cx, 'a😀', 0);
    expect(mem.calls).toEqual([[0, 0, 2, 6]]);
    expect(cx.dv.getUint32(4, true)).toBe(3);
  });
  it('latin1+utf16: Latin-1 strings stay one byte per char; others become tagged UTF-16', async () => {
    const mem = await makeMem();
    const cx = context(mem, 'latin1+utf16');
    const store = compileStore(p('string'), 's');
    store(cx, 'ÿes', 0);
    expect(cx.dv.getUint32(4, true)).toBe(3);
    expect(cx.u8[cx.dv.getUint32(0, true)]).toBe(0xff);
    store(cx, 'é€', 8);
    expect(cx.dv.getUint32(12, true)).toBe((2 | 0x80000000) >>> 0);
    expect(compileLoad(p('string'))(cx, 8)).toBe('é€');
    expect(mem.calls.at(-1)!.slice(1)).toEqual([2, 2, 4]);
  });
});

describe('property-based round trips (fast-check)', () => {
  let mem: Mem;
  beforeEach(async () => {
    mem = await makeMem();
  });
  const rec: ValType = {
    kind: 'record',
    fields: [
      { name: 'id', type: p('u64') },
      { name: 'name', type: p('string') },
      { name: 'tags', type: { kind: 'list', element: p('string') } },
      { name: 'score', type: { kind: 'option', type: p('f64') } },
      { name: 'c', type: p('char') },
      { name: 'v', type: { kind: 'variant', cases: [{ name: 'i', type: p('s32') }, { name: 'f', type: p('f32') }, { name: 'n', type: undefined }] } },
    ],
  };
  const arbRec = fc.record({
    id: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    name: fc.string({ unit: 'grapheme', maxLength: 30 }),
    tags: fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 5 }),
    score: fc.option(fc.double({ noNaN: true }), { nil: undefined }),
    c: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    v: fc.oneof(
      fc.record({ tag: fc.constant('i'), val: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
      fc.record({ tag: fc.constant('f'), val: fc.float({ noNaN: true }) }),
      fc.constant({ tag: 'n', val: undefined }),
    ),
  });
  for (const enc of ['utf8', 'utf16', 'latin1+utf16'] as const) {
    it(`records with strings, lists, options, variants (${enc})`, () => {
      fc.assert(
        fc.property(arbRec, (v) => {
          expect(viaMemory(mem, rec, v, enc)).toEqual(v);
          expect(viaFlat(mem, rec, v, enc)).toEqual(v);
        }),
        { numRuns: 200 },
      );
    });
  }
  it('integers of every width', () => {
    const widths: [string, number, number][] = [
      ['u8', 0, 255],
      ['s8', -128, 127],
      ['u16', 0, 65535],
      ['s16', -32768, 32767],
      ['u32', 0, 2 ** 32 - 1],
      ['s32', -(2 ** 31), 2 ** 31 - 1],
    ];
    for (const [k, min, max] of widths) {
      fc.assert(
        fc.property(fc.integer({ min, max }), (v) => {
          expect(viaMemory(mem, p(k), v)).toBe(v);
          expect(viaFlat(mem, p(k), v)).toBe(v);
        }),
      );
    }
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
      expect(viaFlat(mem, p("s64"), v)).toBe(v);
    }));
  });
});

describe('lowering validates JS values and names the path', () => {
  it('names record fields, list indices and variant cases', async () => {
    const mem = await makeMem();
    const t: ValType = {
      kind: 'list',
      element: { kind: 'record', fields: [{ name: 'user-name', type: p('string') }, { name: 'n', type: p('u8') }] },
    };
    expect(() => viaMemory(mem, t, [{ userName: 'a', n: 1 }, { userName: 'b', n: 256 }])).toThrow(/v\[1\]\.n: 256 is out of range for u8/);
    expect(() => viaMemory(mem, t, [{ userName: 5, n: 1 }])).toThrow(TypeError);
    const v: ValType = { kind: 'variant', cases: [{ name: 'a', type: p('u32') }] };
    expect(() => viaFlat(mem, v, { tag: 'b' })).toThrow(/tag string "b" is not one of 'a'/);
    expect(() => viaFlat(mem, v, { tag: 'a', val: -1 })).toThrow(/v<a>: -1 is out of range/);
    expect(() => viaFlat(mem, p('string'), 'a\ud800')).toThrow(/lone surrogate/);
    expect(() => viaFlat(mem, p('char'), 'ab')).toThrow(/expected a char/);
    expect(() => viaFlat(mem, p('u64'), 1)).toThrow(/expected a bigint/);
    expect(() => viaFlat(mem, { kind: 'enum', labels: ['x'] }, 'y')).toThrow(/expected one of 'x'/);
  });
});
