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
import { cacheComponent, cachedComponent } from './compile-cache.ts';

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

export function checkedBuild(bytes: Uint8Array, checks: BuildChecks): CheckedBuild {
  const validated = checks.cache ? validateCached(bytes, checks.maxMemoryBytes) : validateCapped(bytes, checks.maxMemoryBytes);
  const found = foundSurface(validated, checks.name, checks.unchecked);
  if (checks.expectation !== undefined) checkExpectation(checks.expectation, found);
  return { validated, abi: found.abi };
}

function validateCapped(bytes: Uint8Array, maxMemoryBytes: number | undefined): ValidatedComponent {
  return validateBytes(maxMemoryBytes === undefined || isCoreModule(bytes) ? bytes : capLinearMemory(bytes, maxMemoryBytes));
}

/** `validateBytes` through the compile cache, for the synchronous `compile`. */
export function validateBytesCached(bytes: Uint8Array): ValidatedComponent {
  return validateCached(bytes, undefined);
}

/**
 * The cached component for the same bytes under the same cap, or one
 * validated now (and cached, once it passed) from a private copy of the
 * bytes, which the cached component then keeps views of.
 */
function validateCached(bytes: Uint8Array, maxMemoryBytes: number | undefined): ValidatedComponent {
  const hit = cachedComponent(bytes, maxMemoryBytes);
  if (hit !== undefined) return hit;
  // A copy, also of a Node Buffer (whose `slice()` is a view): the cache compares later bytes with it.
  const copy = new Uint8Array(bytes);
  const validated = validateCapped(copy, maxMemoryBytes);
  cacheComponent(copy, maxMemoryBytes, validated);
  return validated;
}
