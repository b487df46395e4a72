/**
 * definitions.py "Stream State" and "Future State": the state two ends of a
 * stream or future share (`SharedStreamImpl`, `SharedFutureImpl`), and the
 * ends a component instance holds in its table (`ReadableStreamEnd` ...
 * `WritableFutureEnd`, waitables with a `CopyState`).
 *
 * The shared state pairs one pending copy (an instance, its buffer and
 * callbacks) with the next copy from the other side: values move straight
 * from one buffer into the other, as many as both have room for, and the
 * pending side keeps its buffer until its event is delivered (`OnCopy` hands
 * it a `reclaimBuffer`), so the other side may fill it further meanwhile.
 * The host reads and writes through the same interfaces with buffers of its
 * own (host/runtime/js-streams.ts, js-futures.ts); it passes `undefined`
 * where the spec passes the copying component instance.
 */
import type { ValType } from '../types.ts';
import { CopyResult, type OnCopy, type OnCopyDone, type ReadableBuffer, type WritableBuffer } from './buffers.ts';
import { trap } from './trap.ts';
import { type EventListener, Waitable } from './waitable.ts';

/** Whatever a reading or writing side is: a component instance, or `undefined` for the host. */
type Copier = object | undefined;

/** definitions.py `ReadableStream` (named so it is not mistaken for a WHATWG stream). */
export interface SharedReadableStream {
  readonly t: ValType | undefined;
  read(inst: Copier, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  /** Ends the pending copy: its `onCopyDone(CANCELLED)` runs before this returns. */
  cancel(): void;
  /** This side is gone: the other side's pending or next copy ends with DROPPED. */
  drop(): void;
}

/** definitions.py `WritableStream`. */
export interface SharedWritableStream {
  readonly t: ValType | undefined;
  write(inst: Copier, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}

/** definitions.py `ReadableFuture`: `dst` has room for exactly one value. */
export interface SharedReadableFuture {
  readonly t: ValType | undefined;
  read(inst: Copier, dst: WritableBuffer, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}

/** definitions.py `WritableFuture`: `src` holds exactly one value. */
export interface SharedWritableFuture {
  readonly t: ValType | undefined;
  write(inst: Copier, src: ReadableBuffer, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}

/**
 * definitions.py `none_or_number_type`: elements a copy within one instance
 * may move (others would need the instance to lift and lower into itself,
 * which the spec forbids for now).
 */
function noneOrNumberType(t: ValType | undefined): boolean {
  if (t === undefined) return true;
  switch (t.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
    case 's8':
    case 's16':
    case 's32':
    case 's64':
    case 'f32':
    case 'f64':
      return true;
    default:
      return false;
  }
}

function checkNotSameInstance(inst: Copier, pending: Copier, t: ValType | undefined, what: string): void {
  if (inst !== undefined && inst === pending && !noneOrNumberType(t)) {
    trap(`${what}: both ends of a ${t === undefined ? '' : `${t.kind} `}stream or future are in the same component instance, which only streams of numbers (or no values) may be`);
  }
}

/** definitions.py `SharedStreamImpl`. */
export class SharedStreamImpl implements SharedReadableStream, SharedWritableStream {
  dropped = false;
  private pendingInst: Copier = undefined;
  private pendingBuffer: ReadableBuffer | WritableBuffer | undefined = undefined;
  private pendingOnCopy: OnCopy | undefined = undefined;
  private pendingOnCopyDone: OnCopyDone | undefined = undefined;

  constructor(readonly t: ValType | undefined) {}

  private resetPending = (): void => {
    this.setPending(undefined, undefined, undefined, undefined);
  };

  private setPending(inst: Copier, buffer: ReadableBuffer | WritableBuffer | undefined, onCopy: OnCopy | undefined, onCopyDone: OnCopyDone | undefined): void {
    this.pendingInst = inst;
    this.pendingBuffer = buffer;
    this.pendingOnCopy = onCopy;
    this.pendingOnCopyDone = onCopyDone;
  }

  private resetAndNotifyPending(result: CopyResult): void {
    const onCopyDone = this.pendingOnCopyDone!;
    this.resetPending();
    onCopyDone(result);
  }

  cancel(): void {
    this.resetAndNotifyPending(CopyResult.CANCELLED);
  }

  drop(): void {
    if (!this.dropped) {
      this.dropped = true;
      if (this.pendingBuffer !== undefined) this.resetAndNotifyPending(CopyResult.DROPPED);
    }
  }

  read(inst: Copier, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, dst, onCopy, onCopyDone);
    } else {
      checkNotSameInstance(inst, this.pendingInst, this.t, 'stream.read');
      const src = this.pendingBuffer as ReadableBuffer;
      if (src.remain() > 0) {
        if (dst.remain() > 0) {
          const n = Math.min(dst.remain(), src.remain());
          dst.write(src.read(n));
          this.pendingOnCopy!(this.resetPending);
        }
        onCopyDone(CopyResult.COMPLETED);
      } else {
        this.resetAndNotifyPending(CopyResult.COMPLETED);
        this.setPending(inst, dst, onCopy, onCopyDone);
      }
    }
  }

