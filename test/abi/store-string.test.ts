/**
 * `storeStringIntoRange` returns the pointer and leaves the tagged code units
 * in `cx.storedUnits` (no `[ptr, units]` array per string). Every encoding's
 * paths keep the spec's results, each store sets the units anew (several
 * strings in one value each get their own), and refusals trap as before.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { flattenType } from '../../host/abi/index.ts';
import { compileLiftFlat, compileLowerFlat } from '../../host/abi/flat.ts';
import { compileLoad, compileStore } from '../../host/abi/load-store.ts';
import { loadStringFromRange, storeStringIntoRange, UTF16_TAG } from '../../host/abi/strings.ts';
import type { StringEncoding } from '../../host/abi/index.ts';
import { TrapError } from '../../host/errors.ts';
import type { ValType } from '../../host/types.ts';
import { context, makeMem, type Mem } from './helpers.ts';

let mem: Mem;
beforeEach(async () => {
  mem = await makeMem();
});

const LONG_ASCII = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF';
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
const latin1 = (s: string) => [...s].every((c) => c.charCodeAt(0) < 0x100);

/** The spec's tagged code units for a utf16 source stored in `enc`. */
function expectedUnits(s: string, enc: StringEncoding): number {
  if (enc === 'utf8') return utf8Length(s);
  if (enc === 'utf16') return s.length;
  return latin1(s) ? s.length : s.length + UTF16_TAG;
}

const STRINGS = ['', 'kv', 'key-000042', LONG_ASCII, 'héllo', 'naïve café '.repeat(5), '日本語', `${LONG_ASCII}ü`, 'a😀b'];

describe.each(['utf8', 'utf16', 'latin1+utf16'] as const)('storeStringIntoRange (%s)', (enc) => {
  it.each(STRINGS)('returns the pointer and leaves the tagged units of %j', (s) => {
    const cx = context(mem, enc);
    cx.storedUnits = -1;
    const ptr = storeStringIntoRange(cx, s);
    expect(typeof ptr).toBe('number');
    expect(cx.storedUnits).toBe(expectedUnits(s, enc));
    cx.refresh();
    expect(loadStringFromRange(cx, ptr, cx.storedUnits)).toBe(s);
  });

  it('two strings in one flat lowering and in one memory store each get their own pointer and units', () => {
    const t = { kind: 'tuple', types: [{ kind: 'string' }, { kind: 'string' }] } as ValType;
    const v = ['héllo wörld', LONG_ASCII];
    const slots = flattenType(t);
    const out: (number | bigint)[] = [];
    const cx = context(mem, enc);
    compileLowerFlat(t, 0, slots, 'x')(cx, v, out);
    expect(out[1]).toBe(expectedUnits(v[0]!, enc));
    expect(out[3]).toBe(expectedUnits(v[1]!, enc));
    cx.refresh();
    expect(compileLiftFlat(t, 0, slots)(cx, out)).toEqual(v);

    const at = cx.allocate(4, 16);
    compileStore(t, 'x')(cx, v, at);
    cx.refresh();
    expect([cx.dv.getUint32(at + 4, true), cx.dv.getUint32(at + 12, true)]).toEqual([expectedUnits(v[0]!, enc), expectedUnits(v[1]!, enc)]);
    expect(compileLoad(t)(cx, at)).toEqual(v);
  });

  it('a realloc result out of bounds traps as before and leaves the units of the last stored string', () => {
    const cx = context(mem, enc);
    storeStringIntoRange(cx, 'kv');
    const stored = cx.storedUnits;
    const lying = context({ ...mem, realloc: () => mem.memory.buffer.byteLength - 1 }, enc);
    lying.storedUnits = stored;
    expect(() => storeStringIntoRange(lying, LONG_ASCII)).toThrow(TrapError);
    expect(() => storeStringIntoRange(lying, LONG_ASCII)).toThrow(/string: realloc returned \d+, and \d+ bytes from it are out of bounds|not 2-aligned/);
    expect(lying.storedUnits).toBe(stored);
  });

  it('a lone surrogate is refused before anything is stored', () => {
    const t = { kind: 'string' } as ValType;
    const cx = context(mem, enc);
    const before = mem.calls.length;
    expect(() => compileLowerFlat(t, 0, flattenType(t), 'x')(cx, 'a\ud800', [])).toThrow(/x: string contains a lone surrogate/);
    expect(mem.calls.length).toBe(before);
  });
});

