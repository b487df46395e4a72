/**
 * How resource handles look in JavaScript (jco's convention):
 * - a resource a guest exports becomes a class whose instances wrap the rep;
 *   JS owns or borrows them, and `[Symbol.dispose]` drops an owned one;
 * - a resource the host implements (an imported resource) is any JS object the
 *   host hands over; the guest sees a rep that indexes a host-side table.
 */
import { ComponentInstance, ResourceType, type ResourceJsBinding } from './component-instance.ts';
import { runDestructor } from '../abi/resources.ts';
import { MissingMethodError, UnloadedError } from '../errors.ts';
import type { TrackedHandle } from '../rdylib/borrow-tracker.ts';
import { PluginCell } from './plugin-cell.ts';

type GuestObjectState = 'owned' | 'borrowed' | 'moved' | 'revoked' | 'dropped';

/** The instance JS calls from: entering a guest from it is a normal cross-instance call. */
export const HOST_INSTANCE = new ComponentInstance('host');

/**
 * Module-private token: only this module can make a resource object for a
 * rep, so JS code cannot forge one (a forged rep would reach the guest).
 */
const MINT: unique symbol = Symbol('rdylib resource object');

/**
 * An object's state as one small integer: a positive value is its slot in
 * the plugin cell's table of owned objects (JS owns it); the others are
 * the states JS no longer owns it in.
 */
const BORROWED = -1;
const MOVED = -2;
const REVOKED = -3;
const DROPPED = -4;
const STATE_NAME: readonly GuestObjectState[] = ['owned', 'borrowed', 'moved', 'revoked', 'dropped'];

/**
 * Base class of every exported guest resource class. The binding, rep and
 * state live in private fields: unforgeable like a WeakMap entry, but read
 * and written as cheaply as ordinary properties (a WeakMap costs a hash
 * lookup per access and an ephemeron entry per object for the GC).
 *
 * Every plugin load makes new classes, so these field accesses see many
 * object shapes and each one costs: the object has just three fields, the
 * owned state doubles as the slot in its cell's arrays, where the rarely
 * needed per-object data lives (borrow tracker identity, library-static
 * mark, finalization bookkeeping).
 */
export class GuestResource {
  #binding: GuestClassBinding;
  #rep: number;
  /** > 0: owned, the cell slot; < 0: one of BORROWED, MOVED, REVOKED, DROPPED. */
  #st: number;

  constructor(token: typeof MINT, binding: GuestClassBinding, rep: number, st: number) {
    if (token !== MINT) throw new TypeError('resource objects are made by the host, not constructed directly');
    this.#binding = binding;
    this.#rep = rep;
    this.#st = st;
  }

  /** The object's raw state if it belongs to `binding` (> 0: owned, its slot), else undefined. */
  static codeOf(value: unknown, binding: GuestClassBinding): number | undefined {
    return typeof value === 'object' && value !== null && #binding in value && (value as GuestResource).#binding === binding
      ? (value as GuestResource).#st
      : undefined;
  }

  /** The object's state if it belongs to `binding`, else undefined. */
  static stateOf(value: unknown, binding: GuestClassBinding): GuestObjectState | undefined {
    const st = GuestResource.codeOf(value, binding);
    return st === undefined ? undefined : STATE_NAME[st > 0 ? 0 : -st];
  }

  /** True for any object made by a GuestClassBinding (of any plugin). */
  static is(value: unknown): value is GuestResource {
    return typeof value === 'object' && value !== null && #binding in value;
  }

  /** Sets the state (BORROWED … DROPPED) of an object already checked by `codeOf`; returns its rep. */
  static transition(value: unknown, code: number): number {
    (value as GuestResource).#st = code;
    return (value as GuestResource).#rep;
  }

  static repOf(value: unknown): number {
    return (value as GuestResource).#rep;
  }

