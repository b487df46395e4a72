/**
 * The JS face of `stream<T>` and `future<T>` (host/runtime/js-streams.ts,
 * js-futures.ts) against the spec's shared state played by test doubles
 * (spec-shared.ts): chunk shapes, backpressure both ways, partial copies,
 * cancellation and drops, and ending everything at unload.
 */
import { describe, expect, it } from 'vitest';
import { fromJsStream, toReadableStream, BYTE_CHUNK } from '../../host/runtime/js-streams.ts';
import { fromJsFuture, toPromise } from '../../host/runtime/js-futures.ts';
import { PendingWork } from '../../host/runtime/pending-work.ts';
import { CopyResult } from '../../host/runtime/stream-seam.ts';
import { UnloadedError } from '../../host/errors.ts';
import { GuestSink, SpecFuture, SpecStream } from './spec-shared.ts';

const U8 = { kind: 'u8' } as const;
const U32 = { kind: 'u32' } as const;
const STRING = { kind: 'string' } as const;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** The guest reads once into a buffer of `n`: resolves with the copy result and the values. */
function guestRead(s: ReturnType<typeof fromJsStream>, n: number, check?: (v: unknown) => void): Promise<{ result: CopyResult; got: unknown[] }> {
  const sink = new GuestSink(s.t, n, check);
  return new Promise((resolve) => {
    s.read(undefined, sink, (reclaim) => { reclaim(); resolve({ result: CopyResult.COMPLETED, got: sink.got }); }, (result) => resolve({ result, got: sink.got }));
  });
}

