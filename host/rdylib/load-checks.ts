/**
 * The rdylib checks `load` runs before any plugin code: the plugin's
 * rdylib:abi section verified against its own component types, then (when
 * the host states one) the plugin checked against the host's expectation,
 * the interface it was built against.
 *
 * A plugin without the section has no lifetime information, so nothing can
 * stop its handles from outliving what they borrow: it is refused unless the
 * caller passes `unchecked: true` (then only its component types are checked,
 * against an expectation too, and no borrow rules are enforced on its handles).
 */
import { LoadError } from '../errors.ts';
import type { ValidatedComponent } from '../validate/validate.ts';
import { checkCompatible, type AbiSurface } from './compat.ts';
import { readAbiSurfaceSettled, surfaceOfValidated } from './surface.ts';

import type { ComponentSource } from '../source.ts';

export type Source = ComponentSource;

/**
 * What the host was built against: a reference build of the plugin (its
 * bytes, or a path / URL to read them from), or a surface already read with
 * `readAbiSurface` (e.g. exported by a generated module).
 */
export type Expectation = Source | AbiSurface;

export type ReadSource = (source: Source) => Promise<Uint8Array>;

/**
 * The plugin's own surface, with its section verified against its types.
 * Throws LoadError: `invalid` for a section that lies about the types,
 * `missing-lifetimes` for no section at all unless `unchecked`.
 */
export function foundSurface(validated: ValidatedComponent, name: string, unchecked: boolean): AbiSurface {
  const found = surfaceOfValidated(validated, name);
  if (found.abi === undefined && !unchecked) {
    throw new LoadError(
      'missing-lifetimes',
      `${name} has no rdylib:abi section, so the lifetimes of its handles cannot be checked; ` +
        'build it with the rdylib SDK, or pass `unchecked: true` to load it with its types checked only',
    );
  }
  return found;
}

function isSurface(e: Expectation): e is AbiSurface {
  return typeof e === 'object' && e !== null && !(e instanceof Uint8Array) && !(e instanceof ArrayBuffer) && !(e instanceof URL) && 'type' in e && 'source' in e;
}

/** Reads and checks the reference build an expectation names. */
export async function resolveExpectation(e: Expectation, read: ReadSource): Promise<AbiSurface> {
  if (isSurface(e)) return e;
  const source = typeof e === 'string' ? e : e instanceof URL ? e.href : 'the expected interface';
  return readAbiSurfaceSettled(await read(e), source);
}

/**
 * Throws AbiMismatchError when `found` does not provide `expected`. A plugin
 * without a section (loaded `unchecked`; foundSurface refuses it otherwise)
 * is compared on its types only.
 */
export function checkExpectation(expected: AbiSurface, found: AbiSurface): void {
  checkCompatible(found.abi === undefined ? { ...expected, abi: undefined } : expected, found);
}
