/**
 * LiftLowerContext `byteLength`: the bounds checks of strings, lists and
 * result pointers compare against the memory length cached with the views,
 * not the typed array's `length`. It must be exactly as current as the
 * views: a memory grown during the call (by realloc, or by the callee before
 * its result is lifted) is seen at the next check, so a block in the new
 * pages is accepted and one a byte past the new end is refused with the
 * same error, naming the memory's length as it now is. A refused store
 * writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { canonLift } from '../../host/abi/index.ts';
import { compileLoad, compileStore } from '../../host/abi/load-store.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { LiftLowerContext } from '../../host/abi/context.ts';
import { TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import type { StringEncoding } from '../../host/abi/index.ts';

const PAGE = 65536;
const p = (kind: string) => ({ kind }) as ValType;
const STRING = p('string');
const BYTES: ValType = { kind: 'list', element: p('u8') };
const ENCODINGS: readonly StringEncoding[] = ['utf8', 'utf16', 'latin1+utf16'];

/**
 * A realloc that grows the memory by one page on every call and answers
 * `answer(oldEnd)`, where oldEnd is the memory's length before it grew (the
 * first byte of the new page), with the old block's bytes copied there as a
 * realloc must: the views the context held are detached.
 */
function growingContext(answer: (oldEnd: number, newSize: number) => number, encoding: StringEncoding = 'utf8') {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16 });
  const calls: number[][] = [];
  const realloc = (old: number, oldSize: number, align: number, newSize: number): number => {
    calls.push([old, oldSize, align, newSize]);
    const oldEnd = memory.buffer.byteLength;
    memory.grow(1);
    const ptr = answer(oldEnd, newSize);
    if (old !== 0) new Uint8Array(memory.buffer).copyWithin(ptr, old, old + Math.min(oldSize, newSize));
    return ptr;
  };
  const cx = new LiftLowerContext({ memory, realloc, postReturn: undefined, stringEncoding: encoding }, new ComponentInstance('grower'));
  cx.refresh();
  return { memory, cx, calls };
}

describe('byteLength follows the views', () => {
  it('is 0 before the first refresh, the memory length after it, and the new length after growth', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const cx = new LiftLowerContext({ memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, new ComponentInstance('v'));
    expect(cx.byteLength).toBe(0);
    cx.refresh();
    expect(cx.byteLength).toBe(PAGE);
    memory.grow(2);
    expect(cx.byteLength).toBe(PAGE); // the views are stale too until the next refresh
    cx.refresh();
    expect(cx.byteLength).toBe(3 * PAGE);
    expect(cx.byteLength).toBe(cx.u8.length);
  });

  it('follows a shared memory, whose old buffer is not detached', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const cx = new LiftLowerContext({ memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, new ComponentInstance('v'));
    cx.refresh();
    memory.grow(1);
    cx.refresh();
    expect(cx.byteLength).toBe(2 * PAGE);
    expect(cx.byteLength).toBe(cx.u8.length);
  });
});