describe('stream<T> from guest to host: a ReadableStream', () => {
  it('gives stream<u8> as Uint8Array chunks, one per copy, and closes when the guest drops its end', async () => {
    const shared = new SpecStream(U8);
    const pending = new PendingWork();
    const rs = toReadableStream(shared, pending, 'stream from `produce`');
    expect(pending.labels()).toEqual(['stream from `produce`']);
    const writes = (async () => {
      const a = await shared.writeAll(new Uint8Array([1, 2, 3]));
      const b = await shared.writeAll(new Uint8Array([4, 5]));
      shared.drop();
      return [a, b];
    })();
    const chunks: Uint8Array[] = [];
    for await (const c of rs as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
    expect(chunks.map((c) => [...c])).toEqual([[1, 2, 3], [4, 5]]);
    expect(chunks.every((c) => c instanceof Uint8Array)).toBe(true);
    expect(await writes).toEqual([{ result: CopyResult.COMPLETED, copied: 3 }, { result: CopyResult.COMPLETED, copied: 2 }]);
    expect(pending.size).toBe(0);
  });

  it('gives other element types one element per chunk', async () => {
    const shared = new SpecStream(STRING);
    const rs = toReadableStream(shared, undefined, 's');
    void shared.writeAll(['a', 'b', 'c']).then(() => shared.drop());
    const got: unknown[] = [];
    for await (const v of rs as unknown as AsyncIterable<unknown>) got.push(v);
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('reads from the guest only when JS pulls (backpressure): the guest write waits', async () => {
    const shared = new SpecStream(U8);
    const rs = toReadableStream(shared, undefined, 's');
    let done = false;
    void shared.writeAll(new Uint8Array(10)).then(() => (done = true));
    await tick();
    await tick();
    expect(done).toBe(false);
    const reader = rs.getReader();
    const first = await reader.read();
    expect((first.value as Uint8Array).length).toBe(10);
    await tick();
    expect(done).toBe(true);
  });

  it('takes at most BYTE_CHUNK bytes per read; the rest of a big write follows in the next reads', async () => {
    const shared = new SpecStream(U8);
    const rs = toReadableStream(shared, undefined, 's');
    const big = new Uint8Array(BYTE_CHUNK + 10).map((_, i) => i & 0xff);
    void shared.writeAll(big).then(async (r) => {
      expect(r.copied).toBe(BYTE_CHUNK);
      await shared.writeAll(big.subarray(r.copied));
      shared.drop();
    });
    const sizes: number[] = [];
    const all: number[] = [];
    for await (const c of rs as unknown as AsyncIterable<Uint8Array>) {
      sizes.push(c.length);
      all.push(...c);
    }
    expect(sizes).toEqual([BYTE_CHUNK, 10]);
    expect(all).toEqual([...big]);
  });

  it('reader.cancel() drops the host end: the guest write in flight ends DROPPED', async () => {
    const shared = new SpecStream(U32);
    const pending = new PendingWork();
    const rs = toReadableStream(shared, pending, 's');
    const reader = rs.getReader();
    const r1 = reader.read();
    await reader.cancel('enough');
    expect((await r1).done).toBe(true);
    expect(await shared.writeAll([1])).toEqual({ result: CopyResult.DROPPED, copied: 0 });
    expect(pending.size).toBe(0);
  });

  it('unload ends it: the ReadableStream errors with the given error, the guest sees DROPPED', async () => {
    const shared = new SpecStream(U8);
    const pending = new PendingWork();
    const rs = toReadableStream(shared, pending, 's');
    const reader = rs.getReader();
    const read = reader.read();
    const gone = new UnloadedError('p was unloaded');
    pending.abortAll(gone);
    await expect(read).rejects.toBe(gone);
    await expect(reader.closed).rejects.toBe(gone);
    expect(shared.dropped).toBe(true);
    expect(await shared.writeAll(new Uint8Array([1]))).toEqual({ result: CopyResult.DROPPED, copied: 0 });
    expect(pending.size).toBe(0);
  });
});

describe('stream<T> from host to guest: the host passes a ReadableStream', () => {
  it('pulls a chunk only when the guest reads, and splits a chunk over reads smaller than it', async () => {
    let pulls = 0;
    const chunks = [new Uint8Array([1, 2, 3, 4, 5]), new Uint8Array([6])];
    const rs = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          const next = chunks.shift();
          if (next === undefined) c.close();
          else c.enqueue(next);
        },
      },
      { highWaterMark: 0 },
    );
    const s = fromJsStream(rs, U8, undefined, '`consume` argument `s`');
    await tick();
    expect(pulls).toBe(0);
    expect(await guestRead(s, 3)).toEqual({ result: CopyResult.COMPLETED, got: [1, 2, 3] });
    expect(pulls).toBe(1);
    expect(await guestRead(s, 3)).toEqual({ result: CopyResult.COMPLETED, got: [4, 5] });
    expect(pulls).toBe(1);
    expect(await guestRead(s, 3)).toEqual({ result: CopyResult.COMPLETED, got: [6] });
    expect(await guestRead(s, 3)).toEqual({ result: CopyResult.DROPPED, got: [] });
  });

  it('takes AsyncIterables and Iterables as jco does, one element per step (numbers for u8)', async () => {
    async function* gen() {
      yield 'x';
      yield 'y';
    }
    const a = fromJsStream(gen(), STRING, undefined, 'a');
    expect(await guestRead(a, 4)).toEqual({ result: CopyResult.COMPLETED, got: ['x'] });
    expect(await guestRead(a, 4)).toEqual({ result: CopyResult.COMPLETED, got: ['y'] });
    expect((await guestRead(a, 4)).result).toBe(CopyResult.DROPPED);
    const b = fromJsStream([7, 8], U8, undefined, 'b');
    expect(await guestRead(b, 4)).toEqual({ result: CopyResult.COMPLETED, got: [7] });
  });

  it('refuses what is not a stream with a TypeError naming the argument', () => {
    expect(() => fromJsStream(42, U8, undefined, '`consume` argument `s`')).toThrow(/`consume` argument `s`: expected a ReadableStream, an AsyncIterable or an Iterable, got number 42/);
  });

  it('a chunk the element type cannot take cancels the source with a TypeError; the guest sees the end', async () => {
    let reason: unknown;
    const rs = new ReadableStream({ start(c) { c.enqueue('not bytes'); }, cancel(r) { reason = r; } });
    const s = fromJsStream(rs, U8, undefined, '`consume` argument `s`');
    expect((await guestRead(s, 4)).result).toBe(CopyResult.DROPPED);
    expect(reason).toBeInstanceOf(TypeError);
    expect(String(reason)).toMatch(/stream<u8> chunk must be a Uint8Array/);
  });

  it('a value the lowering refuses does the same', async () => {
    let reason: unknown;
    const rs = new ReadableStream({ start(c) { c.enqueue(-1); }, cancel(r) { reason = r; } });
    const s = fromJsStream(rs, U32, undefined, 'a');
    const refuse = (v: unknown) => { if (v === -1) throw new RangeError('a[0]: -1 is out of range for u32'); };
    expect((await guestRead(s, 4, refuse)).result).toBe(CopyResult.DROPPED);
    expect(reason).toBeInstanceOf(RangeError);
  });

  it('the guest cancelling its read gets CANCELLED at once; the chunk stays for its next read', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rs = new ReadableStream({ async pull(c) { await gate; c.enqueue(new Uint8Array([9])); } }, { highWaterMark: 0 });
    const s = fromJsStream(rs, U8, undefined, 'a');
    const first = guestRead(s, 4);
    s.cancel();
    expect(await first).toEqual({ result: CopyResult.CANCELLED, got: [] });
    release();
    expect(await guestRead(s, 4)).toEqual({ result: CopyResult.COMPLETED, got: [9] });
  });

  it('the guest dropping its end cancels the JS stream; unload does the same with its error', async () => {
    const reasons: unknown[] = [];
    const make = () => new ReadableStream({ pull(c) { c.enqueue(new Uint8Array([1])); }, cancel(r) { reasons.push(r); } }, { highWaterMark: 0 });
    const pending = new PendingWork();
    const s = fromJsStream(make(), U8, pending, 'a');
    expect(pending.labels()).toEqual(['stream passed as a']);
    await guestRead(s, 1);
    s.drop();
    await tick();
    expect(reasons).toEqual([undefined]);
    expect(pending.size).toBe(0);
    const t = fromJsStream(make(), U8, pending, 'b');
    const gone = new UnloadedError('p was unloaded');
    pending.abortAll(gone);
    await tick();
    expect(reasons[1]).toBe(gone);
    expect((await guestRead(t, 1)).result).toBe(CopyResult.DROPPED);
  });
});

