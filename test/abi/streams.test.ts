/**
 * Streams and futures of the async ABI (host/abi/streams.ts, buffers.ts,
 * stream-builtins.ts) driven by JS functions standing in for core wasm, as
 * test/abi/async-tasks.test.ts does for tasks: partial copies, zero-length
 * copies, closed ends, the packing of results with counts, cancellation,
 * futures that must be written, and the traps the spec lists. (The
 * reference tests in test/conformance drive the same code with components.)
 */
import { describe, expect, it } from 'vitest';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { BLOCKED, canonTaskReturn } from '../../host/abi/builtins.ts';
import { CopyResult, ReadableBufferGuestImpl, WritableBufferGuestImpl } from '../../host/abi/buffers.ts';
import { LiftLowerContext } from '../../host/abi/context.ts';
import { canonCancelCopy, canonDropEnd, canonFutureCopy, canonFutureNew, canonStreamCopy, canonStreamNew } from '../../host/abi/stream-builtins.ts';
import { SharedStreamImpl } from '../../host/abi/streams.ts';
import { Store } from '../../host/abi/store.ts';
import { canonLiftTask } from '../../host/abi/task-lift.ts';
import type { CanonOptions } from '../../host/abi/options.ts';
import type { FuncType, FutureType, StreamType, ValType } from '../../host/types.ts';

const u8: ValType = { kind: 'u8' };
const u32: ValType = { kind: 'u32' };
const str: ValType = { kind: 'string' };
const stream = (element: ValType | undefined): StreamType => ({ kind: 'stream', element });
const future = (element: ValType | undefined): FutureType => ({ kind: 'future', element });
const EXIT = 0;
const asyncFn = (result?: ValType): FuncType => ({ async: true, params: [], result });

function opts(memory = new WebAssembly.Memory({ initial: 1 }), extra: Partial<CanonOptions> = {}): CanonOptions {
  return { memory, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8', async: true, ...extra };
}

/** Runs `body` as the callee of a callback-lifted async export of `inst`, which returns what `body` returns. */
async function inTask(inst: ComponentInstance, o: CanonOptions, body: () => number): Promise<unknown> {
  const taskReturn = canonTaskReturn(inst, u32, o, (a, b) => a.kind === b.kind);
  const f = canonLiftTask(asyncFn(u32), { ...o, callback: () => EXIT }, inst, () => (taskReturn(body()), EXIT), { suspension: 'not-needed' });
  return f.call();
}

const lo = (packed: bigint) => Number(packed & 0xffffffffn);
const hi = (packed: bigint) => Number(packed >> 32n);

describe('the shared state of a stream (guest buffers in two memories)', () => {
  it('copies as much as both buffers hold, and the pending side keeps its buffer until it reclaims it', () => {
    const a = new ComponentInstance('writer', undefined, new Store());
    const b = new ComponentInstance('reader', undefined, new Store());
    const ma = new WebAssembly.Memory({ initial: 1 });
    const mb = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(ma.buffer).set([1, 2, 3, 4, 5], 100);
    const shared = new SharedStreamImpl(u8);
    const src = new ReadableBufferGuestImpl(u8, new LiftLowerContext(opts(ma), a), 100, 5);
    const writes: string[] = [];
    shared.write(a, src, () => writes.push('copied'), (r) => writes.push(`done ${r}`));
    expect(writes).toEqual([]);
    const dst = new WritableBufferGuestImpl(u8, new LiftLowerContext(opts(mb), b), 200, 3);
    const reads: string[] = [];
    shared.read(b, dst, () => reads.push('copied'), (r) => reads.push(`done ${r}`));
    expect(reads).toEqual([`done ${CopyResult.COMPLETED}`]);
    expect(writes).toEqual(['copied']);
    expect([...new Uint8Array(mb.buffer, 200, 3)]).toEqual([1, 2, 3]);
    expect([dst.progress, src.progress, src.remain()]).toEqual([3, 3, 2]);
    // The writer has not reclaimed its buffer: the next read takes the rest.
    const dst2 = new WritableBufferGuestImpl(u8, new LiftLowerContext(opts(mb), b), 300, 10);
    shared.read(b, dst2, () => {}, (r) => reads.push(`done ${r}`));
    expect([...new Uint8Array(mb.buffer, 300, 2)]).toEqual([4, 5]);
    expect(src.remain()).toBe(0);
    // The reader goes away: the writer's copy, still pending, ends with DROPPED.
    shared.drop();
    expect(writes).toEqual(['copied', 'copied', `done ${CopyResult.DROPPED}`]);
  });

  it('checks the buffer against memory: alignment, bounds, and the 2^28 - 1 length limit', () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const cx = new LiftLowerContext(opts(), inst);
    expect(() => new ReadableBufferGuestImpl(u32, cx, 2, 1)).toThrow(/not aligned to 4/);
    expect(() => new ReadableBufferGuestImpl(u32, cx, 65536 - 4, 2)).toThrow(/out of bounds/);
    expect(() => new ReadableBufferGuestImpl(u8, cx, 0, 2 ** 28)).toThrow(/exceeds the maximum/);
    // Zero elements, or no element type, are not checked against memory.
    expect(new ReadableBufferGuestImpl(u32, cx, 3, 0).isZeroLength()).toBe(true);
    expect(new ReadableBufferGuestImpl(undefined, cx, 1e9, 5).remain()).toBe(5);
  });
});

