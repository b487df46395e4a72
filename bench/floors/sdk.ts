/**
 * The checked floors of the WARM loads of three SDK-built examples (the load
 * section's `load types, warm`, `load shapes, warm`, `load registry, warm`):
 * the instance and JS face a safe host must make on every load, written by
 * hand for each component. floors/warm.ts adds the compile cache (the byte
 * comparison that proves a hit) and times load + unload; what a checked
 * floor is: floors/micro.ts, bench/README.md.
 *
 * Per load, each floor does what a safe host cannot skip (each item cites its rule):
 * - instantiate the main core module (floors/sdk-cores.ts: its shim and fixup
 *   are proven elidable once per compiled component), its imports bound to
 *   the component's lowered functions: `rdylib-panic` (docs/abi.md §4: the
 *   message is read from the guest's memory, in bounds and valid UTF-8, and
 *   the plugin is poisoned with a GuestPanicError), the spec's
 *   resource.new/rep/drop of every resource the component exports
 *   (canon_resource_new traps unless may_leave and beyond Table.MAX_LENGTH;
 *   rep/drop trap on an index that is not a handle of the type; drop of a
 *   lent handle traps; dropping an own handle runs the destructor), and for
 *   shapes the imported canvas methods and drop;
 * - per-instance state (the spec's may_enter/may_leave, our poisoning and
 *   unloaded state), the handle table, the live objects JS holds (revoked at
 *   unload, newest first; released through one process-wide
 *   FinalizationRegistry when JS lets one go);
 * - the JS face: one function per export these floors implement, one class
 *   per resource whose objects a floor function returns;
 * - unload: revoke every live object (its destructor while the instance is
 *   enterable) and refuse every later call.
 *
 * Left out (a floor that does too little only makes a target look easier):
 * the exports the load section's check does not call (types: everything but
 * echo-bytes; shapes: everything but circle and shape.area; registry:
 * everything but registry and unit-registry.len) and their classes: each
 * would add one closure or class per load, which a host could also make at
 * first use (ours makes its face lazily); shapes' canvas import table (no
 * implemented function lowers a canvas, so it stays empty and every guest
 * call on a canvas handle traps, as the spec's does on an index not in the
 * table); library-static marking of registry's handle (only methods taking
 * `&mut self`, none implemented, consult it).
 *
 * The three floors share this module's instance kit: only loads are timed
 * for them, and a load runs no call, so sharing closures between them shares
 * no type feedback a timed path uses (floors/micro.ts says why that would
 * matter for calls). Never imports the host; honesty tests:
 * bench/floors/sdk.test.ts.
 */
import { BorrowError, GuestPanicError, HandleError, PluginInUseError, refuseArity, refuseType, TrapError, UnloadedError } from './errors.ts';
import { u8ListOf } from './micro.ts';

// The instance's state, as in floors/micro.ts: may_enter, poisoned and unloaded in one number.
const ENTERABLE = 0;
const IN_CALL = 1;
const POISONED = 2;
const UNLOADED = 3;

/** The spec's Table.MAX_LENGTH: resource.new traps beyond it. */
const MAX_TABLE_LENGTH = 2 ** 28 - 1;
/** docs/abi.md §4: a panic whose message starts so is a borrow violation the plugin detected. */
const BORROW_ERROR_PREFIX = 'rdylib borrow error: ';

type CoreFn = (...args: number[]) => number;

/**
 * One decoder and one FinalizationRegistry for every instance of these floors: a load makes neither
 * (each costs 7-30 µs right after a GC, measured in build/perf; a host can share them the same way).
 * Fatal: invalid UTF-8 from the guest is a trap (the spec's load_string), never a replacement character.
 * A full decode (no `stream`) keeps no state between calls.
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_DV = new DataView(new ArrayBuffer(0));
const letGo = new FinalizationRegistry<{ readonly instance: FloorInstance; readonly slot: number }>(({ instance, slot }) => instance.finalize(slot));

/** A floor's instance: unload and a count of live objects for the tests. */
export interface SdkFloor {
  /** Revokes every live object and refuses every later call, as `plugin.unload()` does. */
  unload(): void;
  /** How many objects JS holds (live in the registry), for the tests. */
  liveObjects(): number;
}

