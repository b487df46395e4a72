/**
 * What the JS face of streams and futures tells the plugin's Store
 * (host/runtime/host-waits.ts), against the spec's shared state played by
 * test doubles: JS reading what the guest writes is a waiting host call
 * only while a read is in flight (so a guest that yielded after
 * `task.return` runs for it, and an idle ReadableStream does not keep a
 * yielding guest running), and a stream JS passed is one until the guest
 * lets go of it; a JS source the guest waits on, and a readable end JS
 * holds, are host work (a guest waiting on them is not deadlocked). Every
 * wait ends however the stream or the source ends: delivered, cancelled,
 * dropped, unloaded. The real-component case is
 * test/sdk/pipeline-host.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { HostWaits } from '../../host/runtime/host-waits.ts';
import { fromJsStream, toReadableStream } from '../../host/runtime/js-streams.ts';
import { fromJsFuture, toPromise } from '../../host/runtime/js-futures.ts';
import { PendingWork } from '../../host/runtime/pending-work.ts';
import { CopyResult } from '../../host/runtime/stream-seam.ts';
import { UnloadedError } from '../../host/errors.ts';
import { GuestSink, SpecFuture, SpecStream } from './spec-shared.ts';

const U8 = { kind: 'u8' } as const;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Counts what is open, as the Store would, and how often a tick was asked for. */
class RecordingWaits implements HostWaits {
  roots = 0;
  work = 0;
  events = 0;
  rootStarted(): () => void {
    this.roots++;
    return this.#once(() => this.roots--);
  }
  hostWorkStarted(): () => void {
    this.work++;
    return this.#once(() => this.work--);
  }
  eventArrived(): void {
    this.events++;
  }
  #once(f: () => void): () => void {
    let done = false;
    return () => {
      if (!done) (done = true), f();
    };
  }
}

/** A JS source whose every chunk comes only when the test gives it. */
function gatedSource(): { rs: ReadableStream<Uint8Array>; give(chunk: Uint8Array | 'end'): void; pulls: () => number } {
  let pulls = 0;
  let answer: ((c: Uint8Array | 'end') => void) | undefined;
  const rs = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        pulls++;
        const chunk = await new Promise<Uint8Array | 'end'>((r) => (answer = r));
        if (chunk === 'end') c.close();
        else c.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { rs, give: (c) => answer!(c), pulls: () => pulls };
}

describe('a stream the guest writes, read by JS', () => {
  it('is a waiting host call only while a read is in flight, and asks for a tick when one starts', async () => {
    const waits = new RecordingWaits();
    const shared = new SpecStream(U8);
    const reader = toReadableStream(shared, undefined, 's', waits).getReader();
    await tick();
    expect(waits.roots).toBe(0);
    const read = reader.read();
    await tick();
    expect(waits.roots).toBe(1);
    expect(waits.events).toBe(1);
    await shared.writeAll(Uint8Array.of(1, 2));
    expect([...((await read).value as Uint8Array)]).toEqual([1, 2]);
    expect(waits.roots).toBe(0);
    const last = reader.read();
    await tick();
    expect(waits.roots).toBe(1);
    shared.drop();
    expect((await last).done).toBe(true);
    expect(waits.roots).toBe(0);
  });

  it('is host work from the moment JS holds it until it closes: JS may read at any time, waking a guest that waits to write', async () => {
    const waits = new RecordingWaits();
    const shared = new SpecStream(U8);
    const reader = toReadableStream(shared, undefined, 's', waits).getReader();
    expect(waits.work).toBe(1);
    const write = shared.writeAll(Uint8Array.of(3));
    await tick();
    expect(waits.work).toBe(1);
    expect([...((await reader.read()).value as Uint8Array)]).toEqual([3]);
    expect((await write).copied).toBe(1);
    shared.drop();
    expect((await reader.read()).done).toBe(true);
    expect(waits.work).toBe(0);

    const cancelled = toReadableStream(new SpecStream(U8), undefined, 's', waits).getReader();
    expect(waits.work).toBe(1);
    await cancelled.cancel('enough');
    expect(waits.work).toBe(0);

    const pending = new PendingWork();
    const unloaded = toReadableStream(new SpecStream(U8), pending, 's', waits).getReader();
    await tick();
    expect(waits.work).toBe(1);
    pending.abortAll(new UnloadedError('p was unloaded'));
    await expect(unloaded.closed).rejects.toBeInstanceOf(UnloadedError);
    expect(waits.work).toBe(0);
  });

  it('ends the wait when JS cancels the read in flight, and when unload ends the stream', async () => {
    const waits = new RecordingWaits();
    const cancelled = toReadableStream(new SpecStream(U8), undefined, 's', waits).getReader();
    void cancelled.read();
    await tick();
    expect(waits.roots).toBe(1);
    await cancelled.cancel('enough');
    expect(waits.roots).toBe(0);

    const pending = new PendingWork();
    const unloaded = toReadableStream(new SpecStream(U8), pending, 's', waits).getReader();
    const read = unloaded.read();
    await tick();
    expect(waits.roots).toBe(1);
    const gone = new UnloadedError('p was unloaded');
    pending.abortAll(gone);
    await expect(read).rejects.toBe(gone);
    expect(waits.roots).toBe(0);
  });
});

