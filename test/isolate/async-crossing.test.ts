/**
 * Async values between the host thread and a worker (host/isolate/async-crossing.ts),
 * over a real MessageChannel, so structured clone and stream transfer are the
 * engine's: a ReadableStream arrives as a ReadableStream, a Promise as a
 * Promise settled by its `future` message, an AbortSignal fires on the other side.
 */
import { MessageChannel, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncCrossing } from '../../host/isolate/async-crossing.ts';
import { isAbortRef, isFutureRef, isTransferredStream, mapValue, type FutureOutcome } from '../../host/isolate/protocol.ts';
import { CancelledError, TrapError, UnloadedError } from '../../host/errors.ts';

type Msg = { kind: 'value'; value: unknown } | FutureOutcome | { kind: 'abort'; id: number; reason: unknown };

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Two sides joined by a channel; each encodes with its crossing and decodes FutureRefs (and AbortRefs for call 1). */
function pair() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const side = (port: MessagePort) => {
    const received: unknown[] = [];
    const waiters: ((v: unknown) => void)[] = [];
    const crossing: AsyncCrossing = new AsyncCrossing(
      (outcome, transfer) => port.postMessage(outcome, transfer as TransferListItem[]),
      (v, transfer) => encode(v, transfer),
      (v) => decode(v),
    );
    const encode = (v: unknown, transfer: Transferable[]): unknown => mapValue(v, (o) => crossing.outgoing(o, transfer));
    const decode = (v: unknown): unknown =>
      mapValue(v, (o) =>
        isFutureRef(o) ? crossing.incoming(o) : isAbortRef(o) ? crossing.signalFor(o.$abort) : isTransferredStream(o) ? crossing.incomingStream(o) : undefined,
      );
    port.on('message', (m: Msg) => {
      if ('t' in m) crossing.settle(m);
      else if (m.kind === 'abort') crossing.abort(m.id, m.reason);
      else {
        const v = decode(m.value);
        const w = waiters.shift();
        if (w !== undefined) w(v);
        else received.push(v);
      }
    });
    return {
      crossing,
      send(value: unknown) {
        const transfer: Transferable[] = [];
        port.postMessage({ kind: 'value', value: encode(value, transfer) }, transfer as TransferListItem[]);
      },
      abort(id: number, reason: unknown) {
        port.postMessage({ kind: 'abort', id, reason });
      },
      next(): Promise<unknown> {
        const r = received.shift();
        return r !== undefined ? Promise.resolve(r) : new Promise((res) => waiters.push(res));
      },
    };
  };
  return { a: side(port1), b: side(port2) };
}

describe('async values crossing to and from a worker', () => {
  it('a ReadableStream is transferred and read on the other side, chunk by chunk', async () => {
    const { a, b } = pair();
    const s = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close(); } });
    a.send({ s });
    expect(s.locked).toBe(true); // moved, not copied
    const got = (await b.next()) as { s: ReadableStream<Uint8Array> };
    expect(got.s).toBeInstanceOf(ReadableStream);
    const chunks: number[][] = [];
    for await (const c of got.s as unknown as AsyncIterable<Uint8Array>) chunks.push([...c]);
    expect(chunks).toEqual([[1, 2], [3]]);
  });

  it('a Promise arrives as a Promise settled with the value, whatever it holds (a stream inside too)', async () => {
    const { a, b } = pair();
    let resolve!: (v: unknown) => void;
    a.send([new Promise((r) => (resolve = r))]);
    const [p] = (await b.next()) as [Promise<unknown>];
    expect(p).toBeInstanceOf(Promise);
    resolve({ n: 42, s: new ReadableStream({ start(c) { c.enqueue('x'); c.close(); } }) });
    const v = (await p) as { n: number; s: ReadableStream };
    expect(v.n).toBe(42);
    const r = await v.s.getReader().read();
    expect(r.value).toBe('x');
  });

  it('a rejected Promise rejects on the other side with its typed error', async () => {
    const { a, b } = pair();
    a.send([Promise.reject(new CancelledError('the call was cancelled'))]);
    const [p] = (await b.next()) as [Promise<unknown>];
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });

  it('failAll rejects the promises still waiting (the worker died or was unloaded)', async () => {
    const { a, b } = pair();
    a.send([new Promise(() => {})]);
    const [p] = (await b.next()) as [Promise<unknown>];
    b.crossing.failAll(() => new Error('worker gone'));
    await expect(p).rejects.toThrow('worker gone');
  });

  it('a stream errored or cancelled with one of our errors: the other side sees that class, not a plain clone', async () => {
    const { a, b } = pair();
    let cancelledWith: unknown;
    const s = new ReadableStream<number>({ pull(c) { c.enqueue(1); }, cancel(r) { cancelledWith = r; } }, { highWaterMark: 0 });
    a.send({ s });
    const got = ((await b.next()) as { s: ReadableStream<number> }).s.getReader();
    expect((await got.read()).value).toBe(1);
    await got.cancel(new UnloadedError('gone'));
    await vi.waitFor(() => expect(cancelledWith).toBeInstanceOf(UnloadedError));
    expect((cancelledWith as Error).message).toBe('gone');

    const failing = new ReadableStream<number>({ pull(c) { c.error(new TrapError('wasm trap in x: unreachable')); } });
    a.send({ failing });
    const r = ((await b.next()) as { failing: ReadableStream<number> }).failing.getReader();
    const e = await r.read().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as Error).message).toBe('wasm trap in x: unreachable');
  });

  it('failAll errors every stream received and still open, and cancels every stream sent, with its error', async () => {
    const { a, b } = pair();
    const sent = new ReadableStream<number>({ pull(c) { c.enqueue(2); } }, { highWaterMark: 0 });
    a.send({ sent });
    const received = ((await b.next()) as { sent: ReadableStream<number> }).sent.getReader();
    expect((await received.read()).value).toBe(2);
    // The receiving side learns the sender is gone: its stream errors with that error.
    b.crossing.failAll(() => new UnloadedError('worker unloaded'));
    await expect(received.read()).rejects.toBeInstanceOf(UnloadedError);
    // The sending side learns the receiver is gone: the stream it was reading is cancelled with that error.
    let cancelledWith: unknown;
    const other = new ReadableStream<number>({ pull(c) { c.enqueue(3); }, cancel(r) { cancelledWith = r; } }, { highWaterMark: 0 });
    a.send({ other });
    await b.next();
    a.crossing.failAll(() => new TrapError('plugin poisoned'));
    expect(cancelledWith).toBeInstanceOf(TrapError);
  });

  it("an AbortRef becomes a signal that the other side's abort fires, with its reason", async () => {
    const { a, b } = pair();
    a.send({ signal: { $abort: 1 } });
    const { signal } = (await b.next()) as { signal: AbortSignal };
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    const fired = new Promise((r) => signal.addEventListener('abort', r));
    a.abort(1, 'stop');
    await fired;
    expect(signal.reason).toBe('stop');
  });
});
