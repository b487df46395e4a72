/**
 * `canon lift` with tasks (definitions.py `canon_lift` in full): used for
 * every lifted function of an instance that uses the async ABI, and for
 * every `async`-typed function. (Instances without async features keep the
 * compiled synchronous paths of host/abi/lift.ts, which need no Task.)
 *
 * The result is the spec's `FuncInst` (for callers that are other
 * instances, through host/abi/task-lower.ts) and the JS face of it: a
 * function whose call returns the value (synchronous function types) or a
 * Promise of it (`async` function types, and instances entered through JSPI).
 */
import { CancelledError, PluginInUseError, TrapError } from '../errors.ts';
import type { FuncType } from '../types.ts';
import type { ComponentInstance } from './component-instance.ts';
import { LiftLowerContext } from './context.ts';
import { abandonLowering, commitLowering } from './handles.ts';
import { callPostReturn, compileLiftResult, compileLowerParams, unwrapResult } from './lift.ts';
import type { CoreSuspension } from './jspi.ts';
import type { CanonOptions } from './options.ts';
import { type FuncInst, type OnCancel, type OnFail, type OnResolve, type OnStart, Task, isAsyncFuncType } from './task.ts';
import type { Thread } from './thread.ts';
import { Suspended } from './jspi-glue.ts';
import { trapped } from './guard.ts';
import { trap } from './trap.ts';
import { EventCode, type EventTuple } from './waitable.ts';

/** definitions.py `CallbackCode`. */
export const CallbackCode = { EXIT: 0, YIELD: 1, WAIT: 2, MAX: 2 } as const;

/** A core function as the task path calls it: its value, or (entered through JSPI, host/abi/jspi-glue.ts) `Suspended` when it suspended. */
export type CoreCallee = (...flat: unknown[]) => unknown;

/** What a lifted function gives the runtime. */
export interface TaskLifted {
  /** definitions.py `FuncInst` (`Store.lift` wrapped around `canon_lift`). */
  readonly invoke: FuncInst;
  /** The JS face: the result, or a Promise of it when the call may not finish synchronously. */
  readonly call: (...args: unknown[]) => unknown;
  /** A JS call that can be cancelled: the result's Promise and the spec's OnCancel. */
  readonly start: (args: readonly unknown[], signal?: AbortSignal) => { readonly result: Promise<unknown>; requestCancellation(): void };
  /** Whether `call` returns a Promise. */
  readonly returnsPromise: boolean;
}

export interface TaskLiftOptions {
  /**
   * How the instance's core wasm is suspended when a thread blocks inside a
   * core call: with `jspi` the callee (and callback) are `WebAssembly.promising`
   * and core calls return Promises.
   */
  readonly suspension: CoreSuspension;
}

