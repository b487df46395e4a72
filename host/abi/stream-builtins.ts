/**
 * The stream and future built-ins (definitions.py `canon_stream_new` ...
 * `canon_future_drop_writable`: `stream_copy`, `future_copy`, `cancel_copy`,
 * `drop`) and the lifting and lowering of stream and future values
 * (`lift_stream`, `lift_future`, `lower_stream`, `lower_future`). Each
 * built-in is made once per `canon` definition, bound to its instance; every
 * `trap_if` of the spec is one `trap(...)` line. A synchronous copy or cancel
 * that must wait returns a Promise (the runtime imports it through JSPI), as
 * the other blocking built-ins do (host/abi/builtins.ts).
 */
import type { FutureType, StreamType, ValType } from '../types.ts';
import { optionalValTypeEquals } from '../value-type-equality.ts';
import { BLOCKED, blockWith, checkMayLeave, currentThread, guarded } from './builtins.ts';
import { CopyResult, type OnCopy, type OnCopyDone, ReadableBufferGuestImpl, WritableBufferGuestImpl } from './buffers.ts';
import type { ComponentInstance } from './component-instance.ts';
import { LiftLowerContext } from './context.ts';
import { describeElement } from './handle-table.ts';
import type { CanonOptions } from './options.ts';
import {
  CopyState,
  ReadableFutureEnd,
  ReadableStreamEnd,
  type SharedReadableFuture,
  type SharedReadableStream,
  SharedFutureImpl,
  SharedStreamImpl,
  type StreamOrFutureEnd,
  WritableFutureEnd,
  WritableStreamEnd,
} from './streams.ts';
import { Cancelled } from './thread.ts';
import { trap } from './trap.ts';
import { EventCode, type EventTuple } from './waitable.ts';

type EndClass =
  | typeof ReadableStreamEnd
  | typeof WritableStreamEnd
  | typeof ReadableFutureEnd
  | typeof WritableFutureEnd;

/** The end at `i`, checked to be an `EndT` of element type `t` (the spec's first guards of every built-in). */
function getEnd<E extends EndClass>(inst: ComponentInstance, i: number, EndT: E, t: ValType | undefined, what: string): InstanceType<E> {
  const e = inst.handles.get(i);
  if (!(e instanceof EndT)) trap(`${what}: index ${i} is ${describeElement(e)}, not a ${endName(EndT)}`);
  if (!optionalValTypeEquals(e.shared.t, t)) trap(`${what}: the ${endName(EndT)} at index ${i} carries another element type`);
  return e as InstanceType<E>;
}

function endName(EndT: EndClass): string {
  if (EndT === ReadableStreamEnd) return 'readable stream end';
  if (EndT === WritableStreamEnd) return 'writable stream end';
  if (EndT === ReadableFutureEnd) return 'readable future end';
  return 'writable future end';
}

/** Packs both new ends' indices into the i64 `{stream,future}.new` returns: readable low, writable high. */
function packEnds(ri: number, wi: number): bigint {
  return BigInt(ri) | (BigInt(wi) << 32n);
}

export function canonStreamNew(inst: ComponentInstance, t: StreamType): () => bigint {
  return guarded(inst, () => {
    checkMayLeave(inst, 'stream.new');
    const shared = new SharedStreamImpl(t.element);
    const ri = inst.handles.add(new ReadableStreamEnd(inst.store, shared));
    const wi = inst.handles.add(new WritableStreamEnd(inst.store, shared));
    return packEnds(ri, wi);
  });
}

export function canonFutureNew(inst: ComponentInstance, t: FutureType): () => bigint {
  return guarded(inst, () => {
    checkMayLeave(inst, 'future.new');
    const shared = new SharedFutureImpl(t.element);
    const ri = inst.handles.add(new ReadableFutureEnd(inst.store, shared));
    const wi = inst.handles.add(new WritableFutureEnd(inst.store, shared));
    return packEnds(ri, wi);
  });
}

/** The payload of the event the copy just produced (the spec delivers it as the built-in's result). */
function takePayload(e: StreamOrFutureEnd): number {
  return e.getPendingEvent()[2];
}

/**
 * Returns the copy's event payload if it has one, else waits for it (sync)
 * or returns BLOCKED (async): the common end of `stream_copy`,
 * `future_copy` and `cancel_copy`.
 */
function finishCopy(inst: ComponentInstance, e: StreamOrFutureEnd, async: boolean, what: string): number | Promise<number> {
  if (e.hasPendingEvent()) return takePayload(e);
  if (async) return BLOCKED;
  const thread = currentThread(inst, what);
  return blockWith(thread, what, (k) => e.waitForPendingEvent(thread, () => k(Cancelled.FALSE)), () => takePayload(e));
}

