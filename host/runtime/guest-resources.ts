/**
 * Resources a guest exports, as JS sees them (jco's convention): a class
 * per resource type whose instances wrap the rep; JS owns or borrows them,
 * and `[Symbol.dispose]` drops an owned one. The binding of each type is
 * also the owner of its resources' ownership records (ownership.ts), so
 * every route a handle takes meets the same borrow state.
 */
import type { ComponentInstance } from '../abi/component-instance.ts';
import type { ResourceType, ResourceJsBinding } from '../abi/resource-type.ts';
import { runDestructor } from '../abi/resources.ts';
import { BorrowError, HandleError, PluginInUseError, UnloadedError } from '../errors.ts';
import type { ExportCell } from './export-cell.ts';
import { HOST_INSTANCE } from './host-resources.ts';
import type { OwnedObjectBinding } from './owned-objects.ts';
import { checkDrop, HandleRecord, release } from './ownership.ts';

/** A JS object's state: owned by JS, lent to it for a call, or no longer usable (and why). */
export type GuestObjectState = 'owned' | 'borrowed' | 'moved' | 'revoked' | 'dropped';

/**
 * Tells a genuine resource object (of any plugin) from anything else, to
 * code that must not depend on this module (the worker proxy): on a real
 * object it gives `{ resource, plugin }`, on a forged one (made from the
 * prototype) undefined. Only for naming what was passed in a refusal.
 */
export const HANDLE_BRAND: unique symbol = Symbol.for('rdylib.handle') as never;

/**
 * Module-private token: only this module can make a resource object for a
 * rep, so JS code cannot forge one (a forged rep would reach the guest).
 */
const MINT: unique symbol = Symbol('rdylib resource object');

/**
 * An object's state as one small integer: a positive value is its slot in
 * the cell's owned objects (JS owns it); the others are the states JS no
 * longer owns it in.
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
 * object shapes and each one costs: the object has just three fields, and
 * the owned state doubles as the slot in the cell's owned objects.
 */
export class GuestResource {
  #binding: GuestClassBinding;
  #rep: number;
  /** > 0: owned, the slot; < 0: one of BORROWED, MOVED, REVOKED, DROPPED. */
  #st: number;
  /** For an object lent to JS: the instance whose borrow it is (its reborrows are that call's own). */
  #via: object | undefined;

  constructor(token: typeof MINT, binding: GuestClassBinding, rep: number, st: number, via: object | undefined) {
    if (token !== MINT) throw new TypeError('resource objects are made by the host, not constructed directly');
    this.#binding = binding;
    this.#rep = rep;
    this.#st = st;
    this.#via = via;
  }

  /** The instance that lent this object to JS, or undefined for an owned one. */
  static viaOf(value: GuestResource): object | undefined {
    return value.#via;
  }

  /** The object's raw state if it belongs to `binding` (> 0: owned, its slot), else undefined. */
  static codeOf(value: unknown, binding: GuestClassBinding): number | undefined {
    return typeof value === 'object' && value !== null && #binding in value && (value as GuestResource).#binding === binding
      ? (value as GuestResource).#st
      : undefined;
  }

  /** True for any object made by a GuestClassBinding (of any plugin). */
  static is(value: unknown): value is GuestResource {
    return typeof value === 'object' && value !== null && #binding in value;
  }

  static stateOf(value: GuestResource): GuestObjectState {
    const st = value.#st;
    return STATE_NAME[st > 0 ? 0 : -st]!;
  }

