/**
 * The checked floor for the micro section (the WAT bench guest,
 * micro/guest.ts): every export of the bench interface, so every row.
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
 *
 * The floor never imports the host (it is hand-written against the core
 * modules, like raw.ts) nor any module a raw column uses (a shared function
 * literal shares V8's type feedback, bench/column-copy.ts): the refusals it
 * shares with other floors (./errors.ts) run only off the timed path.
 * bench/floors/micro.test.ts feeds it the same bad inputs as ours and
 * requires the same refusals and the same results.
 */
import type { BenchApi, Counter, Fields } from '../micro/api.ts';
// Types only (erased): the floor shares no code with the raw column.
import type { MainExports, RawModules } from '../micro/raw.ts';
import { HandleError, PluginInUseError, refuseArity, refuseInteger, refuseType, TrapError, UnloadedError } from './errors.ts';

/** What the micro floor implements: the whole bench API (every row), and unload (for the honesty tests). */
export interface MicroFloor extends BenchApi {
  /** Revokes every live object and refuses every later call, as `plugin.unload()` does. */
  unload(): void;
}

/** The rows of the micro section this floor covers (micro/cases.ts names): all of them. */
export const MICRO_FLOOR_CASES = [
  'add(u32,u32)->u32',
  'echo string 16 B',
  'echo string 1 MiB',
  'echo list<u8> 1 MiB',
  'echo record of 8 fields',
  'resource method call',
  'resource create+drop',
] as const;

