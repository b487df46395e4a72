/**
 * `canon lower` with subtasks (definitions.py `canon_lower` in full): the
 * core function an instance using the async ABI imports for a component
 * function. The callee is a `FuncInst`: another instance's lifted export
 * (host/abi/task-lift.ts) or a JS function (`hostFuncInst`), which may return
 * a Promise.
 *
 * - sync lower: the call's result is the core result. A callee that does not
 *   resolve at once makes the caller's thread wait, which needs JSPI (the
 *   core import is then `WebAssembly.Suspending` and returns a Promise).
 * - async lower: parameters beyond 4 flat values are passed in memory, the
 *   result is stored through an out-pointer, and the core result is
 *   `RETURNED`, or the subtask's state packed with its new table index.
 */
import { ResultError, TrapError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import type { ComponentInstance } from './component-instance.ts';
import { LiftLowerContext } from './context.ts';
import { abandonLowering, commitLowering, releaseLends } from './handles.ts';
import { hasJspi, jspiUnavailable } from './jspi.ts';
import { flattenTypes } from './layout.ts';
import { compileLiftParams, compileLowerResult } from './lower.ts';
import { type CanonOptions, MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';
import { Subtask, SubtaskState } from './subtask.ts';
import type { FuncInst, OnCancel } from './task.ts';
import { unwindWhenPoisoned } from './builtins.ts';
import { cannotBlock } from './thread.ts';
import { trap } from './trap.ts';
import { EventCode } from './waitable.ts';

export interface TaskLowerOptions {
  /**
   * This core import is `WebAssembly.Suspending` (the instance is entered
   * through JSPI and the callee may block): it may return a Promise to
   * suspend its caller.
   */
  readonly suspends: boolean;
  /** What the function is, for messages (e.g. its name in the component). */
  readonly what: string;
}

/**
 * A JS function as a `FuncInst`: called with the lifted arguments once the
 * caller starts it; a Promise it returns resolves the call later. A thrown
 * (or rejected with) `ResultError` is the `err` case of a top-level `result`.
 * Any other rejection is a trap of the caller (the spec has no other way for
 * a callee to fail), a TrapError naming the import (`what`) whose cause is
 * the rejection; a function that throws unwinds the caller's core wasm, as a
 * synchronous host call does (guard.ts `trapped`).
 */
export function hostFuncInst(ft: FuncType, fn: (...args: unknown[]) => unknown, what: string): FuncInst {
  const topResult = ft.result !== undefined && ft.result.kind === 'result';
  const hasResult = ft.result !== undefined;
  const wrap = (v: unknown): unknown[] => (hasResult ? [topResult ? { tag: 'ok', val: v } : v] : []);
  return (onStart, onResolve, caller, onFail) => {
    const args = onStart();
    let r: unknown;
    try {
      r = fn(...args);
    } catch (e) {
      if (topResult && e instanceof ResultError) {
        onResolve([{ tag: 'err', val: e.payload }]);
        return noCancel;
      }
      throw e;
    }
    if (r instanceof Promise) {
      deliverLater(r, caller, {
        resolve: (v) => onResolve(wrap(v)),
        reject: (e) => (topResult && e instanceof ResultError ? onResolve([{ tag: 'err', val: e.payload }]) : onFail(hostRejection(caller, what, e))),
        fail: onFail,
      });
    } else {
      onResolve(wrap(r));
    }
    return noCancel;
  };
}

/** A host function's rejected Promise as the trap it is for `caller`: a TrapError naming the import (one already a TrapError, a linked plugin's trap, as it is). */
function hostRejection(caller: ComponentInstance | undefined, what: string, e: unknown): TrapError {
  if (e instanceof TrapError) return e;
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new TrapError(`${caller?.name ?? 'the caller'}: the host function for ${what} rejected its Promise (${message})`, { cause: e });
}

/** Where a host Promise's outcome goes: `resolve`/`reject` with it, `fail` when delivering it throws. */
interface Delivery {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  fail(e: unknown): void;
}

/** A host Promise's delivery while it is pending: where it goes, and what ends its registrations. */
interface PendingDelivery {
  to: Delivery | undefined;
  release: (() => void) | undefined;
}

/**
 * Hands the outcome of a host function's Promise to its caller. Until it
 * settles it is host work of the caller's store (it may wake a waiting
 * thread). If the caller is poisoned first (a trap, unload), it stops being
 * host work, and the Promise, which the host may keep for a long time (or
 * forever), no longer holds the caller: its reactions keep only `pending`,
 * which is emptied then.
 */
function deliverLater(r: Promise<unknown>, caller: ComponentInstance | undefined, to: Delivery): void {
  const pending: PendingDelivery = { to, release: undefined };
  const done = caller?.store.hostWorkStarted();
  const unwatch = caller?.whenPoisoned(() => void endDelivery(pending));
  pending.release = () => {
    done?.();
    unwatch?.();
  };
  r.then(
    (v) => deliver(endDelivery(pending), (d) => d.resolve(v)),
    (e: unknown) => deliver(endDelivery(pending), (d) => d.reject(e)),
  );
}

/** Ends `p`'s registrations (once); returns where its outcome goes, or undefined when the caller is gone. */
function endDelivery(p: PendingDelivery): Delivery | undefined {
  const to = p.to;
  const release = p.release;
  p.to = undefined;
  p.release = undefined;
  release?.();
  return to;
}

function deliver(to: Delivery | undefined, f: (d: Delivery) => void): void {
  if (to === undefined) return;
  try {
    f(to);
  } catch (e) {
    to.fail(e);
  }
}

/** A host function has no way to hear of cancellation here; it simply resolves when it does. */
const noCancel: OnCancel = () => undefined;

export function canonLowerTask(ft: FuncType, opts: CanonOptions, inst: ComponentInstance, callee: FuncInst, lo: TaskLowerOptions): (...flat: unknown[]) => unknown {
  const paramTypes = ft.params.map((p) => p.type);
  const isAsync = opts.async === true;
  const maxFlatParams = isAsync ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS;
  const nParamSlots = flattenTypes(paramTypes).length;
  const outIndex = nParamSlots > maxFlatParams ? 1 : nParamSlots;
  const liftParams = compileLiftParams(paramTypes, maxFlatParams);
  const lowerResult = compileLowerResult(ft.result, outIndex, isAsync ? 0 : MAX_FLAT_RESULTS);
  const store = inst.store;

  return function lowered(...flat: unknown[]): unknown {
    // A guest that caught the exception of an earlier failed import (catch_all) is trapped: it calls nothing more.
    if (inst.poisoned !== undefined) inst.checkNotPoisoned();
    const thread = store.currentThread();
    if (!inst.mayLeave) trap(`may_leave: ${inst.name} may not call imports now (inside realloc, post-return or a destructor)`);
    const subtask = new Subtask(store);
    const cx = new LiftLowerContext(opts, inst);
    cx.refresh();
    cx.resetLiftBudget();
    subtask.onDeliverResolve = () => releaseLends(cx, 0, 0);
    let onProgress: (() => void) | undefined;
    const onStart = (): unknown[] => {
      onProgress?.();
      subtask.state = SubtaskState.STARTED;
      cx.refresh();
      return liftParams(cx, flat);
    };
    const onResolve = (result: unknown[] | undefined): void => {
      // A caller poisoned meanwhile (a trap, unload) hears of nothing more.
      if (inst.poisoned !== undefined) return;
      onProgress?.();
      // A caller waiting synchronously (JSPI) for this resolution may now go on.
      store.eventArrived();
      if (result === undefined) {
        subtask.resolve(subtask.state === SubtaskState.STARTING ? SubtaskState.CANCELLED_BEFORE_STARTED : SubtaskState.CANCELLED_BEFORE_RETURNED, []);
        return;
      }
      cx.refresh();
      try {
        const r = lowerResult(cx, result[0], flat);
        commitLowering(cx);
        subtask.resolve(SubtaskState.RETURNED, r === undefined ? [] : [r]);
      } catch (e) {
        abandonLowering(cx);
        throw e;
      }
    };
    // A trap in the callee after it first blocked is a trap of this caller too.
    const onFail = (e: unknown): void => {
      if (thread !== undefined) thread.task.fail(e);
      else inst.poison(e instanceof TrapError ? e : new TrapError(`${inst.name}: a call it made failed: ${String(e)}`, { cause: e }));
    };
    subtask.onCancel = callee(onStart, onResolve, inst, onFail);

    if (!isAsync) {
      if (!subtask.resolved()) {
        // A synchronous callee cannot block: if it has not returned, it is only still running on its
        // own JSPI turn, and waiting for it is not blocking in the spec's sense.
        if (thread === undefined || (ft.async && !store.mayBlock(thread))) throw cannotBlock(`${inst.name} calling an import that did not return at once`);
        if (!lo.suspends) throw cannotSuspendFor(inst, lo.what);
        return new Promise<unknown>((resolve, reject) => {
          const unwatch = unwindWhenPoisoned(thread, reject);
          thread.waitUntil(() => subtask.resolved(), false, () => {
            unwatch();
            subtask.deliverResolve();
            resolve(subtask.flatResults[0]);
          });
        });
      }
      subtask.deliverResolve();
      return subtask.flatResults[0];
    }
    if (subtask.resolved()) {
      subtask.deliverResolve();
      return SubtaskState.RETURNED;
    }
    const i = inst.handles.add(subtask);
    onProgress = () => {
      subtask.setPendingEvent(() => {
        if (subtask.resolved()) subtask.deliverResolve();
        return [EventCode.SUBTASK, i, subtask.state];
      });
    };
    return subtask.state | (i << 4);
  };
}

/**
 * A synchronous call whose callee did not return at once, from a core import
 * that cannot suspend its caller. Without JSPI that is the engine's limit.
 * With JSPI the import was made `Suspending` wherever the callee may block
 * (an `async` function, an instance entered through JSPI), so what is left
 * is a JS host function of a synchronous type that returned a Promise.
 */
function cannotSuspendFor(inst: ComponentInstance, what: string): Error {
  if (!hasJspi()) return jspiUnavailable(inst.name, `the synchronous call of ${what}`);
  return new TrapError(`${inst.name}: the host function for ${what} returned a Promise, but its type is synchronous and ${inst.name} waits for its result in a synchronous call: make the function's type \`async\`, or return the value`);
}