describe('stream built-ins', () => {
  it('stream.new packs both ends; an async write blocks until a read takes part of it; events carry the count', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    const mem = new Uint8Array(o.memory!.buffer);
    const newStream = canonStreamNew(inst, stream(u8));
    const write = canonStreamCopy(inst, 'write', stream(u8), o);
    const read = canonStreamCopy(inst, 'read', stream(u8), o);
    const results: number[] = [];
    await inTask(inst, o, () => {
      const ends = newStream();
      const [r, w] = [lo(ends), hi(ends)];
      expect([r, w]).toEqual([1, 2]);
      mem.set([9, 8, 7, 6], 16);
      results.push(write(w, 16, 4) as number);
      results.push(read(r, 64, 3) as number);
      // The writer's event: COMPLETED after 3 values; it may write again.
      results.push(inst.handles.get(w).kind === 'stream-end' ? (inst.handles.get(w) as { getPendingEvent(): readonly number[] }).getPendingEvent()[2]! : -1);
      return 0;
    });
    expect(results).toEqual([BLOCKED, CopyResult.COMPLETED | (3 << 4), CopyResult.COMPLETED | (3 << 4)]);
    expect([...mem.subarray(64, 67)]).toEqual([9, 8, 7]);
  });

  it('a zero-length write completes on a pending read without ending it; dropping the writer ends the reader with DROPPED', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    const write = canonStreamCopy(inst, 'write', stream(u8), o);
    const read = canonStreamCopy(inst, 'read', stream(u8), o);
    const dropWritable = canonDropEnd(inst, 'stream', 'writable', stream(u8));
    const event = (i: number) => (inst.handles.get(i) as { getPendingEvent(): readonly number[] }).getPendingEvent()[2]!;
    const out: number[] = [];
    await inTask(inst, o, () => {
      const ends = canonStreamNew(inst, stream(u8))();
      const [r, w] = [lo(ends), hi(ends)];
      out.push(read(r, 0, 4) as number);
      out.push(write(w, 0, 0) as number);
      dropWritable(w);
      out.push(event(r));
      // The reader is done: only dropping it remains.
      expect(() => read(r, 0, 4)).toThrow(/done/);
      return 0;
    }).catch(() => undefined);
    expect(out).toEqual([BLOCKED, CopyResult.COMPLETED, CopyResult.DROPPED]);
  });

  it('cancelling a blocked read gives CANCELLED with the count so far; a cancel with no copy traps', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    const read = canonStreamCopy(inst, 'read', stream(u8), o);
    const cancelRead = canonCancelCopy(inst, 'stream', 'read', stream(u8), true);
    let got = -1;
    await inTask(inst, o, () => {
      const ends = canonStreamNew(inst, stream(u8))();
      expect(read(lo(ends), 0, 4)).toBe(BLOCKED);
      got = cancelRead(lo(ends)) as number;
      return 0;
    });
    expect(got).toBe(CopyResult.CANCELLED);
    const again = new ComponentInstance('h', undefined, new Store());
    const cancelAgain = canonCancelCopy(again, 'stream', 'read', stream(u8), true);
    await expect(inTask(again, o, () => cancelAgain(lo(canonStreamNew(again, stream(u8))())) as number)).rejects.toThrow(/no copy of the end/);
  });

  it('a cancel after values were copied into a buffer the writer has not released reports CANCELLED with their count', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    const read = canonStreamCopy(inst, 'read', stream(u8), o);
    const write = canonStreamCopy(inst, 'write', stream(u8), o);
    const cancelRead = canonCancelCopy(inst, 'stream', 'read', stream(u8), true);
    const out: number[] = [];
    await inTask(inst, o, () => {
      const ends = canonStreamNew(inst, stream(u8))();
      out.push(read(lo(ends), 0, 100) as number);
      out.push(write(hi(ends), 200, 4) as number);
      out.push(cancelRead(lo(ends)) as number);
      return 0;
    });
    expect(out).toEqual([BLOCKED, CopyResult.COMPLETED | (4 << 4), CopyResult.CANCELLED | (4 << 4)]);
  });

  it('traps: a copy through the wrong end, while copying, of another element type, and both ends in one instance for non-numbers', async () => {
    const mk = () => new ComponentInstance('g', undefined, new Store());
    const o = opts();
    let inst = mk();
    await expect(inTask(inst, o, () => canonStreamCopy(inst, 'read', stream(u8), o)(hi(canonStreamNew(inst, stream(u8))()), 0, 1) as number)).rejects.toThrow(/not a readable stream end/);
    inst = mk();
    await expect(
      inTask(inst, o, () => {
        const r = lo(canonStreamNew(inst, stream(u8))());
        const read = canonStreamCopy(inst, 'read', stream(u8), o);
        read(r, 0, 1);
        return read(r, 0, 1) as number;
      }),
    ).rejects.toThrow(/already copying/);
    inst = mk();
    await expect(inTask(inst, o, () => canonStreamCopy(inst, 'read', stream(u32), o)(lo(canonStreamNew(inst, stream(u8))()), 0, 1) as number)).rejects.toThrow(/another element type/);
    inst = mk();
    const oo = opts(undefined, { realloc: () => 1024 });
    await expect(
      inTask(inst, oo, () => {
        const ends = canonStreamNew(inst, stream(str))();
        canonStreamCopy(inst, 'write', stream(str), oo)(hi(ends), 0, 0);
        return canonStreamCopy(inst, 'read', stream(str), oo)(lo(ends), 0, 1) as number;
      }),
    ).rejects.toThrow(/same component instance/);
    expect(inst.poisoned).toBeDefined();
  });

  it('dropping an end while it copies traps', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    await expect(
      inTask(inst, o, () => {
        const r = lo(canonStreamNew(inst, stream(u8))());
        canonStreamCopy(inst, 'read', stream(u8), o)(r, 0, 1);
        canonDropEnd(inst, 'stream', 'readable', stream(u8))(r);
        return 0;
      }),
    ).rejects.toThrow(/copy is in progress/);
  });
});

