/**
 * LiftLowerContext's memory views: every context starts with the same empty
 * views (nothing can be read or written through them) and makes its own at
 * its first refresh; whether the memory is shared is read from that first
 * buffer, so a shared memory, whose buffer is not detached when it grows,
 * is re-read at every refresh and its growth is seen, as a non-shared one's
 * is through its detached views.
 */
import { describe, expect, it } from 'vitest';
import { LiftLowerContext } from '../../host/abi/context.ts';
import { ComponentInstance } from '../../host/abi/index.ts';

const PAGE = 65536;

function contextOver(memory: WebAssembly.Memory | undefined): LiftLowerContext {
  return new LiftLowerContext({ memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, new ComponentInstance('views'));
}

describe('LiftLowerContext views', () => {
  it('starts empty: before a refresh nothing is read or written, and contexts do not see each other', () => {
    const a = contextOver(new WebAssembly.Memory({ initial: 1 }));
    const b = contextOver(new WebAssembly.Memory({ initial: 1 }));
    for (const cx of [a, b]) {
      expect(cx.u8.length).toBe(0);
      expect(cx.dv.byteLength).toBe(0);
      expect(cx.u64.length).toBe(0);
      expect(() => cx.dv.getUint8(0)).toThrow(RangeError);
      cx.u8[0] = 7; // out of range of an empty view: ignored, as on any typed array
      expect(cx.u8[0]).toBeUndefined();
    }
    a.refresh();
    a.u8[0] = 9;
    expect(a.u8.length).toBe(PAGE);
    expect(b.u8.length).toBe(0);
    expect(b.u8[0]).toBeUndefined();
  });

  it('a context without a memory keeps the empty views', () => {
    const cx = contextOver(undefined);
    cx.refresh();
    expect(cx.u8.length).toBe(0);
    expect(cx.dv.byteLength).toBe(0);
  });

  it('sees a non-shared memory grow (its old views are detached)', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const cx = contextOver(memory);
    cx.refresh();
    expect(cx.u8.length).toBe(PAGE);
    memory.grow(1);
    cx.refresh();
    expect(cx.u8.length).toBe(2 * PAGE);
    expect(cx.dv.byteLength).toBe(2 * PAGE);
    expect(cx.u64.length).toBe((2 * PAGE) / 8);
    expect(cx.u8.buffer).toBe(memory.buffer);
  });

  it('sees a shared memory grow (its old buffer stays attached, so every refresh re-reads)', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const cx = contextOver(memory);
    cx.refresh();
    expect(cx.u8.length).toBe(PAGE);
    const before = cx.u8;
    memory.grow(2);
    expect(before.length).toBe(PAGE); // not detached: a refresh that trusted a non-empty view would keep it
    cx.refresh();
    expect(cx.u8.length).toBe(3 * PAGE);
    expect(cx.dv.byteLength).toBe(3 * PAGE);
    expect(cx.s64.length).toBe((3 * PAGE) / 8);
    cx.u8[3 * PAGE - 1] = 5;
    expect(new Uint8Array(memory.buffer)[3 * PAGE - 1]).toBe(5);
  });
});
