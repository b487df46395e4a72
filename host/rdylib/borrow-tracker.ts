/**
 * Rust's borrow rules, enforced on the live handles a plugin has handed out.
 *
 * A handle returned by a call whose lifetime section says "this result borrows
 * parameter p" is a *dependent* of the handle passed as p: while the dependent
 * lives, its parent is borrowed, shared (`&'a self -> Iter<'a>`) or exclusively
 * (`&'a mut self -> Guard<'a>`). Before a call enters the plugin, every handle
 * it touches is checked against the loans on it:
 *
 * | access to a handle          | refused while the handle has                 |
 * | --------------------------- | -------------------------------------------- |
 * | shared (`&self`, `&T`)      | a live exclusive dependent                   |
 * | exclusive (`&mut self`)     | any live dependent                           |
 * | consume (`self`, drop)      | any live dependent                           |
 *
 * Checks happen before anything changes (`checkCall`), and loans are recorded
 * only after the call succeeded (`lend`), so a refused or failed call leaves
 * the tracker as it was.
 */
import { BorrowError } from '../errors.ts';

export type BorrowMode = 'shared' | 'exclusive';

/** How a call uses a handle, from its receiver or parameter mode. */
export type HandleAccess = 'shared' | 'exclusive' | 'consume';

/** Anything the tracker can name in a message; compared by identity. */
export interface TrackedHandle {
  /** For messages, e.g. `kv/store#3`. */
  readonly label: string;
}

interface Loan {
  readonly dependent: TrackedHandle;
  readonly mode: BorrowMode;
}

export interface HandleUse {
  readonly handle: TrackedHandle;
  readonly access: HandleAccess;
  /** What the handle is to the call, for messages: `self`, a parameter name. */
  readonly role: string;
}

export class BorrowTracker {
  /** parent -> the loans live on it */
  readonly #loansOn = new Map<TrackedHandle, Loan[]>();
  /** dependent -> the parents it borrows */
  readonly #parentsOf = new Map<TrackedHandle, TrackedHandle[]>();

  /**
   * Throws BorrowError, before the call enters the plugin, if any use breaks
   * the rules, alone or together with another use in the same call (a handle
   * used exclusively may not appear twice).
   */
  checkCall(callee: string, uses: readonly HandleUse[]): void {
    for (const [i, use] of uses.entries()) {
      const loans = this.#loansOn.get(use.handle) ?? [];
      const blocking = use.access === 'shared' ? loans.filter((l) => l.mode === 'exclusive') : loans;
      if (blocking.length > 0) {
        throw new BorrowError(
          `cannot ${verb(use.access)} ${use.handle.label} (${use.role} of \`${callee}\`): ` +
            `it is borrowed by ${describeLoans(blocking)}; drop ${blocking.length === 1 ? 'it' : 'them'} first`,
        );
      }
      for (const other of uses.slice(i + 1)) {
        if (other.handle !== use.handle) continue;
        if (use.access === 'shared' && other.access === 'shared') continue;
        throw new BorrowError(
          `cannot pass ${use.handle.label} to \`${callee}\` as ${use.role} (${use.access}) and as ${other.role} (${other.access}): ` +
            'a handle used exclusively or by value may appear only once in a call',
        );
      }
    }
  }

  /** Throws BorrowError if `handle` cannot be dropped now because dependents still borrow it. */
  checkDrop(handle: TrackedHandle): void {
    const loans = this.#loansOn.get(handle) ?? [];
    if (loans.length > 0) {
      throw new BorrowError(
        `cannot drop ${handle.label}: it is still borrowed by ${describeLoans(loans)}; drop ${loans.length === 1 ? 'it' : 'them'} first`,
      );
    }
  }

  /** Records, after a successful call, that `dependent` borrows each of `parents`. */
  lend(dependent: TrackedHandle, parents: readonly { parent: TrackedHandle; mode: BorrowMode }[]): void {
    if (parents.length === 0) return;
    for (const { parent, mode } of parents) {
      const loans = this.#loansOn.get(parent);
      if (loans) loans.push({ dependent, mode });
      else this.#loansOn.set(parent, [{ dependent, mode }]);
    }
    this.#parentsOf.set(dependent, [...(this.#parentsOf.get(dependent) ?? []), ...parents.map((p) => p.parent)]);
  }

  /** `handle` is gone (dropped or consumed): the borrows it held end. */
  release(handle: TrackedHandle): void {
    for (const parent of this.#parentsOf.get(handle) ?? []) {
      const remaining = (this.#loansOn.get(parent) ?? []).filter((l) => l.dependent !== handle);
      if (remaining.length > 0) this.#loansOn.set(parent, remaining);
      else this.#loansOn.delete(parent);
    }
    this.#parentsOf.delete(handle);
  }

  /** The live dependents of `handle`, most recent last. */
  dependentsOf(handle: TrackedHandle): TrackedHandle[] {
    return (this.#loansOn.get(handle) ?? []).map((l) => l.dependent);
  }

  /** True when `handle` borrows nothing and nothing borrows it. */
  isFree(handle: TrackedHandle): boolean {
    return !this.#loansOn.has(handle) && !this.#parentsOf.has(handle);
  }
}

function verb(access: HandleAccess): string {
  switch (access) {
    case 'shared':
      return 'borrow';
    case 'exclusive':
      return 'borrow mutably';
    case 'consume':
      return 'move';
  }
}

function describeLoans(loans: readonly Loan[]): string {
  return loans.map((l) => `${l.dependent.label} (${l.mode})`).join(', ');
}
