/**
 * Runtime state of one component instance as the Canonical ABI sees it
 * (definitions.py `ComponentInstance`): its table of handles, waitables,
 * waitable sets and error contexts, its threads, the `may_leave` /
 * `may_enter` flags, backpressure and the exclusive lock of the async ABI,
 * and poisoning after a trap.
 */
import { TrapError } from '../errors.ts';
import { HandleTable, Table } from './handle-table.ts';
import type { CoreSuspension } from './jspi.ts';
import { DEFAULT_LIMITS, type InstanceLimits } from './limits.ts';
import { defaultStore, type Store } from './store.ts';
import type { Thread } from './thread.ts';

export class ComponentInstance {
  // Every public field is assigned once, in the constructor (`declare`: no class field), in the order
  // the class fields were defined in, so instances keep the hidden class they had. Class fields are
  // defined first by the class's members initializer (a define per field, then the constructor's
  // assignments again), which V8 runs in baseline code for every instance a load makes (an SDK
  // plugin: 3). The private `#releases` stays a class field: the initializer defines only it.
  /** For messages only, e.g. the plugin name. */
  declare readonly name: string;
  /** definitions.py `store`: where this instance's waiting threads are scheduled. */
  declare readonly store: Store;
  /** definitions.py `handles`: every resource handle this instance holds (at most `maxHandles` live). */
  declare readonly handles: HandleTable;
  /** definitions.py `threads`: the threads of this instance's tasks (thread.* built-ins index it). */
  declare readonly threads: Table<Thread>;
  /** definitions.py `backpressure`: the `backpressure.inc` / `dec` counter. */
  declare backpressure: number;
  /** definitions.py `num_waiting_to_enter`: async calls held back by backpressure. */
  declare numWaitingToEnter: number;
  /** definitions.py `exclusive_thread`: the implicit thread holding the instance's lock (callback and sync-lifted async tasks). */
  declare exclusiveThread: Thread | undefined;
  /** definitions.py `parent`: the instance whose component instantiated this one (undefined at the top). */
  declare parent: ComponentInstance | undefined;
  /** Bytes of strings and lists one lifted or lowered call may lift (abi/limits.ts). */
  declare readonly maxLiftBytes: number;
  /**
   * False while this instance is running (reentrance is refused, the spec's
   * `may_enter`). Our instance graph is flat (no parent chain), so a call
   * from anywhere enters exactly this instance.
   */
  declare mayEnter: boolean;
  /** False while the instance runs code that must not call out (realloc, post-return, destructors). */
  declare mayLeave: boolean;
  /** Whether its core wasm can be suspended when a thread blocks inside a core call (set at instantiation). */
  declare coreSuspension: CoreSuspension;
  /** Whether its lifts and lowers run with tasks (the async ABI; set at instantiation): its destructors run as tasks too. */
  declare usesTasks: boolean;
  /** The trap that poisoned this instance; once set, every later entry throws. */
  declare poisoned: TrapError | undefined;
  /**
   * Says what a core wasm trap meant, when the guest told the host beforehand
   * (an SDK plugin reports its panic through the `rdylib-panic` import just
   * before it traps): returns the error callers should see, or undefined for
   * a plain trap. Set by the runtime; the ABI stays ignorant of rdylib.
   */
  declare explainTrap: ((trap: TrapError) => Error | undefined) | undefined;
  /** The linear memories its core instances export (for accounting and unload tests). */
  declare readonly memories: WebAssembly.Memory[];

  constructor(name = 'component instance', limits: InstanceLimits = DEFAULT_LIMITS, store: Store = defaultStore) {
    this.name = name;
    this.store = store;
    this.handles = new HandleTable(limits.maxHandles, name);
    this.threads = new Table<Thread>(limits.maxHandles, `${name} (threads)`);
    this.backpressure = 0;
    this.numWaitingToEnter = 0;
    this.exclusiveThread = undefined;
    this.parent = undefined;
    this.maxLiftBytes = limits.maxLiftBytes;
    this.mayEnter = true;
    this.mayLeave = true;
    this.coreSuspension = 'not-needed';
    this.usesTasks = false;
    this.poisoned = undefined;
    this.explainTrap = undefined;
    this.memories = [];
  }

  /** Whether `other` is this instance or one of its ancestors (definitions.py `self_and_ancestors`). */
  isSelfOrAncestor(other: ComponentInstance): boolean {
    for (let i: ComponentInstance | undefined = this; i !== undefined; i = i.parent) if (i === other) return true;
    return false;
  }

  /**
   * Records `trap` as the reason this instance is unusable. Later entries throw
   * via `checkNotPoisoned`. Keeps the first trap if already poisoned. The
   * first time, nothing outside may keep waiting on the instance or keep it
   * reachable: its store forgets its waiting threads, and every release
   * registered with `whenPoisoned` runs.
   */
  poison(trap: TrapError): void {
    if (this.poisoned !== undefined) return;
    this.poisoned = trap;
    this.store.forget(this);
    // A turn of its thread still suspended inside core wasm (JSPI) is over now, or the Store,
    // which runs one turn at a time, would wait for it forever.
    this.store.abandonTurnsOf(this);
    const releases = [...this.#releases];
    this.#releases.clear();
    // Indexed: poison runs at every unload in V8's interpreter or baseline code, where `for...of`
    // over an array calls the array iterator's next() at every step.
    for (let i = 0; i < releases.length; i++) releases[i]!(trap);
  }

  /** What lets go of this instance when it is poisoned (see `whenPoisoned`). */
  readonly #releases = new Set<(trap: TrapError) => void>();

  /**
   * Runs `release` when this instance is poisoned (a trap, unload): work
   * outside it that would otherwise wait forever on it, or keep it reachable
   * from a Promise the host holds (a JS call into it, a host call it awaits),
   * lets go then. Returns the function that unregisters `release`, for work
   * that ended first.
   */
  whenPoisoned(release: (trap: TrapError) => void): () => void {
    const releases = this.#releases;
    releases.add(release);
    return () => void releases.delete(release);
  }

  /** Throws a fresh TrapError (cause: the original trap) when the instance is poisoned. */
  checkNotPoisoned(): void {
    const p = this.poisoned;
    if (p !== undefined) {
      throw new TrapError(`${this.name} is poisoned by an earlier trap: ${p.message}`, { cause: p });
    }
  }
}