describe('future<T>: a Promise both ways', () => {
  it('guest to host: the promise resolves with the value the guest writes', async () => {
    const shared = new SpecFuture(U32);
    const pending = new PendingWork();
    const p = toPromise(shared, pending, 'future from `f`');
    expect(pending.labels()).toEqual(['future from `f`']);
    expect(await shared.write(42)).toBe(CopyResult.COMPLETED);
    expect(await p).toBe(42);
    expect(pending.size).toBe(0);
  });

  it('guest to host: unload rejects it with the given error, and the guest write sees DROPPED', async () => {
    const shared = new SpecFuture(U32);
    const pending = new PendingWork();
    const p = toPromise(shared, pending, 'future from `f`');
    const gone = new UnloadedError('p was unloaded');
    pending.abortAll(gone);
    await expect(p).rejects.toBe(gone);
    expect(await shared.write(1)).toBe(CopyResult.DROPPED);
  });

  it('host to guest: the guest read completes when the promise resolves; a plain value is ready at once', async () => {
    let resolve!: (v: number) => void;
    const f = fromJsFuture(new Promise<number>((r) => (resolve = r)), U32, undefined, 'a');
    const sink = new GuestSink(U32, 1);
    const done = new Promise<CopyResult>((r) => f.read(undefined, sink, r));
    await tick();
    expect(sink.got).toEqual([]);
    resolve(7);
    expect(await done).toBe(CopyResult.COMPLETED);
    expect(sink.got).toEqual([7]);
    const g = fromJsFuture(5, U32, undefined, 'b');
    await tick();
    const sink2 = new GuestSink(U32, 1);
    expect(await new Promise((r) => g.read(undefined, sink2, r))).toBe(CopyResult.COMPLETED);
    expect(sink2.got).toEqual([5]);
  });

  it('host to guest: a rejected promise reaches the guest as a dropped writer; cancel answers CANCELLED', async () => {
    const f = fromJsFuture(Promise.reject(new Error('no')), U32, undefined, 'a');
    const sink = new GuestSink(U32, 1);
    expect(await new Promise((r) => f.read(undefined, sink, r))).toBe(CopyResult.DROPPED);
    const g = fromJsFuture(new Promise(() => {}), U32, undefined, 'b');
    const r = new Promise((res) => g.read(undefined, new GuestSink(U32, 1), res));
    g.cancel();
    expect(await r).toBe(CopyResult.CANCELLED);
  });
});
