/**
 * The checked floor for a WARM load of the WAT bench component (the load
 * section's `load 1.1 MB WAT component, warm` row): from bytes the host has
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
import { BENCH_INTERFACE } from '../micro/guest.ts';
import type { RawModules } from '../micro/raw.ts';
import { instantiateMicroFloor, type MicroFloor } from './micro.ts';

export interface WarmFloorPlugin {
  /** Whether the load found its bytes in the cache (for the tests). */
  readonly hit: boolean;
  readonly exports: { readonly [BENCH_INTERFACE]: MicroFloor };
  unload(): void;
}

interface CacheEntry {
  /** The cache's own copy of the bytes it compiled: nobody else can change it. */
  readonly bytes: Uint8Array;
  readonly modules: RawModules;
}

/** A host of the bench component with a compile cache, doing only what a safe host must (above). */
export class WarmFloorHost {
  /** Cached components by byte length: only bytes of the same length can be equal. */
  readonly #byLength = new Map<number, CacheEntry[]>();

  load(bytes: Uint8Array): WarmFloorPlugin {
    const cached = this.#lookUp(bytes);
    const entry = cached ?? this.#compile(bytes);
    const api = instantiateMicroFloor(entry.modules);
    return { hit: cached !== undefined, exports: { [BENCH_INTERFACE]: api }, unload: () => api.unload() };
  }

  /** The entry whose bytes equal `bytes`, compared in full (memcmp through Buffer.compare). */
  #lookUp(bytes: Uint8Array): CacheEntry | undefined {
    const candidates = this.#byLength.get(bytes.length);
    if (candidates === undefined) return undefined;
    for (const c of candidates) if (Buffer.compare(c.bytes, bytes) === 0) return c;
    return undefined;
  }

  /** A miss: the bench component's two top-level core modules (`mem`, then `main`), compiled. Not validated (see above). */
  #compile(bytes: Uint8Array): CacheEntry {
    const copy = bytes.slice();
    const cores = topLevelCoreModules(copy);
    if (cores.length !== 2) throw new Error(`the warm floor knows only the bench component (2 core modules), got ${cores.length}`);
    const [mem, main] = cores.map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>)) as [WebAssembly.Module, WebAssembly.Module];
    const entry: CacheEntry = { bytes: copy, modules: { mem, main } };
    const list = this.#byLength.get(copy.length);
    if (list === undefined) this.#byLength.set(copy.length, [entry]);
    else list.push(entry);
    return entry;
  }
}