describe('future built-ins', () => {
  it('a write meets a pending read: both complete once, and the ends are done', async () => {
    const inst = new ComponentInstance('g', undefined, new Store());
    const o = opts();
    const dv = new DataView(o.memory!.buffer);
    const out: number[] = [];
    await inTask(inst, o, () => {
      const ends = canonFutureNew(inst, future(u32))();
      const [r, w] = [lo(ends), hi(ends)];
      out.push(canonFutureCopy(inst, 'read', future(u32), o)(r, 8) as number);
      dv.setUint32(4, 77, true);
      out.push(canonFutureCopy(inst, 'write', future(u32), o)(w, 4) as number);
      out.push((inst.handles.get(r) as { getPendingEvent(): readonly number[] }).getPendingEvent()[2]!);
      canonDropEnd(inst, 'future', 'writable', future(u32))(w);
      canonDropEnd(inst, 'future', 'readable', future(u32))(r);
      return 0;
    });
    expect(out).toEqual([BLOCKED, CopyResult.COMPLETED, CopyResult.COMPLETED]);
    expect(dv.getUint32(8, true)).toBe(77);
    expect(inst.handles.size).toBe(0);
  });

  it('futures must be written: dropping an unwritten writable end traps; a write after the reader dropped sees DROPPED', async () => {
    const o = opts();
    const a = new ComponentInstance('g', undefined, new Store());
    await expect(inTask(a, o, () => (canonDropEnd(a, 'future', 'writable', future(undefined))(hi(canonFutureNew(a, future(undefined))())), 0))).rejects.toThrow(/futures must be written/);
    const b = new ComponentInstance('h', undefined, new Store());
    let got = -1;
    await inTask(b, o, () => {
      const ends = canonFutureNew(b, future(undefined))();
      canonDropEnd(b, 'future', 'readable', future(undefined))(lo(ends));
      got = canonFutureCopy(b, 'write', future(undefined), o)(hi(ends), 0) as number;
      canonDropEnd(b, 'future', 'writable', future(undefined))(hi(ends));
      return 0;
    });
    expect(got).toBe(CopyResult.DROPPED);
  });
});