  write(inst: Copier, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, src, onCopy, onCopyDone);
    } else {
      checkNotSameInstance(inst, this.pendingInst, this.t, 'stream.write');
      const dst = this.pendingBuffer as WritableBuffer;
      if (dst.remain() > 0) {
        if (src.remain() > 0) {
          const n = Math.min(src.remain(), dst.remain());
          dst.write(src.read(n));
          this.pendingOnCopy!(this.resetPending);
        }
        onCopyDone(CopyResult.COMPLETED);
      } else if (src.isZeroLength() && dst.isZeroLength()) {
        onCopyDone(CopyResult.COMPLETED);
      } else {
        this.resetAndNotifyPending(CopyResult.COMPLETED);
        this.setPending(inst, src, onCopy, onCopyDone);
      }
    }
  }
}

/** definitions.py `SharedFutureImpl`. */
export class SharedFutureImpl implements SharedReadableFuture, SharedWritableFuture {
  dropped = false;
  private pendingInst: Copier = undefined;
  private pendingBuffer: ReadableBuffer | WritableBuffer | undefined = undefined;
  private pendingOnCopyDone: OnCopyDone | undefined = undefined;

  constructor(readonly t: ValType | undefined) {}

  private setPending(inst: Copier, buffer: ReadableBuffer | WritableBuffer | undefined, onCopyDone: OnCopyDone | undefined): void {
    this.pendingInst = inst;
    this.pendingBuffer = buffer;
    this.pendingOnCopyDone = onCopyDone;
  }

  private resetAndNotifyPending(result: CopyResult): void {
    const onCopyDone = this.pendingOnCopyDone!;
    this.setPending(undefined, undefined, undefined);
    onCopyDone(result);
  }

  cancel(): void {
    this.resetAndNotifyPending(CopyResult.CANCELLED);
  }

  drop(): void {
    if (!this.dropped) {
      this.dropped = true;
      // Only a reader can be pending here: the writer drops only after its write is done.
      if (this.pendingBuffer !== undefined) this.resetAndNotifyPending(CopyResult.DROPPED);
    }
  }

  read(inst: Copier, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.pendingBuffer === undefined) {
      this.setPending(inst, dst, onCopyDone);
    } else {
      checkNotSameInstance(inst, this.pendingInst, this.t, 'future.read');
      dst.write((this.pendingBuffer as ReadableBuffer).read(1));
      this.resetAndNotifyPending(CopyResult.COMPLETED);
      onCopyDone(CopyResult.COMPLETED);
    }
  }

  write(inst: Copier, src: ReadableBuffer, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, src, onCopyDone);
    } else {
      checkNotSameInstance(inst, this.pendingInst, this.t, 'future.write');
      (this.pendingBuffer as WritableBuffer).write(src.read(1));
      this.resetAndNotifyPending(CopyResult.COMPLETED);
      onCopyDone(CopyResult.COMPLETED);
    }
  }
}

/** definitions.py `CopyState`. */
export const CopyState = { IDLE: 1, COPYING: 2, CANCELLING_COPY: 3, DONE: 4 } as const;
export type CopyState = (typeof CopyState)[keyof typeof CopyState];

/** definitions.py `CopyEnd`: one end of a stream or future in an instance's table. */
abstract class CopyEnd<S extends { drop(): void; cancel(): void; readonly t: ValType | undefined }> extends Waitable {
  state: CopyState = CopyState.IDLE;
  /**
   * The pending event reports values copied while the other side still holds
   * this end's buffer (`OnCopy`), not the end of the copy: a cancel then still
   * ends the copy, and reports CANCELLED with the count (cancel-stream.wast).
   */
  copiedPartially = false;

  constructor(
    listener: EventListener,
    readonly shared: S,
  ) {
    super(listener);
  }

  copying(): boolean {
    return this.state === CopyState.COPYING || this.state === CopyState.CANCELLING_COPY;
  }

  override drop(): void {
    if (this.copying()) trap(`${this.what}.drop: a copy is in progress (cancel it and wait for its event first)`);
    this.shared.drop();
    super.drop();
  }

  /** For messages: `stream.drop-readable` ... */
  protected abstract readonly what: string;
}

export class ReadableStreamEnd extends CopyEnd<SharedReadableStream> {
  readonly kind = 'stream-end' as const;
  readonly end = 'readable' as const;
  protected readonly what = 'stream readable end';

  copy(inst: Copier, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    this.shared.read(inst, dst, onCopy, onCopyDone);
  }
}

export class WritableStreamEnd extends CopyEnd<SharedWritableStream> {
  readonly kind = 'stream-end' as const;
  readonly end = 'writable' as const;
  protected readonly what = 'stream writable end';

  copy(inst: Copier, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    this.shared.write(inst, src, onCopy, onCopyDone);
  }
}

export class ReadableFutureEnd extends CopyEnd<SharedReadableFuture> {
  readonly kind = 'future-end' as const;
  readonly end = 'readable' as const;
  protected readonly what = 'future readable end';

  copy(inst: Copier, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    this.shared.read(inst, dst, onCopyDone);
  }
}

export class WritableFutureEnd extends CopyEnd<SharedWritableFuture> {
  readonly kind = 'future-end' as const;
  readonly end = 'writable' as const;
  protected readonly what = 'future writable end';

  copy(inst: Copier, src: ReadableBuffer, onCopyDone: OnCopyDone): void {
    this.shared.write(inst, src, onCopyDone);
  }

  /** A future's writer must write (or see the reader gone) before it may drop its end. */
  override drop(): void {
    if (this.state !== CopyState.DONE) trap('future.drop-writable: the future was never written (futures must be written before their writable end is dropped)');
    super.drop();
  }
}

export type StreamOrFutureEnd = ReadableStreamEnd | WritableStreamEnd | ReadableFutureEnd | WritableFutureEnd;