/** What the kit gives a component's floor: the checks every export makes, the handle table, the live objects. */
class FloorInstance {
  state = ENTERABLE;
  /** The spec's may_leave: false while realloc or a post-return runs (they must not call out). */
  mayLeave = true;
  trap: Error | undefined;
  memory: WebAssembly.Memory | undefined;
  /** Views of the guest memory, made at the first call that reads or writes it (a load makes none). */
  u8 = EMPTY_U8;
  dv = EMPTY_DV;

  // The spec's handle table (index 0 never used; freed indices reused); hType 0: free.
  readonly hRep: number[] = [0];
  readonly hType: number[] = [0];
  readonly hLends: number[] = [0];
  readonly hFree: number[] = [];

  // Live objects JS holds, by slot (0 unused): resource type (0: gone), rep, creation order.
  readonly slotType: number[] = [0];
  readonly slotRep: number[] = [0];
  readonly slotSeq: number[] = [0];
  readonly slotFree: number[] = [];
  seq = 0;
  readonly pendingDrops: number[] = [];

  constructor(
    /** The plugin's name (our messages name it). */
    readonly plugin: string,
    /** Resource type names, type k + 1 at index k. */
    readonly resources: readonly string[],
    /** The guest destructor of each type (filled after instantiation). */
    readonly dtors: ((rep: number) => void)[] = [],
  ) {}

  refuseState(what: string): never {
    if (this.state === IN_CALL) throw new PluginInUseError(`\`${what}\` called while ${this.plugin} is inside a call (may_enter is false)`);
    if (this.state === POISONED) throw new TrapError(`plugin is poisoned by an earlier trap: ${this.trap!.message}`);
    throw new UnloadedError(`${this.plugin} was unloaded: \`${what}\` can no longer be called`);
  }

  /** A trap poisons the instance for good (our rule); the error is what the caller sees. */
  poison(error: unknown): Error {
    if (this.state !== UNLOADED) this.state = POISONED;
    this.trap = error instanceof TrapError || error instanceof GuestPanicError || error instanceof BorrowError ? error : new TrapError(`wasm trap in plugin: ${error instanceof Error ? error.message : String(error)}`);
    return this.trap;
  }

  trapNow(message: string): never {
    throw this.poison(new TrapError(message));
  }

