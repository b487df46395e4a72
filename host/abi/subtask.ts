/**
 * definitions.py "Subtask State": the caller's side of one lowered call,
 * a waitable once the call did not resolve synchronously (async lower).
 */
import type { ResourceHandle } from './handle-table.ts';
import type { OnCancel } from './task.ts';
import { keepShape } from '../shape-anchors.ts';
import { Store } from './store.ts';
import { trap } from './trap.ts';
import { Waitable } from './waitable.ts';

/** definitions.py `Subtask.State`: the value written into the packed result and events. */
export const SubtaskState = {
  STARTING: 0,
  STARTED: 1,
  RETURNED: 2,
  CANCELLED_BEFORE_STARTED: 3,
  CANCELLED_BEFORE_RETURNED: 4,
} as const;
export type SubtaskState = (typeof SubtaskState)[keyof typeof SubtaskState];

export class Subtask extends Waitable {
  readonly kind = 'subtask' as const;
  state: SubtaskState = SubtaskState.STARTING;
  /** definitions.py `on_cancel`: what the callee returned to request cancellation. */
  onCancel: OnCancel | undefined = undefined;
  /**
   * definitions.py `lenders`: handles lent to the call (their `numLends`
   * counted); undefined once the resolution was delivered to the caller.
   */
  lenders: ResourceHandle[] | undefined = [];
  /** definitions.py `cancellation_requested`. */
  cancellationRequested = false;
  /** definitions.py `flat_results`: the synchronous ABI's core results. */
  flatResults: unknown[] = [];
  /** Runs when the resolution is delivered: ends what the call borrowed from JS (host/abi/task-lower.ts). */
  onDeliverResolve: (() => void) | undefined = undefined;

  /** definitions.py `resolved`. */
  resolved(): boolean {
    return this.state >= SubtaskState.RETURNED;
  }

  /** definitions.py `add_lender`. */
  addLender(h: ResourceHandle): void {
    h.numLends++;
    this.lenders!.push(h);
  }

  /** definitions.py `resolve`. */
  resolve(state: SubtaskState, flatResults: unknown[]): void {
    this.state = state;
    this.flatResults = flatResults;
  }

  /** definitions.py `deliver_resolve`: the caller learns the outcome, so the lends end. */
  deliverResolve(): void {
    for (const h of this.lenders!) h.numLends--;
    this.lenders = undefined;
    this.onDeliverResolve?.();
  }

  /** definitions.py `resolve_delivered`. */
  resolveDelivered(): boolean {
    return this.lenders === undefined;
  }

  /** definitions.py `Subtask.drop`. */
  override drop(): void {
    if (!this.resolveDelivered()) trap('subtask.drop: the subtask has not resolved (or its resolution was not delivered yet)');
    super.drop();
  }
}

// One Subtask for the life of the process (shape-anchors.ts), as task.ts keeps a Task and a Thread:
// every lowered call of an instance using the async ABI makes one (host/abi/task-lower.ts) and lets go
// of it when the call is over, so without a live one each full GC freed its hidden class and V8 threw
// away the code compiled against it (Subtask, resolved, lowered: "weak objects" in --trace-deopt).
// Its listener is a Store, as a call's is.
keepShape(new Subtask(new Store()));
