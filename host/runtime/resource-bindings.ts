/**
 * How resource handles look in JavaScript (jco's convention):
 * - a resource a guest exports becomes a class whose instances wrap the rep;
 *   JS owns or borrows them, and `[Symbol.dispose]` drops an owned one;
 * - a resource the host implements (an imported resource) is any JS object the
 *   host hands over; the guest sees a rep that indexes a host-side table.
 */
import { ComponentInstance, ResourceType, type ResourceJsBinding } from './component-instance.ts';
import { runDestructor } from '../abi/resources.ts';
import { UnloadedError } from '../errors.ts';

type GuestObjectState = 'owned' | 'borrowed' | 'moved' | 'revoked' | 'dropped';

/** The instance JS calls from: entering a guest from it is a normal cross-instance call. */
export const HOST_INSTANCE = new ComponentInstance('host');

/**
 * Module-private token: only this module can make a resource object for a
 * rep, so JS code cannot forge one (a forged rep would reach the guest).
 */
const MINT: unique symbol = Symbol('rdylib resource object');

/**
 * Base class of every exported guest resource class. The binding, rep and
 * state live in private fields: unforgeable like a WeakMap entry, but read
 * and written as cheaply as ordinary properties (a WeakMap costs a hash
 * lookup per access and an ephemeron entry per object for the GC).
 */
export class GuestResource {
  #binding: GuestClassBinding;
  #rep: number;
  #state: GuestObjectState;

  constructor(token: typeof MINT, binding: GuestClassBinding, rep: number, state: GuestObjectState) {
    if (token !== MINT) throw new TypeError('resource objects are made by the host, not constructed directly');
    this.#binding = binding;
    this.#rep = rep;
    this.#state = state;
  }

  /** The object's state if it belongs to `binding`, else undefined. */
  static stateOf(value: unknown, binding: GuestClassBinding): GuestObjectState | undefined {
    return typeof value === 'object' && value !== null && #binding in value && (value as GuestResource).#binding === binding
      ? (value as GuestResource).#state
      : undefined;
  }

  /** Sets the state of an object already checked by `stateOf`; returns its rep. */
  static transition(value: unknown, state: GuestObjectState): number {
    (value as GuestResource).#state = state;
    return (value as GuestResource).#rep;
  }

  static repOf(value: unknown): number {
    return (value as GuestResource).#rep;
  }
}

/**
 * Makes the JS class of a guest-exported resource: a subclass of
 * GuestResource named after the WIT type. `new Cls(...args)` calls the
 * exported `[constructor]` (installed later with `setConstructor`), whose
 * lifted `own` result is the object `new` yields.
 */
export function makeGuestClass(className: string): { cls: new (...args: unknown[]) => GuestResource; setConstructor(f: (...args: unknown[]) => unknown): void } {
  let ctor: ((...args: unknown[]) => unknown) | undefined;
  const cls = {
    [className]: class extends GuestResource {
      constructor(...args: unknown[]) {
        if (args[0] === MINT) {
          super(MINT, args[1] as GuestClassBinding, args[2] as number, args[3] as GuestObjectState);
          return;
        }
        if (ctor === undefined) throw new TypeError(`${className} has no exported constructor`);
        // The lifted constructor returns an instance of this class; `new` yields it.
        return ctor(...args) as GuestResource;
      }
    },
  }[className]!;
  return {
    cls,
    setConstructor(f) {
      ctor = f;
    },
  };
}

/** Binding for a guest-implemented resource exported as class `cls` (from `makeGuestClass`). */
export class GuestClassBinding implements ResourceJsBinding {
  constructor(
    private readonly rt: ResourceType,
    private readonly cls: new (...args: unknown[]) => GuestResource,
    private readonly isUnloaded: () => boolean,
  ) {}

  liftOwn(rep: number): unknown {
    return new this.cls(MINT, this, rep, 'owned');
  }

  liftBorrow(rep: number): unknown {
    return new this.cls(MINT, this, rep, 'borrowed');
  }

  private state(value: unknown, path: string): GuestObjectState {
    const s = GuestResource.stateOf(value, this);
    if (s === undefined) throw new TypeError(`${path}: expected a ${this.rt.name} object`);
    if (this.isUnloaded()) throw new UnloadedError(`${path}: the plugin that owns this ${this.rt.name} was unloaded`);
    return s;
  }

  lowerOwn(value: unknown, path: string): number {
    const s = this.state(value, path);
    if (s !== 'owned') throw new TypeError(`${path}: expected an owned ${this.rt.name}, but it is ${s}`);
    return GuestResource.transition(value, 'moved');
  }

  lowerBorrow(value: unknown, path: string): number {
    const s = this.state(value, path);
    if (s !== 'owned' && s !== 'borrowed') throw new TypeError(`${path}: cannot lend a ${s} ${this.rt.name}`);
    return GuestResource.repOf(value);
  }

  endBorrow(value: unknown): void {
    if (GuestResource.stateOf(value, this) === 'borrowed') GuestResource.transition(value, 'revoked');
  }

  /** `[Symbol.dispose]`: runs the guest destructor for an owned object; later uses throw. */
  dispose(value: object): void {
    if (GuestResource.stateOf(value, this) !== 'owned') return;
    const rep = GuestResource.transition(value, 'dropped');
    if (this.isUnloaded()) return;
    runDestructor(this.rt, HOST_INSTANCE, rep);
  }
}

/**
 * Binding for a host-implemented resource: reps index a table of the host's
 * objects. Dropping the last guest handle of an owned object calls its
 * `[Symbol.dispose]` if it has one.
 */
export class HostObjectBinding implements ResourceJsBinding {
  private readonly objects = new Map<number, object>();
  private readonly reps = new WeakMap<object, number>();
  private nextRep = 1;

  constructor(
    private readonly name: string,
    private readonly cls: Function | undefined,
  ) {}

  private repOf(value: unknown, path: string): number {
    if (typeof value !== 'object' || value === null || (this.cls !== undefined && !(value instanceof this.cls))) {
      throw new TypeError(`${path}: expected a ${this.name} object`);
    }
    let rep = this.reps.get(value);
    if (rep === undefined) {
      rep = this.nextRep++;
      this.reps.set(value, rep);
    }
    this.objects.set(rep, value);
    return rep;
  }

  lowerOwn(value: unknown, path: string): number {
    return this.repOf(value, path);
  }

  lowerBorrow(value: unknown, path: string): number {
    return this.repOf(value, path);
  }

  liftOwn(rep: number): unknown {
    return this.objects.get(rep);
  }

  liftBorrow(rep: number): unknown {
    return this.objects.get(rep);
  }

  /** The destructor the guest runs by dropping its own handle. */
  destroy(rep: number): void {
    const o = this.objects.get(rep);
    this.objects.delete(rep);
    const d = (o as { [Symbol.dispose]?: () => void } | undefined)?.[Symbol.dispose];
    if (typeof d === 'function') d.call(o);
  }
}

export function hostResourceType(name: string, cls: Function | undefined): ResourceType {
  let binding: HostObjectBinding | undefined;
  const rt = new ResourceType(name, HOST_INSTANCE, (rep) => binding!.destroy(rep));
  binding = new HostObjectBinding(name, cls);
  rt.js = binding;
  return rt;
}
