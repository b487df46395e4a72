/**
 * The checked floor for two rows of the micro section (the WAT bench guest,
 * micro/guest.ts): `echo record of 8 fields` and `resource create+drop`.
 *
 * What a checked floor is: the raw column's hand-written glue (micro/raw.ts)
 * plus, written by hand for these functions only, exactly the checks and the
 * bookkeeping a safe host is required to do. No generic host can do less
 * work per call than this without dropping one of them, so when this floor
 * alone is above a target's multiple of raw, the target is unreachable for a
 * safe host (bench/report.ts `verdict`). Each check below names the rule that
 * requires it: the Canonical ABI (design/mvp/CanonicalABI.md and
 * canonical-abi/definitions.py, whose names are used) or our own rules
 * (README: typed errors naming the item, a refused call changes nothing, a
 * trap poisons the plugin, unload revokes every live object, an object JS
 * lets go of without disposing is released).
 *
 * Where in doubt a check is left OUT, never added: a floor that does too
 * little only makes targets look easier. Left out, and why:
 * - borrow records at drop: in this component a counter can only be borrowed
 *   for the duration of a call into the same instance (no import calls back
 *   into JS), and a drop during a call is already refused by may_enter;
 * - a re-check of the instance's state after the guest returns: the guest
 *   cannot catch a trap raised by an import (no exception handling here);
 * - the string, list and scalar exports: other rows, no floor yet.
 *
 * The floor never imports the host (it is hand-written against the core
 * modules, like raw.ts) nor any module a raw column uses (a shared function
 * literal shares V8's type feedback, bench/column-copy.ts): the refusals it
 * shares with other floors (./errors.ts) run only off the timed path.
 * bench/floors/micro.test.ts feeds it the same bad inputs as ours and
 * requires the same refusals and the same results.
 */
import type { BenchApi, Counter, Fields } from '../micro/api.ts';
import type { RawModules } from '../micro/raw.ts';
import { HandleError, PluginInUseError, refuseArity, refuseInteger, refuseType, TrapError, UnloadedError } from './errors.ts';

/** What the micro floor implements: the two rows it covers, and unload (for the honesty tests). */
export interface MicroFloor extends Pick<BenchApi, 'echoFields' | 'Counter'> {
  /** Revokes every live object and refuses every later call, as `plugin.unload()` does. */
  unload(): void;
}

/** The rows of the micro section this floor covers (micro/cases.ts names). */
export const MICRO_FLOOR_CASES = ['echo record of 8 fields', 'resource create+drop'] as const;

interface MemCore {
  memory: WebAssembly.Memory;
  'reset-heap'(): void;
  'alloc-slot'(): number;
  'drop-counter'(slot: number): void;
}

interface MainCore {
  'echo-fields'(a: number, b: number, c: number, d: bigint, e: number, f: number, g: number, h: number): number;
  'counter-new'(start: number): number;
  'counter-increment'(slot: number, by: number): number;
  'counter-value'(slot: number): number;
}

// The component instance's state. The spec keeps may_enter per instance and
// we poison an instance that trapped and refuse everything after unload: one
// number holds all four, so the entry check of every call is one compare.
const ENTERABLE = 0;
/** Inside a call: the spec's may_enter is false (re-entrance is refused). */
const IN_CALL = 1;
const POISONED = 2;
const UNLOADED = 3;

/** The spec's Table.MAX_LENGTH: resource.new traps beyond it. */
const MAX_TABLE_LENGTH = 2 ** 28 - 1;
/** Objects JS holds stay in a ring of this many before they are registered for finalization (a power of two; ours does the same). */
const NURSERY_SIZE = 64;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The record's size and alignment (canonical ABI `elem_size`/`alignment` of `fields`). */
const FIELDS_SIZE = 40;
const FIELDS_ALIGN_MASK = 7;

const ECHO_FIELDS = 'rdylib:bench/api@0.1.0#echo-fields';
const COUNTER_CTOR = 'rdylib:bench/api@0.1.0#[constructor]counter';
const COUNTER_INCREMENT = 'rdylib:bench/api@0.1.0#[method]counter.increment';
const COUNTER_VALUE = 'rdylib:bench/api@0.1.0#[method]counter.value';

