/**
 * Waitables and waitable sets (definitions.py "Waitable State"): the things
 * `waitable-set.wait` / `waitable-set.poll` and the callback ABI wait on.
 * A waitable (a subtask, or one end of a stream or future) holds at most one
 * pending event, produced lazily by a closure so that what the event reports
 * is read when it is delivered; it may belong to one waitable set.
 */
import type { Thread } from './thread.ts';
import { keepShape } from '../shape-anchors.ts';
import { trap } from './trap.ts';

/** definitions.py `EventCode`. */
export const EventCode = {
  NONE: 0,
  SUBTASK: 1,
  STREAM_READ: 2,
  STREAM_WRITE: 3,
  FUTURE_READ: 4,
  FUTURE_WRITE: 5,
  TASK_CANCELLED: 6,
} as const;
export type EventCode = (typeof EventCode)[keyof typeof EventCode];

/** definitions.py `EventTuple`: the code and two i32 payloads. */
export type EventTuple = readonly [code: EventCode, p1: number, p2: number];

/** The table kinds of waitables (the discriminant of `TableElement`). */
export type WaitableKind = 'subtask' | 'stream-end' | 'future-end';

/**
 * Something that notices when a waitable gets an event, so threads waiting
 * for it are looked at again (the Store; host/abi/store.ts).
 */
export interface EventListener {
  eventArrived(): void;
}

/** definitions.py `Waitable`. Subclasses set `kind`. */
export abstract class Waitable {
  abstract readonly kind: WaitableKind;
  private pendingEvent: (() => EventTuple) | undefined = undefined;
  /** definitions.py `wset`. */
  wset: WaitableSet | undefined = undefined;
  /** definitions.py `has_sync_waiter`: a synchronous built-in is waiting for this very waitable. */
  hasSyncWaiter = false;

  constructor(
    /** Told of every new pending event, so waiting threads are looked at again. */
    protected readonly listener: EventListener,
  ) {}

  /** definitions.py `set_pending_event` (replaces an earlier undelivered one, as the spec does). */
  setPendingEvent(pendingEvent: () => EventTuple): void {
    this.pendingEvent = pendingEvent;
    this.listener.eventArrived();
  }

  hasPendingEvent(): boolean {
    return this.pendingEvent !== undefined;
  }

  inWaitableSet(): boolean {
    return this.wset !== undefined;
  }

  /**
   * definitions.py `wait_for_pending_event`: a synchronous built-in blocks
   * `thread` until this waitable has an event (never cancellable).
   */
  waitForPendingEvent(thread: Thread, k: () => void): void {
    this.hasSyncWaiter = true;
    thread.waitUntil(() => this.hasPendingEvent(), false, () => {
      this.hasSyncWaiter = false;
      k();
    });
  }

  /** definitions.py `get_pending_event`: takes the event (running its closure). */
  getPendingEvent(): EventTuple {
    const pending = this.pendingEvent!;
    this.pendingEvent = undefined;
    return pending();
  }

  /** definitions.py `join`: moves this waitable into `wset`, or out of any set when undefined. */
  join(wset: WaitableSet | undefined): void {
    if (this.wset !== undefined) {
      const elems = this.wset.elems;
      elems.splice(elems.indexOf(this), 1);
    }
    this.wset = wset;
    if (wset !== undefined) wset.elems.push(this);
  }

  /** definitions.py `Waitable.drop`: leaves its set (the subclass checked it may be dropped). */
  drop(): void {
    this.join(undefined);
  }
}

/** definitions.py `WaitableSet`. */
export class WaitableSet {
  readonly kind = 'waitable-set' as const;
  /** The waitables joined to this set, oldest first. */
  readonly elems: Waitable[] = [];
  /** definitions.py `num_waiting`: threads blocked in `wait` on this set. */
  numWaiting = 0;

  hasPendingEvent(): boolean {
    return this.elems.some((w) => w.hasPendingEvent());
  }

  /**
   * definitions.py `get_pending_event`. The spec picks a waitable at random;
   * we deliver the oldest member's event first, one of the orders it allows.
   */
  getPendingEvent(): EventTuple {
    for (const w of this.elems) if (w.hasPendingEvent()) return w.getPendingEvent();
    throw new Error('waitable set: no pending event (checked by the caller)');
  }

  /**
   * definitions.py `wait_for_event_and`: blocks `thread` until `readyFunc()`
   * holds and a member has an event, then takes that event; a delivered
   * cancellation instead yields `TASK_CANCELLED`.
   */
  waitForEventAnd(thread: Thread, readyFunc: () => boolean, cancellable: boolean, k: (event: EventTuple) => void): void {
    this.numWaiting++;
    thread.waitUntil(() => readyFunc() && this.hasPendingEvent(), cancellable, (cancelled) => {
      const event: EventTuple = cancelled ? [EventCode.TASK_CANCELLED, 0, 0] : this.getPendingEvent();
      this.numWaiting--;
      k(event);
    });
  }

  /** definitions.py `poll`: never blocks. */
  poll(thread: Thread, cancellable: boolean): EventTuple {
    if (thread.task.deliverPendingCancel(cancellable)) return [EventCode.TASK_CANCELLED, 0, 0];
    if (!this.hasPendingEvent()) return [EventCode.NONE, 0, 0];
    return this.getPendingEvent();
  }

  /** definitions.py `WaitableSet.drop`. */
  drop(): void {
    if (this.elems.length > 0) trap(`waitable-set.drop: the set still has ${this.elems.length} waitable(s) joined`);
    if (this.numWaiting > 0) trap('waitable-set.drop: cannot drop waitable set with waiters');
  }
}

// One WaitableSet for the life of the process (shape-anchors.ts): an async guest may make one per
// call (waitable-set.new, then drop), and without a live one each full GC freed its hidden class and
// V8 threw away the code compiled against it (join, getPendingEvent, waitForEventAnd, the Store's tick:
// "weak objects" in --trace-deopt).
keepShape(new WaitableSet());
