/**
 * How async values cross between the host thread and an isolated plugin's
 * worker, the same on both sides (protocol.ts): a ReadableStream crosses in
 * the message's transfer list (the engine pipes it across, backpressure
 * included); a Promise becomes a FutureRef and its outcome follows as a
 * `future` message; a FutureRef received becomes a Promise settled by that
 * message. An async call's AbortSignal crosses by `abort` messages
 * (`signalFor` on the receiving side).
 *
 * A stream crosses as a relay on each side (`relay`) rather than as itself,
 * for two reasons. The engine's pipe clones a stream's error or cancel
 * reason, which turns our typed errors into plain Errors: the relays send
 * them as WireErrors and rebuild them, so an UnloadedError or TrapError
 * arrives as itself. And when the other side goes away (unload, a trap, the
 * worker dying), `failAll` must end every stream still open here: the
 * relays are what this side holds to error (a stream it received) or cancel
 * (the stream it sent) with that error.
 */
import { errorFromWire, errorToWire, isThenable, isTransferredStream, type FutureOutcome, type FutureRef, type WireError } from './protocol.ts';

type Settle = { readonly resolve: (v: unknown) => void; readonly reject: (e: unknown) => void };

export class AsyncCrossing {
  #nextFuture = 1;
  /** Promises made for FutureRefs received, until their outcome arrives. */
  readonly #incoming = new Map<number, Settle>();
  /** Signals made for the calls this side serves, by call id, until the call settles. */
  readonly #signals = new Map<number, AbortController>();
  /** How to end each stream relayed and still open, when the other side is gone. */
  readonly #openStreams = new Set<(reason: Error) => void>();

  constructor(
    /** Sends a settled outcome to the other side. */
    private readonly send: (outcome: FutureOutcome, transfer: Transferable[]) => void,
    /** Encodes a settled value for the wire (collecting what it transfers). */
    private readonly encodeValue: (v: unknown, transfer: Transferable[]) => unknown,
    /** Decodes a received value. */
    private readonly decodeValue: (v: unknown) => unknown,
  ) {}

  /**
   * For an outgoing value: what a stream or a Promise in it crosses as
   * (collecting the stream for transfer), or undefined for anything else.
   */
  outgoing(o: object, transfer: Transferable[]): unknown {
    if (isTransferredStream(o)) {
      const across = this.relay(o, 'out');
      transfer.push(across as unknown as Transferable);
      return across;
    }
    if (!isThenable(o)) return undefined;
    const future = this.#nextFuture++;
    Promise.resolve(o).then(
      (v) => {
        const t: Transferable[] = [];
        let value: unknown;
        try {
          value = this.encodeValue(v, t);
        } catch (e) {
          this.send({ t: 'future', future, ok: false, error: errorToWire(e) }, []);
          return;
        }
        this.send({ t: 'future', future, ok: true, value }, t);
      },
      (e: unknown) => this.send({ t: 'future', future, ok: false, error: errorToWire(e, (v) => this.encodeValue(v, [])) }, []),
    );
    return { $future: future } satisfies FutureRef;
  }

  /** The stream to hand on for a ReadableStream received from the other side. */
  incomingStream(s: ReadableStream): ReadableStream {
    return this.relay(s, 'in');
  }

  /**
   * A stream reading `source` chunk by chunk, as it is read (no buffering of
   * its own). `out`: `source` is this side's, the relay crosses; errors go
   * out as WireErrors and cancel reasons come in as them. `in`: `source`
   * came across, the relay is handed on here; the other way round.
   */
  private relay(source: ReadableStream, direction: 'in' | 'out'): ReadableStream {
    const reader = source.getReader();
    const [readError, cancelReason] = direction === 'out' ? [reasonToWire, reasonFromWire] : [reasonFromWire, reasonToWire];
    let controller!: ReadableStreamDefaultController;
    const end = (reason: Error): void => {
      this.#openStreams.delete(end);
      // Here, a stream received errors with `reason`; a stream sent is cancelled with it (the other side is gone).
      if (direction === 'in') controller.error(reason);
      reader.cancel(direction === 'in' ? reasonToWire(reason) : reason).catch(() => {});
    };
    this.#openStreams.add(end);
    return new ReadableStream(
      {
        start: (c) => {
          controller = c;
        },
        pull: async (c) => {
          let r: ReadableStreamReadResult<unknown>;
          try {
            r = await reader.read();
          } catch (e) {
            this.#openStreams.delete(end);
            c.error(readError(e));
            return;
          }
          // Ended meanwhile by `end`: the stream is errored already.
          if (!this.#openStreams.has(end)) return;
          if (r.done) {
            this.#openStreams.delete(end);
            c.close();
          } else c.enqueue(r.value);
        },
        cancel: (reason: unknown) => {
          this.#openStreams.delete(end);
          return reader.cancel(cancelReason(reason));
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** The Promise a received FutureRef stands for (marked handled: an ignored one must not end the process). */
  incoming(ref: FutureRef): Promise<unknown> {
    const p = new Promise<unknown>((resolve, reject) => this.#incoming.set(ref.$future, { resolve, reject }));
    p.catch(() => {});
    return p;
  }

  /** A `future` message arrived. */
  settle(m: FutureOutcome): void {
    const s = this.#incoming.get(m.future);
    if (s === undefined) return;
    this.#incoming.delete(m.future);
    if (m.ok) s.resolve(this.decodeValue(m.value));
    else s.reject(errorFromWire(m.error, (v) => this.decodeValue(v)));
  }

  /** The signal standing for call `id`'s AbortSignal on the serving side. */
  signalFor(id: number): AbortSignal {
    let c = this.#signals.get(id);
    if (c === undefined) {
      c = new AbortController();
      this.#signals.set(id, c);
    }
    return c.signal;
  }

  /** An `abort` message for call `id` arrived (`reason` as `cloneableReason` sent it). */
  abort(id: number, reason: unknown): void {
    this.#signals.get(id)?.abort(reasonFromWire(reason));
  }

  /** Call `id` settled: its signal is no longer needed. */
  callDone(id: number): void {
    this.#signals.delete(id);
  }

  /** The other side is gone: every Promise still waiting rejects with `err()`, every stream still open ends with it. */
  failAll(err: () => Error): void {
    const all = [...this.#incoming.values()];
    this.#incoming.clear();
    for (const s of all) s.reject(err());
    const streams = [...this.#openStreams];
    this.#openStreams.clear();
    for (const end of streams) end(err());
  }
}

/** An Error as a stream's error or cancel reason crosses (the engine's pipe would clone it into a plain Error). */
interface WireReason {
  readonly $error: WireError;
}

function isWireReason(r: unknown): r is WireReason {
  return typeof r === 'object' && r !== null && typeof (r as { $error?: { name?: unknown } }).$error?.name === 'string';
}

/**
 * A signal's reason as it can cross: an Error (a DOMException too, which
 * Node 20 clones into `{}`) as a WireError, anything else as structured
 * clone copies it, or its text when it cannot.
 */
export function cloneableReason(reason: unknown): unknown {
  if (reason instanceof Error) return reasonToWire(reason);
  try {
    return structuredClone(reason);
  } catch {
    return String(reason);
  }
}

/** An error or cancel reason about to cross: an Error as a WireError, anything else as it is. */
function reasonToWire(r: unknown): unknown {
  return r instanceof Error ? ({ $error: errorToWire(r) } satisfies WireReason) : r;
}

/** A reason that crossed, with an Error rebuilt as its class. */
function reasonFromWire(r: unknown): unknown {
  return isWireReason(r) ? errorFromWire(r.$error) : r;
}
