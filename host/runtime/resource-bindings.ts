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

type GuestObjectState = { rep: number; state: 'owned' | 'borrowed' | 'moved' | 'revoked' | 'dropped' };

/** The instance JS calls from: entering a guest from it is a normal cross-instance call. */
export const HOST_INSTANCE = new ComponentInstance('host');

/** Binding for a guest-implemented resource exported as class `cls`. */
export class GuestClassBinding implements ResourceJsBinding {
  private readonly states = new WeakMap<object, GuestObjectState>();

  constructor(
    private readonly rt: ResourceType,
    private readonly cls: { prototype: object },
    private readonly isUnloaded: () => boolean,
  ) {}

  private make(rep: number, state: GuestObjectState['state']): object {
    const o = Object.create(this.cls.prototype) as object;
    this.states.set(o, { rep, state });
    return o;
  }

  liftOwn(rep: number): unknown {
    return this.make(rep, 'owned');
  }

  liftBorrow(rep: number): unknown {
    return this.make(rep, 'borrowed');
  }

  private state(value: unknown, path: string): GuestObjectState {
    const s = typeof value === 'object' && value !== null ? this.states.get(value) : undefined;
    if (s === undefined) throw new TypeError(`${path}: expected a ${this.rt.name} object`);
    if (this.isUnloaded()) throw new UnloadedError(`${path}: the plugin that owns this ${this.rt.name} was unloaded`);
    return s;
  }

  lowerOwn(value: unknown, path: string): number {
    const s = this.state(value, path);
    if (s.state !== 'owned') throw new TypeError(`${path}: expected an owned ${this.rt.name}, but it is ${s.state}`);
    s.state = 'moved';
    return s.rep;
  }

  lowerBorrow(value: unknown, path: string): number {
    const s = this.state(value, path);
    if (s.state !== 'owned' && s.state !== 'borrowed') throw new TypeError(`${path}: cannot lend a ${s.state} ${this.rt.name}`);
    return s.rep;
  }

  endBorrow(value: unknown): void {
    const s = typeof value === 'object' && value !== null ? this.states.get(value) : undefined;
    if (s !== undefined && s.state === 'borrowed') s.state = 'revoked';
  }

  /** `[Symbol.dispose]`: runs the guest destructor for an owned object; later uses throw. */
  dispose(value: object): void {
    const s = this.states.get(value);
    if (s === undefined || s.state !== 'owned') return;
    s.state = 'dropped';
    if (this.isUnloaded()) return;
    runDestructor(this.rt, HOST_INSTANCE, s.rep);
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
