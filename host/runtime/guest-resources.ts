/**
 * Resources a guest exports, as JS sees them (jco's convention): a class
 * per resource type whose instances wrap the rep; JS owns or borrows them,
 * and `[Symbol.dispose]` drops an owned one. The binding of each type is
 * also the owner of its resources' ownership records (ownership.ts), so
 * every route a handle takes meets the same borrow state.
 */
import type { ComponentInstance } from '../abi/component-instance.ts';
import type { LendKeep, ResourceType, ResourceJsBinding } from '../abi/resource-type.ts';
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
 * What the host knows about one resource object, kept in a single private
 * field of it (`GuestResource`). Read through `handleOf`; only this module
 * changes the state.
 */
export interface HandleView {
  readonly binding: GuestClassBinding;
  readonly rep: number;
  /** > 0: owned by JS, its slot in the cell's owned objects; < 0: one of BORROWED, MOVED, REVOKED, DROPPED. */
  readonly st: number;
  /** For an object lent to JS: the instance whose borrow it is (its reborrows are that call's own). */
  readonly via: object | undefined;
}

class HandleState implements HandleView {
  /**
   * The record `binding.ensureRecord` last found for this object's rep, or undefined: a
   * cache of `binding`'s map, valid while the record is not `retired` (every removal from
   * the map retires the record, so a record that is not is still the map's entry for the rep).
   */
  record: HandleRecord | undefined = undefined;
  /**
   * `binding`'s count of records made (`recordsMade`) when its map last had no record for
   * this object's rep, else -1: while the count is still that, there is none (records enter
   * the map only by being made; leaving it keeps "none" true).
   */
  noRecordAt = -1;

  constructor(
    readonly binding: GuestClassBinding,
    readonly rep: number,
    public st: number,
    readonly via: object | undefined,
  ) {}
}

/** What `liftBorrow` keeps in a lowered import's `LendKeep`: the object it lent, and its state (read without the object's private field). */
interface KeptLend {
  readonly view: GuestResource;
  readonly state: HandleState;
}

/** `value`'s state when it is a genuine resource object (of any plugin), else undefined. */
let stateOf: (value: unknown) => HandleState | undefined;

/**
 * Base class of every exported guest resource class. Its state lives in one
 * private field: unforgeable like a WeakMap entry, but read as cheaply as an
 * ordinary property (a WeakMap costs a hash lookup per access and an
 * ephemeron entry per object for the GC). One field, because every plugin
 * load makes new classes, so in a process that has made more than a few the
 * field's access sites see many object shapes and each access is a generic
 * lookup: a call looks it up once or twice, then reads the state object,
 * whose shape is always the same. It is read only through this module's
 * functions (never static methods, which anyone could reach from a
 * resource object's class and use to change a state).
 */
export class GuestResource {
  // Made by its initializer from what `mint` left (`takeMinted`), not declared empty and assigned in
  // the constructor: the field's definition and a store to it are each an inline cache over every
  // resource class's objects (every load makes classes), and with objects of the micro bench's and
  // kv's classes made the store was V8's megamorphic IC, ~140 instructions per object (callgrind, kv
  // store create+drop). Undefined (not a genuine object: `stateOf` finds no state) unless `mint`
  // constructed it.
  #h: HandleState | undefined = takeMinted();

  constructor(token: typeof MINT) {
    if (token !== MINT) throw new TypeError('resource objects are made by the host, not constructed directly');
  }

