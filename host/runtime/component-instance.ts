/**
 * Runtime state of one component instance as the Canonical ABI sees it
 * (definitions.py `ComponentInstance`, `ResourceType`), restricted to the
 * synchronous subset: a handle table, the `may_leave` / `may_enter` flags, and
 * poisoning after a trap.
 */
import { TrapError } from '../errors.ts';
import type { ResourceTypeRef } from '../types.ts';
import { HandleTable } from './handle-table.ts';
import { DEFAULT_LIMITS, type InstanceLimits } from './limits.ts';

export class ComponentInstance {
  /** definitions.py `handles`: every resource handle this instance holds (at most `maxHandles` live). */
  readonly handles: HandleTable;
  /** Bytes of strings and lists one lifted or lowered call may lift (host/runtime/limits.ts). */
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

/**
 * How a resource handle crosses into and out of JavaScript. The ABI calls
 * these with the handle's `rep` (after the spec's `lift_own` / `lift_borrow`
 * removed or looked up the handle in the guest's table) and before
 * `lower_own` / `lower_borrow` put a rep into a guest's table.
 *
 * - `liftOwn(rep)`: JS now owns the resource; return the JS object for it.
 * - `liftBorrow(rep)`: JS may use the resource until the call returns.
 * - `lowerOwn(value, path)`: take ownership away from the JS object `value`
 *   and return its rep (so the object can no longer be used); throw a
 *   TypeError naming `path` when `value` is not an owned object of this type.
 * - `lowerBorrow(value, path)`: return the rep of `value` without changing
 *   ownership; throw a TypeError naming `path` when it is not of this type.
 * - `endBorrow(value)`: optional; called when the call that received the
 *   borrowed object `value` from `liftBorrow` returns, so it can be revoked.
 *
 * The runtime (host/runtime) installs its own binding (class instances with
 * methods and `[Symbol.dispose]`) by assigning `ResourceType.js`; the default
 * is `DefaultResourceBinding` below.
 */
export interface ResourceJsBinding {
  liftOwn(rep: number): unknown;
  liftBorrow(rep: number): unknown;
  lowerOwn(value: unknown, path: string): number;
  lowerBorrow(value: unknown, path: string): number;
  endBorrow?(value: unknown): void;
}

/**
 * definitions.py `ResourceType`: one per `(type (resource ...))` definition per
 * instance. Compared by identity.
 */
export class ResourceType implements ResourceTypeRef {
  /** The JS side of handles of this type; replace to change how resources look in JS. */
  js: ResourceJsBinding;

  constructor(
    readonly name: string,
    /** The instance that defined the type (the spec's `impl`); destructors run in it. */
    readonly impl: ComponentInstance,
    /** The core destructor from `(resource (rep i32) (dtor ...))`, if any. */
    readonly dtor: ((rep: number) => void) | undefined = undefined,
  ) {
    this.js = new DefaultResourceBinding(this);
  }
}

/**
 * The JS object the default binding hands out: the resource type and rep, plus
 * whether JS owns it. Lowering an owned handle moves it out (`owned` becomes
 * false and `rep` unusable); borrowed objects are revoked when their call ends.
 */
export class ResourceObject {
  constructor(
    readonly type: ResourceType,
    public rep: number,
    public state: 'owned' | 'borrowed' | 'moved' | 'revoked',
  ) {}
}

export class DefaultResourceBinding implements ResourceJsBinding {
  constructor(private readonly rt: ResourceType) {}

  liftOwn(rep: number): unknown {
    return new ResourceObject(this.rt, rep, 'owned');
  }

  liftBorrow(rep: number): unknown {
    return new ResourceObject(this.rt, rep, 'borrowed');
  }

  lowerOwn(value: unknown, path: string): number {
    const o = this.check(value, path);
    if (o.state !== 'owned') throw new TypeError(`${path}: expected an owned ${this.rt.name}, got a ${o.state} one`);
    o.state = 'moved';
    return o.rep;
  }

  lowerBorrow(value: unknown, path: string): number {
    const o = this.check(value, path);
    if (o.state !== 'owned' && o.state !== 'borrowed') {
      throw new TypeError(`${path}: cannot lend a ${o.state} ${this.rt.name}`);
    }
    return o.rep;
  }

  endBorrow(value: unknown): void {
    if (value instanceof ResourceObject && value.state === 'borrowed') value.state = 'revoked';
  }

  private check(value: unknown, path: string): ResourceObject {
    if (!(value instanceof ResourceObject) || value.type !== this.rt) {
      throw new TypeError(`${path}: expected a resource of type ${this.rt.name}`);
    }
    return value;
  }
}
