/**
 * The per-instance table of the Canonical ABI (definitions.py `Table`, the
 * `handles` of a `ComponentInstance`): a dense array with a free list, index 0
 * reserved so that 0 is never a valid index. It holds every kind of element the
 * spec puts there (`TableElement`): resource handles, waitables (subtasks and
 * stream/future ends), waitable sets and error contexts, in one index space.
 * Every element carries a `kind` discriminant; a built-in that needs one kind
 * checks it right after `get`/`remove` (the spec's `trap_if(not isinstance(...))`).
 */
import { TrapError } from '../errors.ts';
import type { ResourceType } from './resource-type.ts';
import { DEFAULT_MAX_HANDLES } from './limits.ts';
import type { Waitable, WaitableSet } from './waitable.ts';
import type { ErrorContext } from './error-context.ts';

/**
 * A borrow scope: the set of borrowed handles a single call has lent out of its
 * own table (definitions.py keeps `num_borrows` on the task). Every borrow lifted
 * into the callee's table increments `numBorrows`; `resource.drop` of such a borrow
 * decrements it; at the end of the call the count must be zero.
 */
export interface BorrowScope {
  numBorrows: number;
}

/** definitions.py `ResourceHandle`. */
export interface ResourceHandle {
  readonly kind: 'resource';
  readonly rt: ResourceType;
  readonly rep: number;
  readonly own: boolean;
  /** For borrow handles: the call scope the borrow is tied to (the spec's `borrow_scope`). */
  readonly borrowScope: BorrowScope | undefined;
  /** How many outstanding borrows were lent from this handle to calls in progress. */
  numLends: number;
  /**
   * Not in the spec: for a borrow JS lent (`lower_borrow` of a JS value whose
   * binding has `liftsLentValue`), that value, which `lift_borrow` of this
   * handle then gives back without asking the binding (a host trait object's
   * `&self` in every callback). Undefined otherwise. Held as long as the
   * handle, which a borrow's call scope bounds.
   */
  readonly lent: unknown;
}

/** definitions.py `Table.MAX_LENGTH`. */
export const MAX_TABLE_LENGTH = 2 ** 28 - 1;

/** What one slot of an instance's table holds (definitions.py `ComponentInstance.handles`). */
export type TableElement = ResourceHandle | Waitable | WaitableSet | ErrorContext;

/** For messages: what an element is, in the spec's words. */
export function describeElement(e: TableElement): string {
  switch (e.kind) {
    case 'resource':
      return `${e.own ? 'an own' : 'a borrow'} handle of ${e.rt.name}`;
    case 'subtask':
      return 'a subtask';
    case 'waitable-set':
      return 'a waitable set';
    case 'error-context':
      return 'an error context';
    default:
      return `a ${e.kind}`;
  }
}

/**
 * definitions.py `Table`: the index rules shared by an instance's `handles`
 * and its `threads` (host/abi/thread.ts).
 */
export class Table<T> {
  // Assigned once, in the constructor, in the order the class fields were defined in (as
  // component-instance.ts's fields, for the same reason: no members initializer per table).
  /**
   * Most live handles at once (see limits.ts): far below the
   * spec's table length, so a guest hoarding handles traps instead of
   * growing host memory without bound.
   */
  declare readonly maxLive: number;
  /** For messages: whose table this is. */
  declare readonly owner: string;
  /** Slot 0 is reserved (never handed out). */
  declare protected readonly array: (T | undefined)[];
  declare private readonly free: number[];

  constructor(maxLive: number = DEFAULT_MAX_HANDLES, owner = 'component instance') {
    this.maxLive = maxLive;
    this.owner = owner;
    this.array = [undefined];
    this.free = [];
  }

  /** Adds `h`, reusing a freed slot when possible; returns its index. */
  add(h: T): number {
    const reused = this.free.pop();
    if (reused !== undefined) {
      this.array[reused] = h;
      return reused;
    }
    // With no free slot every slot is live, so the array length bounds the live count.
    const i = this.array.length;
    if (i > this.maxLive) {
      throw new TrapError(`handle table: ${this.owner} already holds ${this.maxLive} live handles, the per-plugin limit (maxHandles)`);
    }
    if (i > MAX_TABLE_LENGTH) throw new TrapError(`handle table: table full (max ${MAX_TABLE_LENGTH} entries)`);
    this.array.push(h);
    return i;
  }

  /** definitions.py `Table.get`: traps when `i` is out of range or the slot is empty. */
  get(i: number): T {
    const h = i >= 0 && i < this.array.length ? this.array[i] : undefined;
    if (h === undefined) this.refuseIndex(i);
    return h;
  }

  /** Out of line: `get` runs on every handle use, and V8 inlines it only while it is small. */
  private refuseIndex(i: number): never {
    if (!(i >= 0 && i < this.array.length)) throw new TrapError(`handle table: handle index ${i} out of range`);
    throw new TrapError(`handle table: handle index ${i} is not in use`);
  }

  /** definitions.py `Table.remove`: traps like `get`, then frees the slot. */
  remove(i: number): T {
    const h = this.get(i);
    this.array[i] = undefined;
    this.free.push(i);
    return h;
  }

  /** Number of live elements (for leak checks and tests). */
  get size(): number {
    return this.array.length - 1 - this.free.length;
  }

  /** Live `(index, element)` pairs, in index order (for unload and debugging). */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 1; i < this.array.length; i++) {
      const h = this.array[i];
      if (h !== undefined) yield [i, h];
    }
  }
}

/** Out of line, as `Table.refuseIndex`. */
function notAResource(op: string, i: number, h: TableElement): never {
  throw new TrapError(`${op}: index ${i} is ${describeElement(h)}, not a resource handle`);
}

/** An instance's `handles`: every kind of `TableElement` in one index space. */
export class HandleTable extends Table<TableElement> {
  /**
   * `get` for the resource built-ins and handle transfer: the element must be
   * a resource handle (`trap_if(not isinstance(h, ResourceHandle))`); `op`
   * names the operation in the message.
   */
  getResource(i: number, op: string): ResourceHandle {
    const h = this.get(i);
    if (h.kind !== 'resource') notAResource(op, i, h);
    return h;
  }

  /**
   * `remove` for `lift_own` and `resource.drop`, in definitions.py's order:
   * the element is taken out, then must be a resource handle (a trap
   * otherwise, which poisons the instance, so the table's state no longer
   * matters). One lookup, where `getResource` then `remove` took two.
   */
  removeResource(i: number, op: string): ResourceHandle {
    const h = this.remove(i);
    if (h.kind !== 'resource') notAResource(op, i, h);
    return h;
  }

  /** Live `(index, resource handle)` pairs, in index order: the other kinds left out. */
  *resourceEntries(): IterableIterator<[number, ResourceHandle]> {
    for (let i = 1; i < this.array.length; i++) {
      const h = this.array[i];
      if (h !== undefined && h.kind === 'resource') yield [i, h];
    }
  }
}
