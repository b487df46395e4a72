/**
 * definitions.py "Tasks": one `Task` per call of a lifted function, created
 * by `canon_lift` (host/abi/task-lift.ts). It tracks the call's state, the
 * borrows lent to it (it is the call's borrow scope), its threads, and the
 * `on_start` / `on_resolve` callbacks its caller gave (the spec's `FuncInst`
 * calling convention, used between instances and with the host alike).
 */
import type { FuncType } from '../types.ts';
import { ComponentInstance } from './component-instance.ts';
import type { BorrowScope } from './handle-table.ts';
import { trapped } from './guard.ts';
import { Cancelled, type Continuation, Thread } from './thread.ts';
import { trap } from './trap.ts';
import { keepShape } from '../shape-anchors.ts';

/** definitions.py `OnStart`: the caller hands over the arguments (JS values) when the callee is ready. */
export type OnStart = () => unknown[];
/** definitions.py `OnResolve`: the result values, or undefined when the callee acknowledged cancellation. */
export type OnResolve = (result: unknown[] | undefined) => void;
/**
 * definitions.py `OnCancel`: the caller asks the callee to hurry up and
 * resolve. The spec delivers the cancellation by resuming a callee thread
 * within this call; when that thread's turn goes on on a resumed JSPI stack
 * (so it cannot finish within the call), the end of that turn is returned.
 */
export type OnCancel = (caller: ComponentInstance | undefined) => Promise<void> | undefined;
/**
 * Not in the spec, where a trap ends the whole store: how a trap after the
 * call first blocked reaches the caller waiting for it (a host caller's
 * Promise rejects; a guest caller's task fails the same way in turn).
 */
export type OnFail = (error: unknown) => void;
/** definitions.py `FuncInst`, plus `onFail`. Throws synchronously what happened before the callee first blocked. */
export type FuncInst = (onStart: OnStart, onResolve: OnResolve, caller: ComponentInstance | undefined, onFail: OnFail) => OnCancel;

/** definitions.py `Task.State`. */
export type TaskState = 'initial' | 'started' | 'pending-cancel' | 'cancel-delivered' | 'resolved';

/** The canonical options a task needs (definitions.py `CanonicalOptions.async_` / `callback`). */
export interface TaskOptions {
  readonly async: boolean;
  readonly callback: boolean;
  /** definitions.py `LiftOptions`, which `task.return` must match. */
  readonly memory: WebAssembly.Memory | undefined;
  readonly stringEncoding: string;
}

/** `FuncType.async` (the `async` keyword of a component function type). */
export function isAsyncFuncType(ft: FuncType): boolean {
  return ft.async;
}

export class Task implements BorrowScope {
  state: TaskState = 'initial';
  /** definitions.py `num_borrows`: borrows lowered into this call and not yet dropped. */
  numBorrows = 0;
  implicitThread: Thread | undefined = undefined;
  readonly threads: Thread[] = [];
  /** Guest code of the callee may have run (lowering began): a failure from now on is a trap of the instance. */
  entered = false;
  /** Set when cancellation ended the wait to enter (request_cancellation in state INITIAL). */
  private cancelledBeforeStart = false;
  private failed = false;
  readonly async: boolean;

  constructor(
    readonly ft: FuncType,
    readonly opts: TaskOptions,
    readonly inst: ComponentInstance,
    private readonly onStart: OnStart,
    private readonly onResolve: OnResolve,
    private readonly onFail: OnFail,
  ) {
    this.async = isAsyncFuncType(ft);
  }

  /** definitions.py `needs_exclusive`. */
  needsExclusive(): boolean {
    return !this.opts.async || this.opts.callback;
  }

  private hasBackpressure(): boolean {
    const inst = this.inst;
    return inst.backpressure > 0 || (this.needsExclusive() && inst.exclusiveThread !== undefined);
  }

  /**
   * definitions.py `enter_implicit_thread`: waits out backpressure (async
   * functions only), takes the instance's exclusive lock when needed and
   * registers the thread; `k(false)` when cancellation came first.
   */
  enterImplicitThread(thread: Thread, k: (entered: boolean) => void): void {
    this.implicitThread = thread;
    const inst = this.inst;
    const admitted = (): void => {
      if (this.async && this.needsExclusive()) inst.exclusiveThread = thread;
      this.registerThread(thread);
      k(true);
    };
    if (this.async && (this.hasBackpressure() || inst.numWaitingToEnter > 0)) {
      inst.numWaitingToEnter++;
      thread.waitUntil(() => !this.hasBackpressure(), true, (cancelled) => {
        if (this.cancelledBeforeStart) return k(false);
        inst.numWaitingToEnter--;
        if (cancelled) {
          this.cancel();
          return k(false);
        }
        admitted();
      });
      return;
    }
    admitted();
  }

  /**
   * The call was refused before guest code ran (a JS argument could not be
   * lowered): undo `enter_implicit_thread` without the spec's exit checks.
   */
  abandon(): void {
    const thread = this.implicitThread!;
    this.threads.splice(this.threads.indexOf(thread), 1);
    this.inst.threads.remove(thread.index!);
    thread.index = undefined;
    this.state = 'resolved';
    if (this.async && this.needsExclusive()) this.inst.exclusiveThread = undefined;
  }

