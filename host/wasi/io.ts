/**
 * wasi:io 0.2 (error, poll, streams), implemented per plugin in plain JS so
 * no state is shared with other plugins or with preview2-shim's
 * process-global stdio. Streams read from and write to functions the host
 * supplies (stdio sinks, files through a descriptor); pollables are either
 * always ready or ready at a monotonic deadline.
 *
 * Errors follow the host's convention for imports returning `result`: the
 * err case is thrown as ResultError(payload).
 */
import { ResultError } from '../errors.ts';

/** At most this many bytes are produced by one read, whatever length the guest asks for (short reads are allowed). */
export const MAX_READ_CHUNK = 1 << 20;

/** wasi:io/error `error`. */
export class IoError {
  constructor(private readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

/** Monotonic time in nanoseconds, as wasi:clocks/monotonic-clock counts it. */
export function monotonicNow(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

/** Blocks the calling thread for `ms` (the guest is synchronous; there is nothing else to do meanwhile). */
function sleep(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** wasi:io/poll `pollable`: ready now, or ready once the monotonic clock reaches `deadline`. */
export class Pollable {
  constructor(private readonly deadline: bigint | undefined = undefined) {}
  ready(): boolean {
    return this.deadline === undefined || monotonicNow() >= this.deadline;
  }
  block(): void {
    if (this.deadline !== undefined) sleep(Number(this.deadline - monotonicNow()) / 1e6);
  }
  /** Nanoseconds until ready (0 when ready). */
  remaining(): bigint {
    if (this.deadline === undefined) return 0n;
    const r = this.deadline - monotonicNow();
    return r > 0n ? r : 0n;
  }
}

/** wasi:io/poll `poll`: waits until at least one pollable is ready, returns the indices of the ready ones. */
export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new TypeError('poll: the list of pollables is empty');
  const wait = list.reduce((m, p) => (p.remaining() < m ? p.remaining() : m), list[0]!.remaining());
  if (wait > 0n) sleep(Number(wait) / 1e6);
  const ready: number[] = [];
  list.forEach((p, i) => {
    if (p.ready()) ready.push(i);
  });
  return Uint32Array.from(ready);
}

/** wasi:io/streams `stream-error`. */
export type StreamError = { tag: 'last-operation-failed'; val: IoError } | { tag: 'closed' };

function closed(): never {
  throw new ResultError({ tag: 'closed' } satisfies StreamError);
}

function failed(e: unknown): never {
  throw new ResultError({ tag: 'last-operation-failed', val: new IoError(typeof e === 'string' ? e : e instanceof Error ? e.message : String(e)) } satisfies StreamError);
}

/** Where an input stream's bytes come from: at most `max` bytes, or `eof`. */
export type Source = (max: number) => { bytes: Uint8Array; eof: boolean };
/** Where an output stream's bytes go. */
export type Sink = (bytes: Uint8Array) => void;

function clampLength(len: bigint | number): number {
  const n = typeof len === 'bigint' ? (len > BigInt(MAX_READ_CHUNK) ? MAX_READ_CHUNK : Number(len)) : Math.min(len, MAX_READ_CHUNK);
  return Math.max(0, n);
}

/** wasi:io/streams `input-stream`. */
export class InputStream {
  private ended = false;
  constructor(private readonly source: Source) {}

  read(len: bigint): Uint8Array {
    if (this.ended) closed();
    let r: { bytes: Uint8Array; eof: boolean };
    try {
      r = this.source(clampLength(len));
    } catch (e) {
      failed(e);
    }
    if (r.bytes.length === 0 && r.eof) {
      this.ended = true;
      closed();
    }
    if (r.eof) this.ended = true;
    return r.bytes;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** wasi:io/streams `output-stream`. Writes complete immediately, so check-write always allows a full chunk. */
export class OutputStream {
  constructor(private readonly sink: Sink) {}

  checkWrite(): bigint {
    return BigInt(MAX_READ_CHUNK);
  }
  write(contents: Uint8Array): void {
    if (contents.length > MAX_READ_CHUNK) failed(`write of ${contents.length} bytes exceeds check-write (${MAX_READ_CHUNK})`);
    try {
      this.sink(contents);
    } catch (e) {
      failed(e);
    }
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(clampLength(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: InputStream, len: bigint): bigint {
    const bytes = src.read(len);
    this.write(bytes);
    return BigInt(bytes.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** An input stream with nothing in it. */
export const emptySource: Source = () => ({ bytes: new Uint8Array(0), eof: true });
