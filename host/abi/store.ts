/**
 * definitions.py `Store`: the threads waiting to run and the loop that runs
 * them (`tick`), on the JS event loop. Whenever something may have made a
 * waiting thread ready (an event arrived, a thread blocked or ended), a tick
 * is queued as a microtask; a tick resumes ready threads one at a time, each
 * until it blocks, and stops when none is ready. The spec picks a ready
 * thread at random; we take the one that has waited longest.
 *
 * One Store serves every instance that may call another (the spec's store,
 * the unit a trap ends): a loaded plugin has its own (host/plugin/plugin.ts;
 * linked plugins call each other through their JS faces, as host functions);
 * `defaultStore` is for instances made without one.
 */
import { TrapError } from '../errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { Thread } from './thread.ts';
import type { EventListener } from './waitable.ts';

export class Store implements EventListener {
  /** definitions.py `waiting`: threads that wait for a condition, oldest first. */
  private readonly waiting: Thread[] = [];
  /** definitions.py `current_thread()`, as a stack (a thread running another below it). */
  private readonly current: Thread[] = [];
  private tickQueued = false;
  /** Threads whose turn continues asynchronously (a JSPI stack was resumed); the tick waits for them. */
  private readonly asyncTurns = new Set<Thread>();
  private asyncTurnsOver: (() => void) | undefined = undefined;

  /** The thread whose code runs now, if any (undefined outside every task). */
  currentThread(): Thread | undefined {
    return this.current[this.current.length - 1];
  }

  pushCurrent(t: Thread): void {
    this.current.push(t);
  }

  popCurrent(t: Thread): void {
    const i = this.current.lastIndexOf(t);
    if (i >= 0) this.current.splice(i, 1);
  }

  startWaiting(t: Thread): void {
    this.waiting.push(t);
    this.eventArrived();
  }

  stopWaiting(t: Thread): void {
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  asyncTurnStarted(t: Thread): void {
    this.asyncTurns.add(t);
  }

  /** A poisoned instance's suspended turns will never end by themselves: end them (Thread.abandonTurn). */
  abandonTurnsOf(inst: ComponentInstance): void {
    // Every instance of a store is poisoned at once (a trap, unload), almost always with no turn
    // suspended: no copy of the set then.
    if (this.asyncTurns.size === 0) return;
    for (const t of [...this.asyncTurns]) if (t.task.inst === inst) t.abandonTurn();
  }

  asyncTurnEnded(t: Thread): void {
    this.asyncTurns.delete(t);
    if (this.asyncTurns.size === 0 && this.asyncTurnsOver !== undefined) {
      const over = this.asyncTurnsOver;
      this.asyncTurnsOver = undefined;
      over();
    }
    this.eventArrived();
  }

  /**
   * Work outside every instance that may still wake a waiting thread: a host
   * function's Promise, a JS-side stream or future end. Registered so that
   * the Store can tell a deadlock (nothing ready, nothing that could make
   * anything ready) from a wait for the host. Returns its `done`.
   */
  hostWorkStarted(): () => void {
    this.hostWork++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.hostWork--;
      this.eventArrived();
    };
  }

  private hostWork = 0;
  private deadlockCheckQueued = false;

  /**
   * Nothing is ready, no turn is running, no host work is pending, yet threads
   * wait: they wait forever. Checked again after a macrotask (so host code
   * scheduled meanwhile can still act); then every waiting thread's task
   * fails with the spec's trap, which reaches its callers.
   */
  private checkDeadlock(): void {
    if (this.deadlockCheckQueued || !this.stuck()) return;
    this.deadlockCheckQueued = true;
    setTimeout(() => {
      this.deadlockCheckQueued = false;
      if (!this.stuck()) return;
      const tasks = new Set(this.waiting.map((t) => t.task));
      this.waiting.length = 0;
      for (const task of tasks) task.fail(new TrapError(`deadlock detected: ${task.inst.name} waits for an event that nothing can deliver (the event loop cannot make further progress)`));
    }, 0);
  }

