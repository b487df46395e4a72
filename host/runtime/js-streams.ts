/**
 * `stream<T>` as JS sees it: a WHATWG ReadableStream both ways.
 *
 * - Guest to host (`toReadableStream`): the host is the reader of the
 *   stream's shared state. It reads only when the ReadableStream pulls
 *   (high-water mark 0), so a guest writing faster than JS consumes blocks in
 *   its `stream.write` until JS reads: backpressure is the guest's own.
 *   Chunks are Uint8Array for `stream<u8>` (one per copy, up to
 *   BYTE_CHUNK bytes), and single elements otherwise, so iterating the
 *   stream sees the elements as with jco's async iterable.
 * - Host to guest (`fromJsStream`): the host is the writer. A ReadableStream,
 *   an AsyncIterable or an Iterable (what jco accepts) is pulled only when
 *   the guest reads, one chunk per pull; a chunk larger than the guest's
 *   buffer is copied in parts across its reads. For `stream<u8>` a chunk is
 *   bytes (any ArrayBufferView) or one number; otherwise one element.
 *
 * Either side is registered in the cell's PendingWork while open, so unload
 * can name it or end it: the ReadableStream errors with the unload's
 * UnloadedError, a JS source is cancelled with it. Either side tells the
 * plugin's Store (`waits`, host-waits.ts) when JS waits on the guest (a read
 * in flight; a stream JS passed, until the guest lets go of it) or the guest
 * may wait on JS (a chunk being pulled; a readable end JS holds, which it
 * may read from at any time).
 */
import type { ValType } from '../types.ts';
import { describe } from '../abi/strings.ts';
import { hostWaitStarted, type HostWaits } from './host-waits.ts';
import type { PendingWork } from './pending-work.ts';
import { CopyResult, type OnCopy, type OnCopyDone, type SharedReadableStream, type WritableBuffer } from './stream-seam.ts';

/** Bytes one host read of a `stream<u8>` takes at most. */
export const BYTE_CHUNK = 64 * 1024;
/** Elements one host read of any other stream takes at most. */
export const ELEMENT_BATCH = 256;

export function isByteStream(t: ValType | undefined): boolean {
  return t?.kind === 'u8';
}

/**
 * The host's buffer for one read: takes what the writer copies (values the
 * writer lifted and no longer touches), up to `capacity`.
 */
export class HostWritableBuffer implements WritableBuffer {
  #progress = 0;
  readonly #parts: ArrayLike<unknown>[] = [];

  constructor(
    readonly t: ValType | undefined,
    readonly capacity: number,
  ) {}

  remain(): number {
    return this.capacity - this.#progress;
  }

  isZeroLength(): boolean {
    return this.capacity === 0;
  }

  write(vs: ArrayLike<unknown>): void {
    if (vs.length > this.remain()) throw new RangeError(`a copy of ${vs.length} values into a host buffer with room for ${this.remain()}`);
    if (vs.length === 0) return;
    this.#parts.push(vs);
    this.#progress += vs.length;
  }

  get progress(): number {
    return this.#progress;
  }

  /** What was copied, as bytes (for `u8`). */
  takeBytes(): Uint8Array {
    const parts = this.#parts.splice(0);
    if (parts.length === 1 && parts[0] instanceof Uint8Array) return parts[0];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p as ArrayLike<number>, at);
      at += p.length;
    }
    return out;
  }

  /** What was copied, as values. */
  takeValues(): unknown[] {
    const out: unknown[] = [];
    for (const p of this.#parts.splice(0)) for (let i = 0; i < p.length; i++) out.push(p[i]);
    return out;
  }
}

/**
 * A ReadableStream over the guest-written stream `shared`. `label` names it
 * in PluginInUseError messages while open.
 */
