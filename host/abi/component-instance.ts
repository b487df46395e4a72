/**
 * Runtime state of one component instance as the Canonical ABI sees it
 * (definitions.py `ComponentInstance`, `ResourceType`), restricted to the
 * synchronous subset: a handle table, the `may_leave` / `may_enter` flags, and
 * poisoning after a trap.
 */
import { TrapError } from '../errors.ts';
import { HandleTable } from './handle-table.ts';
import { DEFAULT_LIMITS, type InstanceLimits } from './limits.ts';

export class ComponentInstance {
  /** definitions.py `handles`: every resource handle this instance holds (at most `maxHandles` live). */
  readonly handles: HandleTable;
  /** Bytes of strings and lists one lifted or lowered call may lift (abi/limits.ts). */
  readonly maxLiftBytes: number;
  /**
   * False while this instance is running (reentrance is refused, the spec's
   * `may_enter`). Our instance graph is flat (no parent chain), so a call
   * from anywhere enters exactly this instance.
   */
  mayEnter = true;
  /** False while the instance runs code that must not call out (realloc, post-return, destructors). */
  mayLeave = true;
  /** The trap that poisoned this instance; once set, every later entry throws. */
  poisoned: TrapError | undefined = undefined;
  /**
   * Says what a core wasm trap meant, when the guest told the host beforehand
   * (an SDK plugin reports its panic through the `rdylib-panic` import just
   * before it traps): returns the error callers should see, or undefined for
   * a plain trap. Set by the runtime; the ABI stays ignorant of rdylib.
   */
  explainTrap: ((trap: TrapError) => Error | undefined) | undefined = undefined;
  /** The linear memories its core instances export (for accounting and unload tests). */
  readonly memories: WebAssembly.Memory[] = [];

  constructor(
    /** For messages only, e.g. the plugin name. */
    readonly name = 'component instance',
    limits: InstanceLimits = DEFAULT_LIMITS,
  ) {
    this.handles = new HandleTable(limits.maxHandles, name);
    this.maxLiftBytes = limits.maxLiftBytes;
  }

  /**
   * Records `trap` as the reason this instance is unusable. Later entries throw
   * via `checkNotPoisoned`. Keeps the first trap if already poisoned.
   */
  poison(trap: TrapError): void {
    if (this.poisoned === undefined) this.poisoned = trap;
  }

  /** Throws a fresh TrapError (cause: the original trap) when the instance is poisoned. */
  checkNotPoisoned(): void {
    const p = this.poisoned;
    if (p !== undefined) {
      throw new TrapError(`${this.name} is poisoned by an earlier trap: ${p.message}`, { cause: p });
    }
  }
}