  /** True while the object can be passed to a call: owned or lent to JS, and its plugin loaded. */
  static isUsable(value: GuestResource): boolean {
    return (value.#st > 0 || value.#st === BORROWED) && value.#binding.cell.live;
  }

  /** Sets the state (BORROWED … DROPPED) of an object already checked by `codeOf`; returns its rep. */
  static transition(value: unknown, code: number): number {
    (value as GuestResource).#st = code;
    return (value as GuestResource).#rep;
  }

  static repOf(value: GuestResource): number {
    return value.#rep;
  }

  /** The slot of `value` while JS owns it, else 0. */
  static ownedSlot(value: GuestResource): number {
    const st = value.#st;
    return st > 0 ? st : 0;
  }

  static bindingOf(value: GuestResource): GuestClassBinding {
    return value.#binding;
  }

  get [HANDLE_BRAND](): { readonly resource: string; readonly plugin: string } | undefined {
    return #binding in this ? { resource: this.#binding.resourceName, plugin: this.#binding.cell.name } : undefined;
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
          super(MINT, args[1] as GuestClassBinding, args[2] as number, args[3] as number, args[4] as object | undefined);
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
 * instance) only until its cell is revoked at unload; it keeps the
 * ownership records of its resources, by rep.
 */
export class GuestClassBinding implements ResourceJsBinding, OwnedObjectBinding {
  #rt: ResourceType | undefined;
  readonly resourceName: string;
  /** rep -> record, for resources that take part in a borrow or are library-static. */
  readonly #records = new Map<number, HandleRecord>();

  constructor(
    rt: ResourceType,
    private readonly cls: new (...args: unknown[]) => GuestResource,
    readonly cell: ExportCell,
  ) {
    this.#rt = rt;
    this.resourceName = rt.name;
  }

  liftOwn(rep: number): unknown {
    const owned = this.cell.owned;
    const slot = owned.adopt(this, rep);
    const obj = new this.cls(MINT, this, rep, slot, undefined);
    owned.watch(obj, slot);
    return obj;
  }

  liftBorrow(rep: number, holder: ComponentInstance): unknown {
    return new this.cls(MINT, this, rep, BORROWED, holder);
  }

  /** The record of resource `rep`, if it has one. */
  recordOf(rep: number): HandleRecord | undefined {
    return this.#records.size === 0 ? undefined : this.#records.get(rep);
  }

  /** The record of the resource `value` stands for, made on first need (numbered as the object JS holds). */
  ensureRecord(value: GuestResource): HandleRecord {
    const rep = GuestResource.repOf(value);
    let r = this.#records.get(rep);
    if (r === undefined) {
      const slot = GuestResource.ownedSlot(value);
      r = new HandleRecord(slot > 0 ? this.cell.owned.seqOf(slot) : this.cell.owned.nextSeq(), this.resourceName);
      this.#records.set(rep, r);
    }
    return r;
  }

  /** Every record, by rep (introspection). */
  records(): ReadonlyMap<number, HandleRecord> {
    return this.#records;
  }

  /** How `value` is named in messages: its record's label, or the number JS knows it by. */
  labelOf(value: GuestResource): string {
    const r = this.recordOf(GuestResource.repOf(value));
    if (r !== undefined) return r.label;
    const slot = GuestResource.ownedSlot(value);
    return slot > 0 ? `${this.resourceName} #${this.cell.owned.seqOf(slot)}` : `a lent ${this.resourceName}`;
  }

  /** The raw state of `value` (see GuestResource), after checking it is one of ours and the plugin is loaded. */
  private code(value: unknown, path: string): number {
    const st = GuestResource.codeOf(value, this);
    if (st === undefined) this.refuseForeign(value, path);
    if (!this.cell.live) throw new UnloadedError(`${path}: the ${this.resourceName} belongs to ${this.cell.name}, which was unloaded`);
    return st;
  }

  /** `value` is not one of this binding's objects: says whose it is. */
  private refuseForeign(value: unknown, path: string): never {
    if (!GuestResource.is(value)) throw new TypeError(`${path}: expected a ${this.resourceName} object`);
    const other = GuestResource.bindingOf(value);
    if (other.cell.lineage === this.cell.lineage && other.cell !== this.cell) {
      throw new HandleError(
        'stale-generation',
        `${path}: this ${other.resourceName} comes from the build of ${this.cell.name} that reload replaced; ` +
          `its handles were revoked, so pass a ${this.resourceName} made since the reload`,
      );
    }
    throw new HandleError(
      'foreign-instance',
      `${path}: expected a ${this.resourceName} of ${this.cell.name}, got a ${other.resourceName} of ${other.cell.name}` +
        (other.cell.live ? '' : ' (unloaded)'),
    );
  }

  /** The error for using `value`, in state `st` (not owned), where an owned (or a lent) object is needed. */
  private unusable(value: unknown, st: number, path: string, need: 'owned' | 'lendable'): Error {
    const name = this.resourceName;
    switch (st) {
      case DROPPED:
        return new HandleError('use-after-dispose', `${path}: this ${name} was disposed; it can no longer be used`);
      case MOVED:
        return new HandleError('use-after-move', `${path}: this ${name} was moved into an earlier call (passed by value); it can no longer be used`);
      case REVOKED:
        return new HandleError('borrow-ended', `${path}: this ${name} was lent to a callback for one call, which has returned; it can no longer be used`);
      default:
        // BORROWED where ownership is needed: Rust's E0507, cannot move out of a borrow.
        return new BorrowError(`${path}: cannot move ${this.labelOf(value as GuestResource)} out of a borrow: it is only lent to this callback (${need} needed)`);
    }
  }

  lowerOwn(value: unknown, path: string): number {
    const st = this.code(value, path);
    if (st <= 0) throw this.unusable(value, st, path, 'owned');
    const rep = GuestResource.repOf(value as GuestResource);
    checkDrop(this.recordOf(rep), 'move');
    return rep;
  }

  /** Moved into a call: JS no longer owns it. Its record stays: the resource (and what it borrows) lives on where it went. */
  commitOwn(value: unknown): void {
    const slot = GuestResource.ownedSlot(value as GuestResource);
    this.cell.owned.forget(slot, value as object);
    GuestResource.transition(value, MOVED);
  }

  lowerBorrow(value: unknown, path: string): number {
    const st = this.code(value, path);
    if (st <= 0 && st !== BORROWED) throw this.unusable(value, st, path, 'lendable');
    return GuestResource.repOf(value as GuestResource);
  }

  endBorrow(value: unknown): void {
    if (GuestResource.codeOf(value, this) === BORROWED) GuestResource.transition(value, REVOKED);
  }

  /** The resource `rep` was destroyed (any route): its record and the borrows it held end. */
  destroyed(rep: number): void {
    const r = this.recordOf(rep);
    if (r === undefined) return;
    release(r);
    this.#records.delete(rep);
  }

  /**
   * `[Symbol.dispose]`: runs the guest destructor for an owned object; later
   * uses throw HandleError. Refused, with nothing changed, while something
   * borrows it (BorrowError; a library-static handle may go) or while a call
   * into the plugin is in progress (PluginInUseError). Disposing again, or
   * disposing a lent object, does nothing. After unload it only marks the
   * object dropped: unload already dropped the resource.
   */
  dispose(value: object): void {
    const slot = GuestResource.codeOf(value, this);
    if (slot === undefined || slot <= 0) return;
    const rt = this.#rt;
    const cell = this.cell;
    if (!cell.live || rt === undefined || rt.impl.poisoned !== undefined) {
      // Nothing can run in the instance any more; the object just ends.
      if (cell.live) cell.owned.forget(slot, value);
      GuestResource.transition(value, DROPPED);
      return;
    }
    const rep = GuestResource.repOf(value as GuestResource);
    checkDrop(this.recordOf(rep), 'drop');
    if (!rt.impl.mayEnter) {
      throw new PluginInUseError(
        `cannot drop ${this.labelOf(value as GuestResource)} while a call into ${cell.name} is in progress (its destructor would re-enter it); drop it after the call returns`,
      );
    }
    GuestResource.transition(value, DROPPED);
    cell.owned.forget(slot, value);
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  canDropNow(): boolean {
    const rt = this.#rt;
    return rt !== undefined && rt.impl.mayEnter && rt.impl.poisoned === undefined;
  }

  destroyRep(rep: number): void {
    const rt = this.#rt;
    if (rt === undefined || rt.impl.poisoned !== undefined) return;
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  /** Unload: forget the resource type and the records, so objects and classes no longer reach the instance. */
  revoke(): void {
    this.#rt = undefined;
    for (const r of this.#records.values()) release(r);
    this.#records.clear();
  }
}
