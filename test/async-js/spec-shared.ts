/**
 * Test doubles of the guest side of host/runtime/stream-seam.ts, following
 * definitions.py's SharedStreamImpl / SharedFutureImpl and the guest buffers,
 * with the guest's memory as a JS array: enough to drive the host adapters
 * (js-streams.ts, js-futures.ts) without a component.
 */
import type { ValType } from '../../host/types.ts';
import { CopyResult, type OnCopy, type OnCopyDone, type ReadableBuffer, type SharedReadableFuture, type SharedReadableStream, type WritableBuffer } from '../../host/runtime/stream-seam.ts';

/** A guest buffer to write from: `values` as if in linear memory. */
export class GuestSource implements ReadableBuffer {
  progress = 0;
  constructor(readonly t: ValType | undefined, readonly values: ArrayLike<unknown>) {}
  remain(): number { return this.values.length - this.progress; }
  isZeroLength(): boolean { return this.values.length === 0; }
  read(n: number): ArrayLike<unknown> {
    const v = this.values;
    const out = v instanceof Uint8Array ? v.slice(this.progress, this.progress + n) : Array.prototype.slice.call(v, this.progress, this.progress + n);
    this.progress += n;
    return out;
  }
}

/** A guest buffer to read into, with room for `length` values; `check` plays the ABI's lowering of each value. */
export class GuestSink implements WritableBuffer {
  readonly got: unknown[] = [];
  constructor(readonly t: ValType | undefined, readonly length: number, readonly check: (v: unknown) => void = () => {}) {}
  remain(): number { return this.length - this.got.length; }
  isZeroLength(): boolean { return this.length === 0; }
  write(vs: ArrayLike<unknown>): void {
    if (vs.length > this.remain()) throw new RangeError('overflow');
    for (let i = 0; i < vs.length; i++) this.check(vs[i]);
    for (let i = 0; i < vs.length; i++) this.got.push(vs[i]);
  }
}

interface Pending { buffer: ReadableBuffer | WritableBuffer; onCopy: OnCopy; onCopyDone: OnCopyDone }

/** definitions.py SharedStreamImpl, the guest being the writer (`write`) or the reader. */
export class SpecStream implements SharedReadableStream {
  dropped = false;
  pending: Pending | undefined;
  constructor(readonly t: ValType | undefined) {}
  private notify(result: CopyResult): void {
    const p = this.pending!;
    this.pending = undefined;
    p.onCopyDone(result);
  }
  cancel(): void { this.notify(CopyResult.CANCELLED); }
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    if (this.pending !== undefined) this.notify(CopyResult.DROPPED);
  }
  read(_inst: object | undefined, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) return onCopyDone(CopyResult.DROPPED);
    if (this.pending === undefined) { this.pending = { buffer: dst, onCopy, onCopyDone }; return; }
    const src = this.pending.buffer as ReadableBuffer;
    if (src.remain() > 0) {
      if (dst.remain() > 0) {
        dst.write(src.read(Math.min(dst.remain(), src.remain())));
        this.pending.onCopy(() => { this.pending = undefined; });
      }
      onCopyDone(CopyResult.COMPLETED);
    } else {
      this.notify(CopyResult.COMPLETED);
      this.pending = { buffer: dst, onCopy, onCopyDone };
    }
  }
  /** The guest's stream.write. */
  write(src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) return onCopyDone(CopyResult.DROPPED);
    if (this.pending === undefined) { this.pending = { buffer: src, onCopy, onCopyDone }; return; }
    const dst = this.pending.buffer as WritableBuffer;
    if (dst.remain() > 0) {
      if (src.remain() > 0) {
        dst.write(src.read(Math.min(dst.remain(), src.remain())));
        this.pending.onCopy(() => { this.pending = undefined; });
      }
      onCopyDone(CopyResult.COMPLETED);
    } else if (src.isZeroLength() && dst.isZeroLength()) {
      onCopyDone(CopyResult.COMPLETED);
    } else {
      this.notify(CopyResult.COMPLETED);
      this.pending = { buffer: src, onCopy, onCopyDone };
    }
  }
  /** The guest writes `values` and waits for the copy: resolves with the result and how many values went. */
  writeAll(values: ArrayLike<unknown>): Promise<{ result: CopyResult; copied: number }> {
    const src = new GuestSource(this.t, values);
    return new Promise((resolve) => {
      this.write(src, (reclaim) => { reclaim(); resolve({ result: CopyResult.COMPLETED, copied: src.progress }); }, (result) => resolve({ result, copied: src.progress }));
    });
  }
}

/** definitions.py SharedFutureImpl, the guest writing. */
export class SpecFuture implements SharedReadableFuture {
  dropped = false;
  pending: { buffer: ReadableBuffer | WritableBuffer; onCopyDone: OnCopyDone } | undefined;
  constructor(readonly t: ValType | undefined) {}
  cancel(): void { const p = this.pending!; this.pending = undefined; p.onCopyDone(CopyResult.CANCELLED); }
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    const p = this.pending;
    if (p !== undefined && 'write' in p.buffer) { this.pending = undefined; p.onCopyDone(CopyResult.DROPPED); }
  }
  read(_inst: object | undefined, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.pending === undefined) { this.pending = { buffer: dst, onCopyDone }; return; }
    const p = this.pending;
    this.pending = undefined;
    dst.write((p.buffer as ReadableBuffer).read(1));
    p.onCopyDone(CopyResult.COMPLETED);
    onCopyDone(CopyResult.COMPLETED);
  }
  /** The guest's future.write. */
  write(value: unknown): Promise<CopyResult> {
    const src = new GuestSource(this.t, [value]);
    return new Promise((resolve) => {
      if (this.dropped) return resolve(CopyResult.DROPPED);
      if (this.pending === undefined) { this.pending = { buffer: src, onCopyDone: resolve }; return; }
      const p = this.pending;
      this.pending = undefined;
      (p.buffer as WritableBuffer).write(src.read(1));
      p.onCopyDone(CopyResult.COMPLETED);
      resolve(CopyResult.COMPLETED);
    });
  }
}
