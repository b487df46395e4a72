/**
 * The compile cache: components this process has already parsed, validated
 * and compiled, filed by the SHA-256 of their bytes (content-hash.ts) and
 * the memory cap applied to them, so loading the same bytes again (a second
 * `load`, a `reload` of an unchanged build, another plugin from the same
 * file) skips everything that depends only on the bytes: capping, parsing,
 * validation, compiling the core modules and verifying the rdylib:abi
 * section. Each load still instantiates afresh (its own instances, memory
 * and handles) and still checks what depends on the caller (an unchecked
 * plugin, the expectation).
 *
 * A cached component is validated from a private copy of the bytes, so a
 * caller changing its buffer afterwards cannot change what a later hit
 * returns (the parsed component keeps views of the bytes it came from).
 * Only components that passed are cached; a refused one is refused again.
 * Bounded by entries and by the bytes they came from, least recently used
 * first out.
 */
import type { ValidatedComponent } from '../validate/validate.ts';

/** At most this many components are kept. */
export const COMPILE_CACHE_MAX_ENTRIES = 32;
/** At most this many bytes of components (their input size, a stand-in for the compiled code they hold). */
export const COMPILE_CACHE_MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  readonly validated: ValidatedComponent;
  readonly size: number;
}

/** Least recently used first: a Map iterates in insertion order, and a hit re-inserts. */
const entries = new Map<string, Entry>();
let totalBytes = 0;

/** The cache key of bytes with hash `hash`, validated under the memory cap `maxMemoryBytes`. */
export function cacheKey(hash: string, maxMemoryBytes: number | undefined): string {
  return maxMemoryBytes === undefined ? hash : `${hash}/max-memory=${maxMemoryBytes}`;
}

export function cachedComponent(key: string): ValidatedComponent | undefined {
  const e = entries.get(key);
  if (e === undefined) return undefined;
  entries.delete(key);
  entries.set(key, e);
  return e.validated;
}

export function cacheComponent(key: string, validated: ValidatedComponent, size: number): void {
  if (size > COMPILE_CACHE_MAX_BYTES) return;
  const old = entries.get(key);
  if (old !== undefined) {
    entries.delete(key);
    totalBytes -= old.size;
  }
  entries.set(key, { validated, size });
  totalBytes += size;
  for (const [k, e] of entries) {
    if (entries.size <= COMPILE_CACHE_MAX_ENTRIES && totalBytes <= COMPILE_CACHE_MAX_BYTES) break;
    entries.delete(k);
    totalBytes -= e.size;
  }
}

/** Forgets every cached component: the next load of any bytes compiles them again (cold). */
export function clearCompileCache(): void {
  entries.clear();
  totalBytes = 0;
}

/** How many components are cached, and the bytes they came from (tests, introspection). */
export function compileCacheSize(): { readonly entries: number; readonly bytes: number } {
  return { entries: entries.size, bytes: totalBytes };
}