  /** The cell slot of `value` while JS owns it, else 0. */
  static #ownedSlot(value: GuestResource): number {
    const st = value.#st;
    return st > 0 ? st : 0;
  }

  /** The tracker identity of an object, undefined while it takes part in no borrow. */
  static trackOf(value: GuestResource): TrackedHandle | undefined {
    const slot = GuestResource.#ownedSlot(value);
    return slot === 0 ? undefined : value.#binding.cell.trackAt(slot);
  }

  /** The tracker identity of an owned object, made on first use; undefined for a borrowed one. */
  static ensureTrack(value: GuestResource): TrackedHandle | undefined {
    const slot = GuestResource.#ownedSlot(value);
    if (slot === 0) return undefined;
    const cell = value.#binding.cell;
    let t = cell.trackAt(slot);
    if (t === undefined) {
      // Numbered in the order JS received them, which users can relate to; reps are guest pointers.
      t = { label: `${value.#binding.resourceName} #${cell.seqOf(slot)}` };
      cell.setTrack(slot, t);
    }
    return t;
  }

  static isStatic(value: GuestResource): boolean {
    const slot = GuestResource.#ownedSlot(value);
    return slot !== 0 && value.#binding.cell.isStaticAt(slot);
  }

  static markStatic(value: GuestResource): void {
    const slot = GuestResource.#ownedSlot(value);
    if (slot !== 0) value.#binding.cell.markStaticAt(slot);
  }

  static bindingOf(value: GuestResource): GuestClassBinding {
    return value.#binding;
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
          super(MINT, args[1] as GuestClassBinding, args[2] as number, args[3] as number);
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

/**
 * Binding for a guest-implemented resource exported as class `cls` (from
 * `makeGuestClass`). It reaches the resource type (and through it the
 * instance) only until its plugin cell revokes it at unload.
 */
export class GuestClassBinding implements ResourceJsBinding {
  #rt: ResourceType | undefined;
  readonly resourceName: string;
  readonly cell: PluginCell;

  constructor(
    rt: ResourceType,
    private readonly cls: new (...args: unknown[]) => GuestResource,
    /** The plugin's cell; a predicate makes a standalone binding (unit tests). */
    cell: PluginCell | (() => boolean),
  ) {
    this.#rt = rt;
    this.resourceName = rt.name;
    this.cell = cell instanceof PluginCell ? cell : new PluginCell(rt.name);
  }

  liftOwn(rep: number): unknown {
    const cell = this.cell;
    const slot = cell.adopt(this, rep);
    const obj = new this.cls(MINT, this, rep, slot);
    cell.watch(obj, slot);
    return obj;
  }

  liftBorrow(rep: number): unknown {
    return new this.cls(MINT, this, rep, BORROWED);
  }

  /** The raw state of `value` (see GuestResource), after checking it is one of ours and the plugin is loaded. */
  private code(value: unknown, path: string): number {
    const st = GuestResource.codeOf(value, this);
    if (st === undefined) throw new TypeError(`${path}: expected a ${this.resourceName} object`);
    if (!this.cell.live) throw new UnloadedError(`${path}: the ${this.resourceName} belongs to ${this.cell.name}, which was unloaded`);
    return st;
  }

  lowerOwn(value: unknown, path: string): number {
    const slot = this.code(value, path);
    if (slot <= 0) throw new TypeError(`${path}: expected an owned ${this.resourceName}, but it is ${GuestResource.stateOf(value, this)}`);
    const cell = this.cell;
    const track = cell.trackAt(slot);
    if (track !== undefined) cell.tracker.checkDrop(track);
    cell.forget(slot, value as object);
    // Moved into the plugin: whatever it borrowed is now the plugin's to track (§5).
    if (track !== undefined) cell.tracker.release(track);
    return GuestResource.transition(value, MOVED);
  }

  lowerBorrow(value: unknown, path: string): number {
    const st = this.code(value, path);
    if (st <= 0 && st !== BORROWED) throw new TypeError(`${path}: cannot lend a ${GuestResource.stateOf(value, this)} ${this.resourceName}`);
    return GuestResource.repOf(value);
  }

  endBorrow(value: unknown): void {
    if (GuestResource.codeOf(value, this) === BORROWED) GuestResource.transition(value, REVOKED);
  }

  /**
   * `[Symbol.dispose]`: runs the guest destructor for an owned object; later
   * uses throw. Refused (BorrowError, nothing changed) while dependent handles
   * still borrow it. After unload it only marks the object dropped: unload
   * already dropped the guest's handle.
   */
  dispose(value: object): void {
    const slot = GuestResource.codeOf(value, this);
    if (slot === undefined || slot <= 0) return;
    const rt = this.#rt;
    const cell = this.cell;
    if (!cell.live || rt === undefined) {
      GuestResource.transition(value, DROPPED);
      return;
    }
    const track = cell.trackAt(slot);
    if (track !== undefined) cell.tracker.checkDrop(track);
    const rep = GuestResource.transition(value, DROPPED);
    cell.forget(slot, value);
    if (track !== undefined) cell.tracker.release(track);
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  /** Whether the implementing instance can run a destructor now (not inside a call). */
  canDropNow(): boolean {
    const rt = this.#rt;
    return rt !== undefined && rt.impl.mayEnter && rt.impl.poisoned === undefined;
  }

  /** Drops the guest handle `rep` without a JS object (finalizer, unload). */
  destroyRep(rep: number): void {
    const rt = this.#rt;
    if (rt === undefined || rt.impl.poisoned !== undefined) return;
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  /** Unload: forget the resource type, so objects and classes no longer reach the instance. */
  revoke(): void {
    this.#rt = undefined;
  }
}

/**
 * Binding for a host-implemented resource: reps index a table of the host's
 * objects. Any object with the resource's methods will do (a class instance,
 * a plain object literal): like a Rust trait object, what counts is that the
 * methods exist, checked the first time the object is passed to the plugin.
 * Dropping the last guest handle of an owned object calls its
 * `[Symbol.dispose]` if it has one.
 */
export class HostObjectBinding implements ResourceJsBinding {
  /** Objects the guest owns handles to: kept alive until the guest drops them (or unload does). */
  private readonly objects = new Map<number, object>();
  /**
   * Objects only lent to the guest for a call (`borrow<..>`): a borrow cannot
   * outlive its call (the ABI traps otherwise), so the host must not keep the
   * object alive past it either; the entries of collected objects are swept
   * as the map grows.
   */
  private readonly lent = new Map<number, WeakRef<object>>();
  private sweepAt = 64;
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
    const rep = this.repOf(value, path);
    this.objects.set(rep, value as object);
    this.lent.delete(rep);
    return rep;
  }

  lowerBorrow(value: unknown, path: string): number {
    const rep = this.repOf(value, path);
    if (!this.objects.has(rep) && this.lent.get(rep)?.deref() !== value) {
      this.lent.set(rep, new WeakRef(value as object));
      if (this.lent.size >= this.sweepAt) this.sweep();
    }
    return rep;
  }

  private sweep(): void {
    for (const [rep, ref] of this.lent) if (ref.deref() === undefined) this.lent.delete(rep);
    this.sweepAt = Math.max(64, this.lent.size * 2);
  }

  liftOwn(rep: number): unknown {
    return this.objects.get(rep) ?? this.lent.get(rep)?.deref();
  }

  liftBorrow(rep: number): unknown {
    return this.objects.get(rep) ?? this.lent.get(rep)?.deref();
  }

  /** The destructor the guest runs by dropping its own handle. */
  destroy(rep: number): void {
    const o = this.objects.get(rep);
    this.objects.delete(rep);
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