  /** definitions.py `register_thread`. */
  registerThread(thread: Thread): void {
    this.threads.push(thread);
    thread.index = this.inst.threads.add(thread);
  }

  /** definitions.py `exit_implicit_thread`. */
  exitImplicitThread(): void {
    const thread = this.implicitThread!;
    this.unregisterThread(thread);
    if (this.async && this.needsExclusive()) {
      this.inst.exclusiveThread = undefined;
      this.inst.store.eventArrived();
    }
  }

  /** definitions.py `unregister_thread`: the last thread may not leave before the task resolved. */
  unregisterThread(thread: Thread): void {
    this.threads.splice(this.threads.indexOf(thread), 1);
    this.inst.threads.remove(thread.index!);
    thread.index = undefined;
    if (this.threads.length === 0 && this.state !== 'resolved') {
      trap(`${this.inst.name}: the task's last thread exited before the task returned a value (task.return) or acknowledged cancellation (task.cancel)`);
    }
  }

  /**
   * definitions.py `request_cancellation`. Returns the end of the turn of the
   * thread it resumed, when that turn goes on on a resumed JSPI stack.
   */
  requestCancellation(_caller: ComponentInstance | undefined): Promise<void> | undefined {
    if (this.state === 'initial') {
      // Still waiting to enter: cancelled on the spot, without running guest code.
      this.state = 'cancel-delivered';
      this.cancelledBeforeStart = true;
      this.inst.numWaitingToEnter--;
      this.cancel();
      return this.implicitThread?.resume(Cancelled.TRUE);
    }
    if (this.state !== 'started') return undefined;
    const inst = this.inst;
    let candidates = this.threads.filter((t) => t.cancellable && !t.running && !t.done);
    if (this.needsExclusive() && inst.exclusiveThread !== undefined && inst.exclusiveThread !== this.implicitThread) {
      candidates = candidates.filter((t) => t !== this.implicitThread);
    }
    if (candidates.length > 0 && inst.mayEnter) {
      this.state = 'cancel-delivered';
      inst.mayEnter = false;
      try {
        return candidates[0]!.resume(Cancelled.TRUE);
      } finally {
        inst.mayEnter = true;
      }
    }
    this.state = 'pending-cancel';
    return undefined;
  }

  /** definitions.py `deliver_pending_cancel`. */
  deliverPendingCancel(cancellable: boolean): boolean {
    if (cancellable && this.state === 'pending-cancel') {
      this.state = 'cancel-delivered';
      return true;
    }
    return false;
  }

  /** definitions.py `start`: the caller's arguments. */
  start(): unknown[] {
    this.state = 'started';
    return this.onStart();
  }

  /** definitions.py `return_`. */
  return(result: unknown[]): void {
    if (this.state === 'resolved') trap(`task.return: ${this.inst.name}'s task already returned a value or was cancelled`);
    if (this.numBorrows > 0) trap(`task.return: ${this.numBorrows} borrowed handle(s) were not dropped before the task returned`);
    this.state = 'resolved';
    this.onResolve(result);
  }

  /** definitions.py `cancel`. */
  cancel(): void {
    if (this.state !== 'cancel-delivered') trap(`task.cancel: cancellation was not delivered to ${this.inst.name}'s task (state ${this.state})`);
    if (this.numBorrows > 0) trap(`task.cancel: ${this.numBorrows} borrowed handle(s) were not dropped before the task was cancelled`);
    this.state = 'resolved';
    this.onResolve(undefined);
  }

  /**
   * A trap after the call first blocked (reported by the Store or a JSPI
   * continuation): the instance is poisoned and the caller hears of it once.
   */
  fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const err = this.entered ? trapped(this.inst, e) : e;
    this.onFail(err);
  }

  /**
   * Runs `f` as the continuation of `thread`'s asynchronous turn (a JSPI
   * Promise settled): an error ends the thread and fails the task, whose
   * caller hears of it.
   */
  continueTurn(thread: Thread, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (thread.running) thread.exit();
      this.fail(e);
    }
  }

  /** Makes a thread of this task whose body is `body` (not yet registered or started). */
  newThread(body: (thread: Thread) => void): Thread {
    return new Thread(this, body);
  }
}

export type { Continuation };

// One Task and one Thread for the life of the process (shape-anchors.ts). Every call of a lifted
// function of an instance using the async ABI makes a Task and a Thread and lets go of both when it
// returns, so a full GC usually finds none alive, frees their hidden classes, and V8 throws away every
// function compiled against them ("weak objects" in --trace-deopt: invoke, canonLift, callCore, the
// Task and Thread constructors, ...): the calls after each GC ran unoptimised until V8 compiled them
// again: 4-11x the instructions per call, as the bench's async section measures (gc() before each
// batch of calls). Built as a call builds them (their fields are all set in their constructors); the anchor instance is
// never entered.
const anchorTask = keepShape(
  new Task(
    { async: false, params: [], result: undefined },
    { async: false, callback: false, memory: undefined, stringEncoding: 'utf8' },
    new ComponentInstance('shape anchor'),
    () => [],
    () => undefined,
    () => undefined,
  ),
);
keepShape(anchorTask.newThread(() => undefined));