export function canonLiftTask(ft: FuncType, opts: CanonOptions, inst: ComponentInstance, callee: CoreCallee, lo: TaskLiftOptions): TaskLifted {
  const isAsync = opts.async === true;
  const callback = opts.callback as CoreCallee | undefined;
  const taskOpts = { async: isAsync, callback: callback !== undefined, memory: opts.memory, stringEncoding: opts.stringEncoding };
  const ftAsync = isAsyncFuncType(ft);
  const paramTypes = ft.params.map((p) => p.type);
  const lowerParams = compileLowerParams(paramTypes, ft.params.map((p) => p.name));
  const liftResult = compileLiftResult(ft.result);
  const hasResult = ft.result !== undefined;
  const postReturn = opts.postReturn;
  const jspi = lo.suspension === 'jspi';
  // Whether a synchronous call may block inside its core call (the spec lets it while another thread of the instance runs).
  const mayBlockInCore = lo.suspension !== 'not-needed';

  /**
   * Calls a core function of the instance, then `k` with its result: at
   * once, or (it suspended, JSPI) when it settles, in the same turn of `thread`.
   */
  const callCore = (task: Task, thread: Thread, f: CoreCallee, args: readonly unknown[], k: (r: unknown) => void): void => {
    const r = f(...args);
    if (!(r instanceof Suspended)) return k(r);
    r.result.then(
      (v) => task.continueTurn(thread, () => k(v)),
      (e) => task.continueTurn(thread, () => {
        throw e;
      }),
    );
  };

  /**
   * A context for one call's lowering and lifting, given back when the call
   * is done with it: calls may overlap (tasks interleave), so each takes its
   * own, but one made for an earlier call is reused (making one per call was
   * a measurable part of an async call's cost). Its lowering state is empty
   * again after commitLowering / abandonLowering.
   */
  let spareCx: LiftLowerContext | undefined;
  const takeCx = (task: Task): LiftLowerContext => {
    const cx = spareCx ?? new LiftLowerContext(opts, inst);
    spareCx = undefined;
    cx.borrowScope = task;
    return cx;
  };
  const giveBack = (cx: LiftLowerContext): void => {
    cx.borrowScope = undefined;
    spareCx = cx;
  };

  const canonLift = (task: Task, thread: Thread): void => {
    task.enterImplicitThread(thread, (entered) => {
      if (!entered) return thread.exit();
      const cx = takeCx(task);
      const args = task.start();
      let flat: unknown[];
      try {
        cx.refresh();
        cx.resetLiftBudget();
        flat = lowerParams(cx, args);
        commitLowering(cx);
      } catch (e) {
        abandonLowering(cx);
        if (!(e instanceof TrapError)) {
          // A bad JS argument, found before the guest ran: nothing moved, nothing to poison.
          task.abandon();
          thread.exit();
        }
        throw e;
      }
      task.entered = true;
      if (!isAsync) {
        callCore(task, thread, callee, flat, (r) => {
          cx.refresh();
          const v = liftResult(cx, r);
          giveBack(cx);
          task.return(hasResult ? [v] : []);
          if (postReturn !== undefined) callPostReturn(inst, postReturn, r, hasResult);
          task.exitImplicitThread();
          thread.exit();
        });
        return;
      }
      // An async lift's results come through task.return: the context's work is done.
      giveBack(cx);
      if (callback === undefined) {
        callCore(task, thread, callee, flat, () => {
          task.exitImplicitThread();
          thread.exit();
        });
        return;
      }
      const step = (packed: unknown): void => {
        const p = Number(packed) >>> 0;
        const code = p & 0xf;
        if (code > CallbackCode.MAX) trap(`canon lift callback: unsupported callback code ${code} returned by ${inst.name}`);
        if (code === CallbackCode.EXIT) {
          task.exitImplicitThread();
          return thread.exit();
        }
        inst.exclusiveThread = undefined;
        const next = (event: EventTuple): void => {
          inst.exclusiveThread = thread;
          callCore(task, thread, callback, event, step);
        };
        const unlocked = (): boolean => inst.exclusiveThread === undefined;
        if (code === CallbackCode.YIELD) {
          thread.yieldUntil(unlocked, true, (cancelled) => next(cancelled ? [EventCode.TASK_CANCELLED, 0, 0] : [EventCode.NONE, 0, 0]));
        } else {
          const si = p >>> 4;
          const wset = inst.handles.get(si);
          if (wset.kind !== 'waitable-set') trap(`canon lift callback: WAIT on index ${si}, which is not a waitable set`);
          wset.waitForEventAnd(thread, unlocked, true, next);
        }
      };
      callCore(task, thread, callee, flat, step);
    });
  };

  /** definitions.py `Store.lift` around `canon_lift`. */
  const invoke: FuncInst = (onStart: OnStart, onResolve: OnResolve, caller: ComponentInstance | undefined, onFail: OnFail): OnCancel => {
    inst.checkNotPoisoned();
    // definitions.py `entering_set(caller)` is empty when the caller is this instance (its own
    // resource.drop running its destructor): no may_enter check, and may_enter stays as it is.
    const entering = caller !== inst;
    if (entering && !inst.mayEnter) {
      const refusal = `may_enter: ${inst.name} is already running (reentrance is not allowed)`;
      if (caller === undefined) throw new PluginInUseError(`${refusal}; the call was refused before entering it`);
      trap(refusal);
    }
    // A synchronous call may block inside its core call; the spec's rules for blocking inside it hold until it resolves.
    const leaveScope = !ftAsync && mayBlockInCore ? inst.store.enterSyncScope(inst) : undefined;
    const task = new Task(
      ft,
      taskOpts,
      inst,
      onStart,
      leaveScope === undefined ? onResolve : (r) => (leaveScope(), onResolve(r)),
      leaveScope === undefined ? onFail : (e) => (leaveScope(), onFail(e)),
    );
    const thread = task.newThread((t) => canonLift(task, t));
    if (entering) inst.mayEnter = false;
    try {
      void thread.resume();
      if (!ftAsync && !jspi) finishSynchronously(task);
    } catch (e) {
      leaveScope?.();
      throw e;
    } finally {
      if (entering) inst.mayEnter = true;
      inst.store.eventArrived();
    }
    return (c) => task.requestCancellation(c);
  };

  const returnsPromise = ftAsync || jspi;
  const topResult = ft.result !== undefined && ft.result.kind === 'result';
  const nParams = ft.params.length;
  const toJs = (r: unknown[] | undefined): unknown => {
    if (r === undefined) throw new CancelledError(`the call of ${inst.name}'s export was cancelled`);
    const v = r[0];
    return topResult ? unwrapResult(v) : v;
  };

  /**
   * A call from the host (JS): its Promise settles once, with the task's
   * result or its failure. While pending it is a root of the store; a live
   * AbortSignal of the caller is host work (aborting it requests the task's
   * cancellation, which can wake a task waiting only for that, so such a task
   * is not deadlocked); and a poisoned instance (unload, or a trap of another
   * call) ends it with the trap, a microtask later so that a call whose own
   * trap poisoned the instance rejects with its own error first.
   */
  const startCall = (args: readonly unknown[], signal: AbortSignal | undefined): { result: Promise<unknown>; requestCancellation(): void } => {
    const store = inst.store;
    let onCancel: OnCancel | undefined;
    let cancelRequested = false;
    let settled = false;
    let resolveResult!: (v: unknown) => void;
    let rejectResult!: (e: unknown) => void;
    const result = new Promise<unknown>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    const rootDone = store.rootStarted();
    let unwatch: (() => void) | undefined;
    let onAbort: (() => void) | undefined;
    let cancellable: (() => void) | undefined;
    /** Ends what the pending call holds; false when it had already settled. */
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      rootDone();
      unwatch?.();
      if (onAbort !== undefined) {
        signal!.removeEventListener('abort', onAbort);
        cancellable!();
      }
      return true;
    };
    const resolve = (v: unknown): void => {
      if (finish()) resolveResult(v);
    };
    const reject = (e: unknown): void => {
      if (finish()) rejectResult(withAbortReason(e, signal));
    };
    const requestCancellation = (): void => {
      if (onCancel === undefined) {
        cancelRequested = true;
        return;
      }
      // Cancelling may run the guest at once (a thread waiting cancellably gets TASK_CANCELLED), here
      // from an AbortSignal's listener: what escapes it (a trap, JspiUnavailableError when the guest
      // must wait without JSPI) poisons the instance and rejects this call, as the Store does for a turn.
      try {
        onCancel(undefined);
      } catch (e) {
        reject(trapped(inst, e));
      }
    };
    if (signal?.aborted === true) requestCancellation();
    else if (signal !== undefined) {
      cancellable = store.hostWorkStarted();
      onAbort = () => {
        requestCancellation();
        cancellable!();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (args.length !== nParams) {
      reject(new TypeError(`expected ${nParams} argument(s), got ${args.length}`));
      return { result, requestCancellation: () => undefined };
    }
    const begin = (): void => {
      let failed = false;
      // The result is handed over once the turn that produced it is over, so a trap later in
      // the same turn (e.g. a bad callback code after task.return) rejects the call instead, as
      // it traps the spec's store: at the end of this first turn when it resolved in it, else
      // in the microtask after the turn that resolved it.
      let firstTurn = true;
      let early: { r: unknown[] | undefined } | undefined;
      const deliver = (r: unknown[] | undefined): void => {
        if (failed) return;
        try {
          resolve(toJs(r));
        } catch (e) {
          reject(e);
        }
      };
      try {
        onCancel = invoke(
          () => args as unknown[],
          (r) => {
            if (firstTurn) early = { r };
            else queueMicrotask(() => deliver(r));
          },
          undefined,
          (e) => {
            failed = true;
            reject(e);
          },
        );
        firstTurn = false;
        if (early !== undefined) deliver(early.r);
        if (cancelRequested) requestCancellation();
      } catch (e) {
        firstTurn = false;
        failed = true;
        reject(e);
      }
    };
    store.whenIdle(begin);
    // Most calls have settled by now (a task that returns in its first turn); only one still
    // pending needs to hear of its instance's poisoning.
    if (!settled) {
      const poisoned = inst.poisoned;
      if (poisoned !== undefined) queueMicrotask(() => reject(poisoned));
      else unwatch = inst.whenPoisoned((t) => queueMicrotask(() => reject(t)));
    }
    return { result, requestCancellation };
  };

  // The caller's array is copied: the call may start later (between turns), and reads it then.
  const start = (args: readonly unknown[], signal?: AbortSignal): { result: Promise<unknown>; requestCancellation(): void } => startCall([...args], signal);

  const call = returnsPromise
    ? (...args: unknown[]): unknown => {
        // A call returning a Promise takes `{ signal }` after its parameters (host/runtime/async-calls.ts checks its
        // shape), a synchronous function type entered through JSPI too: its signal requests the task's cancellation,
        // which the task takes only where the spec lets a synchronous task take it (Task.requestCancellation).
        const signal = args.length === nParams + 1 ? (args.pop() as { signal?: AbortSignal } | undefined)?.signal : undefined;
        return startCall(args, signal).result;
      }
    : (...args: unknown[]): unknown => {
        if (args.length !== nParams) throw new TypeError(`expected ${nParams} argument(s), got ${args.length}`);
        let out: unknown[] | undefined;
        let failure: { e: unknown } | undefined;
        invoke(
          () => args,
          (r) => (out = r),
          undefined,
          (e) => (failure = { e }),
        );
        if (failure !== undefined) throw failure.e;
        return toJs(out);
      };

  return { invoke, call, start, returnsPromise };
}

/**
 * definitions.py `canon_lift` for a synchronous function type: the task
 * must resolve before the call returns. Other ready threads of the instance
 * may run meanwhile; when none is ready, the call would block, which a
 * synchronous task may not do.
 */
function finishSynchronously(task: Task): void {
  const inst = task.inst;
  while (task.state !== 'resolved') {
    let candidate: Thread | undefined;
    for (const [, t] of inst.threads.entries()) {
      if (t !== inst.exclusiveThread && t.ready()) {
        candidate = t;
        break;
      }
    }
    if (candidate === undefined) throw new TrapError(`${inst.name}: cannot block a synchronous task before returning`);
    if (candidate.resume() !== undefined) throw new TrapError(`${inst.name}: cannot block a synchronous task before returning (a ready thread is suspended inside core wasm)`);
  }
}

/** A cancellation the caller asked for by aborting its signal names the signal's reason as its cause. */
function withAbortReason(e: unknown, signal: AbortSignal | undefined): unknown {
  return e instanceof CancelledError && signal?.aborted === true ? new CancelledError(e.message, { cause: signal.reason }) : e;
}
