/**
 * The one load pipeline, for `load`, `reload` and the worker side of an
 * isolated plugin alike: cap linear memory → parse → validate (core modules
 * compiled, for `load` in the background where the engine will not compile
 * one synchronously) → verify the rdylib:abi section against the component's
 * types → check the host's expectation. Nothing of the plugin runs before it
 * passes.
 * The steps up to compiling depend only on the bytes (and the cap), so a
 * build that passed them is kept in the compile cache (compile-cache.ts)
 * and the same bytes loaded again start from there.
 */
import { LoadError } from '../errors.ts';
import type { Component } from '../binary/ast.ts';
import { isCoreModule, parseComponent } from '../binary/parse.ts';
import { validateComponent, validateComponentSettled, type ValidatedComponent } from '../validate/validate.ts';
import type { AsyncEngineWork } from '../sync-refusal.ts';
import type { AbiSurface } from '../rdylib/compat.ts';
import { checkExpectation, foundSurface } from '../rdylib/load-checks.ts';
import type { RdylibAbi } from '../rdylib/section.ts';
import { capLinearMemory } from './memory-cap.ts';
import { cacheComponent, cachedComponent } from './compile-cache.ts';

/** Parses, validates and compiles. Throws LoadError ('malformed' | 'invalid' | 'unsupported'). */
export function validateBytes(bytes: Uint8Array): ValidatedComponent {
  return validateComponent(parseCapped(bytes, undefined));
}

/** The component the bytes hold, its linear memories capped first. */
function parseCapped(bytes: Uint8Array, maxMemoryBytes: number | undefined): Component {
  if (isCoreModule(bytes)) {
    throw new LoadError('malformed', 'this is a core WebAssembly module, not a component; wrap it with `wasm-tools component new`', 4);
  }
  return parseComponent(maxMemoryBytes === undefined ? bytes : capLinearMemory(bytes, maxMemoryBytes));
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

/**
 * The build of `bytes`: from the compile cache, or capped, parsed, validated
 * and compiled, then the rdylib checks. With `background` (core-compile.ts)
 * other than 'never', core modules may compile in the background (for
 * `load`, by default: only one the engine will not compile synchronously on
 * this thread, a big one on a browser's main thread); synchronous unless it
 * has such a compile to wait for. Fails with the same error whichever way it
 * compiles (`validateComponentSettled`); the rdylib checks run once every
 * module compiled.
 */
export function checkedBuildStarted(bytes: Uint8Array, checks: BuildChecks, background: AsyncEngineWork = 'when-refused'): CheckedBuild | Promise<CheckedBuild> {
  const validate = (source: Uint8Array) => validateComponentSettled(parseCapped(source, checks.maxMemoryBytes), background);
  const validated = checks.cache ? throughCache(bytes, checks.maxMemoryBytes, validate) : validate(bytes);
  // The rdylib checks also depend on the caller (unchecked, expectation): run at every load, cached or not.
  const checked = (v: ValidatedComponent): CheckedBuild => ({ validated: v, abi: rdylibChecks(v, checks) });
  return validated instanceof Promise ? validated.then(checked) : checked(validated);
}

/** The rdylib checks of a validated build: its section verified, and the host's expectation. Returns the section. */
function rdylibChecks(validated: ValidatedComponent, checks: BuildChecks): RdylibAbi | undefined {
  const found = foundSurface(validated, checks.name, checks.unchecked);
  if (checks.expectation !== undefined) checkExpectation(checks.expectation, found);
  return found.abi;
}

/** `validateBytes` through the compile cache, for the synchronous `compile`. */
export function validateBytesCached(bytes: Uint8Array): ValidatedComponent {
  return throughCache(bytes, undefined, validateBytes);
}

/**
 * The cached component for the same bytes under the same cap, or `validate`
 * of a private copy of the bytes (also of a Node Buffer, whose `slice()` is
 * a view: the cache compares later bytes with it, and the cached component
 * keeps views of it), cached once it passed. Synchronous when `validate` is.
 */
function throughCache<V extends ValidatedComponent | Promise<ValidatedComponent>>(
  bytes: Uint8Array,
  maxMemoryBytes: number | undefined,
  validate: (copy: Uint8Array) => V,
): ValidatedComponent | V {
  const hit = cachedComponent(bytes, maxMemoryBytes);
  if (hit !== undefined) return hit;
  const copy = new Uint8Array(bytes);
  const keep = (v: ValidatedComponent): ValidatedComponent => {
    cacheComponent(copy, maxMemoryBytes, v);
    return v;
  };
  const validated = validate(copy);
  return validated instanceof Promise ? (validated.then(keep) as V) : keep(validated as ValidatedComponent);
}