  /** Views of the guest memory, made again after it grew (a grown memory detaches the old buffer). */
  views(): void {
    if (this.u8.length === 0 && this.memory !== undefined) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.dv = new DataView(this.memory.buffer);
    }
  }

  /** A string the guest passed or returned: in bounds and valid UTF-8 (the spec's load_string traps otherwise). */
  liftString(ptr: number, len: number, what: string): string {
    this.views();
    if (ptr + len > this.u8.length) this.trapNow(`${what}: string at ${ptr} (${len} bytes) is out of bounds`);
    try {
      return decoder.decode(this.u8.subarray(ptr, ptr + len));
    } catch {
      return this.trapNow(`${what}: invalid UTF-8`);
    }
  }

  /** The `rdylib-panic` import (docs/abi.md §4): the report becomes the error of the trap that follows. */
  readonly panic = (msgPtr: number, msgLen: number, filePtr: number, fileLen: number, line: number, column: number): never => {
    const message = this.liftString(msgPtr >>> 0, msgLen >>> 0, 'rdylib-panic');
    const where = `${this.liftString(filePtr >>> 0, fileLen >>> 0, 'rdylib-panic')}:${line >>> 0}:${column >>> 0}`;
    throw message.startsWith(BORROW_ERROR_PREFIX)
      ? new BorrowError(`${message.slice(BORROW_ERROR_PREFIX.length)} (detected by the plugin at ${where})`)
      : new GuestPanicError(`the plugin panicked at ${where}: ${message}`);
  };

  /** The resource imports of every exported resource type, under `[resource-new]name` etc. */
  resourceImports(): Record<string, (i: number) => number | void> {
    const imports: Record<string, (i: number) => number | void> = {};
    this.resources.forEach((name, k) => {
      const type = k + 1;
      imports[`[resource-new]${name}`] = (rep) => {
        if (this.mayLeave !== true) this.trapNow(`resource.new ${name}: may_leave is false`);
        let i = this.hFree.pop();
        if (i === undefined) {
          i = this.hRep.length;
          if (i > MAX_TABLE_LENGTH) this.trapNow('resource.new: the handle table is full');
        }
        this.hRep[i] = rep >>> 0;
        this.hType[i] = type;
        this.hLends[i] = 0;
        return i;
      };
      imports[`[resource-rep]${name}`] = (i) => {
        if (!(i > 0 && i < this.hType.length) || this.hType[i] !== type) this.trapNow(`resource.rep ${name}: ${i} is not a ${name} handle`);
        return this.hRep[i]!;
      };
      imports[`[resource-drop]${name}`] = (i) => {
        if (!(i > 0 && i < this.hType.length) || this.hType[i] !== type) this.trapNow(`resource.drop ${name}: ${i} is not a ${name} handle`);
        if (this.hLends[i] !== 0) this.trapNow(`resource.drop ${name}: handle ${i} is still lent`);
        const rep = this.hRep[i]!;
        this.hType[i] = 0;
        this.hFree.push(i);
        this.dtors[type]!(rep);
      };
    });
    return imports;
  }

  /** lift_own: the handle must exist, be of `type` and have no live borrows; it leaves the table. */
  liftOwn(i: number, type: number): number {
    if (!(i > 0 && i < this.hType.length) || this.hType[i] !== type) this.trapNow(`lift own<${this.resources[type - 1]}>: ${i} is not such a handle`);
    if (this.hLends[i] !== 0) this.trapNow(`lift own<${this.resources[type - 1]}>: handle ${i} is lent`);
    const rep = this.hRep[i]!;
    this.hType[i] = 0;
    this.hFree.push(i);
    return rep;
  }

  /** A core call with may_enter false for its duration; a trap poisons. */
  enter(what: string): void {
    if (this.state !== ENTERABLE) this.refuseState(what);
    this.state = IN_CALL;
  }

  /** The object joins the live objects (revoked at unload, released when JS lets go of it). */
  adopt(obj: object, type: number, rep: number): number {
    const slot = this.slotFree.pop() ?? this.slotType.length;
    this.slotType[slot] = type;
    this.slotRep[slot] = rep;
    this.slotSeq[slot] = ++this.seq;
    letGo.register(obj, { instance: this, slot }, obj);
    return slot;
  }

  /** A dispose inside a call is refused (may_enter is false), nothing changed. */
  checkDrop(what: string): void {
    if (this.state === IN_CALL) throw new PluginInUseError(`cannot drop the ${what} while a call into ${this.plugin} is in progress`);
  }

  /** A dispose after `checkDrop`: unloaded (already revoked) or poisoned only ends the object; otherwise the destructor runs. */
  dispose(obj: object, slot: number): void {
    if (this.state === UNLOADED) return;
    letGo.unregister(obj);
    if (this.state === POISONED) {
      this.#free(slot);
      return;
    }
    this.#drop(slot);
  }

  refuseDisposed(what: string): never {
    throw new HandleError(`self: this ${what} was disposed; it can no longer be used`);
  }

  #free(slot: number): void {
    this.slotType[slot] = 0;
    this.slotFree.push(slot);
  }

  /** Frees the slot and runs the guest destructor with may_enter false (a trap poisons and is thrown). */
  #drop(slot: number): void {
    const type = this.slotType[slot]!;
    const rep = this.slotRep[slot]!;
    this.#free(slot);
    this.state = IN_CALL;
    try {
      this.dtors[type]!(rep);
    } catch (error) {
      throw this.poison(error);
    }
    this.state = ENTERABLE;
  }

  /** An object JS let go of without disposing it: its destructor runs now, or after the call in progress. */
  finalize(slot: number): void {
    if (this.slotType[slot] === 0 || this.state === UNLOADED || this.state === POISONED) return;
    if (this.state === IN_CALL) {
      this.pendingDrops.push(slot);
      return;
    }
    try {
      this.#drop(slot);
      while (this.pendingDrops.length > 0 && this.state === ENTERABLE) this.#drop(this.pendingDrops.pop()!);
    } catch {
      // Poisoned by now; a finalizer must not throw into the event loop.
    }
  }

  liveObjects(): number {
    return this.slotType.filter((t) => t !== 0).length;
  }

  /** Revocation, newest first: each live object's destructor while the instance is enterable; then every call is refused. */
  unload(): void {
    if (this.state === UNLOADED) return;
    const live: number[] = [];
    for (let s = 1; s < this.slotType.length; s++) if (this.slotType[s] !== 0) live.push(s);
    live.sort((x, y) => this.slotSeq[y]! - this.slotSeq[x]!);
    for (const s of live) {
      if (this.state !== ENTERABLE) this.#free(s);
      else {
        try {
          this.#drop(s);
        } catch {
          // Poisoned: the remaining objects are only ended.
        }
      }
    }
    this.pendingDrops.length = 0;
    this.state = UNLOADED;
  }

  /** The main module instantiated with `imports`; its memory becomes the instance's. */
  instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports): Record<string, unknown> {
    const exports = new WebAssembly.Instance(module, imports).exports as Record<string, unknown>;
    this.memory = exports['memory'] as WebAssembly.Memory;
    return exports;
  }
}