  private stuck(): boolean {
    return this.waiting.length > 0 && this.hostWork === 0 && this.asyncTurns.size === 0 && !this.tickQueued && !this.waiting.some((t) => t.ready());
  }

  /**
   * `inst` was poisoned: its threads never run again, so none of them stays
   * waiting here, and no synchronous call of it holds back other threads.
   */
  forget(inst: ComponentInstance): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.task.inst === inst) this.waiting.splice(i, 1);
    for (let i = this.syncScopes.length - 1; i >= 0; i--) if (this.syncScopes[i] === inst) this.syncScopes.splice(i, 1);
    this.eventArrived();
  }

  /** Number of threads waiting (for tests and unload accounting). */
  get numWaiting(): number {
    return this.waiting.length;
  }

  /**
   * Something changed that may make a waiting thread ready: look again soon.
   * With no thread waiting and no host call queued there is nothing to look
   * at (and no deadlock to find), so no tick is queued: a thread that starts
   * waiting, or a queued call, comes back here.
   */
  eventArrived(): void {
    if (this.tickQueued || (this.waiting.length === 0 && this.idleQueue.length === 0)) return;
    this.tickQueued = true;
    queueMicrotask(() => void this.tick());
  }

  /**
   * definitions.py `tick`, repeated while some thread is ready. A thread of
   * an instance that is running (may_enter is false) or poisoned is left
   * waiting; a poisoned one never runs again.
   */
  private async tick(): Promise<void> {
    const tickNo = ++this.ticks;
    try {
      for (;;) {
        // One thread at a time: a turn continuing on a resumed JSPI stack must end first.
        if (this.asyncTurns.size > 0) await new Promise<void>((r) => (this.asyncTurnsOver = r));
        // Host calls that arrived during a turn start now, between turns.
        const idle = this.idleQueue.splice(0);
        for (const f of idle) f();
        if (this.asyncTurns.size > 0) continue;
        if (this.turnsSinceHostTask >= TURNS_BEFORE_HOST_TASK) {
          this.turnsSinceHostTask = 0;
          await new Promise<void>((r) => nextHostTask(r));
          continue;
        }
        const t = this.nextReady(tickNo);
        if (t === undefined) break;
        this.turnsSinceHostTask++;
        t.resumedInTick = tickNo;
        const inst = t.task.inst;
        inst.mayEnter = false;
        let turn: Promise<void> | undefined;
        try {
          turn = t.resume();
        } catch (e) {
          t.task.fail(e);
        } finally {
          inst.mayEnter = true;
        }
        if (turn !== undefined) {
          inst.mayEnter = false;
          await turn;
          inst.mayEnter = true;
        }
      }
    } finally {
      this.tickQueued = false;
    }
    if (this.yieldersWaitForNextTask()) this.tickAfterHostTask();
    this.checkDeadlock();
  }

  /**
   * Turns resumed since the host last had a task of the event loop. Turns that
   * end at once and wake each other through promises (a guest reading an
   * endless JS stream; it does not yield) would otherwise run on microtasks
   * forever, and no timer, I/O or `unload` of the host's would ever run.
   */
  private turnsSinceHostTask = 0;

  /** Ticks started so far; a thread that yielded in one waits for the next (see `nextReady`). */
  private ticks = 0;
  private hostTaskTickQueued = false;

  /** Ready threads that only yielded are left for a tick after the host's next task. */
  private yieldersWaitForNextTask(): boolean {
    return this.pendingRoots > 0 && this.waiting.some((t) => t.yielding && t.ready());
  }

  /**
   * Ticks again once the JS event loop has run its next task (timers, I/O,
   * host Promises fed by them), so a guest that yields while it waits for the
   * host lets the host go on, instead of yielding in a loop of microtasks
   * that never lets the event loop turn.
   */
  private tickAfterHostTask(): void {
    if (this.hostTaskTickQueued) return;
    this.hostTaskTickQueued = true;
    nextHostTask(() => {
      this.hostTaskTickQueued = false;
      this.eventArrived();
    });
  }

  /**
   * A host call into an instance while a turn continues on a resumed JSPI
   * stack waits until the turn is over (the spec's turns are atomic).
   */
  whenIdle(f: () => void): void {
    if (this.asyncTurns.size === 0) return f();
    this.idleQueue.push(f);
    this.eventArrived();
  }

  private readonly idleQueue: (() => void)[] = [];

  /**
   * Host calls awaiting a result. A thread that only yielded is resumed
   * while some host call waits; otherwise it stays parked (as the spec's
   * embedder drives `tick` while it waits), so a guest yielding forever
   * neither spins the event loop nor keeps the process alive.
   */
  private pendingRoots = 0;

  rootStarted(): () => void {
    this.pendingRoots++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.pendingRoots--;
    };
  }

  /**
   * Instances with a synchronous (non-`async`-typed) call in progress,
   * innermost last. While one is, only threads of that instance that can
   * use its stack run, and blocking is allowed only when such a thread is
   * ready to run instead (during-sync-call-*.wast).
   */
  private readonly syncScopes: ComponentInstance[] = [];

  /** A synchronous call of `inst` starts; returns its end. */
  enterSyncScope(inst: ComponentInstance): () => void {
    this.syncScopes.push(inst);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const i = this.syncScopes.lastIndexOf(inst);
      if (i >= 0) this.syncScopes.splice(i, 1);
      this.eventArrived();
    };
  }

  /**
   * Whether `thread` may block now: outside every synchronous call, or in
   * another instance than the innermost one's (its core code runs on a stack
   * of its own), when its task is `async`-typed; inside one, when another
   * thread of that call's instance (or `switchTo`) could run on its stack in
   * the meantime.
   */
  mayBlock(thread: Thread, switchTo?: Thread): boolean {
    const scope = this.syncScopes[this.syncScopes.length - 1];
    if (scope === undefined || thread.task.inst !== scope) return thread.task.async;
    if (switchTo !== undefined && canUseSyncStack(switchTo, scope)) return true;
    for (const [, t] of scope.threads.entries()) if (t !== thread && t.ready() && canUseSyncStack(t, scope)) return true;
    return false;
  }

  /**
   * The thread to resume next in tick `tickNo`. A thread that yielded runs
   * again only while a host call waits, and at most once per tick.
   */
  private nextReady(tickNo: number): Thread | undefined {
    const scope = this.syncScopes[this.syncScopes.length - 1];
    for (let i = 0; i < this.waiting.length; i++) {
      const t = this.waiting[i]!;
      if (t.yielding && (this.pendingRoots === 0 || t.resumedInTick === tickNo)) continue;
      if (scope !== undefined && !canUseSyncStack(t, scope)) continue;
      const inst = t.task.inst;
      if (inst.poisoned !== undefined) {
        this.waiting.splice(i--, 1);
        continue;
      }
      if (inst.mayEnter && t.ready()) return t;
    }
    return undefined;
  }
}

/** How many turns may run on microtasks before the host gets a task of the event loop (see `turnsSinceHostTask`). */
const TURNS_BEFORE_HOST_TASK = 1000;

/** Runs `f` as a new task of the JS event loop, after the timers and I/O already due. */
function nextHostTask(f: () => void): void {
  const setImmediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (setImmediate !== undefined) setImmediate(f);
  else setTimeout(f, 0);
}

/** The store every instance joins unless given another (tests make their own). */
export const defaultStore = new Store();

/**
 * A thread that may run while a synchronous call of `scope` is in progress:
 * one of that instance, and not the implicit thread of an async task that
 * needs the instance's stack to itself.
 */
function canUseSyncStack(t: Thread, scope: ComponentInstance): boolean {
  const task = t.task;
  return task.inst === scope && !(t === task.implicitThread && task.async && task.needsExclusive());
}
