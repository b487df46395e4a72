/**
 * definitions.py "Threads" and "Stack Switching", realised on the JS event
 * loop. The spec runs each thread on its own host thread and hands control
 * over with locks; here a blocked thread is a *continuation*: the function
 * that carries on when the thread is resumed.
 *
 * - Between core wasm calls (the callback ABI, waiting to enter, a host
 *   caller) the continuation is ordinary JS, so `resume` runs the thread
 *   synchronously until it blocks again, exactly as the spec's `resume`
 *   does; this needs no engine support.
 * - Inside a core wasm call, a built-in that blocks hands a Promise to
 *   `WebAssembly.Suspending` (JSPI, host/abi/jspi.ts) and the continuation
 *   settles that Promise. The engine continues the wasm stack in a later
 *   microtask, so such a turn ends asynchronously: `resume` then returns a
 *   Promise that settles when the thread blocks again or ends.
 *
 * `current_thread()` is the Store's (host/abi/store.ts), kept as a stack: a
 * thread that starts or resumes another runs it on top of itself.
 */
import { TrapError } from '../errors.ts';
import { trapped } from './guard.ts';
import type { Task } from './task.ts';

/** definitions.py `Cancelled`. */
export const Cancelled = { FALSE: 0, TRUE: 1 } as const;
export type Cancelled = (typeof Cancelled)[keyof typeof Cancelled];

/** What runs when a blocked thread is resumed. */
export type Continuation = (cancelled: Cancelled) => void;

export class Thread {
  /** Set while blocked: what runs when the thread is resumed. */
  private cont: Continuation | undefined;
  /** definitions.py `running()`. */
  running = false;
  /** The thread's work is over; it never runs again. */
  done = false;
  /** The current turn has ended (the thread blocked or exited since its last resume). */
  private turnOver = true;
  /** Settles the Promise an asynchronous turn handed to its resumer. */
  private turnWaiter: (() => void) | undefined = undefined;
  /** definitions.py `ready_func`: set while the thread waits (as opposed to being suspended). */
  readyFunc: (() => boolean) | undefined = undefined;
  /** definitions.py `cancellable`: whether the current block may be ended by cancellation. */
  cancellable = false;
  /** definitions.py `index`: the thread's index in its instance's `threads` table. */
  index: number | undefined = undefined;
  /** Waiting only because it yielded (the Store parks such threads while no host call waits). */
  yielding = false;
  /** The Store's tick that last resumed it (a thread that yielded runs at most once per tick). */
  resumedInTick = 0;
  /** definitions.py `storage`: the two context slots of `context.get` / `context.set`. */
  readonly storage: [number, number] = [0, 0];

  constructor(
    readonly task: Task,
    /** The thread's body: runs at the first resume, and calls `exit` or blocks. */
    body: (thread: Thread) => void,
  ) {
    this.cont = () => body(this);
  }

  /** definitions.py `suspended()`: blocked with no condition; only an explicit resume continues it. */
  suspended(): boolean {
    return !this.running && !this.done && this.readyFunc === undefined;
  }

  /** definitions.py `waiting()`. */
  waiting(): boolean {
    return !this.running && this.readyFunc !== undefined;
  }

  /** definitions.py `ready()`. */
  ready(): boolean {
    return this.waiting() && this.readyFunc!();
  }

  private get store() {
    return this.task.inst.store;
  }

  /** definitions.py `start_waiting_internal`. */
  startWaiting(readyFunc: () => boolean): void {
    this.readyFunc = readyFunc;
    this.store.startWaiting(this);
  }

  /** definitions.py `stop_waiting_internal`. */
  stopWaiting(): void {
    this.readyFunc = undefined;
    this.yielding = false;
    this.store.stopWaiting(this);
  }

  /** definitions.py `resume_later`: a suspended thread becomes ready. */
  resumeLater(): void {
    this.startWaiting(() => true);
  }

