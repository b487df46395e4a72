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

/**
 * Where an object keeps its state: an own property under this module-private
 * symbol, holding its HandleState. Not a private field of a shared base
 * class: every resource class would then extend that base, and on Node 20
 * (V8 11.3) TurboFan never inlines a `super()` call, so each object made
 * took V8's generic construct path (~230 instructions per object). Each
 * resource class is a base class of its own instead (its prototype's parent
 * is GuestResource.prototype), which V8 allocates inline.
 *
 * The symbol is reachable by JS (`Object.getOwnPropertySymbols`), so what it
 * holds is opaque (JS-private fields only) and is trusted only on the object
 * it names: a state copied onto another object, or onto a proxy of its own,
 * is not that object's state.
 */
const STATE: unique symbol = Symbol('rdylib resource state');

/** `value`'s state when it is a genuine resource object (of any plugin), else undefined. */
let stateOf: (value: unknown) => HandleState | undefined;
/** The binding that made the object of `h`. */
let bindingOf: (h: HandleState) => GuestClassBinding;
/** The rep of the resource the object of `h` stands for. */
let repOf: (h: HandleState) => number;
/** > 0: owned by JS, its slot in the cell's owned objects; < 0: one of BORROWED, MOVED, REVOKED, DROPPED. */
let stOf: (h: HandleState) => number;
let setSt: (h: HandleState, st: number) => void;
/** For an object lent to JS: the instance whose borrow it is (its reborrows are that call's own). */
let viaOf: (h: HandleState) => object | undefined;
/**
 * The record of the resource `value` stands for when it is a resource object (of any plugin)
 * and has one (its binding's `recordOf`), else undefined: `stateOf` and `recordOf` in one
 * function, for the borrow check every call with a handle makes (small enough to inline).
 */
let recordOfValue: (value: unknown) => HandleRecord | undefined;
/**
 * For lowering, in one function (V8 inlines a lowering into its call only while the whole is small):
 * the rep of `value` when it is `binding`'s object and JS owns it (`ownedRep`), or owns it or has
 * it lent (`lendableRep`); otherwise -1, and the caller finds out why out of line.
 */
let ownedRep: (value: unknown, binding: GuestClassBinding) => number;
let lendableRep: (value: unknown, binding: GuestClassBinding) => number;

/**
 * What the host knows about one resource object. Every field is JS-private
 * and read through this module's functions (never methods or static
 * methods, which anyone holding the state could call), so JS code that
 * finds the state learns and changes nothing. One class, so every read of
 * a state is monomorphic whatever class the object is.
 */
class HandleState {
  readonly #obj: object;
  readonly #binding: GuestClassBinding;
  readonly #rep: number;
  #st: number;
  readonly #via: object | undefined;

  constructor(obj: object, binding: GuestClassBinding, rep: number, st: number, via: object | undefined) {
    this.#obj = obj;
    this.#binding = binding;
    this.#rep = rep;
    this.#st = st;
    this.#via = via;
  }

