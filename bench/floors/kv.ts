/**
 * The checked floor for `kv: store create+drop` (the Rust kv example,
 * guest-rust/examples/kv): the raw column's glue (kv/raw.ts) plus, written by
 * hand for the store's constructor and drop, exactly the checks and the
 * bookkeeping a safe host is required to do. What a checked floor is and how
 * the report uses it: floors/micro.ts, bench/README.md.
 *
 * Beyond micro's counter, the kv store can be borrowed past a call: the
 * SDK's rdylib:abi section says `store.iter()` returns an iterator that
 * borrows the store (a Rust `Iter<'a>`), so while one lives the store must
 * not be dropped (our rule: BorrowError, nothing changed). The floor keeps a
 * lend count per live store for that, and implements `iter()`, the
 * iterator's `next()` and its drop so the honesty tests can make such a
 * borrow. Only the constructor and the drop are timed.
 *
 * `put` is there too (strings checked and lowered, the option<string>
 * result lifted, refused while an iterator borrows the store): the warm-load
 * floor of kv (floors/warm.ts) answers the load section's check with it.
 *
 * Left out (a floor that does too little only makes a target look easier):
 * every other export (get, lock, batches, entries...), mutable borrows
 * (only `lock`/`batch` make them), and a re-check of the instance's state
 * after the guest returns (the guest cannot catch a trap raised by an import).
 *
 * Never imports the host or a module a raw column uses (floors/micro.ts says
 * why); bench/floors/kv.test.ts holds it to ours's refusals and results.
 */
import { BorrowError, HandleError, PluginInUseError, refuseArity, refuseType, TrapError, UnloadedError } from './errors.ts';

const I = 'rdylib-guest:kv/kv@0.1.0';
/** The kv plugin's name as the bench loads it (our messages name the plugin). */
const PLUGIN = 'kv';

/** What the kv floor implements: a store with `put`, `len`, `iter` and drop. */
export interface KvFloorIter {
  next(): [string, string] | undefined;
  [Symbol.dispose](): void;
}
export interface KvFloorStore {
  put(key: string, value: string): string | undefined;
  len(): number;
  iter(): KvFloorIter;
  [Symbol.dispose](): void;
}
export interface KvFloor {
  Store: new () => KvFloorStore;
  /** Revokes every live object and refuses every later call, as `plugin.unload()` does. */
  unload(): void;
  /** How many objects JS holds (live in the registry), for the tests of finalization. */
  liveObjects(): number;
}

/** The rows of the kv section this floor covers (kv/cases.ts names). */
export const KV_FLOOR_CASES = ['kv: store create+drop'] as const;

// Instance state, as in floors/micro.ts: may_enter, poisoned and unloaded in one number.
const ENTERABLE = 0;
const IN_CALL = 1;
const POISONED = 2;
const UNLOADED = 3;

const MAX_TABLE_LENGTH = 2 ** 28 - 1;
/** Up to this many UTF-16 units a JS loop beats TextEncoder (this floor's own copy of raw-strings.ts's rule). */
const SHORT_STRING = 32;
const encoder = new TextEncoder();
/**
 * Fatal: invalid UTF-8 from the guest is a trap (the spec's load_string). One for every instance: a
 * full decode keeps no state, and making one per load costs ~20 µs right after a GC (build/perf).
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NURSERY_SIZE = 64;
/**
 * One FinalizationRegistry for every instance of this floor: a load makes none (one costs ~7 µs
 * right after a GC, build/perf), and its held value (made only when an object leaves the nursery
 * alive) names the instance's handler. A host can share one the same way.
 */
const letGo = new FinalizationRegistry<{ readonly onLetGo: (slot: number) => void; readonly slot: number }>(({ onLetGo, slot }) => onLetGo(slot));
/**
 * The import object's hidden classes (18 names added one by one) kept alive across the bench's
 * forced GCs, which otherwise free them whenever no instance lives (floors/sdk.ts MAP_ANCHORS).
 */
let importsAnchor: object | undefined;

/** The kv component's resource types, as indices of the floor's handle table and live objects. */
const RESOURCES = ['store', 'iter', 'entry', 'entries', 'batch', 'guard'] as const;
const STORE = 1;
const ITER = 2;