/** The checked floor's own instance of the bench guest's two core modules (compiled by the caller, e.g. micro/raw.ts compileRaw). */
export function instantiateMicroFloor(modules: RawModules): MicroFloor {
  let state = ENTERABLE;
  let trap: TrapError | undefined;
  // The spec's may_leave: false while the host runs guest code that must not
  // call out (realloc, post-return). Nothing in these rows runs such code, so
  // it stays true, but resource.new must still test it (canon_resource_new).
  let mayLeave = true;

  // --- refusals, out of line so the checks above them stay small enough to inline ---
  const refuseState = (what: string): never => {
    if (state === IN_CALL) throw new PluginInUseError(`\`${what}\` called while the plugin is inside a call (may_enter is false)`);
    if (state === POISONED) throw new TrapError(`plugin is poisoned by an earlier trap: ${trap!.message}`);
    throw new UnloadedError(`plugin was unloaded: \`${what}\` can no longer be called`);
  };
  /** A trap: the instance is poisoned for good (our rule), and the trap is what the caller sees. */
  const poison = (error: unknown): TrapError => {
    if (state !== UNLOADED) state = POISONED;
    trap = error instanceof TrapError ? error : new TrapError(`wasm trap in plugin: ${error instanceof Error ? error.message : String(error)}`);
    return trap;
  };
  const trapNow = (message: string): never => {
    throw poison(new TrapError(message));
  };

  // --- the spec's handle table of this component instance (canon resource.new / lift_own) ---
  // Parallel arrays indexed by handle; index 0 is never used; freed indices are reused.
  const COUNTER_TYPE = 1;
  const hRep: number[] = [0];
  /** The resource type of the entry (0: free). */
  const hType: number[] = [0];
  /** 1: an own handle, 0: a borrow. */
  const hOwn: number[] = [0];
  /** The spec's num_lends: how many borrows of this own handle are live. */
  const hLends: number[] = [0];
  const hFree: number[] = [];

  /** canon resource.new: traps unless may_leave; adds an own handle of the rep. */
  const resourceNew = (rep: number): number => {
    if (mayLeave !== true) trapNow('resource.new: the instance may not leave (may_leave is false)');
    let i = hFree.pop();
    if (i === undefined) {
      i = hRep.length;
      if (i > MAX_TABLE_LENGTH) trapNow('resource.new: the handle table is full');
    }
    hRep[i] = rep >>> 0;
    hType[i] = COUNTER_TYPE;
    hOwn[i] = 1;
    hLends[i] = 0;
    return i;
  };

  /** lift_own: the handle must exist, be of the expected type, be an own handle and have no live borrows; it is removed. */
  const liftOwn = (i: number): number => {
    if (i === 0 || i >= hType.length || hType[i] !== COUNTER_TYPE) trapNow(`lift own<counter>: ${i} is not a counter handle`);
    if (hOwn[i] !== 1 || hLends[i] !== 0) trapNow(`lift own<counter>: handle ${i} is not an own handle without borrows`);
    const rep = hRep[i]!;
    hType[i] = 0;
    hFree.push(i);
    return rep;
  };

  const memInstance = new WebAssembly.Instance(modules.mem, {});
  const mem = memInstance.exports as unknown as MemCore;
  const core = new WebAssembly.Instance(modules.main, {
    mem: { memory: mem.memory, 'reset-heap': mem['reset-heap'], 'alloc-slot': mem['alloc-slot'] },
    res: { 'counter-new': resourceNew },
  }).exports as unknown as MainCore;
  const memory = mem.memory;
  const echoFieldsCore = core['echo-fields'];
  const counterNewCore = core['counter-new'];
  const counterIncrementCore = core['counter-increment'];
  const counterValueCore = core['counter-value'];
  const dropCounterCore = mem['drop-counter'];

  // Views of the guest memory, made again only after it grew (growing detaches the buffer: length 0).
  let u8 = new Uint8Array(memory.buffer);
  let dv = new DataView(memory.buffer);
  const refreshViews = (): void => {
    u8 = new Uint8Array(memory.buffer);
    dv = new DataView(memory.buffer);
  };

  /**
   * echo-fields(r: fields) -> fields. Lowering (canon lower of a record,
   * flattened to 8 core params): the argument count and every field's JS
   * type and range are checked, each refusal a typed error naming the field
   * (our rule; the spec's lower of u8/u16/u32/s32/u64 traps on out-of-range
   * values, its bool takes only true/false). Lifting: the result's pointer
   * must be aligned and in bounds (the spec's load traps otherwise), f32/f64
   * NaNs canonicalised (canonicalize_nan32/64), bool = byte != 0.
   */
  function echoFields(r: Fields): Fields {
    if (state !== ENTERABLE) refuseState(ECHO_FIELDS);
    if (arguments.length !== 1) refuseArity(1, arguments.length);
    if (typeof r !== 'object' || r === null) refuseType('r', 'a record object', r);
    const a = r.a, b = r.b, c = r.c, d = r.d, e = r.e, f = r.f, g = r.g, h = r.h;
    if (typeof a !== 'number' || (a & 0xff) !== a) refuseInteger('r.a', 'u8', a, 0, 0xff);
    if (typeof b !== 'number' || (b & 0xffff) !== b) refuseInteger('r.b', 'u16', b, 0, 0xffff);
    if (typeof c !== 'number' || c >>> 0 !== c) refuseInteger('r.c', 'u32', c, 0, 0xffff_ffff);
    if (typeof d !== 'bigint' || d < 0n || d > U64_MAX) refuseInteger('r.d', 'u64', d, 0n, U64_MAX);
    if (typeof e !== 'number') refuseType('r.e', 'a number (f32)', e);
    if (typeof f !== 'number') refuseType('r.f', 'a number (f64)', f);
    if (typeof g !== 'boolean') refuseType('r.g', 'a boolean', g);
    if (typeof h !== 'number' || (h | 0) !== h) refuseInteger('r.h', 's32', h, -0x8000_0000, 0x7fff_ffff);
    state = IN_CALL;
    let p: number;
    try {
      p = echoFieldsCore(a, b, c, d, e, f, g ? 1 : 0, h) >>> 0;
    } catch (error) {
      throw poison(error);
    }
    state = ENTERABLE;
    if (u8.length === 0) refreshViews();
    if ((p & FIELDS_ALIGN_MASK) !== 0 || p + FIELDS_SIZE > u8.length) trapNow(`echo-fields: result pointer ${p} is misaligned or out of bounds`);
    const fe = dv.getFloat32(p + 16, true);
    const ff = dv.getFloat64(p + 24, true);
    return {
      a: dv.getUint8(p),
      b: dv.getUint16(p + 2, true),
      c: dv.getUint32(p + 4, true),
      d: dv.getBigUint64(p + 8, true),
      e: fe === fe ? fe : NaN,
      f: ff === ff ? ff : NaN,
      g: dv.getUint8(p + 32) !== 0,
      h: dv.getInt32(p + 36, true),
    };
  }

  // --- the live objects JS owns: revoked at unload, released when JS lets go of one (our rules) ---
  // Parallel arrays indexed by slot (0 unused, freed slots reused); `slotSeq` orders them for unload (newest first).
  const slotRep: number[] = [0];
  const slotLive: number[] = [0];
  const slotSeq: number[] = [0];
  const slotNurse: number[] = [0];
  const slotFree: number[] = [];
  let seq = 0;
  // Registering with a FinalizationRegistry costs more than the rest of a create+drop, so the
  // newest objects wait in a ring (held strongly) and are registered only if they leave it alive.
  const nursery: (object | undefined)[] = new Array<object | undefined>(NURSERY_SIZE).fill(undefined);
  const nurserySlot: number[] = new Array<number>(NURSERY_SIZE).fill(0);
  let nurseryAt = 0;
  const pendingDrops: number[] = [];

  /** Runs the guest destructor of `rep` (canon resource.drop of an own handle: the dtor runs with may_enter false). */
  const destroy = (rep: number): void => {
    state = IN_CALL;
    try {
      dropCounterCore(rep);
    } catch (error) {
      throw poison(error);
    }
    state = ENTERABLE;
  };
  const dropSlot = (slot: number): void => {
    if (slotLive[slot] !== 1) return;
    slotLive[slot] = 0;
    slotFree.push(slot);
    try {
      destroy(slotRep[slot]!);
    } catch {
      // Poisoned by now; a finalizer or unload must not throw into the event loop.
    }
  };
  const registry = new FinalizationRegistry<number>((slot) => {
    if (slotLive[slot] !== 1 || state === UNLOADED || state === POISONED) return;
    if (state === IN_CALL) {
      pendingDrops.push(slot);
      return;
    }
    dropSlot(slot);
    while (pendingDrops.length > 0) dropSlot(pendingDrops.pop()!);
  });

  const adopt = (obj: object, rep: number): number => {
    const slot = slotFree.pop() ?? slotRep.length;
    slotRep[slot] = rep;
    slotLive[slot] = 1;
    slotSeq[slot] = ++seq;
    const at = nurseryAt;
    const old = nursery[at];
    if (old !== undefined) registry.register(old, nurserySlot[at]!, old);
    nursery[at] = obj;
    nurserySlot[at] = slot;
    slotNurse[slot] = at;
    nurseryAt = (at + 1) & (NURSERY_SIZE - 1);
    return slot;
  };
  const forget = (slot: number, obj: object): void => {
    slotLive[slot] = 0;
    slotFree.push(slot);
    const n = slotNurse[slot]!;
    if (nursery[n] === obj) nursery[n] = undefined;
    else registry.unregister(obj);
  };

  const refuseSelf = (): never => {
    throw new TypeError('self: expected a counter object');
  };
  const refuseDisposed = (): never => {
    throw new HandleError('self: this counter was disposed; it can no longer be used');
  };
  /** A u32 argument (canon lower of u32 traps out of range; we refuse with a typed error naming it). */
  const checkU32 = (path: string, v: unknown): number => (typeof v === 'number' && v >>> 0 === v ? v : refuseInteger(path, 'u32', v, 0, 0xffff_ffff));

  /**
   * The counter resource. A private field is the brand (a method called on
   * anything else throws a TypeError); `#slot` 0 means dropped.
   */
  class CheckedCounter implements Counter {
    #rep: number;
    #slot: number;

    /**
     * The lifted constructor: may_enter/poisoned/unloaded, the argument,
     * the call (a trap poisons), lift_own of the returned handle, then the
     * object joins the live objects.
     */
    constructor(start: number) {
      if (state !== ENTERABLE) refuseState(COUNTER_CTOR);
      if (arguments.length !== 1) refuseArity(1, arguments.length);
      const s = checkU32('start', start);
      state = IN_CALL;
      let handle: number;
      try {
        handle = counterNewCore(s) >>> 0;
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      const rep = liftOwn(handle);
      this.#rep = rep;
      this.#slot = adopt(this, rep);
    }

    /** A `&self` method: the object must be live; the borrow is its rep (lower_borrow when the callee implements the type). */
    increment(by: number): number {
      if (!CheckedCounter.#isOne(this)) refuseSelf();
      const slot = this.#slot;
      if (slot === 0) refuseDisposed();
      if (state !== ENTERABLE) refuseState(COUNTER_INCREMENT);
      // Our rule counts `self` among a method's arguments, as the function's WIT type does.
      if (arguments.length !== 1) refuseArity(2, arguments.length + 1);
      const y = checkU32('by', by);
      state = IN_CALL;
      let v: number;
      try {
        v = counterIncrementCore(this.#rep, y);
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      return v >>> 0;
    }

    value(): number {
      if (!CheckedCounter.#isOne(this)) refuseSelf();
      const slot = this.#slot;
      if (slot === 0) refuseDisposed();
      if (state !== ENTERABLE) refuseState(COUNTER_VALUE);
      if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
      state = IN_CALL;
      let v: number;
      try {
        v = counterValueCore(this.#rep);
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      return v >>> 0;
    }

    /**
     * Drop: a second dispose does nothing; inside a call it is refused
     * (may_enter); a poisoned or unloaded plugin only ends the object (no
     * guest code may run); otherwise the object leaves the live objects and
     * the guest destructor runs.
     */
    [Symbol.dispose](): void {
      // Anything else (a foreign object, undefined) is ignored, as a dispose of nothing.
      if (!CheckedCounter.#isOne(this)) return;
      const slot = this.#slot;
      if (slot === 0) return;
      if (state !== ENTERABLE) return CheckedCounter.#disposeWhenNotEnterable(this, slot);
      this.#slot = 0;
      forget(slot, this);
      destroy(this.#rep);
    }

    /** The brand check our rule needs for a typed error naming `self` (a bare private read would throw an unnamed TypeError). */
    static #isOne(o: unknown): o is CheckedCounter {
      return typeof o === 'object' && o !== null && #slot in o;
    }

    static #disposeWhenNotEnterable(o: CheckedCounter, slot: number): void {
      if (state === IN_CALL) throw new PluginInUseError('counter: disposed while the plugin is inside a call');
      o.#slot = 0;
      // Unload already dropped (and forgot) every live object; a poisoned instance runs no destructor.
      if (state === POISONED) forget(slot, o);
    }

    // One disposed object of the class kept for as long as the class lives, as micro/raw.ts
    // (raw-handles.ts mapAnchor) and our host do: its hidden class then survives every forced GC.
    static readonly #mapAnchor: CheckedCounter = ((c: CheckedCounter) => (c[Symbol.dispose](), c))(new CheckedCounter(0));
  }

  return {
    echoFields,
    Counter: CheckedCounter,
    unload(): void {
      if (state === UNLOADED) return;
      // Revocation: every live object's resource is dropped, newest first, unless the instance is poisoned.
      const live: number[] = [];
      for (let s = 1; s < slotLive.length; s++) if (slotLive[s] === 1) live.push(s);
      live.sort((x, y) => slotSeq[y]! - slotSeq[x]!);
      for (const s of live) {
        if (state === ENTERABLE) dropSlot(s);
        else slotLive[s] = 0;
      }
      nursery.fill(undefined);
      pendingDrops.length = 0;
      state = UNLOADED;
    },
  };
}
