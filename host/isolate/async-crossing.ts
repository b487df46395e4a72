/**
 * How async values cross between the host thread and an isolated plugin's
 * worker, the same on both sides (protocol.ts): a ReadableStream is put in
 * the message's transfer list (the engine pipes it across, backpressure
 * included); a Promise becomes a FutureRef and its outcome follows as a
 * `future` message; a FutureRef received becomes a Promise settled by that
 * message. An async call's AbortSignal crosses by `abort` messages
 * (`signalFor` on the receiving side).
 */
import { errorFromWire, errorToWire, isThenable, isTransferredStream, type FutureOutcome, type FutureRef } from './protocol.ts';

type Settle = { readonly resolve: (v: unknown) => void; readonly reject: (e: unknown) => void };

export class AsyncCrossing {
  #nextFuture = 1;
  /** Promises made for FutureRefs received, until their outcome arrives. */
  readonly #incoming = new Map<number, Settle>();
  /** Signals made for the calls this side serves, by call id, until the call settles. */
  readonly #signals = new Map<number, AbortController>();

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
      transfer.push(o as unknown as Transferable);
      return o;
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

  /** An `abort` message for call `id` arrived. */
  abort(id: number, reason: unknown): void {
    this.#signals.get(id)?.abort(reason);
  }

  /** Call `id` settled: its signal is no longer needed. */
  callDone(id: number): void {
    this.#signals.delete(id);
  }

  /** The other side is gone: every Promise still waiting rejects with `err()`. */
  failAll(err: () => Error): void {
    const all = [...this.#incoming.values()];
    this.#incoming.clear();
    for (const s of all) s.reject(err());
  }
}

/** A signal's reason as it can cross (structured clone), or its text when it cannot. */
export function cloneableReason(reason: unknown): unknown {
  try {
    return structuredClone(reason);
  } catch {
    return String(reason);
  }
}
