/**
 * definitions.py "Buffer State": the room for, or the supply of, the values
 * one `stream.read` / `stream.write` (or future read/write) copies, and
 * `CopyResult`, how a copy ended. The guest implementations read and write
 * a range of the calling instance's linear memory with the ABI's one
 * `load`/`store`; the host's own buffers (host/runtime) implement the same
 * interfaces.
 */
import type { ValType } from '../types.ts';
import type { LiftLowerContext } from './context.ts';
import { abandonLowering, commitLowering } from './handles.ts';
import { alignment, elemSize } from './layout.ts';
import { compileLoadListFromRange, compileStore, typedArrayFor, withIndex, type Store } from './load-store.ts';
import { trap } from './trap.ts';

/** definitions.py `CopyResult`. */
export const CopyResult = { COMPLETED: 0, DROPPED: 1, CANCELLED: 2 } as const;
export type CopyResult = (typeof CopyResult)[keyof typeof CopyResult];

/** definitions.py `ReclaimBuffer`, `OnCopy`, `OnCopyDone`. */
export type ReclaimBuffer = () => void;
/** Values were copied; the other side may keep using the buffer until `reclaimBuffer` runs. */
export type OnCopy = (reclaimBuffer: ReclaimBuffer) => void;
/** The copy ended with `result`; the buffer is its owner's again. */
export type OnCopyDone = (result: CopyResult) => void;

/** definitions.py `Buffer.MAX_LENGTH`. */
export const MAX_BUFFER_LENGTH = 2 ** 28 - 1;

/** definitions.py `Buffer`: `t` undefined for a stream or future without element type. */
export interface Buffer {
  readonly t: ValType | undefined;
  remain(): number;
  isZeroLength(): boolean;
}

/** definitions.py `ReadableBuffer`; for `u8` elements `read` may give a Uint8Array. */
export interface ReadableBuffer extends Buffer {
  read(n: number): ArrayLike<unknown>;
}

/** definitions.py `WritableBuffer` (`vs.length <= remain()`). */
export interface WritableBuffer extends Buffer {
  write(vs: ArrayLike<unknown>): void;
}

type LoadRange = (cx: LiftLowerContext, ptr: number, length: number) => unknown;
const loadRanges = new WeakMap<ValType, LoadRange>();

function loadRange(t: ValType): LoadRange {
  let f = loadRanges.get(t);
  if (f === undefined) loadRanges.set(t, (f = compileLoadListFromRange(t)));
  return f;
}

/** definitions.py `BufferGuestImpl`: `length` values of `t` at `ptr` in the memory of `cx`. */
abstract class BufferGuestImpl implements Buffer {
  progress = 0;
  protected readonly size: number;

  constructor(
    readonly t: ValType | undefined,
    protected readonly cx: LiftLowerContext,
    protected ptr: number,
    readonly length: number,
  ) {
    if (length > MAX_BUFFER_LENGTH) trap(`buffer: length ${length} exceeds the maximum of 2^28 - 1 elements`);
    this.size = t === undefined ? 0 : elemSize(t);
    if (t !== undefined && length > 0) {
      cx.refresh();
      const align = alignment(t);
      if (ptr % align !== 0) trap(`buffer: pointer ${ptr} is not aligned to ${align}`);
      if (ptr + length * this.size > cx.u8.length) trap(`buffer: ${length} elements at ${ptr} are out of bounds of memory (${cx.u8.length} bytes)`);
    }
  }

  remain(): number {
    return this.length - this.progress;
  }

  isZeroLength(): boolean {
    return this.length === 0;
  }
}

/** definitions.py `ReadableBufferGuestImpl`: the values a `stream.write` / `future.write` offers. */
export class ReadableBufferGuestImpl extends BufferGuestImpl implements ReadableBuffer {
  read(n: number): ArrayLike<unknown> {
    let vs: ArrayLike<unknown>;
    if (this.t !== undefined) {
      const cx = this.cx;
      cx.refresh();
      cx.resetLiftBudget();
      vs = loadRange(this.t)(cx, this.ptr, n) as ArrayLike<unknown>;
      this.ptr += n * this.size;
    } else {
      vs = new Array<undefined>(n).fill(undefined);
    }
    this.progress += n;
    return vs;
  }
}

/** definitions.py `WritableBufferGuestImpl`: the room a `stream.read` / `future.read` offers. */
export class WritableBufferGuestImpl extends BufferGuestImpl implements WritableBuffer {
  write(vs: ArrayLike<unknown>): void {
    const n = vs.length;
    const t = this.t;
    if (t !== undefined && n > 0) {
      const cx = this.cx;
      cx.refresh();
      const ctor = typedArrayFor(t);
      if (ctor !== undefined && vs instanceof ctor) {
        const a = vs as ArrayBufferView;
        cx.u8.set(new Uint8Array(a.buffer, a.byteOffset, n * this.size), this.ptr);
      } else {
        storeEach(cx, t, vs, this.ptr, this.size);
      }
      this.ptr += n * this.size;
    }
    this.progress += n;
  }
}

const STORE_PATH = 'stream element[]';
const stores = new WeakMap<ValType, Store>();

/** definitions.py `store_list_into_valid_range`; owned handles move only once every value is stored. */
function storeEach(cx: LiftLowerContext, t: ValType, vs: ArrayLike<unknown>, ptr: number, size: number): void {
  let store = stores.get(t);
  if (store === undefined) stores.set(t, (store = compileStore(t, STORE_PATH)));
  let i = 0;
  try {
    for (; i < vs.length; i++) store(cx, vs[i], ptr + i * size);
  } catch (e) {
    abandonLowering(cx);
    throw withIndex(e, STORE_PATH, i);
  }
  commitLowering(cx);
}