// flat.ts stores a string's pointer and units straight into the flat values when they are its own
// core types (a parameter), and through the coercing writers when a variant joined them (here with
// u64: the pointer slot is an i64). Both must lower the same strings alike and refuse alike.
describe.each(['utf8', 'utf16', 'latin1+utf16'] as const)('a string lowered in its own slots and in joined slots (%s)', (enc) => {
  const own = { kind: 'string' } as ValType;
  const joined = { kind: 'result', ok: own, err: { kind: 'u64' } } as ValType;

  it('own slots are (i32, i32) and the joined payload is (i64, i32): the two lowerings differ', () => {
    expect(flattenType(own)).toEqual(['i32', 'i32']);
    expect(flattenType(joined)).toEqual(['i32', 'i64', 'i32']);
  });

  it.each(STRINGS)('%j: the same units, a number pointer in its own slot, a bigint one in the joined slot, and both lift back', (s) => {
    const cx = context(mem, enc);
    const a: unknown[] = [];
    compileLowerFlat(own, 0, flattenType(own), 'x')(cx, s, a);
    const b: unknown[] = [];
    compileLowerFlat(joined, 0, flattenType(joined), 'x')(cx, { tag: 'ok', val: s }, b);
    expect(typeof a[0]).toBe('number');
    expect(typeof b[1]).toBe('bigint');
    expect((a[1] as number) >>> 0).toBe(expectedUnits(s, enc)); // an i32 slot: the UTF-16 tag is its sign bit
    expect(b[2]).toBe(a[1]);
    cx.refresh();
    expect(compileLiftFlat(own, 0, flattenType(own))(cx, a)).toBe(s);
    expect(compileLiftFlat(joined, 0, flattenType(joined))(cx, b)).toEqual({ tag: 'ok', val: s });
  });

  it.each([
    ['a number', 42, /expected a string, got number 42/],
    ['undefined', undefined, /expected a string, got undefined/],
    ['a String object', new String('kv'), /expected a string, got object/],
    ['a lone surrogate', 'a\udc00b', /string contains a lone surrogate/],
  ])('%s is refused the same way, before any realloc, with nothing written by the direct store', (_what, v, message) => {
    const cx = context(mem, enc);
    const before = mem.calls.length;
    const a = ['untouched', 'untouched'];
    expect(() => compileLowerFlat(own, 0, flattenType(own), 'x')(cx, v, a)).toThrow(message);
    const b = ['untouched', 'untouched', 'untouched'];
    expect(() => compileLowerFlat(joined, 0, flattenType(joined), 'x')(cx, { tag: 'ok', val: v }, b)).toThrow(message);
    expect(mem.calls.length).toBe(before);
    // (The variant lowering zero-fills its joined slots before the payload: the general path's behaviour, not checked here.)
    expect(a).toEqual(['untouched', 'untouched']);
  });

  it('a realloc result out of bounds traps the same way in both, with the direct store\'s slots left unwritten', () => {
    const lying = context({ ...mem, realloc: () => mem.memory.buffer.byteLength - 1 }, enc);
    const a = ['untouched', 'untouched'];
    expect(() => compileLowerFlat(own, 0, flattenType(own), 'x')(lying, LONG_ASCII, a)).toThrow(TrapError);
    const b = ['untouched', 'untouched', 'untouched'];
    expect(() => compileLowerFlat(joined, 0, flattenType(joined), 'x')(lying, { tag: 'ok', val: LONG_ASCII }, b)).toThrow(TrapError);
    expect(a).toEqual(['untouched', 'untouched']);
  });
});