/** definitions.py `stream_copy` for `stream.read` (`direction` 'read') and `stream.write`. */
export function canonStreamCopy(
  inst: ComponentInstance,
  direction: 'read' | 'write',
  t: StreamType,
  opts: CanonOptions,
): (i: number, ptr: number, n: number) => number | Promise<number> {
  const what = `stream.${direction}`;
  const EndT = direction === 'read' ? ReadableStreamEnd : WritableStreamEnd;
  const eventCode = direction === 'read' ? EventCode.STREAM_READ : EventCode.STREAM_WRITE;
  const async = opts.async === true;
  return guarded(inst, (index: number, ptr: number, n: number) => {
    const i = index >>> 0;
    currentThread(inst, what);
    checkMayLeave(inst, what);
    const e = getEnd(inst, i, EndT, t.element, what);
    if (e.state !== CopyState.IDLE) trap(`${what}: the end at index ${i} is ${e.state === CopyState.DONE ? 'done (the other end was dropped)' : 'already copying'}`);
    if (e.inWaitableSet() && !async) trap(`${what}: a synchronous copy on an end that is in a waitable set`);
    const cx = new LiftLowerContext(opts, inst);
    const buffer = direction === 'read' ? new WritableBufferGuestImpl(t.element, cx, ptr >>> 0, n >>> 0) : new ReadableBufferGuestImpl(t.element, cx, ptr >>> 0, n >>> 0);
    const streamEvent = (result: CopyResult, reclaimBuffer: () => void): EventTuple => {
      e.copiedPartially = false;
      reclaimBuffer();
      e.state = result === CopyResult.DROPPED ? CopyState.DONE : CopyState.IDLE;
      // The count of values copied so far goes above the 4 bits of the result.
      return [eventCode, i, (result | (buffer.progress << 4)) >>> 0];
    };
    const onCopy: OnCopy = (reclaimBuffer) => {
      e.copiedPartially = true;
      e.setPendingEvent(() => streamEvent(CopyResult.COMPLETED, reclaimBuffer));
    };
    const onCopyDone: OnCopyDone = (result) => {
      e.copiedPartially = false;
      e.setPendingEvent(() => streamEvent(result, () => {}));
    };
    e.state = CopyState.COPYING;
    if (e instanceof ReadableStreamEnd) e.copy(inst, buffer as WritableBufferGuestImpl, onCopy, onCopyDone);
    else (e as WritableStreamEnd).copy(inst, buffer as ReadableBufferGuestImpl, onCopy, onCopyDone);
    return finishCopy(inst, e, async, what);
  });
}

/** definitions.py `future_copy` for `future.read` and `future.write`. */
export function canonFutureCopy(
  inst: ComponentInstance,
  direction: 'read' | 'write',
  t: FutureType,
  opts: CanonOptions,
): (i: number, ptr: number) => number | Promise<number> {
  const what = `future.${direction}`;
  const EndT = direction === 'read' ? ReadableFutureEnd : WritableFutureEnd;
  const eventCode = direction === 'read' ? EventCode.FUTURE_READ : EventCode.FUTURE_WRITE;
  const async = opts.async === true;
  return guarded(inst, (index: number, ptr: number) => {
    const i = index >>> 0;
    currentThread(inst, what);
    checkMayLeave(inst, what);
    const e = getEnd(inst, i, EndT, t.element, what);
    if (e.state !== CopyState.IDLE) trap(`${what}: the end at index ${i} is ${e.state === CopyState.DONE ? 'done (a future is read or written once)' : 'already copying'}`);
    if (e.inWaitableSet() && !async) trap(`${what}: a synchronous copy on an end that is in a waitable set`);
    const cx = new LiftLowerContext(opts, inst);
    const buffer = direction === 'read' ? new WritableBufferGuestImpl(t.element, cx, ptr >>> 0, 1) : new ReadableBufferGuestImpl(t.element, cx, ptr >>> 0, 1);
    const futureEvent = (result: CopyResult): EventTuple => {
      // A completed or dropped future is done: only its drop remains.
      e.state = result === CopyResult.DROPPED || result === CopyResult.COMPLETED ? CopyState.DONE : CopyState.IDLE;
      return [eventCode, i, result];
    };
    const onCopyDone: OnCopyDone = (result) => e.setPendingEvent(() => futureEvent(result));
    e.state = CopyState.COPYING;
    if (e instanceof ReadableFutureEnd) e.copy(inst, buffer as WritableBufferGuestImpl, onCopyDone);
    else (e as WritableFutureEnd).copy(inst, buffer as ReadableBufferGuestImpl, onCopyDone);
    return finishCopy(inst, e, async, what);
  });
}