  /**
   * definitions.py `resume`: runs the thread until it blocks or exits.
   * Returns undefined when that happened before `resume` returns, else a
   * Promise settling when it happens (a JSPI-suspended stack continues later).
   * An error the thread throws poisons its instance and propagates to the
   * resumer, like a trap in the spec.
   */
  resume(cancelled: Cancelled = Cancelled.FALSE): Promise<void> | undefined {
    if (this.waiting()) this.stopWaiting();
    const k = this.cont!;
    this.cont = undefined;
    this.running = true;
    this.turnOver = false;
    this.store.pushCurrent(this);
    try {
      k(cancelled);
    } catch (e) {
      if (!this.turnOver) this.exit();
      throw this.task.entered ? trapped(this.task.inst, e) : e;
    }
    if (this.turnOver) return undefined;
    this.store.asyncTurnStarted(this);
    return new Promise<void>((r) => (this.turnWaiter = r));
  }

  private endTurn(): void {
    this.running = false;
    this.turnOver = true;
    this.store.popCurrent(this);
    const w = this.turnWaiter;
    if (w !== undefined) {
      this.turnWaiter = undefined;
      this.store.asyncTurnEnded(this);
      w();
    }
  }

  /**
   * The thread's instance was poisoned while its turn continued on a
   * suspended JSPI stack: the turn is over and the thread never runs again
   * (the stack, if the engine resumes it, only meets the poisoned instance).
   */
  abandonTurn(): void {
    if (this.turnOver) return;
    this.cont = undefined;
    this.exit();
  }

  /** The thread's body is over (it returned or failed). */
  exit(): void {
    this.done = true;
    this.readyFunc = undefined;
    this.endTurn();
  }

  /**
   * definitions.py `block` (through `block_internal` / `switch_to_internal`):
   * ends this thread's turn, keeping `k` to run when it is resumed; with
   * `switchTo`, resumes that thread in its place (the spec's switch_to).
   */
  block(cancellable: boolean, k: Continuation, switchTo?: Thread): void {
    this.cancellable = cancellable;
    this.cont = k;
    this.endTurn();
    if (switchTo !== undefined) void switchTo.resume();
  }

  /** definitions.py `suspend`. */
  suspend(cancellable: boolean, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.block(cancellable, k);
  }

  /**
   * definitions.py `wait_until`. The spec may return at once when `readyFunc`
   * already holds; we always go through the Store (its deterministic
   * profile), so a yield really lets other threads run.
   */
  waitUntil(readyFunc: () => boolean, cancellable: boolean, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.startWaiting(readyFunc);
    this.block(cancellable, k);
  }

  /** definitions.py `yield_`. */
  yield(cancellable: boolean, k: Continuation): void {
    this.yieldUntil(() => true, cancellable, k);
  }

  /** `wait_until` for a yield: `readyFunc` is the only condition, nothing is awaited. */
  yieldUntil(readyFunc: () => boolean, cancellable: boolean, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.startWaiting(readyFunc);
    this.yielding = true;
    this.block(cancellable, k);
  }

  /** definitions.py `suspend_then_resume`. */
  suspendThenResume(cancellable: boolean, other: Thread, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.block(cancellable, k, other);
  }

  /** definitions.py `yield_then_resume`. */
  yieldThenResume(cancellable: boolean, other: Thread, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.startWaiting(() => true);
    this.yielding = true;
    this.block(cancellable, k, other);
  }

  /** definitions.py `suspend_then_promote`. */
  suspendThenPromote(cancellable: boolean, other: Thread, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    if (other.ready()) {
      other.stopWaiting();
      this.block(cancellable, k, other);
    } else {
      this.block(cancellable, k);
    }
  }

  /** definitions.py `yield_then_promote`. */
  yieldThenPromote(cancellable: boolean, other: Thread, k: Continuation): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    if (other.ready()) {
      other.stopWaiting();
      this.startWaiting(() => true);
      this.yielding = true;
      this.block(cancellable, k, other);
    } else {
      this.yield(cancellable, k);
    }
  }
}

/** The trap for a synchronous (non-`async`-typed) task that would block. */
export function cannotBlock(what: string): TrapError {
  return new TrapError(`${what}: cannot block a synchronous task before returning`);
}
