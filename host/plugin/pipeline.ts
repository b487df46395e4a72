/**
 * The one load pipeline, for `load`, `reload` and the worker side of an
 * isolated plugin alike: cap linear memory → parse → validate (core modules
 * compiled) → verify the rdylib:abi section against the component's types →
 * check the host's expectation. Nothing of the plugin runs before it passes.
 * The steps up to compiling depend only on the bytes (and the cap), so a
 * build that passed them is kept in the compile cache (compile-cache.ts)
 * and the same bytes loaded again start from there.
 */
import { LoadError } from '../errors.ts';
import { isCoreModule, parseComponent } from '../binary/parse.ts';
import { validateComponent, type ValidatedComponent } from '../validate/validate.ts';
import type { AbiSurface } from '../rdylib/compat.ts';
import { checkExpectation, foundSurface } from '../rdylib/load-checks.ts';
import type { RdylibAbi } from '../rdylib/section.ts';
import { capLinearMemory } from './memory-cap.ts';
import { cacheComponent, cachedComponent, cacheKey } from './compile-cache.ts';
import { contentHash, contentHashSync } from './content-hash.ts';

/** Parses, validates and compiles. Throws LoadError ('malformed' | 'invalid' | 'unsupported'). */
export function validateBytes(bytes: Uint8Array): ValidatedComponent {
  if (isCoreModule(bytes)) {
    throw new LoadError('malformed', 'this is a core WebAssembly module, not a component; wrap it with `wasm-tools component new`', 4);
  }
  return validateComponent(parseComponent(bytes));
}

export interface BuildChecks {
  /** For messages. */
  readonly name: string;
  /** Cap on every linear memory, applied to the bytes before they are compiled. */
  readonly maxMemoryBytes: number | undefined;
  /** Accept a component without an rdylib:abi section (types checked only). */
  readonly unchecked: boolean;
  /** What the host was built against, when it says. */
  readonly expectation: AbiSurface | undefined;
  /** Look the bytes up in the compile cache, and keep them there once they pass (default in `load`). */
  readonly cache: boolean;
}

/** A build that passed every check: ready to instantiate. */
export interface CheckedBuild {
  readonly validated: ValidatedComponent;
  /** The verified section; undefined only for an `unchecked` plugin without one. */
  readonly abi: RdylibAbi | undefined;
}

export async function checkedBuild(bytes: Uint8Array, checks: BuildChecks): Promise<CheckedBuild> {
  const validated = checks.cache ? await validateCached(bytes, checks.maxMemoryBytes) : validateCapped(bytes, checks.maxMemoryBytes);
  const found = foundSurface(validated, checks.name, checks.unchecked);
  if (checks.expectation !== undefined) checkExpectation(checks.expectation, found);
  return { validated, abi: found.abi };
}

function validateCapped(bytes: Uint8Array, maxMemoryBytes: number | undefined): ValidatedComponent {
  return validateBytes(maxMemoryBytes === undefined || isCoreModule(bytes) ? bytes : capLinearMemory(bytes, maxMemoryBytes));
}

/** `validateCapped` through the compile cache. */
async function validateCached(bytes: Uint8Array, maxMemoryBytes: number | undefined): Promise<ValidatedComponent> {
  return validateHashed(bytes, await contentHash(bytes), maxMemoryBytes);
}

/**
 * `validateBytes` through the compile cache, for the synchronous `compile`:
 * where the platform hashes only asynchronously (Web Crypto) it compiles
 * every time, as with `cache: false`.
 */
export function validateBytesCached(bytes: Uint8Array): ValidatedComponent {
  return validateHashed(bytes, contentHashSync(bytes), undefined);
}

/**
 * The cached component for bytes with SHA-256 `hash`, or one validated now
 * (and cached, once it passed) from a private copy of the bytes, which the
 * cached component then keeps views of. No hash: validated, not cached.
 */
function validateHashed(bytes: Uint8Array, hash: string | undefined, maxMemoryBytes: number | undefined): ValidatedComponent {
  if (hash === undefined) return validateCapped(bytes, maxMemoryBytes);
  const key = cacheKey(hash, maxMemoryBytes);
  const hit = cachedComponent(key);
  if (hit !== undefined) return hit;
  const validated = validateCapped(bytes.slice(), maxMemoryBytes);
  cacheComponent(key, validated, bytes.length);
  return validated;
}
