/**
 * definitions.py `Store`: the threads waiting to run and the loop that runs
 * them (`tick`), on the JS event loop. Whenever something may have made a
 * waiting thread ready (an event arrived, a thread blocked or ended), a tick
 * is queued as a microtask; a tick resumes ready threads one at a time, each
 * until it blocks, and stops when none is ready. The spec picks a ready
 * thread at random; we take the one that has waited longest.
 *
 * One Store serves every instance that may call another (the spec's store);
 * `defaultStore` is the one instantiation uses.
 */
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

  asyncTurnEnded(t: Thread): void {
    this.asyncTurns.delete(t);
    if (this.asyncTurns.size === 0 && this.asyncTurnsOver !== undefined) {
      const over = this.asyncTurnsOver;
      this.asyncTurnsOver = undefined;
      over();
    }
    this.eventArrived();
  }

  /** Number of threads waiting (for tests and unload accounting). */
  get numWaiting(): number {
    return this.waiting.length;
  }

  /** Something changed that may make a waiting thread ready: look again soon. */
  eventArrived(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    queueMicrotask(() => void this.tick());
  }

  /**
   * definitions.py `tick`, repeated while some thread is ready. A thread of
   * an instance that is running (may_enter is false) or poisoned is left
   * waiting; a poisoned one never runs again.
   */
  private async tick(): Promise<void> {
    try {
      for (;;) {
        // One thread at a time: a turn continuing on a resumed JSPI stack must end first.
        if (this.asyncTurns.size > 0) await new Promise<void>((r) => (this.asyncTurnsOver = r));
        const t = this.nextReady();
        if (t === undefined) break;
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
  }

  private nextReady(): Thread | undefined {
    for (let i = 0; i < this.waiting.length; i++) {
      const t = this.waiting[i]!;
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

/** The store every instance joins unless given another (tests make their own). */
export const defaultStore = new Store();
