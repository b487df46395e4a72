/**
 * The async ABI's canonical built-ins (definitions.py `canon_context_get`
 * ... `canon_error_context_drop`, streams and futures aside), each made once
 * per `canon` definition as a core function bound to its instance. Every
 * `trap_if` of the spec is one `trap(...)` line here. A built-in that may
 * block returns a Promise when it does; the runtime imports it through
 * `suspendingWhenBlocked` (host/abi/jspi-glue.ts) so the Promise suspends the
 * calling core wasm.
 */
import type { ValType } from '../types.ts';
import type { ComponentInstance } from './component-instance.ts';
import { LiftLowerContext } from './context.ts';
import { ErrorContext } from './error-context.ts';
import { trapped } from './guard.ts';
import { Suspended } from './jspi-glue.ts';
import { describeElement } from './handle-table.ts';
import { jspiUnavailable } from './jspi.ts';
import { compileLiftParams } from './lower.ts';
import type { CanonOptions } from './options.ts';
import { loadStringFromRange, storeStringIntoRange } from './strings.ts';
import { Subtask } from './subtask.ts';
import type { Task } from './task.ts';
import { Cancelled, type Continuation, Thread, cannotBlock } from './thread.ts';
import { trap } from './trap.ts';
import { EventCode, type EventTuple, Waitable, WaitableSet } from './waitable.ts';

/** definitions.py `BLOCKED`: an async operation did not complete yet. */
export const BLOCKED = 0xffff_ffff;

type Core = (...flat: never[]) => unknown;

/** Runs a built-in's body; an error poisons the instance (a trap of its caller). */
export function guarded<F extends Core>(inst: ComponentInstance, f: F): F {
  return ((...args: never[]) => {
    // A trapped instance that caught the exception (catch_all) reaches no built-in either.
    if (inst.poisoned !== undefined) inst.checkNotPoisoned();
    try {
      return f(...args);
    } catch (e) {
      throw trapped(inst, e);
    }
  }) as F;
}

/** definitions.py `current_thread()`, for a built-in of `inst`. */
export function currentThread(inst: ComponentInstance, what: string): Thread {
  const t = inst.store.currentThread();
  if (t === undefined || t.task.inst !== inst) trap(`${what}: no task of ${inst.name} is running (called outside an export call, e.g. from a start function)`);
  return t;
}

export function checkMayLeave(inst: ComponentInstance, what: string): void {
  if (!inst.mayLeave) trap(`${what}: may_leave is false (called from realloc, post-return or a destructor)`);
}

/**
 * Blocks `thread` through `wait` (which calls back when it may go on) and
 * returns a Promise of what `then` makes of it: the caller suspends (JSPI).
 * Called only when waiting is needed. Where the spec lets the thread block
 * but its core wasm cannot be suspended (no JSPI), the thread traps with
 * JspiUnavailableError instead, before anything was changed.
 */
