/**
 * The checked floors for a WARM load (the load section's `load 1.1 MB WAT
 * component, warm` and `load kv, warm` rows): from bytes the host has
 * compiled before to a working instance, then its unload. What a checked
 * floor is: floors/micro.ts, bench/README.md.
 *
 * What a safe host must do on a compile-cache hit, beyond raw (which only
 * instantiates modules it compiled itself):
 * 1. prove the bytes are the cached ones: compare them in full with the
 *    cache's private copy. Identity is no proof (a caller may refill one
 *    buffer between loads) and a hash is no cheaper than the comparison;
 * 2. instantiate the core modules, as raw does;
 * 3. make the per-instance state the spec's checks and our unload need and
 *    the JS face of every export: floors/micro.ts `instantiateMicroFloor`
 *    for the bench component, floors/kv.ts for kv, floors/sdk.ts for types,
 *    shapes and registry (lower bounds there: each says what it leaves out;
 *    for an SDK-built component only the main core module is instantiated,
 *    floors/sdk-cores.ts says why a host may skip the other two)
 *    (instance state for may_enter/may_leave/poisoning, the handle table,
 *    the registry of live objects with its FinalizationRegistry, a checked
 *    function per export, the resource class);
 * 4. unload: revoke every live object (its destructor, newest first) and
 *    refuse every later call.
 *
 * Left out: a miss (changed or new bytes) compiles the component's core
 * modules without validating the component, which a safe host must do: this
 * floor claims nothing about cold loads. Never imports the host; its
 * honesty tests are bench/floors/warm.test.ts.
 */
import { topLevelCoreModules } from '../core-modules.ts';
import { KV_INTERFACE } from '../kv/api.ts';
import { BENCH_INTERFACE } from '../micro/guest.ts';
import type { RawModules } from '../micro/raw.ts';
import { instantiateKvFloor, type KvFloor } from './kv.ts';
import { instantiateMicroFloor, type MicroFloor } from './micro.ts';
import { compileSdkMain } from './sdk-cores.ts';
import {
  instantiateRegistryFloor,
  instantiateShapesFloor,
  instantiateTypesFloor,
  REGISTRY_INTERFACE,
  SHAPES_INTERFACE,
  TYPES_INTERFACE,
  type RegistryFloor,
  type ShapesFloor,
  type TypesFloor,
} from './sdk.ts';

/** A loaded plugin of a warm floor. */
export interface WarmFloorPlugin<A> {
  /** Whether the load found its bytes in the cache (for the tests). */
  readonly hit: boolean;
  /** The exported interface (the face `exports` holds under its name). */
  readonly api: A;
  readonly exports: Readonly<Record<string, A>>;
  unload(): void;
}

interface CacheEntry<M> {
  /** The cache's own copy of the bytes it compiled: nobody else can change it. */
  readonly bytes: Uint8Array;
  readonly modules: M;
}

/** A host of one component shape with a compile cache, doing only what a safe host must on a hit (above). */
export class WarmFloorHost<M, A extends { unload(): void }> {
  /** Cached components by byte length: only bytes of the same length can be equal. */
  readonly #byLength = new Map<number, CacheEntry<M>[]>();

  constructor(
    /** The exported interface's name. */
    readonly iface: string,
    /** A miss: the component's core modules compiled (not validated: see above). */
    private readonly compile: (bytes: Uint8Array) => M,
    /** The checked floor's instance and face (floors/micro.ts, floors/kv.ts). */
    private readonly instantiate: (modules: M) => A,
  ) {}

  load(bytes: Uint8Array): WarmFloorPlugin<A> {
    const cached = this.#lookUp(bytes);
    const entry = cached ?? this.#add(bytes);
    return this.#plugin(cached !== undefined, this.instantiate(entry.modules));
  }

  #plugin(hit: boolean, api: A): WarmFloorPlugin<A> {
    return { hit, api, exports: { [this.iface]: api }, unload: () => api.unload() };
  }

  /**
   * One plugin object kept alive so the hidden classes of `exports` (a computed key, added field by
   * field) survive the bench's forced GCs (floors/sdk.ts MAP_ANCHORS says why).
   */
  readonly #mapAnchor = this.#plugin(false, { unload() {} } as A);

  /** The entry whose bytes equal `bytes`, compared in full (memcmp through Buffer.compare). */
  #lookUp(bytes: Uint8Array): CacheEntry<M> | undefined {
    const candidates = this.#byLength.get(bytes.length);
    if (candidates === undefined) return undefined;
    for (const c of candidates) if (Buffer.compare(c.bytes, bytes) === 0) return c;
    return undefined;
  }

  #add(bytes: Uint8Array): CacheEntry<M> {
    // A copy for certain: `slice()` of a Node Buffer (a Uint8Array) shares the caller's memory.
    const copy = new Uint8Array(bytes);
    const entry: CacheEntry<M> = { bytes: copy, modules: this.compile(copy) };
    const list = this.#byLength.get(copy.length);
    if (list === undefined) this.#byLength.set(copy.length, [entry]);
    else list.push(entry);
    return entry;
  }
}

/** The WAT bench component: its two top-level core modules (`mem`, then `main`), the micro floor's instance. */
export function benchWarmFloor(): WarmFloorHost<RawModules, MicroFloor> {
  return new WarmFloorHost(
    BENCH_INTERFACE,
    (bytes) => {
      const cores = topLevelCoreModules(bytes);
      if (cores.length !== 2) throw new Error(`the bench component has 2 core modules, got ${cores.length}`);
      const [mem, main] = cores.map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>)) as [WebAssembly.Module, WebAssembly.Module];
      return { mem, main };
    },
    instantiateMicroFloor,
  );
}

/**
 * The kv example: its main core module (wit-component's shim and fixup proven elidable once per
 * compiled component, floors/sdk-cores.ts), the kv floor's instance and face (the store and
 * iterator classes). A lower bound of a safe host's warm load of kv: ours also makes a function for
 * every one of kv's exports (a host may make them at first use), which this floor does not.
 */
export function kvWarmFloor(): WarmFloorHost<WebAssembly.Module, KvFloor> {
  return new WarmFloorHost(KV_INTERFACE, compileSdkMain, instantiateKvFloor);
}

/** The types example (floors/sdk.ts): main core module as for kv, the floor's `echo-bytes`. */
export function typesWarmFloor(): WarmFloorHost<WebAssembly.Module, TypesFloor> {
  return new WarmFloorHost(TYPES_INTERFACE, compileSdkMain, instantiateTypesFloor);
}

/** The shapes example (floors/sdk.ts): main core module as for kv, the floor's `circle` and shape class. */
export function shapesWarmFloor(): WarmFloorHost<WebAssembly.Module, ShapesFloor> {
  return new WarmFloorHost(SHAPES_INTERFACE, compileSdkMain, instantiateShapesFloor);
}

/** The registry example (floors/sdk.ts): main core module as for kv, the floor's `registry` and unit-registry class. */
export function registryWarmFloor(): WarmFloorHost<WebAssembly.Module, RegistryFloor> {
  return new WarmFloorHost(REGISTRY_INTERFACE, compileSdkMain, instantiateRegistryFloor);
}