export function toReadableStream(shared: SharedReadableStream, pending: PendingWork | undefined, label: string, waits?: HostWaits): ReadableStream<unknown> {
  const bytes = isByteStream(shared.t);
  let closed = false;
  let reading = false;
  let untrack: (() => void) | undefined;
  // While JS holds the readable end it may read at any time, which wakes a guest waiting to write: host work.
  const held = waits?.hostWorkStarted();
  /** Ends the host's wait on the guest for the read in flight. */
  let waitDone = (): void => {};
  /** Ends the host's side of the stream: cancels a read in flight, then drops the readable end. */
  const release = (): void => {
    if (closed) return;
    closed = true;
    untrack?.();
    held?.();
    if (reading) shared.cancel();
    waitDone();
    shared.drop();
  };
  /** One copy from the writer: resolves true when it delivered something or ended the stream. */
  const readOnce = (controller: ReadableStreamDefaultController<unknown>): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const buf = new HostWritableBuffer(shared.t, bytes ? BYTE_CHUNK : ELEMENT_BATCH);
      const deliver = (): boolean => {
        if (closed || buf.progress === 0) return false;
        if (bytes) controller.enqueue(buf.takeBytes());
        else for (const v of buf.takeValues()) controller.enqueue(v);
        return true;
      };
      const onCopy: OnCopy = (reclaim) => {
        reading = false;
        waitDone();
        reclaim();
        resolve(deliver());
      };
      const onCopyDone: OnCopyDone = (result) => {
        reading = false;
        waitDone();
        const delivered = deliver();
        if (result === CopyResult.DROPPED && !closed) {
          // The guest dropped its writable end: nothing more will come.
          closed = true;
          untrack?.();
          held?.();
          shared.drop();
          controller.close();
          resolve(true);
          return;
        }
        resolve(delivered || closed);
      };
      reading = true;
      waitDone = hostWaitStarted(waits);
      shared.read(undefined, buf, onCopy, onCopyDone);
    });
  return new ReadableStream<unknown>(
    {
      start(controller) {
        untrack = pending?.add({
          kind: 'stream',
          label,
          abort(reason) {
            if (closed) return;
            release();
            controller.error(reason);
          },
        });
      },
      async pull(controller) {
        // A copy that delivered nothing (a cancelled read) is retried, so a waiting reader is always answered.
        while (!closed && !(await readOnce(controller)));
      },
      cancel() {
        release();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Where a host-to-guest stream's chunks come from: a ReadableStream's reader, or an iterator. */
interface ChunkSource {
  next(): Promise<IteratorResult<unknown>>;
  stop(reason: unknown): void;
}

/**
 * How chunks will be taken from `value`, checked now but started only on the
 * guest's first read (getReader locks a ReadableStream), so a call refused
 * before it starts leaves the value as it was. TypeError for anything else.
 */
function chunkSource(value: unknown, what: string): () => ChunkSource {
  if (typeof value === 'object' && value !== null) {
    if (typeof (value as ReadableStream).getReader === 'function') {
      return () => {
        const reader = (value as ReadableStream<unknown>).getReader();
        return {
          next: () => reader.read() as Promise<IteratorResult<unknown>>,
          stop: (reason) => void reader.cancel(reason).catch(() => {}),
        };
      };
    }
    if (Symbol.asyncIterator in value) {
      return () => {
        const it = (value as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        return { next: () => it.next(), stop: (reason) => void it.return?.(reason)?.catch(() => {}) };
      };
    }
    if (Symbol.iterator in value) {
      return () => {
        const it = (value as Iterable<unknown>)[Symbol.iterator]();
        return {
          next: () => {
            try {
              return Promise.resolve(it.next());
            } catch (e) {
              return Promise.reject(e);
            }
          },
          stop: (reason) => {
            try {
              it.return?.(reason);
            } catch {
              // The iterator's clean-up failed: nothing more to do for it.
            }
          },
        };
      };
    }
  }
  throw new TypeError(`${what}: expected a ReadableStream, an AsyncIterable or an Iterable, got ${describe(value)}`);
}

/** The values one chunk carries: bytes for a byte stream, else the chunk itself. */
function chunkValues(chunk: unknown, bytes: boolean, what: string): ArrayLike<unknown> {
  if (!bytes) return [chunk];
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'number') return [chunk];
  throw new TypeError(`${what}: a stream<u8> chunk must be a Uint8Array (or any ArrayBufferView) or a number, got ${describe(chunk)}`);
}

/**
 * The host's writer side of a stream the guest reads, over a JS value
 * (ReadableStream, AsyncIterable, Iterable); throws TypeError for anything
 * else. `what` names the value in messages (`` `consume` argument `s` ``).
 */
export function fromJsStream(value: unknown, t: ValType | undefined, pending: PendingWork | undefined, what: string, waits?: HostWaits): HostStreamWriter {
  return new HostStreamWriter(chunkSource(value, what), t, pending, what, waits);
}

export class HostStreamWriter implements SharedReadableStream {
  readonly #bytes: boolean;
  /** The rest of the last chunk, not yet copied to the guest. */
  #rest: ArrayLike<unknown> | undefined = undefined;
  #restAt = 0;
  /** The source has no more chunks (done, failed, or stopped). */
  #ended = false;
  #dropped = false;
  #pulling = false;
  /** The guest's read waiting for a chunk. */
  #waiting: { readonly dst: WritableBuffer; readonly onCopyDone: OnCopyDone } | undefined = undefined;
  readonly #untrack: (() => void) | undefined;
  /** Started by the guest's first read. */
  #source: ChunkSource | undefined = undefined;
  /** Ends the host work of the pull in flight. */
  #pullDone: (() => void) | undefined = undefined;
  /**
   * Ends the host's wait on the guest: until the guest lets go of the stream (or it is ended for it),
   * JS waits for the guest to consume it, so a guest thread that yielded meanwhile runs (host-waits.ts).
   */
  readonly #engaged: () => void;

  constructor(
    private readonly start: () => ChunkSource,
    readonly t: ValType | undefined,
    pending: PendingWork | undefined,
    readonly what: string,
    private readonly waits: HostWaits | undefined,
  ) {
    this.#bytes = isByteStream(t);
    this.#untrack = pending?.add({ kind: 'stream', label: `stream passed as ${what}`, abort: (reason) => this.#end(reason) });
    this.#engaged = hostWaitStarted(waits);
  }

  read(_inst: object | undefined, dst: WritableBuffer, _onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.#copyTo(dst, onCopyDone)) return;
    this.#waiting = { dst, onCopyDone };
    this.#pull();
  }

  cancel(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.onCopyDone(CopyResult.CANCELLED);
  }

  /** The call this writer was made for was refused before it started: untracked, the JS value untouched. */
  forget(): void {
    this.#ended = true;
    this.#untrack?.();
    this.#engaged();
  }

  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#waiting = undefined;
    this.#engaged();
    this.#end(undefined);
  }

  /** No more chunks: the source is stopped (with `reason`, when it did not end by itself). */
  #end(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#rest = undefined;
    this.#untrack?.();
    this.#pullDone?.();
    this.#engaged();
    // A source never started (the guest did not read) is started to be stopped: its producer learns the end.
    (this.#source ?? this.start()).stop(reason);
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.onCopyDone(CopyResult.DROPPED);
  }

  /** Copies what is at hand into `dst` and finishes the read; false when nothing is. */
  #copyTo(dst: WritableBuffer, onCopyDone: OnCopyDone): boolean {
    const rest = this.#rest;
    if (rest !== undefined) {
      const n = Math.min(dst.remain(), rest.length - this.#restAt);
      if (n > 0) {
        const from = this.#restAt;
        const part = rest instanceof Uint8Array ? rest.subarray(from, from + n) : Array.prototype.slice.call(rest, from, from + n);
        try {
          dst.write(part);
        } catch (e) {
          // A value the element type cannot take: the guest sees the stream end, the source learns why.
          this.#end(e);
          onCopyDone(CopyResult.DROPPED);
          return true;
        }
        this.#restAt += n;
        if (this.#restAt === rest.length) this.#rest = undefined;
      }
      // A zero-length read only asks whether values are ready: they are.
      onCopyDone(CopyResult.COMPLETED);
      return true;
    }
    if (this.#ended) {
      onCopyDone(CopyResult.DROPPED);
      return true;
    }
    return false;
  }

  #pull(): void {
    if (this.#pulling || this.#ended) return;
    this.#pulling = true;
    this.#source ??= this.start();
    // The guest waits for this chunk: until it comes (or the stream ends), that is host work.
    this.#pullDone = this.waits?.hostWorkStarted();
    this.#source.next().then(
      (r) => {
        this.#pulling = false;
        this.#pullDone?.();
        if (this.#ended) return;
        if (r.done === true) {
          this.#ended = true;
          this.#untrack?.();
        } else {
          try {
            const vs = chunkValues(r.value, this.#bytes, this.what);
            if (vs.length > 0) {
              this.#rest = vs;
              this.#restAt = 0;
            }
          } catch (e) {
            this.#end(e);
            return;
          }
        }
        const w = this.#waiting;
        if (w === undefined) return;
        if (this.#copyTo(w.dst, w.onCopyDone)) this.#waiting = undefined;
        else this.#pull();
      },
      (e: unknown) => {
        this.#pulling = false;
        this.#pullDone?.();
        // The source failed: to the guest the stream ends; the error is the source's own.
        this.#end(e);
      },
    );
  }
}