interface MemCore {
  memory: WebAssembly.Memory;
  realloc(orig: number, origSize: number, align: number, size: number): number;
  'reset-heap'(): void;
  'alloc-slot'(): number;
  'drop-counter'(slot: number): void;
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

const ADD = 'rdylib:bench/api@0.1.0#add';
const ECHO = 'rdylib:bench/api@0.1.0#echo';
const ECHO_BYTES = 'rdylib:bench/api@0.1.0#echo-bytes';
const ECHO_FIELDS = 'rdylib:bench/api@0.1.0#echo-fields';
const U32_MAX = 0xffff_ffff;
/** Up to this many bytes a JS loop beats a call into TextEncoder/TextDecoder (as raw-strings.ts; this floor's own copy). */
const SHORT_STRING = 32;
const encoder = new TextEncoder();
/** Fatal: invalid UTF-8 from the guest is a trap (the spec's load_string), never a replacement character. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const fromCharCode = String.fromCharCode;

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the project's lib setting is ES2023). */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
const COUNTER_CTOR = 'rdylib:bench/api@0.1.0#[constructor]counter';
const COUNTER_INCREMENT = 'rdylib:bench/api@0.1.0#[method]counter.increment';
const COUNTER_VALUE = 'rdylib:bench/api@0.1.0#[method]counter.value';

/**
 * A list<u8> argument `b` given as an array: every element a u8 (a typed error naming the element).
 * Off the timed paths (the rows pass Uint8Arrays); the types warm floor (floors/sdk.ts) uses it too.
 */
export function u8ListOf(list: readonly unknown[]): Uint8Array {
  const out = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || (v & 0xff) !== v) refuseInteger(`b[${i}]`, 'u8', v, 0, 0xff);
    out[i] = v;
  }
  return out;
}

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
  }).exports as unknown as MainExports;
  const memory = mem.memory;
  const addCore = core.add;
  const echoCore = core.echo;
  const echoBytesCore = core['echo-bytes'];
  const postEchoCore = core['post-echo'];
  const reallocCore = mem.realloc;
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

  /** add(a: u32, b: u32) -> u32: the argument count, each argument a u32 (a typed error naming it), the call (a trap poisons). */
  function add(a: number, b: number): number {
    if (state !== ENTERABLE) refuseState(ADD);
    if (arguments.length !== 2) refuseArity(2, arguments.length);
    if (typeof a !== 'number' || a >>> 0 !== a) refuseInteger('a', 'u32', a, 0, U32_MAX);
    if (typeof b !== 'number' || b >>> 0 !== b) refuseInteger('b', 'u32', b, 0, U32_MAX);
    state = IN_CALL;
    let r: number;
    try {
      r = addCore(a, b);
    } catch (error) {
      throw poison(error);
    }
    state = ENTERABLE;
    return r >>> 0;
  }

  /**
   * The guest's `realloc` for an argument of `size` bytes (alignment 1): run
   * with may_leave false (the spec forbids realloc to call out), and its
   * pointer must leave `size` bytes in bounds (store_string_into_range /
   * store_list_into_range trap otherwise). Inside a call's try block.
   */
  const allocate = (size: number): number => {
    mayLeave = false;
    const ptr = reallocCore(0, 0, 1, size) >>> 0;
    mayLeave = true;
    if (u8.length === 0) refreshViews();
    if (ptr + size > u8.length) trapNow(`realloc returned ${ptr}: ${size} bytes there are out of bounds`);
    return ptr;
  };
  /** A (ptr, len) pair in a return area at `ret`: aligned to 4 and in bounds, and the `len` bytes at ptr in bounds (the spec's loads trap otherwise). */
  let liftedPtr = 0;
  const readPair = (ret: number): number => {
    if (u8.length === 0) refreshViews();
    if ((ret & 3) !== 0 || ret + 8 > u8.length) trapNow(`return area ${ret} is misaligned or out of bounds`);
    const p = dv.getUint32(ret, true);
    const l = dv.getUint32(ret + 4, true);
    if (p + l > u8.length) trapNow(`${l} bytes at ${p} are out of bounds`);
    liftedPtr = p;
    return l;
  };
  /** The post-return, with may_leave false (the spec's canon_lift). */
  const postReturn = (ret: number): void => {
    mayLeave = false;
    postEchoCore(ret);
    mayLeave = true;
  };

  /**
   * echo(s: string) -> string. A string argument must be a string of
   * Unicode scalar values (the spec's string type: a lone surrogate is
   * refused, a typed error naming it, before the call); lowered as UTF-8 into
   * realloc'd memory (worst case 3 bytes per UTF-16 unit, as raw.ts); the
   * result's return area and bytes checked, decoded as UTF-8 with invalid
   * bytes a trap; then the post-return.
   */
  function echo(s: string): string {
    if (state !== ENTERABLE) refuseState(ECHO);
    if (arguments.length !== 1) refuseArity(1, arguments.length);
    if (typeof s !== 'string') refuseType('s', 'a string', s);
    const n = s.length;
    // A short ASCII string (no surrogates possible) is copied by hand; any other string is checked for
    // lone surrogates by the engine, before the call, and encoded into the worst case (3 bytes per UTF-16 unit).
    let ascii = n <= SHORT_STRING;
    if (ascii) {
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
    }
    if (!ascii && !isWellFormed(s)) refuseLoneSurrogate();
    state = IN_CALL;
    try {
      const max = ascii ? n : n * 3;
      const ptr = allocate(max);
      let written = n;
      if (ascii) for (let i = 0; i < n; i++) u8[ptr + i] = s.charCodeAt(i);
      else written = encoder.encodeInto(s, u8.subarray(ptr, ptr + max)).written;
      const ret = echoCore(ptr, written) >>> 0;
      const l = readPair(ret);
      const out = liftUtf8(liftedPtr, l);
      postReturn(ret);
      state = ENTERABLE;
      return out;
    } catch (error) {
      throw poison(error);
    }
  }
  const refuseLoneSurrogate = (): never => {
    throw new TypeError('s: string contains a lone surrogate, which is not a Unicode scalar value');
  };
  /** UTF-8 at (p, l), in bounds already: short ASCII by hand, the rest through the fatal decoder (invalid bytes: a trap). */
  const liftUtf8 = (p: number, l: number): string => {
    if (l > SHORT_STRING) return decodeOrTrap(p, l);
    // Eight bytes per fromCharCode call: one string concatenation per eight characters, not per character.
    let out = '';
    let i = 0;
    for (; i + 8 <= l; i += 8) {
      const q = p + i;
      const a = u8[q]!, b = u8[q + 1]!, c = u8[q + 2]!, d = u8[q + 3]!, e = u8[q + 4]!, f = u8[q + 5]!, g = u8[q + 6]!, h = u8[q + 7]!;
      if ((a | b | c | d | e | f | g | h) >= 0x80) return decodeOrTrap(p, l);
      out += fromCharCode(a, b, c, d, e, f, g, h);
    }
    for (; i < l; i++) {
      const a = u8[p + i]!;
      if (a >= 0x80) return decodeOrTrap(p, l);
      out += fromCharCode(a);
    }
    return out;
  };
  const decodeOrTrap = (p: number, l: number): string => {
    try {
      return decoder.decode(u8.subarray(p, p + l));
    } catch {
      return trapNow('the guest returned invalid UTF-8');
    }
  };

  /**
   * echo-bytes(b: list<u8>) -> list<u8>. A Uint8Array, or an array whose
   * every element is a u8 (a typed error naming the element); lowered into
   * realloc'd memory; the result's return area and bytes checked and copied
   * out; then the post-return.
   */
  function echoBytes(b: Uint8Array): Uint8Array {
    if (state !== ENTERABLE) refuseState(ECHO_BYTES);
    if (arguments.length !== 1) refuseArity(1, arguments.length);
    const bytes = b instanceof Uint8Array ? b : Array.isArray(b) ? u8ListOf(b as unknown[]) : refuseType('b', 'an array or Uint8Array', b);
    state = IN_CALL;
    try {
      const ptr = allocate(bytes.length);
      u8.set(bytes, ptr);
      const ret = echoBytesCore(ptr, bytes.length) >>> 0;
      const l = readPair(ret);
      const out = u8.slice(liftedPtr, liftedPtr + l);
      postReturn(ret);
      state = ENTERABLE;
      return out;
    } catch (error) {
      throw poison(error);
    }
  }

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
    return liftFields(lowerAndCallFields(r));
  }
  // The lowering + call and the lifting are two functions, each under V8's inlining limit (460 bytes
  // of bytecode), so all three inline into their caller as raw's one (264 bytes) does; as one
  // function of 723 bytes (910 with eight inline refusals) it was called, with a frame, instead.
  /** Lowering: every field checked in one expression, the refusal out of line from the values already read (no property is read twice); the call (a trap poisons). */
  const lowerAndCallFields = (r: Fields): number => {
    if (typeof r !== 'object' || r === null) refuseType('r', 'a record object', r);
    const a = r.a, b = r.b, c = r.c, d = r.d, e = r.e, f = r.f, g = r.g, h = r.h;
    if (
      !(
        typeof a === 'number' && (a & 0xff) === a &&
        typeof b === 'number' && (b & 0xffff) === b &&
        typeof c === 'number' && c >>> 0 === c &&
        typeof d === 'bigint' && d >= 0n && d <= U64_MAX &&
        typeof e === 'number' && typeof f === 'number' && typeof g === 'boolean' &&
        typeof h === 'number' && (h | 0) === h
      )
    ) {
      refuseField(a, b, c, d, e, f, g, h);
    }
    state = IN_CALL;
    let p: number;
    try {
      p = echoFieldsCore(a, b, c, d, e, f, g ? 1 : 0, h) >>> 0;
    } catch (error) {
      throw poison(error);
    }
    state = ENTERABLE;
    return p;
  };
  /** Lifting: the result pointer aligned and in bounds, f32/f64 NaNs canonicalised, bool = byte != 0. */
  const liftFields = (p: number): Fields => {
    if (u8.length === 0) refreshViews();
    if ((p & FIELDS_ALIGN_MASK) !== 0 || p + FIELDS_SIZE > u8.length) refuseResultPointer(p);
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
  };
  /** The first field of `r` that is not of its type, refused with a typed error naming it (our rule; the spec's lowering traps). */
  const refuseField = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown, g: unknown, h: unknown): never => {
    if (typeof a !== 'number' || (a & 0xff) !== a) refuseInteger('r.a', 'u8', a, 0, 0xff);
    if (typeof b !== 'number' || (b & 0xffff) !== b) refuseInteger('r.b', 'u16', b, 0, 0xffff);
    if (typeof c !== 'number' || c >>> 0 !== c) refuseInteger('r.c', 'u32', c, 0, 0xffff_ffff);
    if (typeof d !== 'bigint' || d < 0n || d > U64_MAX) refuseInteger('r.d', 'u64', d, 0n, U64_MAX);
    if (typeof e !== 'number') refuseType('r.e', 'a number (f32)', e);
    if (typeof f !== 'number') refuseType('r.f', 'a number (f64)', f);
    if (typeof g !== 'boolean') refuseType('r.g', 'a boolean', g);
    return refuseInteger('r.h', 's32', h, -0x8000_0000, 0x7fff_ffff);
  };
  const refuseResultPointer = (p: number): never => trapNow(`echo-fields: result pointer ${p} is misaligned or out of bounds`);

  // --- the live objects JS owns: revoked at unload, released when JS lets go of one (our rules) ---
  // Each floor has its own copy of this registry, on purpose: a floor is written by hand for its functions,
  // and one shared set of closures would see every floor's objects (V8 keeps type feedback per function literal).
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
      if (!CheckedCounter.#anchored) CheckedCounter.#anchorMaps();
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
    // Made at the first construction, not with the class: a warm load (floors/warm.ts) that makes
    // no counter pays nothing for it.
    static #anchored = false;
    static #mapAnchor: CheckedCounter | undefined;
    static #anchorMaps(): void {
      CheckedCounter.#anchored = true;
      const c = new CheckedCounter(0);
      c[Symbol.dispose]();
      CheckedCounter.#mapAnchor = c;
    }
  }

  return {
    add,
    echo,
    echoBytes,
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