  static {
    stateOf = (value) => {
      // `?.`: a primitive finds only what its wrapper's prototype has, which the back-reference refuses.
      const h = (value as { [STATE]?: unknown } | null | undefined)?.[STATE];
      // The brand, then the back-reference: a state is only its own object's.
      return typeof h === 'object' && h !== null && #obj in h && h.#obj === value ? h : undefined;
    };
    bindingOf = (h) => h.#binding;
    repOf = (h) => h.#rep;
    stOf = (h) => h.#st;
    setSt = (h, st) => {
      h.#st = st;
    };
    viaOf = (h) => h.#via;
    recordOfValue = (value) => {
      const h = (value as { [STATE]?: unknown } | null | undefined)?.[STATE];
      return typeof h === 'object' && h !== null && #obj in h && h.#obj === value ? h.#binding.recordOf(h.#rep) : undefined;
    };
    ownedRep = (value, binding) => {
      const h = (value as { [STATE]?: unknown } | null | undefined)?.[STATE];
      if (typeof h !== 'object' || h === null || !(#obj in h) || h.#obj !== value || h.#binding !== binding) return -1;
      return h.#st > 0 ? h.#rep : -1;
    };
    lendableRep = (value, binding) => {
      const h = (value as { [STATE]?: unknown } | null | undefined)?.[STATE];
      if (typeof h !== 'object' || h === null || !(#obj in h) || h.#obj !== value || h.#binding !== binding) return -1;
      // Owned (a slot, > 0) or BORROWED: no state is 0.
      return h.#st >= BORROWED ? h.#rep : -1;
    };
  }
}

/** A resource object's state, opaque outside this module: read it with `bindingOf`, `repOf`, `viaOf`, `isUsable`, `ownedSlot`. */
export type HandleView = HandleState;

/**
 * The prototype every exported guest resource class's prototype inherits
 * from (`obj instanceof GuestResource` holds for any resource object); it
 * carries what all of them share. Not a base class: see STATE.
 */
export class GuestResource {
  constructor() {
    throw new TypeError('resource objects are made by the host, not constructed directly');
  }

  get [HANDLE_BRAND](): { readonly resource: string; readonly plugin: string } | undefined {
    const h = stateOf(this);
    if (h === undefined) return undefined;
    const b = bindingOf(h);
    return { resource: b.resourceName, plugin: b.cell.name };
  }
}

/** The state of `value` when it is a resource object made by a GuestClassBinding (of any plugin), else undefined. */
export function handleOf(value: unknown): HandleView | undefined {
  return stateOf(value);
}

export { bindingOf, recordOfValue, repOf, viaOf };

/** True while the object can be passed to a call: owned or lent to JS, and its plugin loaded. */
export function isUsable(h: HandleView): boolean {
  const st = stOf(h);
  return (st > 0 || st === BORROWED) && bindingOf(h).cell.live === true;
}

/** The slot of the object while JS owns it, else 0. */
export function ownedSlot(h: HandleView): number {
  const st = stOf(h);
  return st > 0 ? st : 0;
}

/** The state of `value` if it belongs to `binding`, else undefined. */
function ownState(value: unknown, binding: GuestClassBinding): HandleState | undefined {
  const h = stateOf(value);
  return h !== undefined && bindingOf(h) === binding ? h : undefined;
}

/** What a resource class's constructor is: `MINT` and the state's fields (the host), or the exported constructor's arguments (JS). */
type ResourceClass = new (...args: unknown[]) => object;

/**
 * Makes the JS class of a guest-exported resource, named after the WIT
 * type. `new Cls(...args)` calls the exported `[constructor]` (installed
 * later with `setConstructor`), whose lifted `own` result is the object
 * `new` yields.
 */
export function makeGuestClass(className: string): { cls: ResourceClass; setConstructor(f: (...args: unknown[]) => unknown): void } {
  let ctor: ((...args: unknown[]) => unknown) | undefined;
  const cls = {
    [className]: class {
      // Named parameters, not a rest array: the host's `new cls(MINT, ...)` is then a plain inlined allocation.
      constructor(token?: unknown, binding?: unknown, rep?: unknown, st?: unknown, via?: unknown) {
        // `typeof` first: a user's `new` passes numbers, strings, objects here, and a bare `===` against
        // the symbol then compiles to V8's generic StrictEqual call on the host's own `new` as well.
        if (typeof token === 'symbol' && token === MINT) {
          (this as { [STATE]?: HandleState })[STATE] = new HandleState(this, binding as GuestClassBinding, rep as number, st as number, via as object | undefined);
          return;
        }
        if (ctor === undefined) throw new TypeError(`${className} has no exported constructor`);
        // The lifted constructor returns an instance of this class; `new` yields it.
        // eslint-disable-next-line prefer-rest-params
        return ctor(...arguments) as object;
      }
    },
  }[className]!;
  Object.setPrototypeOf(cls.prototype, GuestResource.prototype);
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

  /**
   * An object of the class, never handed out (its state is DROPPED), kept for as long as the
   * binding lives so that the hidden classes of its objects (and of their state) stay alive. When
   * JS holds none of its objects, a full GC would otherwise collect those maps; V8 then
   * deoptimises every function compiled against them ("weak objects") and runs the next calls
   * unoptimised until it recompiles: measured, create+drop after a `gc()` took ~1 µs per object
   * for the next ~20,000 objects instead of ~150 ns, and the bench forces a GC before each batch.
   */
  readonly #mapAnchor: object;

  constructor(
    rt: ResourceType,
    private readonly cls: ResourceClass,
    readonly cell: ExportCell,
  ) {
    this.#rt = rt;
    this.resourceName = rt.name;
    this.#mapAnchor = new cls(MINT, this, 0, DROPPED, undefined);
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

  /** The record of the resource `h` stands for, made on first need (numbered as the object JS holds). */
  ensureRecord(h: HandleView): HandleRecord {
    const rep = repOf(h);
    let r = this.#records.get(rep);
    if (r === undefined) {
      const slot = ownedSlot(h);
      r = new HandleRecord(slot > 0 ? this.cell.owned.seqOf(slot) : this.cell.owned.nextSeq(), this.resourceName);
      this.#records.set(rep, r);
    }
    return r;
  }

  /** Every record, by rep (introspection). */
  records(): ReadonlyMap<number, HandleRecord> {
    return this.#records;
  }

  /** How the object of `h` is named in messages: its record's label, or the number JS knows it by. */
  labelOf(h: HandleView): string {
    const r = this.recordOf(repOf(h));
    if (r !== undefined) return r.label;
    const slot = ownedSlot(h);
    return slot > 0 ? `${this.resourceName} #${this.cell.owned.seqOf(slot)}` : `a lent ${this.resourceName}`;
  }

  /** The state of `value`, after checking it is one of ours and the plugin is loaded. */
  private stateOf(value: unknown, path: string): HandleState {
    const h = ownState(value, this);
    if (h === undefined) this.refuseForeign(value, path);
    // `!== true`, not `!`: V8 compiles `!` of a field it cannot type as a full truthiness test. Refusals
    // out of line: this runs on every handle a call lowers, inlined into it only while it is small.
    if (this.cell.live !== true) this.refuseUnloaded(path);
    return h;
  }

  private refuseUnloaded(path: string): never {
    throw new UnloadedError(`${path}: the ${this.resourceName} belongs to ${this.cell.name}, which was unloaded`);
  }

  /** `value` is not one of this binding's objects: says whose it is. */
  private refuseForeign(value: unknown, path: string): never {
    const h = stateOf(value);
    if (h === undefined) throw new TypeError(`${path}: expected a ${this.resourceName} object`);
    const other = bindingOf(h);
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

  /** The error for using the object of `h` (not owned) where an owned (or a lent) object is needed. */
  private unusable(h: HandleState, path: string, need: 'owned' | 'lendable'): Error {
    const name = this.resourceName;
    switch (stOf(h)) {
      case DROPPED:
        return new HandleError('use-after-dispose', `${path}: this ${name} was disposed; it can no longer be used`);
      case MOVED:
        return new HandleError('use-after-move', `${path}: this ${name} was moved into an earlier call (passed by value); it can no longer be used`);
      case REVOKED:
        return new HandleError('borrow-ended', `${path}: this ${name} was lent to a callback for one call, which has returned; it can no longer be used`);
      default:
        // BORROWED where ownership is needed: Rust's E0507, cannot move out of a borrow.
        return new BorrowError(`${path}: cannot move ${this.labelOf(h)} out of a borrow: it is only lent to this callback (${need} needed)`);
    }
  }

  lowerOwn(value: unknown, path: string): number {
    const rep = ownedRep(value, this);
    if (rep < 0 || this.cell.live !== true) this.refuseLowering(value, path, 'owned');
    checkDrop(this.recordOf(rep), 'move');
    return rep;
  }

  /** Moved into a call: JS no longer owns it. Its record stays: the resource (and what it borrows) lives on where it went. */
  commitOwn(value: unknown): void {
    // Checked by lowerOwn in the same call.
    const h = ownState(value, this)!;
    this.cell.owned.forget(ownedSlot(h), value as object);
    setSt(h, MOVED);
  }

  lowerBorrow(value: unknown, path: string): number {
    const rep = lendableRep(value, this);
    if (rep < 0 || this.cell.live !== true) this.refuseLowering(value, path, 'lendable');
    return rep;
  }

  /** Why `value` cannot be lowered (`ownedRep`/`lendableRep` found it unfit, or the plugin is unloaded), in the order the checks are made. */
  private refuseLowering(value: unknown, path: string, need: 'owned' | 'lendable'): never {
    const h = this.stateOf(value, path);
    throw this.unusable(h, path, need);
  }

  endBorrow(value: unknown): void {
    const h = ownState(value, this);
    if (h !== undefined && stOf(h) === BORROWED) setSt(h, REVOKED);
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
    const h = ownState(value, this);
    if (h === undefined || stOf(h) <= 0) return;
    const rt = this.#rt;
    // `!== true`, not `!`: V8 compiles `!` of a field it cannot type as a full truthiness test.
    if (this.cell.live !== true || rt === undefined || rt.impl.poisoned !== undefined) {
      this.endWithoutDrop(h, value);
      return;
    }
    const rep = repOf(h);
    // Refusals out of line: this runs on every dispose, and V8 inlines it into the caller only while it is small.
    checkDrop(this.recordOf(rep), 'drop');
    if (rt.impl.mayEnter !== true) this.refuseDropInCall(h);
    const slot = stOf(h);
    setSt(h, DROPPED);
    this.cell.owned.forget(slot, value);
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  /** `dispose` once nothing can run in the instance any more (unloaded, poisoned): the object just ends. */
  private endWithoutDrop(h: HandleState, value: object): void {
    if (this.cell.live) this.cell.owned.forget(stOf(h), value);
    setSt(h, DROPPED);
  }

  private refuseDropInCall(h: HandleState): never {
    throw new PluginInUseError(
      `cannot drop ${this.labelOf(h)} while a call into ${this.cell.name} is in progress (its destructor would re-enter it); drop it after the call returns`,
    );
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