type CoreFn = (...args: number[]) => number;

/** The checked floor's own instance of the kv plugin's main core module (kv/raw.ts kvCoreModule compiles it). */
export function instantiateKvFloor(module: WebAssembly.Module): KvFloor {
  let state = ENTERABLE;
  let trap: TrapError | undefined;
  // The spec's may_leave: false while post-return runs (it must not call out).
  let mayLeave = true;

  const refuseState = (what: string): never => {
    if (state === IN_CALL) throw new PluginInUseError(`\`${I}#${what}\` called while ${PLUGIN} is inside a call (may_enter is false)`);
    if (state === POISONED) throw new TrapError(`plugin is poisoned by an earlier trap: ${trap!.message}`);
    throw new UnloadedError(`${PLUGIN} was unloaded: \`${I}#${what}\` can no longer be called`);
  };
  const poison = (error: unknown): TrapError => {
    if (state !== UNLOADED) state = POISONED;
    trap = error instanceof TrapError ? error : new TrapError(`wasm trap in plugin: ${error instanceof Error ? error.message : String(error)}`);
    return trap;
  };
  const trapNow = (message: string): never => {
    throw poison(new TrapError(message));
  };

  // --- the spec's handle table of the instance (resource.new / .rep / .drop, lift_own) ---
  const hRep: number[] = [0];
  /** The entry's resource type (index into RESOURCES + 1; 0: free). */
  const hType: number[] = [0];
  const hOwn: number[] = [0];
  const hLends: number[] = [0];
  const hFree: number[] = [];

  const dtors: ((rep: number) => void)[] = [];
  const resourceImports: Record<string, (i: number) => number | void> = {};
  RESOURCES.forEach((name, k) => {
    const type = k + 1;
    /** canon resource.new: traps unless may_leave. */
    resourceImports[`[resource-new]${name}`] = (rep) => {
      if (mayLeave !== true) trapNow(`resource.new ${name}: may_leave is false`);
      let i = hFree.pop();
      if (i === undefined) {
        i = hRep.length;
        if (i > MAX_TABLE_LENGTH) trapNow('resource.new: the handle table is full');
      }
      hRep[i] = rep >>> 0;
      hType[i] = type;
      hOwn[i] = 1;
      hLends[i] = 0;
      return i;
    };
    /** canon resource.rep: the entry must exist and be of this type. */
    resourceImports[`[resource-rep]${name}`] = (i) => {
      if (!(i > 0 && i < hType.length) || hType[i] !== type) trapNow(`resource.rep ${name}: ${i} is not a ${name} handle`);
      return hRep[i]!;
    };
    /** canon resource.drop: removed; of this type, no live borrows; an own handle runs the destructor (this instance implements it). */
    resourceImports[`[resource-drop]${name}`] = (i) => {
      if (!(i > 0 && i < hType.length) || hType[i] !== type) trapNow(`resource.drop ${name}: ${i} is not a ${name} handle`);
      if (hLends[i] !== 0) trapNow(`resource.drop ${name}: handle ${i} is still lent`);
      const rep = hRep[i]!;
      const own = hOwn[i] === 1;
      hType[i] = 0;
      hFree.push(i);
      if (own) dtors[type]!(rep);
    };
  });

  /** lift_own: the handle must exist, be of `type`, own, without borrows; it is removed. */
  const liftOwn = (i: number, type: number): number => {
    if (!(i > 0 && i < hType.length) || hType[i] !== type) trapNow(`lift own<${RESOURCES[type - 1]}>: ${i} is not such a handle`);
    if (hOwn[i] !== 1 || hLends[i] !== 0) trapNow(`lift own<${RESOURCES[type - 1]}>: handle ${i} is not an own handle without borrows`);
    const rep = hRep[i]!;
    hType[i] = 0;
    hFree.push(i);
    return rep;
  };

  // Same names in the same order, values that hold nothing of this instance.
  importsAnchor ??= Object.fromEntries(Object.keys(resourceImports).map((k) => [k, undefined]));
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    // The SDK calls it with the panic message just before it traps: the trap poisons the instance.
    $root: {
      'rdylib-panic': (msgPtr: number, msgLen: number) => {
        const text = memory === undefined ? '' : decoder.decode(new Uint8Array(memory.buffer, msgPtr >>> 0, msgLen >>> 0));
        throw new TrapError(`plugin panicked: ${text}`);
      },
    },
    [`[export]${I}`]: resourceImports,
  });
  const exports = instance.exports as Record<string, unknown>;
  const fn = (name: string): CoreFn => {
    const f = exports[name];
    if (typeof f !== 'function') throw new Error(`the kv core module does not export ${name}`);
    return f as CoreFn;
  };
  memory = exports['memory'] as WebAssembly.Memory;
  RESOURCES.forEach((name, k) => (dtors[k + 1] = fn(`${I}#[dtor]${name}`)));
  const storeNewCore = fn(`${I}#[constructor]store`);
  const storeLenCore = fn(`${I}#[method]store.len`);
  const storePutCore = fn(`${I}#[method]store.put`);
  const storePutPost = fn(`cabi_post_${I}#[method]store.put`);
  const reallocCore = fn('cabi_realloc');
  const storeIterCore = fn(`${I}#[method]store.iter`);
  const iterNextCore = fn(`${I}#[method]iter.next`);
  const iterNextPost = fn(`cabi_post_${I}#[method]iter.next`);
  const dropStoreCore = dtors[STORE]!;
  const dropIterCore = dtors[ITER]!;

  // --- live objects JS owns (floors/micro.ts): registry for unload, nursery + FinalizationRegistry ---
  // Each floor has its own copy of this registry, on purpose: a floor is written by hand for its functions,
  // and one shared set of closures would see every floor's objects (V8 keeps type feedback per function literal).
  const slotKind: number[] = [0];
  const slotRep: number[] = [0];
  const slotSeq: number[] = [0];
  const slotNurse: number[] = [0];
  /** An iterator's store (its slot): the borrow to end when the iterator goes. */
  const slotParent: number[] = [0];
  /** A store's live borrowers (iterators): it may not be dropped while any live. */
  const slotLends: number[] = [0];
  const slotFree: number[] = [];
  let seq = 0;
  const nursery: (object | undefined)[] = new Array<object | undefined>(NURSERY_SIZE).fill(undefined);
  const nurserySlot: number[] = new Array<number>(NURSERY_SIZE).fill(0);
  let nurseryAt = 0;
  const pendingDrops: number[] = [];

  /** The guest destructor, with may_enter false (a trap poisons). */
  const destroy = (dtor: (rep: number) => void, rep: number): void => {
    state = IN_CALL;
    try {
      dtor(rep);
    } catch (error) {
      throw poison(error);
    }
    state = ENTERABLE;
  };
  const freeSlot = (slot: number): void => {
    slotKind[slot] = 0;
    slotFree.push(slot);
    if (slotParent[slot] !== 0) slotLends[slotParent[slot]!]!--;
  };
  /** Drops the resource of a slot whose object is gone (finalizer) or revoked (unload); false when it must wait (still lent). */
  const dropSlot = (slot: number): boolean => {
    const kind = slotKind[slot];
    if (kind === 0) return true;
    if (slotLends[slot] !== 0) return false;
    const rep = slotRep[slot]!;
    freeSlot(slot);
    try {
      destroy(kind === ITER ? dropIterCore : dropStoreCore, rep);
    } catch {
      // Poisoned by now; a finalizer or unload must not throw into the event loop.
    }
    return true;
  };
  const onLetGo = (slot: number): void => {
    if (slotKind[slot] === 0 || state === UNLOADED || state === POISONED) return;
    if (state === IN_CALL || !dropSlot(slot)) {
      pendingDrops.push(slot);
      return;
    }
    for (let n = pendingDrops.length; n > 0 && state === ENTERABLE; n--) {
      const s = pendingDrops.shift()!;
      if (!dropSlot(s)) pendingDrops.push(s);
    }
  };
  const adopt = (obj: object, kind: number, rep: number, parent: number): number => {
    const slot = slotFree.pop() ?? slotKind.length;
    slotKind[slot] = kind;
    slotRep[slot] = rep;
    slotSeq[slot] = ++seq;
    slotParent[slot] = parent;
    slotLends[slot] = 0;
    const at = nurseryAt;
    const old = nursery[at];
    if (old !== undefined) letGo.register(old, { onLetGo, slot: nurserySlot[at]! }, old);
    nursery[at] = obj;
    nurserySlot[at] = slot;
    slotNurse[slot] = at;
    nurseryAt = (at + 1) & (NURSERY_SIZE - 1);
    return slot;
  };
  const forget = (slot: number, obj: object): void => {
    freeSlot(slot);
    const n = slotNurse[slot]!;
    if (nursery[n] === obj) nursery[n] = undefined;
    else letGo.unregister(obj);
  };

  const refuseSelf = (what: string): never => {
    throw new TypeError(`self: expected a ${what} object`);
  };
  const refuseDisposed = (what: string): never => {
    throw new HandleError(`self: this ${what} was disposed; it can no longer be used`);
  };
  const refuseBorrowed = (slot: number): never => {
    throw new BorrowError(`cannot drop store #${slotSeq[slot]}: it is still borrowed (${slotLends[slot]} iterator(s)); drop them first`);
  };
  const refuseInCall = (what: string): never => {
    throw new PluginInUseError(`cannot drop the ${what} while a call into ${PLUGIN} is in progress`);
  };

  // Views for the iterator's result (made again after the memory grew).
  let u8 = new Uint8Array(memory.buffer);
  let dv = new DataView(memory.buffer);
  const views = (): void => {
    if (u8.length === 0) {
      u8 = new Uint8Array(memory!.buffer);
      dv = new DataView(memory!.buffer);
    }
  };
  /** A string the guest returned: in bounds (the spec's load_string traps otherwise) and valid UTF-8 (a trap too). */
  const liftString = (ptr: number, len: number): string => {
    if (ptr + len > u8.length) trapNow(`iter.next: string at ${ptr} (${len} bytes) is out of bounds`);
    try {
      return decoder.decode(u8.subarray(ptr, ptr + len));
    } catch {
      return trapNow('iter.next: the guest returned invalid UTF-8');
    }
  };

  /** A string argument must be a string of Unicode scalar values (the spec's string type): a typed error naming it, before the call. */
  const checkString = (path: string, s: unknown): string => {
    if (typeof s !== 'string') return refuseType(path, 'a string', s);
    if (s.length > SHORT_STRING || !isShortAscii(s)) {
      if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) throw new TypeError(`${path}: string contains a lone surrogate, which is not a Unicode scalar value`);
    }
    return s;
  };
  const isShortAscii = (s: string): boolean => {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
    return true;
  };
  /**
   * Lowers a checked string as UTF-8 into memory from cabi_realloc (run with may_leave false; its
   * pointer must leave the bytes in bounds, or store_string_into_range traps); returns the pointer,
   * the length in `loweredLength`. Inside a call's try block.
   */
  let loweredLength = 0;
  const lowerString = (s: string): number => {
    const n = s.length;
    if (n <= SHORT_STRING && isShortAscii(s)) {
      const ptr = allocate(n);
      for (let i = 0; i < n; i++) u8[ptr + i] = s.charCodeAt(i);
      loweredLength = n;
      return ptr;
    }
    const bytes = encoder.encode(s);
    const ptr = allocate(bytes.length);
    u8.set(bytes, ptr);
    loweredLength = bytes.length;
    return ptr;
  };
  const allocate = (size: number): number => {
    mayLeave = false;
    const ptr = reallocCore(0, 0, 1, size) >>> 0;
    mayLeave = true;
    views();
    if (ptr + size > u8.length) trapNow(`cabi_realloc returned ${ptr}: ${size} bytes there are out of bounds`);
    return ptr;
  };
  /** option<string> in a return area: aligned to 4 and in bounds, discriminant 0 or 1, the string in bounds and valid UTF-8. */
  const liftOptionString = (ret: number, what: string): string | undefined => {
    views();
    if ((ret & 3) !== 0 || ret + 12 > u8.length) trapNow(`${what}: return area ${ret} is misaligned or out of bounds`);
    const discriminant = dv.getUint8(ret);
    if (discriminant > 1) trapNow(`${what}: option discriminant ${discriminant}`);
    return discriminant === 0 ? undefined : liftString(dv.getUint32(ret + 4, true), dv.getUint32(ret + 8, true));
  };
  const refuseMutableBorrow = (slot: number, what: string): never => {
    throw new BorrowError(`cannot borrow mutably store #${slotSeq[slot]} (self of \`${what}\`): it is borrowed by ${slotLends[slot]} iterator(s) (shared); drop them first`);
  };

  class CheckedIter implements KvFloorIter {
    #rep: number;
    #slot: number;
    /** The store it borrows, held so the store outlives it. */
    readonly #store: CheckedStore;

    constructor(store: CheckedStore, rep: number, storeSlot: number) {
      this.#store = store;
      this.#rep = rep;
      this.#slot = adopt(this, ITER, rep, storeSlot);
      slotLends[storeSlot]!++;
    }

    /** option<tuple<string, string>> through a return area; then the post-return with may_leave false. */
    next(): [string, string] | undefined {
      if (!CheckedIter.#isOne(this)) refuseSelf('iter');
      if (this.#slot === 0) refuseDisposed('iter');
      if (state !== ENTERABLE) refuseState('[method]iter.next');
      if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
      state = IN_CALL;
      let ret: number;
      try {
        ret = iterNextCore(this.#rep) >>> 0;
      } catch (error) {
        throw poison(error);
      }
      views();
      if ((ret & 3) !== 0 || ret + 20 > u8.length) trapNow(`iter.next: return area ${ret} is misaligned or out of bounds`);
      const discriminant = dv.getUint8(ret);
      if (discriminant > 1) trapNow(`iter.next: option discriminant ${discriminant}`);
      const entry: [string, string] | undefined =
        discriminant === 0 ? undefined : [liftString(dv.getUint32(ret + 4, true), dv.getUint32(ret + 8, true)), liftString(dv.getUint32(ret + 12, true), dv.getUint32(ret + 16, true))];
      mayLeave = false;
      try {
        iterNextPost(ret);
      } catch (error) {
        throw poison(error);
      }
      mayLeave = true;
      state = ENTERABLE;
      return entry;
    }

    [Symbol.dispose](): void {
      if (!CheckedIter.#isOne(this)) return;
      const slot = this.#slot;
      if (slot === 0) return;
      if (state !== ENTERABLE) return CheckedIter.#disposeWhenNotEnterable(this, slot);
      this.#slot = 0;
      forget(slot, this);
      destroy(dropIterCore, this.#rep);
    }

    static #isOne(o: unknown): o is CheckedIter {
      return typeof o === 'object' && o !== null && #slot in o;
    }

    static #disposeWhenNotEnterable(o: CheckedIter, slot: number): void {
      if (state === IN_CALL) refuseInCall('iter');
      o.#slot = 0;
      if (state === POISONED) forget(slot, o);
    }
  }

  class CheckedStore implements KvFloorStore {
    #rep: number;
    #slot: number;

    /** The lifted constructor: state, arity, the call (a trap poisons), lift_own, then the object joins the live objects. */
    constructor() {
      if (state !== ENTERABLE) refuseState('[constructor]store');
      if (arguments.length !== 0) refuseArity(0, arguments.length);
      if (!CheckedStore.#anchored) CheckedStore.#anchorMaps();
      state = IN_CALL;
      let handle: number;
      try {
        handle = storeNewCore() >>> 0;
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      const rep = liftOwn(handle, STORE);
      this.#rep = rep;
      this.#slot = adopt(this, STORE, rep, 0);
    }

    /**
     * `&mut self`: refused while an iterator borrows the store (BorrowError, nothing changed); both
     * strings checked before the call, lowered through cabi_realloc, the option<string> result lifted
     * with its checks, then the post-return with may_leave false.
     */
    put(key: string, value: string): string | undefined {
      if (!CheckedStore.#isOne(this)) refuseSelf('store');
      const slot = this.#slot;
      if (slot === 0) refuseDisposed('store');
      if (state !== ENTERABLE) refuseState('[method]store.put');
      if (arguments.length !== 2) refuseArity(3, arguments.length + 1);
      const k = checkString('key', key);
      const v = checkString('value', value);
      if (slotLends[slot] !== 0) refuseMutableBorrow(slot, '[method]store.put');
      state = IN_CALL;
      try {
        const kp = lowerString(k);
        const kl = loweredLength;
        const vp = lowerString(v);
        const ret = storePutCore(this.#rep, kp, kl, vp, loweredLength) >>> 0;
        const old = liftOptionString(ret, 'store.put');
        mayLeave = false;
        storePutPost(ret);
        mayLeave = true;
        state = ENTERABLE;
        return old;
      } catch (error) {
        throw poison(error);
      }
    }

    len(): number {
      if (!CheckedStore.#isOne(this)) refuseSelf('store');
      if (this.#slot === 0) refuseDisposed('store');
      if (state !== ENTERABLE) refuseState('[method]store.len');
      if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
      state = IN_CALL;
      let n: number;
      try {
        n = storeLenCore(this.#rep);
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      return n >>> 0;
    }

    /** Borrows the store (shared) until the iterator is dropped: lift_own of the iterator, then a lend on the store. */
    iter(): KvFloorIter {
      if (!CheckedStore.#isOne(this)) refuseSelf('store');
      const slot = this.#slot;
      if (slot === 0) refuseDisposed('store');
      if (state !== ENTERABLE) refuseState('[method]store.iter');
      if (arguments.length !== 0) refuseArity(1, arguments.length + 1);
      state = IN_CALL;
      let handle: number;
      try {
        handle = storeIterCore(this.#rep) >>> 0;
      } catch (error) {
        throw poison(error);
      }
      state = ENTERABLE;
      return new CheckedIter(this, liftOwn(handle, ITER), slot);
    }

    /**
     * Drop: again does nothing; refused while an iterator borrows the store
     * (BorrowError) or inside a call (may_enter), nothing changed; a poisoned
     * or unloaded plugin only ends the object; otherwise the destructor runs.
     */
    [Symbol.dispose](): void {
      if (!CheckedStore.#isOne(this)) return;
      const slot = this.#slot;
      if (slot === 0) return;
      if (state !== ENTERABLE) return CheckedStore.#disposeWhenNotEnterable(this, slot);
      if (slotLends[slot] !== 0) refuseBorrowed(slot);
      this.#slot = 0;
      forget(slot, this);
      destroy(dropStoreCore, this.#rep);
    }

    static #isOne(o: unknown): o is CheckedStore {
      return typeof o === 'object' && o !== null && #slot in o;
    }

    static #disposeWhenNotEnterable(o: CheckedStore, slot: number): void {
      if (state === IN_CALL) refuseInCall('store');
      o.#slot = 0;
      if (state === POISONED) forget(slot, o);
    }

    // One disposed object of each class kept alive (raw-handles.ts mapAnchor says why), made at the
    // first construction rather than with the class: a warm load that makes no store pays nothing
    // for it (made with the class it cost ~0.2x raw of every kv warm load, build/perf).
    static #anchored = false;
    static #mapAnchor: CheckedStore | undefined;
    static #anchorMaps(): void {
      CheckedStore.#anchored = true;
      const s = new CheckedStore();
      s.iter()[Symbol.dispose]();
      s[Symbol.dispose]();
      CheckedStore.#mapAnchor = s;
    }
  }

  return {
    Store: CheckedStore,
    // Counted here, off the timed path: a counter kept on every adopt and drop would bill the floor for a test.
    liveObjects: () => slotKind.filter((k) => k !== 0).length,
    unload(): void {
      if (state === UNLOADED) return;
      // Revocation, newest first: an iterator is always newer than the store it borrows.
      const slots: number[] = [];
      for (let s = 1; s < slotKind.length; s++) if (slotKind[s] !== 0) slots.push(s);
      slots.sort((x, y) => slotSeq[y]! - slotSeq[x]!);
      for (const s of slots) {
        if (state === ENTERABLE) dropSlot(s);
        else freeSlot(s);
      }
      nursery.fill(undefined);
      pendingDrops.length = 0;
      state = UNLOADED;
    },
  };
}