function coreFn(exports: Record<string, unknown>, name: string): CoreFn {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`the core module does not export ${name}`);
  return f as CoreFn;
}

// ---------------------------------------------------------------------------------------------
// types

export const TYPES_INTERFACE = 'rdylib-guest:types/types@0.1.0';

export interface TypesFloor extends SdkFloor {
  echoBytes(b: Uint8Array | readonly number[]): Uint8Array;
}

/** The types example: `echo-bytes` (list<u8> both ways). */
export function instantiateTypesFloor(module: WebAssembly.Module): TypesFloor {
  const I = TYPES_INTERFACE;
  const inst = new FloorInstance('types', []);
  const exports = inst.instantiate(module, { $root: { 'rdylib-panic': inst.panic } });
  const echoBytesCore = coreFn(exports, `${I}#echo-bytes`);
  const echoBytesPost = coreFn(exports, `cabi_post_${I}#echo-bytes`);
  const realloc = coreFn(exports, 'cabi_realloc');

  /**
   * echo-bytes(b: list<u8>) -> list<u8>: a Uint8Array or an array of u8 (a
   * typed error naming the element); lowered into memory from cabi_realloc
   * (run with may_leave false; the bytes must fit in bounds); the result's
   * return area aligned and in bounds, its bytes in bounds; copied out; the
   * post-return with may_leave false.
   */
  function echoBytes(b: Uint8Array | readonly number[]): Uint8Array {
    if (inst.state !== ENTERABLE) inst.refuseState(`${I}#echo-bytes`);
    if (arguments.length !== 1) refuseArity(1, arguments.length);
    const bytes = b instanceof Uint8Array ? b : Array.isArray(b) ? u8ListOf(b as unknown[]) : refuseType('b', 'an array or Uint8Array', b);
    inst.enter(`${I}#echo-bytes`);
    try {
      inst.mayLeave = false;
      const ptr = realloc(0, 0, 1, bytes.length) >>> 0;
      inst.mayLeave = true;
      inst.views();
      if (ptr + bytes.length > inst.u8.length) inst.trapNow(`cabi_realloc returned ${ptr}: ${bytes.length} bytes there are out of bounds`);
      inst.u8.set(bytes, ptr);
      const ret = echoBytesCore(ptr, bytes.length) >>> 0;
      inst.views();
      if ((ret & 3) !== 0 || ret + 8 > inst.u8.length) inst.trapNow(`echo-bytes: return area ${ret} is misaligned or out of bounds`);
      const p = inst.dv.getUint32(ret, true);
      const l = inst.dv.getUint32(ret + 4, true);
      if (p + l > inst.u8.length) inst.trapNow(`echo-bytes: ${l} bytes at ${p} are out of bounds`);
      const out = inst.u8.slice(p, p + l);
      inst.mayLeave = false;
      echoBytesPost(ret);
      inst.mayLeave = true;
      inst.state = ENTERABLE;
      return out;
    } catch (error) {
      throw inst.poison(error);
    }
  }
  return { echoBytes, unload: () => inst.unload(), liveObjects: () => inst.liveObjects() };
}

// ---------------------------------------------------------------------------------------------
// shapes

export const SHAPES_INTERFACE = 'rdylib-guest:shapes/shapes@0.1.0';
const SHAPE_INTERFACE = 'rdylib-guest:shapes/shape@0.1.0';
const CANVAS_INTERFACE = 'rdylib-guest:shapes/canvas@0.1.0';
const CANVAS_IMPORTS = ['[method]canvas.background', '[method]canvas.resolution', '[method]canvas.label', '[method]canvas.line-to', '[method]canvas.move-to', '[method]canvas.set-style', '[resource-drop]canvas'];