/** definitions.py `cancel_copy` for the four `{stream,future}.cancel-{read,write}`. */
export function canonCancelCopy(
  inst: ComponentInstance,
  which: 'stream' | 'future',
  direction: 'read' | 'write',
  t: StreamType | FutureType,
  async: boolean,
): (i: number) => number | Promise<number> {
  const what = `${which}.cancel-${direction}`;
  const EndT = which === 'stream' ? (direction === 'read' ? ReadableStreamEnd : WritableStreamEnd) : direction === 'read' ? ReadableFutureEnd : WritableFutureEnd;
  return guarded(inst, (index: number) => {
    const i = index >>> 0;
    currentThread(inst, what);
    checkMayLeave(inst, what);
    const e = getEnd(inst, i, EndT, t.element, what);
    if (e.state !== CopyState.COPYING) trap(`${what}: no copy of the end at index ${i} to cancel`);
    if (e.hasSyncWaiter) trap(`${what}: a synchronous copy is waiting on the end at index ${i}`);
    if (e.inWaitableSet() && !async) trap(`${what}: a synchronous cancel on an end that is in a waitable set`);
    e.state = CopyState.CANCELLING_COPY;
    // The copy may have finished already: then its event is delivered, not cancelled. Values copied
    // into or out of a buffer the other side still holds do not finish it (the reference tests count
    // them in the CANCELLED result, where definitions.py would deliver the partial COMPLETED event).
    if (!e.hasPendingEvent() || e.copiedPartially) e.shared.cancel();
    return finishCopy(inst, e, async, what);
  });
}

/** definitions.py `drop` for the four `{stream,future}.drop-{readable,writable}`. */
export function canonDropEnd(inst: ComponentInstance, which: 'stream' | 'future', end: 'readable' | 'writable', t: StreamType | FutureType): (i: number) => void {
  const what = `${which}.drop-${end}`;
  const EndT = which === 'stream' ? (end === 'readable' ? ReadableStreamEnd : WritableStreamEnd) : end === 'readable' ? ReadableFutureEnd : WritableFutureEnd;
  return guarded(inst, (index: number) => {
    const i = index >>> 0;
    checkMayLeave(inst, what);
    const e = getEnd(inst, i, EndT, t.element, what);
    e.drop();
    inst.handles.remove(i);
  });
}

/**
 * definitions.py `lift_stream` / `lift_future` (`lift_async_value`): the
 * readable end at `i` leaves the instance; what is lifted is the shared
 * state, which the receiver reads from.
 */
export function liftAsyncValue(cx: LiftLowerContext, i: number, t: StreamType | FutureType): SharedReadableStream | SharedReadableFuture {
  const what = `lift ${t.kind}`;
  const EndT = t.kind === 'stream' ? ReadableStreamEnd : ReadableFutureEnd;
  const e = getEnd(cx.inst, i, EndT, t.element, what);
  if (e.state !== CopyState.IDLE) trap(`${what}: the readable end at index ${i} is ${e.state === CopyState.DONE ? 'done' : 'copying'}`);
  if (e.inWaitableSet()) trap(`${what}: the readable end at index ${i} is in a waitable set`);
  cx.inst.handles.remove(i);
  return e.shared;
}

/** definitions.py `lower_stream` / `lower_future`: a new readable end in this instance, over `v`'s shared state. */
export function lowerAsyncValue(cx: LiftLowerContext, v: unknown, t: StreamType | FutureType, path: string): number {
  if (typeof v !== 'object' || v === null || typeof (v as { drop?: unknown }).drop !== 'function' || typeof (v as { read?: unknown }).read !== 'function') {
    throw new TypeError(`${path}: expected the shared state of a ${t.kind} (an object with read, cancel and drop), got ${v === null ? 'null' : typeof v}`);
  }
  const shared = v as SharedReadableStream & SharedReadableFuture;
  if (!optionalValTypeEquals(shared.t, t.element)) trap(`lower ${t.kind}: the ${t.kind} carries another element type`);
  const store = cx.inst.store;
  const i = cx.inst.handles.add(t.kind === 'stream' ? new ReadableStreamEnd(store, shared) : new ReadableFutureEnd(store, shared));
  cx.addedHandles.push(i);
  return i;
}