export function blockWith<T>(thread: Thread, what: string, wait: (k: Continuation) => void, then: (c: Cancelled) => T, switchTo?: Thread): Promise<T> {
  const inst = thread.task.inst;
  if (!inst.store.mayBlock(thread, switchTo)) throw cannotBlock(what);
  if (inst.coreSuspension !== 'jspi') throw jspiUnavailable(inst.name, `\`canon ${what}\``);
  return new Promise<T>((resolve, reject) => {
    const unwatch = unwindWhenPoisoned(thread, reject);
    wait((c) => {
      unwatch();
      try {
        resolve(then(c));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * Suspends `thread`'s core wasm (JSPI) until `turn`, the turn of a thread
 * this call resumed, is over, and returns what `then` makes of it: the call
 * looks synchronous to the caller, as in the spec, where the resumed thread
 * runs within it. Not blocking: the caller's turn goes on afterwards.
 */
function afterTurn<T>(thread: Thread, turn: Promise<void>, then: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unwatch = unwindWhenPoisoned(thread, reject);
    void turn.then(() => {
      unwatch();
      try {
        resolve(then());
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * A thread suspended inside core wasm (JSPI) whose instance is poisoned
 * (unload, a trap) is never resumed by the Store; V8 keeps a suspended stack,
 * and all it references, alive until it is resumed. So its suspension is
 * rejected with the trap: the stack unwinds and can be collected. Returns the
 * function to call when the thread is resumed normally.
 */
export function unwindWhenPoisoned(thread: Thread, reject: (e: unknown) => void): () => void {
  return thread.task.inst.whenPoisoned(reject);
}

// ---- 🔀 context, backpressure, task ----

export function canonContextGet(inst: ComponentInstance, slot: number): () => number {
  return guarded(inst, () => currentThread(inst, 'context.get').storage[slot]!);
}

export function canonContextSet(inst: ComponentInstance, slot: number): (v: number) => void {
  return guarded(inst, (v: number) => {
    currentThread(inst, 'context.set').storage[slot] = v >>> 0;
  });
}

export function canonBackpressureInc(inst: ComponentInstance): () => void {
  return guarded(inst, () => {
    if (inst.backpressure + 1 >= 2 ** 16) trap('backpressure.inc: the backpressure counter would overflow (2^16)');
    inst.backpressure++;
  });
}

export function canonBackpressureDec(inst: ComponentInstance): () => void {
  return guarded(inst, () => {
    if (inst.backpressure === 0) trap('backpressure.dec: the backpressure counter is already 0');
    inst.backpressure--;
    inst.store.eventArrived();
  });
}

/**
 * definitions.py `canon_task_return`. `sameType` is the component model's
 * type equality (host/validate), given by the runtime.
 */
export function canonTaskReturn(
  inst: ComponentInstance,
  resultType: ValType | undefined,
  opts: CanonOptions,
  sameType: (a: ValType, b: ValType) => boolean,
): (...flat: unknown[]) => void {
  const liftResult = compileLiftParams(resultType === undefined ? [] : [resultType]);
  // Used only while the built-in runs, which cannot overlap itself: lifting runs no guest code.
  const cx = new LiftLowerContext(opts, inst);
  return guarded(inst, (...flat: unknown[]) => {
    const task = currentThread(inst, 'task.return').task;
    checkMayLeave(inst, 'task.return');
    if (!task.opts.async) trap('task.return: the task was not lifted with the async option');
    const want = task.ft.result;
    if (want === undefined ? resultType !== undefined : resultType === undefined || !sameType(resultType, want)) {
      trap("task.return: the result type differs from the task's function result type");
    }
    // definitions.py `LiftOptions.equal`; a task.return that needs no memory may omit it (as wasmtime allows).
    if ((opts.memory !== undefined && task.opts.memory !== opts.memory) || task.opts.stringEncoding !== opts.stringEncoding) {
      trap("task.return: its memory or string-encoding options differ from the task's canon lift");
    }
    cx.borrowScope = task;
    cx.refresh();
    cx.resetLiftBudget();
    const result = liftResult(cx, flat);
    cx.borrowScope = undefined;
    task.return(result);
  });
}

export function canonTaskCancel(inst: ComponentInstance): () => void {
  return guarded(inst, () => {
    const task = currentThread(inst, 'task.cancel').task;
    checkMayLeave(inst, 'task.cancel');
    if (!task.opts.async) trap('task.cancel: the task was not lifted with the async option');
    task.cancel();
  });
}

// ---- 🔀 waitable sets ----

export function canonWaitableSetNew(inst: ComponentInstance): () => number {
  return guarded(inst, () => {
    checkMayLeave(inst, 'waitable-set.new');
    return inst.handles.add(new WaitableSet());
  });
}

function getWaitableSet(inst: ComponentInstance, i: number, what: string): WaitableSet {
  const e = inst.handles.get(i);
  if (e.kind !== 'waitable-set') trap(`${what}: index ${i} is ${describeElement(e)}, not a waitable set`);
  return e;
}

/** definitions.py `unpack_event`: the payloads go to memory, the code is the result. */
function unpackEvent(memory: WebAssembly.Memory, ptr: number, e: EventTuple): number {
  const [code, p1, p2] = e;
  if (ptr % 4 !== 0) trap(`event: pointer ${ptr} is not aligned to 4`);
  if (ptr + 8 > memory.buffer.byteLength) trap(`event: 8 bytes at ${ptr} are out of bounds of memory`);
  const dv = new DataView(memory.buffer);
  dv.setUint32(ptr, p1 >>> 0, true);
  dv.setUint32(ptr + 4, p2 >>> 0, true);
  return code;
}

export function canonWaitableSetWait(inst: ComponentInstance, cancellable: boolean, memory: WebAssembly.Memory): (si: number, ptr: number) => number | Promise<number> {
  return guarded(inst, (si: number, ptr: number) => {
    const thread = currentThread(inst, 'waitable-set.wait');
    checkMayLeave(inst, 'waitable-set.wait');
    const wset = getWaitableSet(inst, si >>> 0, 'waitable-set.wait');
    const p = ptr >>> 0;
    if (thread.task.deliverPendingCancel(cancellable)) return unpackEvent(memory, p, [EventCode.TASK_CANCELLED, 0, 0]);
    // Ready already: the spec may deliver at once, which spares suspending the caller.
    if (wset.hasPendingEvent()) return unpackEvent(memory, p, wset.getPendingEvent());
    let event: EventTuple | undefined;
    return blockWith(
      thread,
      'waitable-set.wait',
      (k) => wset.waitForEventAnd(thread, () => true, cancellable, (e) => ((event = e), k(Cancelled.FALSE))),
      () => unpackEvent(memory, p, event!),
    );
  });
}

export function canonWaitableSetPoll(inst: ComponentInstance, cancellable: boolean, memory: WebAssembly.Memory): (si: number, ptr: number) => number {
  return guarded(inst, (si: number, ptr: number) => {
    const thread = currentThread(inst, 'waitable-set.poll');
    checkMayLeave(inst, 'waitable-set.poll');
    const wset = getWaitableSet(inst, si >>> 0, 'waitable-set.poll');
    return unpackEvent(memory, ptr >>> 0, wset.poll(thread, cancellable));
  });
}

export function canonWaitableSetDrop(inst: ComponentInstance): (i: number) => void {
  return guarded(inst, (i: number) => {
    checkMayLeave(inst, 'waitable-set.drop');
    const wset = getWaitableSet(inst, i >>> 0, 'waitable-set.drop');
    wset.drop();
    inst.handles.remove(i >>> 0);
  });
}

export function canonWaitableJoin(inst: ComponentInstance): (wi: number, si: number) => void {
  return guarded(inst, (wi: number, si: number) => {
    checkMayLeave(inst, 'waitable.join');
    const w = inst.handles.get(wi >>> 0);
    if (!(w instanceof Waitable)) trap(`waitable.join: index ${wi >>> 0} is ${describeElement(w)}, not a waitable`);
    if (w.hasSyncWaiter) trap('waitable.join: a synchronous built-in is waiting on this waitable');
    w.join(si === 0 ? undefined : getWaitableSet(inst, si >>> 0, 'waitable.join'));
    inst.store.eventArrived();
  });
}

// ---- 🔀 subtasks ----

function getSubtask(inst: ComponentInstance, i: number, what: string): Subtask {
  const e = inst.handles.get(i);
  if (!(e instanceof Subtask)) trap(`${what}: index ${i} is ${describeElement(e)}, not a subtask`);
  return e;
}

export function canonSubtaskCancel(inst: ComponentInstance, async: boolean): (i: number) => number | Promise<number> {
  return guarded(inst, (index: number) => {
    const i = index >>> 0;
    const thread = currentThread(inst, 'subtask.cancel');
    checkMayLeave(inst, 'subtask.cancel');
    const subtask = getSubtask(inst, i, 'subtask.cancel');
    if (subtask.resolveDelivered()) trap('subtask.cancel: the subtask already resolved and its resolution was delivered');
    if (subtask.cancellationRequested) trap('subtask.cancel: cancellation was already requested');
    if (subtask.inWaitableSet() && !async) trap('subtask.cancel: a synchronous cancel of a subtask that is in a waitable set');
    const finish = (): number => {
      subtask.getPendingEvent();
      return subtask.state;
    };
    if (!subtask.resolved()) {
      subtask.cancellationRequested = true;
      const turn = subtask.onCancel!(inst);
      if (!subtask.resolved()) {
        // The spec resumes the callee within this call, so a callee that resolves once cancelled has
        // resolved when the call returns. Resumed on its JSPI stack, it goes on after this call;
        // a caller that can suspend waits for the end of that turn (cancellable.wast:322).
        if (async && turn !== undefined && inst.coreSuspension === 'jspi') return afterTurn(thread, turn, () => (subtask.resolved() ? finish() : BLOCKED));
        if (async) return BLOCKED;
        return blockWith(thread, 'subtask.cancel', (k) => subtask.waitForPendingEvent(thread, () => k(Cancelled.FALSE)), finish);
      }
    }
    return finish();
  });
}

export function canonSubtaskDrop(inst: ComponentInstance): (i: number) => void {
  return guarded(inst, (index: number) => {
    const i = index >>> 0;
    checkMayLeave(inst, 'subtask.drop');
    const subtask = getSubtask(inst, i, 'subtask.drop');
    subtask.drop();
    inst.handles.remove(i);
  });
}

// ---- 🔀 🧵 threads ----

export function canonThreadIndex(inst: ComponentInstance): () => number {
  return guarded(inst, () => {
    const thread = currentThread(inst, 'thread.index');
    checkMayLeave(inst, 'thread.index');
    return thread.index!;
  });
}

/**
 * definitions.py `canon_thread_yield`. Without JSPI (`canSuspend` false) a
 * yield returns at once, one of the outcomes the spec allows.
 */
export function canonThreadYield(inst: ComponentInstance, cancellable: boolean, canSuspend: boolean): () => number | Promise<number> {
  return guarded(inst, () => {
    const thread = currentThread(inst, 'thread.yield');
    checkMayLeave(inst, 'thread.yield');
    if (!canSuspend || !thread.task.async) return thread.task.deliverPendingCancel(cancellable) ? Cancelled.TRUE : Cancelled.FALSE;
    return blockWith(thread, 'thread.yield', (k) => thread.yield(cancellable, k), (c) => c);
  });
}

export function canonThreadSuspend(inst: ComponentInstance, cancellable: boolean): () => number | Promise<number> {
  return guarded(inst, () => {
    const thread = currentThread(inst, 'thread.suspend');
    checkMayLeave(inst, 'thread.suspend');
    // definitions.py `suspend`: a pending cancellation is delivered instead of blocking.
    if (thread.task.deliverPendingCancel(cancellable)) return Cancelled.TRUE;
    return blockWith(thread, 'thread.suspend', (k) => thread.suspend(cancellable, k), (c) => c);
  });
}

function getThread(inst: ComponentInstance, i: number): Thread {
  return inst.threads.get(i >>> 0);
}

export function canonThreadResumeLater(inst: ComponentInstance): (i: number) => void {
  return guarded(inst, (i: number) => {
    checkMayLeave(inst, 'thread.resume-later');
    const other = getThread(inst, i);
    if (!other.suspended()) trap(`thread.resume-later: thread ${i >>> 0} is not suspended`);
    other.resumeLater();
  });
}

type Switch = 'suspend-then-resume' | 'yield-then-resume' | 'suspend-then-promote' | 'yield-then-promote';

export function canonThreadSwitch(inst: ComponentInstance, which: Switch, cancellable: boolean): (i: number) => number | Promise<number> {
  const what = `thread.${which}`;
  return guarded(inst, (i: number) => {
    const thread = currentThread(inst, what);
    checkMayLeave(inst, what);
    const other = getThread(inst, i);
    if ((which === 'suspend-then-resume' || which === 'yield-then-resume') && !other.suspended()) trap(`${what}: thread ${i >>> 0} is not suspended`);
    // definitions.py: each switch first delivers a pending cancellation instead of blocking.
    if (thread.task.deliverPendingCancel(cancellable)) return Cancelled.TRUE;
    const block = (k: Continuation): void => {
      switch (which) {
        case 'suspend-then-resume':
          return thread.suspendThenResume(cancellable, other, k);
        case 'yield-then-resume':
          return thread.yieldThenResume(cancellable, other, k);
        case 'suspend-then-promote':
          return thread.suspendThenPromote(cancellable, other, k);
        case 'yield-then-promote':
          return thread.yieldThenPromote(cancellable, other, k);
      }
    };
    return blockWith(thread, what, block, (c) => c, which.endsWith('resume') || other.ready() ? other : undefined);
  });
}

/**
 * definitions.py `canon_thread_new_indirect`: a new thread of the current
 * task that will call `table[fi](c)` when first resumed. `callIndirect`
 * (the runtime's) returns the core function after checking its type, and
 * calls it so that it may suspend (JSPI).
 */
export function canonThreadNewIndirect(
  inst: ComponentInstance,
  /** The table entry's function; entered through JSPI it answers `Suspended` when it suspended. */
  getCallee: (fi: number) => (c: number) => unknown,
): (fi: number, c: number) => number {
  return guarded(inst, (fi: number, c: number) => {
    const task = currentThread(inst, 'thread.new-indirect').task;
    checkMayLeave(inst, 'thread.new-indirect');
    const f = getCallee(fi >>> 0);
    const thread = task.newThread((t) => {
      const finish = (): void => {
        task.unregisterThread(t);
        t.exit();
      };
      const r = f(c);
      if (r instanceof Suspended) {
        r.result.then(
          () => task.continueTurn(t, finish),
          (e) => task.continueTurn(t, () => {
            throw e;
          }),
        );
      } else {
        finish();
      }
    });
    task.registerThread(thread);
    return thread.index!;
  });
}

// ---- 📝 error contexts ----

export function canonErrorContextNew(inst: ComponentInstance, opts: CanonOptions): (ptr: number, units: number) => number {
  return guarded(inst, (ptr: number, units: number) => {
    checkMayLeave(inst, 'error-context.new');
    const cx = new LiftLowerContext(opts, inst);
    cx.refresh();
    const s = loadStringFromRange(cx, ptr >>> 0, units >>> 0);
    return inst.handles.add(new ErrorContext(s));
  });
}

export function canonErrorContextDebugMessage(inst: ComponentInstance, opts: CanonOptions): (i: number, ptr: number) => void {
  return guarded(inst, (i: number, ptr: number) => {
    checkMayLeave(inst, 'error-context.debug-message');
    const e = inst.handles.get(i >>> 0);
    if (e.kind !== 'error-context') trap(`error-context.debug-message: index ${i >>> 0} is ${describeElement(e)}, not an error context`);
    const cx = new LiftLowerContext(opts, inst);
    cx.refresh();
    const p = ptr >>> 0;
    const sp = storeStringIntoRange(cx, e.debugMessage);
    const len = cx.storedUnits;
    if (p + 8 > cx.u8.length) trap(`error-context.debug-message: 8 bytes at ${p} are out of bounds of memory`);
    cx.dv.setUint32(p, sp, true);
    cx.dv.setUint32(p + 4, len, true);
  });
}

export function canonErrorContextDrop(inst: ComponentInstance): (i: number) => void {
  return guarded(inst, (i: number) => {
    checkMayLeave(inst, 'error-context.drop');
    const e = inst.handles.get(i >>> 0);
    if (e.kind !== 'error-context') trap(`error-context.drop: index ${i >>> 0} is ${describeElement(e)}, not an error context`);
    inst.handles.remove(i >>> 0);
  });
}

