/**
 * The compile cache: components this process has already parsed, validated
 * and compiled, found again by their bytes (and the memory cap applied to
 * them), so loading the same bytes again (a second `load`, a `reload` of an
 * unchanged build, another plugin from the same file) skips everything that
 * depends only on the bytes: capping, parsing, validation, compiling the core
 * modules and verifying the rdylib:abi section. Each load still instantiates
 * afresh (its own instances, memory and handles) and still checks what
 * depends on the caller (an unchecked plugin, the expectation).
 *
 * A lookup compares the bytes themselves with each cached entry's private
 * copy of the bytes it was validated from (same length and cap first): a hit
 * means byte-for-byte the same input, which no hash can promise more
 * strongly, and costs a memory comparison (a few microseconds for 100 KB on
 * Node) where a SHA-256 of the bytes cost ~50 times as much. A caller
 * changing its buffer afterwards cannot change what a later hit returns: the
 * entry keeps its own copy (the parsed component keeps views of it).
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
  /** The private copy of the bytes the component was validated from (before any memory cap). */
  readonly source: Uint8Array;
  readonly maxMemoryBytes: number | undefined;
  readonly validated: ValidatedComponent;
}

/** Least recently used first: a Set iterates in insertion order, and a hit re-inserts. */
const entries = new Set<Entry>();
let totalBytes = 0;

/** The part of Node's Buffer used here: a native memory comparison. */
interface NodeBuffer {
  compare(a: Uint8Array, b: Uint8Array): number;
}

/** Node's Buffer where there is one (a global there; browsers have none). */
const nodeBuffer = (globalThis as { Buffer?: Partial<NodeBuffer> }).Buffer;
const nativeCompare = typeof nodeBuffer?.compare === 'function' ? (nodeBuffer as NodeBuffer) : undefined;

/** Whether `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return nativeCompare !== undefined ? nativeCompare.compare(a, b) === 0 : sameBytesByWords(a, b);
}

/** `sameBytes` in plain JS, where there is no native comparison (browsers); exported for its tests. */
export function sameBytesByWords(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  // Four bytes at a time where both views are aligned for it (fresh buffers are).
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = a.length >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
    for (; i < words; i++) if (wa[i] !== wb[i]) return false;
    i = words << 2;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The cached component validated from exactly `bytes` under the memory cap `maxMemoryBytes`, if any. */
export function cachedComponent(bytes: Uint8Array, maxMemoryBytes: number | undefined): ValidatedComponent | undefined {
  const e = entryFor(bytes, maxMemoryBytes);
  if (e === undefined) return undefined;
  entries.delete(e);
  entries.add(e);
  return e.validated;
}

/** The entry validated from exactly `bytes` under `maxMemoryBytes`, if any (length and cap compared first). */
function entryFor(bytes: Uint8Array, maxMemoryBytes: number | undefined): Entry | undefined {
  for (const e of entries) {
    if (e.source.length === bytes.length && e.maxMemoryBytes === maxMemoryBytes && sameBytes(e.source, bytes)) return e;
  }
  return undefined;
}

/**
 * Keeps `validated`, validated under `maxMemoryBytes` from `source`, which
 * must be a private copy nobody else can change.
 */
export function cacheComponent(source: Uint8Array, maxMemoryBytes: number | undefined, validated: ValidatedComponent): void {
  const size = source.length;
  if (size > COMPILE_CACHE_MAX_BYTES) return;
  const old = entryFor(source, maxMemoryBytes);
  if (old !== undefined) {
    entries.delete(old);
    totalBytes -= size;
  }
  entries.add({ source, maxMemoryBytes, validated });
  totalBytes += size;
  for (const e of entries) {
    if (entries.size <= COMPILE_CACHE_MAX_ENTRIES && totalBytes <= COMPILE_CACHE_MAX_BYTES) break;
    entries.delete(e);
    totalBytes -= e.source.length;
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
