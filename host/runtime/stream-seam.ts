/**
 * The seam between the Canonical ABI's stream and future state and the host,
 * named as in definitions.py (`Buffer`, `ReadableBuffer`, `WritableBuffer`,
 * `CopyResult`, the shared `ReadableStream` / `ReadableFuture`; "Shared" is
 * added to the last two so they are not mistaken for WHATWG streams).
 *
 * Lifting a `stream<T>` or `future<T>` out of a component gives the shared
 * object (`lift_stream` returns `e.shared`): whoever holds it reads from it
 * with a buffer of its own. Lowering one into a component takes any object
 * with the shared interface (`lower_stream` puts it in a readable end), so the
 * host can be the writer. host/abi implements these for guest-to-guest
 * streams; host/runtime's js-streams.ts and js-futures.ts implement the host
 * side (buffers in JS, a WHATWG ReadableStream or a Promise as the source).
 * The host passes `undefined` where the spec passes the reading or writing
 * component instance.
 */
import type { ValType } from '../types.ts';

/** definitions.py `CopyResult`: how a copy (or the attempt at one) ended. */
export const CopyResult = { COMPLETED: 0, DROPPED: 1, CANCELLED: 2 } as const;
export type CopyResult = (typeof CopyResult)[keyof typeof CopyResult];

/** definitions.py `Buffer`: room for, or a supply of, values of `t` (`undefined`: a stream without element type). */
export interface Buffer {
  readonly t: ValType | undefined;
  remain(): number;
  isZeroLength(): boolean;
}

/** A buffer values are taken from; for `u8` elements `read` may give a Uint8Array. */
export interface ReadableBuffer extends Buffer {
  read(n: number): ArrayLike<unknown>;
}

/** A buffer values are put into (`vs.length <= remain()`). */
export interface WritableBuffer extends Buffer {
  write(vs: ArrayLike<unknown>): void;
}

/** Values were copied but the other side keeps its buffer until `reclaimBuffer` is called. */
export type OnCopy = (reclaimBuffer: () => void) => void;
/** The copy finished with `result`; the buffer is the caller's again. */
export type OnCopyDone = (result: CopyResult) => void;

/** The readable side of a stream's shared state (definitions.py `ReadableStream`). */
export interface SharedReadableStream {
  readonly t: ValType | undefined;
  read(inst: object | undefined, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  /** Ends the pending read: its `onCopyDone(CANCELLED)` runs before this returns. */
  cancel(): void;
  /** The reader is gone: the writer's next (or pending) copy ends with DROPPED. */
  drop(): void;
}

/** The readable side of a future's shared state (definitions.py `ReadableFuture`); `dst` has room for one value. */
export interface SharedReadableFuture {
  readonly t: ValType | undefined;
  read(inst: object | undefined, dst: WritableBuffer, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}