describe('a stream JS passes, read by the guest', () => {
  it('is a waiting host call until the guest lets go of it, even after its source ended', async () => {
    const waits = new RecordingWaits();
    const s = fromJsStream([Uint8Array.of(1)], U8, undefined, 's', waits);
    expect(waits.roots).toBe(1);
    expect(waits.events).toBe(1);
    const sink = new GuestSink(U8, 4);
    expect(await new Promise<CopyResult>((resolve) => s.read(undefined, sink, () => {}, resolve))).toBe(CopyResult.COMPLETED);
    expect(await new Promise<CopyResult>((resolve) => s.read(undefined, new GuestSink(U8, 4), () => {}, resolve))).toBe(CopyResult.DROPPED);
    expect(waits.roots).toBe(1);
    s.drop();
    expect(waits.roots).toBe(0);
  });

  it('stops being one when its call was refused before it started, or when unload ends it', () => {
    const waits = new RecordingWaits();
    fromJsStream([1], U8, undefined, 's', waits).forget();
    expect(waits.roots).toBe(0);
    const pending = new PendingWork();
    fromJsStream([1], U8, pending, 's', waits);
    expect(waits.roots).toBe(1);
    pending.abortAll(new UnloadedError('p was unloaded'));
    expect(waits.roots).toBe(0);
  });

  it('is host work while a chunk the guest waits for is being pulled, not before the guest reads nor after the chunk came', async () => {
    const waits = new RecordingWaits();
    const source = gatedSource();
    const s = fromJsStream(source.rs, U8, undefined, '`consume` argument `s`', waits);
    await tick();
    expect(waits.work).toBe(0);
    const sink = new GuestSink(U8, 4);
    const copied = new Promise<CopyResult>((resolve) => s.read(undefined, sink, (reclaim) => (reclaim(), resolve(CopyResult.COMPLETED)), resolve));
    await tick();
    expect(source.pulls()).toBe(1);
    expect(waits.work).toBe(1);
    source.give(Uint8Array.of(7));
    expect(await copied).toBe(CopyResult.COMPLETED);
    expect(sink.got).toEqual([7]);
    expect(waits.work).toBe(0);
  });

  it('ends the host work when the guest drops the stream while a pull is in flight', async () => {
    const waits = new RecordingWaits();
    const source = gatedSource();
    const s = fromJsStream(source.rs, U8, undefined, 's', waits);
    const copied = new Promise<CopyResult>((resolve) => s.read(undefined, new GuestSink(U8, 4), () => {}, resolve));
    await tick();
    expect(waits.work).toBe(1);
    s.cancel();
    expect(await copied).toBe(CopyResult.CANCELLED);
    s.drop();
    expect(waits.work).toBe(0);
  });
});

describe('futures', () => {
  it('a future the guest writes: a waiting host call until the value comes', async () => {
    const waits = new RecordingWaits();
    const shared = new SpecFuture({ kind: 'u32' });
    const p = toPromise(shared, undefined, 'f', waits);
    expect(waits.roots).toBe(1);
    expect(await shared.write(5)).toBe(CopyResult.COMPLETED);
    expect(await p).toBe(5);
    expect(waits.roots).toBe(0);
  });

  it('a future the guest writes: the wait ends when unload ends it', async () => {
    const waits = new RecordingWaits();
    const pending = new PendingWork();
    const p = toPromise(new SpecFuture({ kind: 'u32' }), pending, 'f', waits);
    expect(waits.roots).toBe(1);
    const gone = new UnloadedError('p was unloaded');
    pending.abortAll(gone);
    await expect(p).rejects.toBe(gone);
    expect(waits.roots).toBe(0);
  });

  it('a promise JS passes: host work until it settles, or until the guest drops its end', async () => {
    const waits = new RecordingWaits();
    let resolve!: (v: number) => void;
    const settles = fromJsFuture(new Promise<number>((r) => (resolve = r)), { kind: 'u32' }, undefined, 'f', waits);
    expect(waits.work).toBe(1);
    const sink = new GuestSink({ kind: 'u32' }, 1);
    const copied = new Promise<CopyResult>((r) => settles.read(undefined, sink, r));
    resolve(9);
    expect(await copied).toBe(CopyResult.COMPLETED);
    expect(sink.got).toEqual([9]);
    expect(waits.work).toBe(0);

    const dropped = fromJsFuture(new Promise<number>(() => {}), { kind: 'u32' }, undefined, 'g', waits);
    expect(waits.work).toBe(1);
    dropped.drop();
    expect(waits.work).toBe(0);
  });
});