describe('a string stored through a realloc that grew the memory', () => {
  for (const encoding of ENCODINGS) {
    for (const s of ['key-000042', 'ÿes', 'é€😀']) {
      it(`${encoding} ${JSON.stringify(s)}: a block in the new page is accepted and reads back`, () => {
        const { cx, memory } = growingContext((oldEnd) => oldEnd, encoding);
        compileStore(STRING, 's')(cx, s, 0);
        expect(cx.byteLength).toBe(memory.buffer.byteLength);
        expect(compileLoad(STRING)(cx, 0)).toBe(s);
        expect(cx.dv.getUint32(0, true)).toBeGreaterThanOrEqual(PAGE);
      });
    }
    it(`${encoding}: a block ending past the grown memory (by its alignment) is refused, naming the pointer, and nothing is written`, () => {
      const align = encoding === 'utf8' ? 1 : 2;
      const { cx, memory } = growingContext((oldEnd, newSize) => oldEnd + PAGE - newSize + align, encoding);
      let err: unknown;
      try {
        compileStore(STRING, 's')(cx, 'abcd', 0);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TrapError);
      expect((err as Error).message).toMatch(/string: realloc returned \d+, and \d+ bytes from it are out of bounds/);
      expect(new Uint8Array(memory.buffer).every((b) => b === 0)).toBe(true);
    });
    it(`${encoding}: a block ending exactly at the grown memory's end is accepted`, () => {
      const { cx, memory } = growingContext((oldEnd, newSize) => oldEnd + PAGE - newSize, encoding);
      compileStore(STRING, 's')(cx, 'abcd', 0);
      expect(compileLoad(STRING)(cx, 0)).toBe('abcd');
      expect(cx.dv.getUint32(0, true) + cx.dv.getUint32(4, true) * (encoding === 'utf16' ? 2 : 1)).toBe(memory.buffer.byteLength);
    });
  }

  it('a list stored through a growing realloc: accepted in the new page, refused a byte past it', () => {
    const ok = growingContext((oldEnd) => oldEnd);
    compileStore(BYTES, 'b')(ok.cx, [1, 2, 3], 0);
    expect(Array.from(compileLoad(BYTES)(ok.cx, 0) as Uint8Array)).toEqual([1, 2, 3]);
    const bad = growingContext((oldEnd, newSize) => oldEnd + PAGE - newSize + 1);
    expect(() => compileStore(BYTES, 'b')(bad.cx, [1, 2, 3], 0)).toThrow(/out of bounds/);
    expect(new Uint8Array(bad.memory.buffer).every((b) => b === 0)).toBe(true);
  });
});

describe('strings and lists loaded from a memory that grew since the views were made', () => {
  it('the refresh at the start of the load sees the new pages; one byte past them is refused naming the new length', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const cx = new LiftLowerContext({ memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, new ComponentInstance('v'));
    cx.refresh();
    memory.grow(1);
    const end = 2 * PAGE;
    new Uint8Array(memory.buffer).set([104, 105], end - 2); // "hi" in the last two bytes
    cx.refresh();
    const dv = new DataView(memory.buffer);
    dv.setUint32(0, end - 2, true);
    dv.setUint32(4, 2, true);
    expect(compileLoad(STRING)(cx, 0)).toBe('hi');
    expect(Array.from(compileLoad(BYTES)(cx, 0) as Uint8Array)).toEqual([104, 105]);
    dv.setUint32(4, 3, true);
    expect(() => compileLoad(STRING)(cx, 0)).toThrow(`string: range [${end - 2}, ${end + 1}) is out of bounds of memory (${end} bytes)`);
    expect(() => compileLoad(BYTES)(cx, 0)).toThrow(TrapError);
  });
});

describe('a lifted call whose callee grows the memory before returning', () => {
  const results: [string, ValType, (dv: DataView, at: number) => void, unknown][] = [
    ['string (general path, result in memory)', STRING, (dv, at) => {
      dv.setUint32(at, at + 8, true);
      dv.setUint32(at + 4, 2, true);
      dv.setUint16(at + 8, 0x6968, true);
    }, 'hi'],
    ['tuple<u32, u32> (flat direct path, result in memory)', { kind: 'tuple', types: [p('u32'), p('u32')] }, (dv, at) => {
      dv.setUint32(at, 7, true);
      dv.setUint32(at + 4, 9, true);
    }, [7, 9]],
  ];
  for (const [name, result, write, expected] of results) {
    it(`${name}: a result in the new page lifts; a pointer past the end is a trap naming the new length`, () => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 8 });
      let offset = 0;
      const callee = (): number => {
        const at = memory.buffer.byteLength;
        memory.grow(1);
        write(new DataView(memory.buffer), at);
        return at + offset;
      };
      const ft: FuncType = { async: false, params: [], result };
      const inst = new ComponentInstance('grower');
      const f = canonLift(ft, { memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, inst, callee);
      expect(f()).toEqual(expected);
      offset = PAGE; // the result pointer is the first byte past the grown memory
      expect(() => f()).toThrow(`bytes at ${3 * PAGE} are out of bounds of memory (${3 * PAGE} bytes)`);
      expect(inst.poisoned).toBeDefined();
    });
  }
});
