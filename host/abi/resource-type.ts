/**
 * definitions.py `ResourceType`, and how handles of a resource type cross
 * into and out of JavaScript (`ResourceJsBinding`).
 */
import type { ResourceTypeRef } from '../types.ts';
import type { ComponentInstance } from './component-instance.ts';

/** What a lowered import keeps for the binding of one borrowed parameter between its calls (`liftBorrow`'s `keep`); only the binding reads it. */
export interface LendKeep {
  kept: unknown;
}

/**
 * How a resource handle crosses into and out of JavaScript. The ABI calls
 * these with the handle's `rep` (after the spec's `lift_own` / `lift_borrow`
 * removed or looked up the handle in the guest's table) and before
 * `lower_own` / `lower_borrow` put a rep into a guest's table.
 *
 * - `liftOwn(rep)`: JS now owns the resource; return the JS object for it.
 * - `liftBorrow(rep, holder, keep)`: JS may use the resource until the call returns;
 *   `holder` is the instance whose borrow it is (the caller lending it).
 *   `keep` is given only when the value goes to host code that keeps
 *   nothing of it (a linked plugin's export, instantiate.ts
 *   `RuntimeFunc.linked`): the binding may keep there what it made, and lend
 *   it again to a later call of the same import once the earlier lend was
 *   ended (`endBorrow`). The lowered import holds it, so it goes with the importer.
 * - `lowerOwn(value, path)`: check that the JS object `value` can give up
 *   ownership and return its rep, changing nothing yet: a later argument of
 *   the same call may still be refused, and a refused call moves nothing.
 *   Throw (a TypeError naming `path` for a value that is not an object of
 *   this type) when it cannot.
 * - `commitOwn(value)`: every value of the call was lowered: `value` (checked
 *   by `lowerOwn`) now belongs to the callee, so JS can no longer use it.
 * - `lowerBorrow(value, path)`: return the rep of `value` without changing
 *   ownership; throw as `lowerOwn` does when it cannot be lent.
 * - `endBorrow(value)`: optional; called when the call that received the
 *   borrowed object `value` from `liftBorrow` returns, so it can be revoked.
 * - `liftsLentValue`: optional; true when the binding leaves a borrow JS lent
 *   to the ABI: the handle `lowerBorrow(value)` made keeps `value`
 *   (`ResourceHandle.lent`), and lifting that handle gives `value` without
 *   calling `liftBorrow`, which is then asked only for handles the guest owns.
 * - `sharedOwnership`: optional; true when one JS value may stand for
 *   several owned handles (host objects, reference-counted), so passing it
 *   twice by value in one call is not a double move.
 * - `destroyed(rep)`: optional; the resource's destructor ran (whoever
 *   dropped its last own handle: JS, a guest, unload), so whatever the host
 *   kept about `rep` is stale.
 *
 * The runtime (host/runtime) installs its own bindings (class instances with
 * methods and `[Symbol.dispose]`, host objects) by assigning
 * `ResourceType.js`; the default is `DefaultResourceBinding` below.
 */
export interface ResourceJsBinding {
  liftOwn(rep: number): unknown;
  liftBorrow(rep: number, holder: ComponentInstance, keep?: LendKeep): unknown;
  lowerOwn(value: unknown, path: string): number;
  commitOwn(value: unknown): void;
  readonly sharedOwnership?: boolean;
  readonly liftsLentValue?: boolean;
  lowerBorrow(value: unknown, path: string): number;
  endBorrow?(value: unknown): void;
  destroyed?(rep: number): void;
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

  liftBorrow(rep: number, _holder: ComponentInstance): unknown {
    return new ResourceObject(this.rt, rep, 'borrowed');
  }

  lowerOwn(value: unknown, path: string): number {
    const o = this.check(value, path);
    if (o.state !== 'owned') throw new TypeError(`${path}: expected an owned ${this.rt.name}, got a ${o.state} one`);
    return o.rep;
  }

  commitOwn(value: unknown): void {
    (value as ResourceObject).state = 'moved';
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