  static {
    stateOf = (value) => (typeof value === 'object' && value !== null && #h in value ? (value as GuestResource).#h : undefined);
  }

  get [HANDLE_BRAND](): { readonly resource: string; readonly plugin: string } | undefined {
    const h = stateOf(this);
    return h === undefined ? undefined : { resource: h.binding.resourceName, plugin: h.binding.cell.name };
  }
}

/**
 * What `mint` hands to the object it makes, from just before its construction
 * until GuestResource's field initializer takes it (`takeMinted`). Kept as
 * the state's parts, not a state object: a new (young) object stored in a
 * module variable (old) takes V8's write barrier, ~50 instructions.
 */
const minting: { binding: GuestClassBinding | undefined; rep: number; st: number; via: object | undefined } = { binding: undefined, rep: 0, st: 0, via: undefined };

/** GuestResource's field initializer: the state `mint` left, made and taken (only one object gets it), or undefined. */
function takeMinted(): HandleState | undefined {
  const m = minting;
  const binding = m.binding;
  if (binding === undefined) return undefined;
  const via = m.via;
  m.binding = undefined;
  m.via = undefined;
  return new HandleState(binding, m.rep, m.st, via);
}

/**
 * A new object of `cls` (a class `makeGuestClass` made) for `rep` of `binding`,
 * in state `st`: constructed with the token, the state's parts left for
 * GuestResource's field initializer, which takes them first thing. Nothing
 * but the class's own constructor (its token branch, no JS of anyone else's)
 * runs in between, unless JS replaced the class's own prototype
 * (`Object.setPrototypeOf(Class, X)`): then `X` is constructed instead, with
 * the token, as it was given the token and the state's parts before.
 */
function mint(cls: new (...args: unknown[]) => GuestResource, binding: GuestClassBinding, rep: number, st: number, via: object | undefined): GuestResource {
  const m = minting;
  m.binding = binding;
  m.rep = rep;
  m.st = st;
  m.via = via;
  return new cls(MINT);
}

/** The state of `value` when it is a resource object made by a GuestClassBinding (of any plugin), else undefined. */
export function handleOf(value: unknown): HandleView | undefined {
  return stateOf(value);
}

/** True while the object can be passed to a call: owned or lent to JS, and its plugin loaded. */
export function isUsable(h: HandleView): boolean {
  return (h.st > 0 || h.st === BORROWED) && h.binding.cell.live === true;
}

/**
 * `js` when it is a guest resource binding whose plugin is loaded (so an
 * object it lends now is usable, `isUsable`), else undefined.
 */
export function liveBinding(js: ResourceJsBinding): GuestClassBinding | undefined {
  // `!== true`, not `!`: see GuestClassBinding `stateOf`.
  return js instanceof GuestClassBinding && js.cell.live === true ? js : undefined;
}

/** The slot of the object while JS owns it, else 0. */
export function ownedSlot(h: HandleView): number {
  return h.st > 0 ? h.st : 0;
}

/** The state of `value` if it belongs to `binding`, else undefined. */
function ownState(value: unknown, binding: GuestClassBinding): HandleState | undefined {
  const h = stateOf(value);
  return h !== undefined && h.binding === binding ? h : undefined;
}

/**
 * Makes the JS class of a guest-exported resource: a subclass of
 * GuestResource named after the WIT type. `new Cls(...args)` calls the
 * exported `[constructor]` (installed later with `setConstructor`), whose
 * lifted `own` result is the object `new` yields; `[Symbol.dispose]` (own on
 * the prototype, writable and configurable) goes to the binding given to
 * `setBinding`, which the caller makes for this class before handing it out.
 */
export function makeGuestClass(className: string): {
  cls: new (...args: unknown[]) => GuestResource;
  /** `cls.prototype`, read while that load was cheap (below): where the class's methods go. */
  proto: object;
  setConstructor(f: (...args: unknown[]) => unknown): void;
  setBinding(b: GuestClassBinding): void;
} {
  let ctor: ((...args: unknown[]) => unknown) | undefined;
  let binding: GuestClassBinding | undefined;
  // The method in the class body costs less than a defineProperty on the prototype afterwards (a new
  // hidden class for it, after every GC).
  const cls = class extends GuestResource {
    constructor(...args: unknown[]) {
      // `typeof` first: a user's `new` passes numbers, strings, objects here, and a bare `===` against
      // the symbol then compiles to V8's generic StrictEqual call on the host's own `new` as well.
      if (typeof args[0] === 'symbol' && args[0] === MINT) {
        super(MINT);
        return;
      }
      if (ctor === undefined) throw new TypeError(`${className} has no exported constructor`);
      // The lifted constructor returns an instance of this class; `new` yields it.
      return ctor(...args) as this;
    }

    [Symbol.dispose](): void {
      binding!.dispose(this);
    }
  };
  // V8 (node 20): the prototype read before the name is set, and the name set by a define rather
  // than by a computed key (`{ [className]: class ... }[className]`, the same property: non-writable,
  // non-enumerable, configurable). Naming the class turns it into a dictionary-mode object, which the
  // first property load from it then migrated back (`MakePrototypesFast`, ~3.7K instructions per
  // class); read now, while every such class has one hidden class, the load is a plain IC hit, and
  // the face needs no other load from the class. kv's warm face (6 classes, callgrind): 410K -> 381K.
  const proto = cls.prototype;
  Object.defineProperty(cls, 'name', { value: className, configurable: true });
  return {
    cls,
    proto,
    setConstructor(f) {
      ctor = f;
    },
    setBinding(b) {
      binding = b;
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
  /** How many records `findRecord` has put in `#records`, the only way one enters it (HandleState `noRecordAt`). */
  #recordsMade = 0;

  /**
   * An object of the class, never handed out (its state is DROPPED), kept for as long as the
   * binding lives so that the hidden classes of its objects (and of their state) stay alive. When
   * JS holds none of its objects, a full GC would otherwise collect those maps; V8 then
   * deoptimises every function compiled against them ("weak objects") and runs the next calls
   * unoptimised until it recompiles: measured, create+drop after a `gc()` took ~1 µs per object
   * for the next ~20,000 objects instead of ~150 ns, and the bench forces a GC before each batch.
   * Made by `keepShapes` at the first call into the plugin (plugin-cell.ts `compile`), not with
   * the class: a load that makes no object of it then never pays for its first object (~40 us
   * right after a GC, when the class's hidden classes are made).
   */
  #mapAnchor: GuestResource | undefined = undefined;

  /** The kept object `liftBorrow` lent last, until its lend ends (`endBorrow`, which then reads no private field of it). */
  #lentKept: KeptLend | undefined = undefined;

  constructor(
    rt: ResourceType,
    private readonly cls: new (...args: unknown[]) => GuestResource,
    readonly cell: ExportCell,
  ) {
    this.#rt = rt;
    this.resourceName = rt.name;
  }

  /** Makes the map anchor (above), once. */
  keepShapes(): void {
    this.#mapAnchor ??= mint(this.cls, this, 0, DROPPED, undefined);
  }

  liftOwn(rep: number): unknown {
    const owned = this.cell.owned;
    const slot = owned.adopt(this, rep);
    const obj = mint(this.cls, this, rep, slot, undefined);
    owned.watch(obj, slot);
    return obj;
  }

  /**
   * With `keep` (a linked plugin's export is the callee, resource-type.ts):
   * the object kept there again when it is this binding's, `rep`'s, held by
   * `holder` and revoked (its lend ended), instead of a new one (making it
   * cost ~300 instructions and a write barrier per call into a linked
   * plugin, callgrind, consumer.compactness); only host code ever held it,
   * so no JS can tell it was lent before. Else a new object, kept there
   * (`lendKept`). The binding is checked too: a keep belongs to a parameter
   * of a lowered import, and `ResourceType.js` is assignable, so it could
   * hold another binding's object.
   */
  liftBorrow(rep: number, holder: ComponentInstance, keep?: LendKeep): unknown {
    if (keep === undefined) return mint(this.cls, this, rep, BORROWED, holder);
    const k = keep.kept as KeptLend | undefined;
    if (k === undefined) return this.lendKept(rep, holder, keep);
    const h = k.state;
    if (h.binding !== this || h.rep !== rep || h.via !== holder || h.st !== REVOKED) return this.lendKept(rep, holder, keep);
    h.st = BORROWED;
    this.#lentKept = k;
    return k.view;
  }

  /** Out of line, the rare case (a first lend, another shape, a lend while the kept one is lent): `liftBorrow` runs at every lend. */
  private lendKept(rep: number, holder: ComponentInstance, keep: LendKeep): GuestResource {
    const view = mint(this.cls, this, rep, BORROWED, holder);
    const k: KeptLend = { view, state: stateOf(view)! };
    keep.kept = k;
    this.#lentKept = k;
    return view;
  }

  /** The record of resource `rep`, if it has one. */
  recordOf(rep: number): HandleRecord | undefined {
    return this.#records.size === 0 ? undefined : this.#records.get(rep);
  }

  /**
   * `recordOf(h.rep)` for one of this binding's objects, through what the object remembers:
   * the record it keeps (`ensureRecord`) while that is not retired, or that its rep had none
   * while no record was made since (`noRecordAt`). A call that makes no loan on a handle (every
   * `next()` of a kv iterator, a dependent; every `len()` of a store while another store of the
   * plugin has a record) then makes no map lookup, ~70 instructions (callgrind, kv len()).
   */
  keptRecordOf(h: HandleView): HandleRecord | undefined {
    // Every HandleView is a HandleState: `handleOf` hands out nothing else. The lookup out of
    // line: this is inlined into a method call's wrapper, within V8's one budget of bytecode.
    const state = h as HandleState;
    const r = state.record;
    if (r !== undefined && r.retired === false) return r;
    return state.noRecordAt === this.#recordsMade ? undefined : this.lookUpRecord(state);
  }

  /** `keptRecordOf` without what the object remembers: the map's record, remembered by the object either way. */
  private lookUpRecord(state: HandleState): HandleRecord | undefined {
    const r = this.recordOf(state.rep);
    if (r === undefined) state.noRecordAt = this.#recordsMade;
    else state.record = r;
    return r;
  }

  /**
   * The record of the resource `h` (one of this binding's objects) stands for, made on first
   * need (numbered as the object JS holds). Every call lending a borrowed handle asks: the
   * object keeps the record it was given (HandleState `record`), which stands until retired,
   * so a method call on a trait object costs no map lookup.
   */
  ensureRecord(h: HandleView): HandleRecord {
    // Every HandleView is a HandleState: `handleOf` hands out nothing else. The lookup out of
    // line: this is inlined into a method call's wrapper, within V8's one budget of bytecode.
    const r = (h as HandleState).record;
    return r !== undefined && r.retired === false ? r : this.findRecord(h as HandleState);
  }

  /** `ensureRecord` without the object's record: the map's, or a new one; kept by the object. */
  private findRecord(state: HandleState): HandleRecord {
    const r = this.recordFor(state.rep, ownedSlot(state));
    state.record = r;
    return r;
  }

  /**
   * The record `ensureRecord` gives for an object lent for resource `rep`
   * (BORROWED: no owned slot), for a call that lends the rep itself, below
   * the face (host/rdylib/call-plan.ts `lendingBelow`).
   */
  lendRecord(rep: number): HandleRecord {
    return this.recordFor(rep, 0);
  }

  /** The record of `rep`: the map's, or a new one, numbered as the object JS owns in `slot` (0: none, a new number). */
  private recordFor(rep: number, slot: number): HandleRecord {
    let r = this.#records.get(rep);
    if (r === undefined) {
      r = new HandleRecord(slot > 0 ? this.cell.owned.seqOf(slot) : this.cell.owned.nextSeq(), this.resourceName);
      this.#records.set(rep, r);
      this.#recordsMade++;
    }
    return r;
  }

  /** Every record, by rep (introspection). */
  records(): ReadonlyMap<number, HandleRecord> {
    return this.#records;
  }

  /** How the object of `h` is named in messages: its record's label, or the number JS knows it by. */
  labelOf(h: HandleView): string {
    const r = this.recordOf(h.rep);
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
    const other = h.binding;
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
    switch (h.st) {
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
    const h = this.stateOf(value, path);
    if (h.st <= 0) throw this.unusable(h, path, 'owned');
    checkDrop(this.recordOf(h.rep), 'move');
    return h.rep;
  }

  /** Moved into a call: JS no longer owns it. Its record stays: the resource (and what it borrows) lives on where it went. */
  commitOwn(value: unknown): void {
    // Checked by lowerOwn in the same call.
    const h = ownState(value, this)!;
    this.cell.owned.forget(ownedSlot(h), value as object);
    h.st = MOVED;
  }

  /**
   * Every check in one test, the refusals out of line (`refuseBorrow`): this
   * runs on every borrowed argument (a self method's `self`), and V8 inlines
   * it into the call's wrapper (js-exports.ts) with the rest of the call
   * within one budget of bytecode, of which the private `stateOf` and
   * `ownState` as calls of their own took 65 bytes more (178 -> 113, with the
   * module's `stateOf` they both inline).
   */
  lowerBorrow(value: unknown, path: string): number {
    const h = stateOf(value);
    // `!== true`, not `!`: see `stateOf` (the method).
    if (h === undefined || h.binding !== this || this.cell.live !== true || (h.st <= 0 && h.st !== BORROWED)) this.refuseBorrow(value, path);
    return h!.rep;
  }

  /** Why `lowerBorrow` refused `value`, in the order `stateOf` (the method) and the state check find it. */
  private refuseBorrow(value: unknown, path: string): never {
    throw this.unusable(this.stateOf(value, path), path, 'lendable');
  }

  endBorrow(value: unknown): void {
    const k = this.#lentKept;
    if (k !== undefined && k.view === value) {
      // Let go at once: the binding must not hold the lend's holder (a linked plugin, maybe unloaded later) past the call.
      this.#lentKept = undefined;
      if (k.state.st === BORROWED) k.state.st = REVOKED;
      return;
    }
    const h = ownState(value, this);
    if (h !== undefined && h.st === BORROWED) h.st = REVOKED;
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
    if (h === undefined || h.st <= 0) return;
    const rt = this.#rt;
    // `!== true`, not `!`: V8 compiles `!` of a field it cannot type as a full truthiness test.
    if (this.cell.live !== true || rt === undefined || rt.impl.poisoned !== undefined) {
      this.endWithoutDrop(h, value);
      return;
    }
    const rep = h.rep;
    // Refusals out of line: this runs on every dispose, and V8 inlines it into the caller only while it is small.
    checkDrop(this.recordOf(rep), 'drop');
    if (rt.impl.mayEnter !== true) this.refuseDropInCall(h);
    const slot = h.st;
    h.st = DROPPED;
    this.cell.owned.forget(slot, value);
    runDestructor(rt, HOST_INSTANCE, rep);
  }

  /** `dispose` once nothing can run in the instance any more (unloaded, poisoned): the object just ends. */
  private endWithoutDrop(h: HandleState, value: object): void {
    if (this.cell.live) this.cell.owned.forget(h.st, value);
    h.st = DROPPED;
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