export interface ShapesFloorShape {
  area(): number;
  [Symbol.dispose](): void;
}
export interface ShapesFloor extends SdkFloor {
  circle(radius: number): ShapesFloorShape;
}

/** Resource type indices of the shapes floor's handle table (FloorInstance `resources`). */
const SHAPE = 1;
const SHAPE_AREA = `${SHAPE_INTERFACE}#[method]shape.area`;

/**
 * A shape object: one class for every instance of the floor (made once, not per load), each object
 * reaching its instance through a private field. A private field is the brand (a method called on
 * anything else throws a TypeError naming `self`); `#slot` 0 means dropped.
 */
class CheckedShape implements ShapesFloorShape {
  readonly #inst: FloorInstance;
  readonly #area: (rep: number) => number;
  #rep: number;
  #slot: number;

  /** Made only by `circle`, from a lifted own handle. */
  constructor(inst: FloorInstance, area: (rep: number) => number, rep: number) {
    this.#inst = inst;
    this.#area = area;
    this.#rep = rep;
    this.#slot = inst.adopt(this, SHAPE, rep);
  }

  /** `&self` method: self a live shape (the borrow is its rep: the callee implements the type); the f64 result's NaN canonicalised. */
  area(): number {
    if (!CheckedShape.#isOne(this)) throw new TypeError('self: expected a shape object');
    const inst = this.#inst;
    if (this.#slot === 0) inst.refuseDisposed('shape');
    if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
    inst.enter(SHAPE_AREA);
    let a: number;
    try {
      a = this.#area(this.#rep);
    } catch (error) {
      throw inst.poison(error);
    }
    inst.state = ENTERABLE;
    return a === a ? a : NaN;
  }

  [Symbol.dispose](): void {
    if (!CheckedShape.#isOne(this)) return;
    const slot = this.#slot;
    if (slot === 0) return;
    this.#inst.checkDrop('shape');
    this.#slot = 0;
    this.#inst.dispose(this, slot);
  }

  static #isOne(o: unknown): o is CheckedShape {
    return typeof o === 'object' && o !== null && #slot in o;
  }
}

/**
 * The canvas handles the guest holds: none ever (no implemented function lowers a canvas), so every
 * canvas import finds no handle at its index and traps, as the spec's table lookup does.
 */
function canvasImports(inst: FloorInstance): Record<string, (handle: number) => never> {
  const canvas: Record<string, (handle: number) => never> = {};
  for (const name of CANVAS_IMPORTS) canvas[name] = (handle) => inst.trapNow(`${name}: ${handle >>> 0} is not a canvas handle`);
  return canvas;
}

/** The shapes example: `circle` (an own<shape> result) and the shape's `area`. */
export function instantiateShapesFloor(module: WebAssembly.Module): ShapesFloor {
  const inst = new FloorInstance('shapes', ['shape']);
  const exports = inst.instantiate(module, { $root: { 'rdylib-panic': inst.panic }, [`[export]${SHAPE_INTERFACE}`]: inst.resourceImports(), [CANVAS_INTERFACE]: canvasImports(inst) });
  inst.dtors[SHAPE] = coreFn(exports, `${SHAPE_INTERFACE}#[dtor]shape`);
  const circleCore = coreFn(exports, `${SHAPES_INTERFACE}#circle`);
  const areaCore = coreFn(exports, `${SHAPE_INTERFACE}#[method]shape.area`) as unknown as (rep: number) => number;

  /** circle(radius: f64) -> shape: the argument a number (a typed error naming it), the call, lift_own of the result. */
  function circle(radius: number): ShapesFloorShape {
    if (inst.state !== ENTERABLE) inst.refuseState(`${SHAPES_INTERFACE}#circle`);
    if (arguments.length !== 1) refuseArity(1, arguments.length);
    if (typeof radius !== 'number') refuseType('radius', 'a number (f64)', radius);
    inst.enter(`${SHAPES_INTERFACE}#circle`);
    let handle: number;
    try {
      handle = circleCore(radius) >>> 0;
    } catch (error) {
      throw inst.poison(error);
    }
    inst.state = ENTERABLE;
    return new CheckedShape(inst, areaCore, inst.liftOwn(handle, SHAPE));
  }
  return { circle, unload: () => inst.unload(), liveObjects: () => inst.liveObjects() };
}

// ---------------------------------------------------------------------------------------------
// registry

export const REGISTRY_INTERFACE = 'rdylib-guest:registry/registry@0.1.0';

export interface RegistryFloorUnits {
  len(): number;
  [Symbol.dispose](): void;
}
export interface RegistryFloor extends SdkFloor {
  registry(): RegistryFloorUnits;
}

const UNIT_REGISTRY = 2;
const UNIT_REGISTRY_LEN = `${REGISTRY_INTERFACE}#[method]unit-registry.len`;

/** A unit-registry object: one class for every instance of the floor, as CheckedShape. */
class CheckedUnitRegistry implements RegistryFloorUnits {
  readonly #inst: FloorInstance;
  readonly #len: (rep: number) => number;
  #rep: number;
  #slot: number;

  constructor(inst: FloorInstance, len: (rep: number) => number, rep: number) {
    this.#inst = inst;
    this.#len = len;
    this.#rep = rep;
    this.#slot = inst.adopt(this, UNIT_REGISTRY, rep);
  }

  len(): number {
    if (!CheckedUnitRegistry.#isOne(this)) throw new TypeError('self: expected a unit-registry object');
    const inst = this.#inst;
    if (this.#slot === 0) inst.refuseDisposed('unit-registry');
    if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
    inst.enter(UNIT_REGISTRY_LEN);
    let n: number;
    try {
      n = this.#len(this.#rep);
    } catch (error) {
      throw inst.poison(error);
    }
    inst.state = ENTERABLE;
    return n >>> 0;
  }

  [Symbol.dispose](): void {
    if (!CheckedUnitRegistry.#isOne(this)) return;
    const slot = this.#slot;
    if (slot === 0) return;
    this.#inst.checkDrop('unit-registry');
    this.#slot = 0;
    this.#inst.dispose(this, slot);
  }

  static #isOne(o: unknown): o is CheckedUnitRegistry {
    return typeof o === 'object' && o !== null && #slot in o;
  }
}

/** The registry example: `registry` (an own<unit-registry> result) and its `len`. */
export function instantiateRegistryFloor(module: WebAssembly.Module): RegistryFloor {
  const I = REGISTRY_INTERFACE;
  const inst = new FloorInstance('registry', ['unit', 'unit-registry']);
  const exports = inst.instantiate(module, { $root: { 'rdylib-panic': inst.panic }, [`[export]${I}`]: inst.resourceImports() });
  inst.dtors[1] = coreFn(exports, `${I}#[dtor]unit`);
  inst.dtors[UNIT_REGISTRY] = coreFn(exports, `${I}#[dtor]unit-registry`);
  const registryCore = coreFn(exports, `${I}#registry`);
  const lenCore = coreFn(exports, `${I}#[method]unit-registry.len`);

  /** registry() -> unit-registry: no arguments, the call, lift_own of the result. */
  function registry(): RegistryFloorUnits {
    if (inst.state !== ENTERABLE) inst.refuseState(`${I}#registry`);
    if (arguments.length !== 0) refuseArity(0, arguments.length);
    inst.enter(`${I}#registry`);
    let handle: number;
    try {
      handle = registryCore() >>> 0;
    } catch (error) {
      throw inst.poison(error);
    }
    inst.state = ENTERABLE;
    return new CheckedUnitRegistry(inst, lenCore as unknown as (rep: number) => number, inst.liftOwn(handle, UNIT_REGISTRY));
  }
  return { registry, unload: () => inst.unload(), liveObjects: () => inst.liveObjects() };
}

/**
 * Hidden classes kept alive (as floors/micro.ts `#mapAnchor` and raw-handles.ts mapAnchor): V8
 * holds the map transitions of an object built field by field only weakly, so a forced GC (the
 * bench runs one before every timed load) frees them whenever no such object lives, and the next
 * load rebuilds them (an instance of FloorInstance took 40-60 µs instead of 8-19 µs right after a
 * GC, build/perf). A host keeps its long-lived objects alive just so; these anchors do it for the
 * kit and the import objects each load builds the same way.
 */
const ANCHOR = new FloorInstance('anchor', []);
export const MAP_ANCHORS: readonly object[] = [
  ANCHOR,
  canvasImports(ANCHOR),
  new FloorInstance('anchor', ['shape']).resourceImports(),
  new FloorInstance('anchor', ['unit', 'unit-registry']).resourceImports(),
];
