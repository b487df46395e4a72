/**
 * Resources the host implements (an imported resource type): any JS object
 * the host hands over; the guest sees a rep that indexes a host-side table.
 */
import { ComponentInstance } from '../abi/component-instance.ts';
import { ResourceType, type ResourceJsBinding } from '../abi/resource-type.ts';
import { MissingMethodError } from '../errors.ts';
import { HandleRecord } from './ownership.ts';

/**
 * The borrow state of host objects lent to calls (`&dyn T`, `&mut dyn T`),
 * kept by the host, which implements them, over every plugin: the ownership
 * records of host/runtime/ownership.ts, as a plugin keeps its own
 * resources'. Only a call that can be pending while JS runs meets another's
 * loan on one (an async call, or a call into a plugin that calls out).
 */
const hostObjectRecords = new WeakMap<object, HandleRecord>();
let hostObjectSeq = 0;

/** The record of `obj`, made on first use. */
export function hostObjectRecord(obj: object): HandleRecord {
  let r = hostObjectRecords.get(obj);
  if (r === undefined) {
    r = new HandleRecord(++hostObjectSeq, 'host object');
    hostObjectRecords.set(obj, r);
  }
  return r;
}

/** The instance JS calls from: entering a guest from it is a normal cross-instance call. */
export const HOST_INSTANCE = new ComponentInstance('host');

/**
 * How many guest handles own each host object, over every plugin and
 * resource type: an object two plugins own is disposed only when the last
 * of them drops it.
 */
const ownerships = new WeakMap<object, number>();

/**
 * Binding for a host-implemented resource: one rep per JS object. Any object
 * with the resource's methods will do (a class instance, a plain object
 * literal): like a Rust trait object, what counts is that the methods exist,
 * checked the first time the object is passed to the plugin. A guest
 * may own several handles of the same object (the host gave it twice):
 * the object is kept and its `[Symbol.dispose]` runs only when the last of
 * them is dropped, as an `Rc` would (counted over every plugin that owns it); handing an owned handle back to JS
 * (a result) ends that one ownership without disposing anything.
 */
export class HostObjectBinding implements ResourceJsBinding {
  readonly sharedOwnership = true;
  /**
   * An object only lent to the guest for a call (`borrow<..>`) is kept on the
   * borrow handle by the ABI (`ResourceHandle.lent`), for as long as the
   * handle, which the call's borrow scope bounds: the host keeps nothing of
   * it past the call, and a callback's `&self` is a field read (a map of
   * WeakRefs here cost two lookups and a `WeakRef.deref` per callback, which
   * V8 makes a runtime call: ~250 instructions, callgrind).
   */
  readonly liftsLentValue = true;
  /** Objects the guest owns handles to, with how many: kept alive until the guest drops the last (or unload does). */
  private readonly objects = new Map<number, object>();
  private readonly owners = new Map<number, number>();
  private readonly reps = new WeakMap<object, number>();
  private nextRep = 1;

  constructor(
    private readonly name: string,
    /** The JS (camelCase) names of the methods the plugin can call on the resource. */
    private readonly methods: readonly string[],
  ) {}

  private repOf(value: unknown, path: string): number {
    if (typeof value !== 'object' || value === null) {
      throw new TypeError(`${path}: expected a ${this.name} object (any object with ${this.methodList()}), got ${value === null ? 'null' : typeof value}`);
    }
    let rep = this.reps.get(value);
    if (rep === undefined) {
      // Checked once per object, before it first reaches the plugin; a method removed later is caught at its call.
      assertHasMethods(value, this.name, this.methods, path);
      rep = this.nextRep++;
      this.reps.set(value, rep);
    }
    return rep;
  }

  private methodList(): string {
    return this.methods.length === 0 ? 'no particular methods' : `the methods ${this.methods.join(', ')}`;
  }

  lowerOwn(value: unknown, path: string): number {
    return this.repOf(value, path);
  }

  commitOwn(value: unknown): void {
    const o = value as object;
    const rep = this.reps.get(o)!;
    this.objects.set(rep, o);
    this.owners.set(rep, (this.owners.get(rep) ?? 0) + 1);
    ownerships.set(o, (ownerships.get(o) ?? 0) + 1);
  }

  lowerBorrow(value: unknown, path: string): number {
    return this.repOf(value, path);
  }

  /** The guest handed one of its owned handles back: that ownership ends, the object is JS's again. */
  liftOwn(rep: number): unknown {
    const o = this.objects.get(rep);
    this.release(rep);
    return o;
  }

  /** A handle the guest owns, lent to a call (a borrow JS lent is lifted by the ABI: `liftsLentValue`). */
  liftBorrow(rep: number, _holder: ComponentInstance): unknown {
    return this.objects.get(rep);
  }

  /** Ends one ownership of `rep`; returns the object when it was the last, over every plugin. */
  private release(rep: number): object | undefined {
    const n = this.owners.get(rep);
    const o = this.objects.get(rep);
    if (n === undefined || o === undefined) return undefined;
    if (n > 1) this.owners.set(rep, n - 1);
    else {
      this.owners.delete(rep);
      this.objects.delete(rep);
    }
    const all = (ownerships.get(o) ?? 1) - 1;
    if (all > 0) {
      ownerships.set(o, all);
      return undefined;
    }
    ownerships.delete(o);
    return o;
  }

  /** The destructor a guest runs by dropping one of its own handles: disposes the object with the last one. */
  destroy(rep: number): void {
    const o = this.release(rep);
    const d = (o as { [Symbol.dispose]?: () => void } | undefined)?.[Symbol.dispose];
    if (typeof d === 'function') d.call(o);
  }
}

/**
 * Throws MissingMethodError unless `value` has every one of `methods` (JS
 * names) as a function, own or inherited. `path` names where it was passed.
 */
export function assertHasMethods(value: object, resource: string, methods: readonly string[], path: string): void {
  const missing = methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
  if (missing.length === 0) return;
  const list = missing.map((m) => `\`${m}\``).join(', ');
  throw new MissingMethodError(
    `${path}: the object passed as a ${resource} has no method ${list}; a ${resource} needs ${methods.join(', ')} (any object with these methods will do)`,
    resource,
    missing,
  );
}

/** `methods`: the JS names of the resource's methods the component imports. */
export function hostResourceType(name: string, methods: readonly string[]): ResourceType {
  let binding: HostObjectBinding | undefined;
  const rt = new ResourceType(name, HOST_INSTANCE, (rep) => binding!.destroy(rep));
  binding = new HostObjectBinding(name, methods);
  rt.js = binding;
  return rt;
}
