/**
 * What a component offers at its boundary, read without instantiating it:
 * its component types and its verified rdylib:abi section. Used for both
 * sides of an expectation check: the reference build the host was made
 * against, and the plugin being loaded.
 */
import { parseComponent } from '../binary/parse.ts';
import { validateComponent, validateComponentSettled, type ValidatedComponent } from '../validate/validate.ts';
import type { AbiSurface } from './compat.ts';
import { rdylibAbiOf, type RdylibAbi } from './section.ts';
import { verifyAbi } from './verify.ts';

/**
 * The surface of an already validated component: its section, from the
 * parsed custom sections, verified. The verified section depends only on
 * the component, so it is kept with it: a component from the compile cache
 * (host/plugin/compile-cache.ts) is verified once, however often it loads.
 */
export function surfaceOfValidated(validated: ValidatedComponent, source: string): AbiSurface {
  let abi = verifiedSections.get(validated);
  if (abi === undefined && !verifiedSections.has(validated)) {
    abi = rdylibAbiOf(validated.ast.customSections);
    if (abi) verifyAbi(abi, validated.type);
    verifiedSections.set(validated, abi);
  }
  return { type: validated.type, abi, source };
}

/** Each component's section once verified (undefined: it has none); a section that fails is not kept, so it fails again. */
const verifiedSections = new WeakMap<ValidatedComponent, RdylibAbi | undefined>();

/**
 * Parses, validates and reads the section of a component (a reference build,
 * say). Synchronous: where the engine refuses to compile one of its core
 * modules synchronously (a browser's main thread: over 8 MB),
 * LoadError('unsupported'); `load`'s `expect` reads a reference build
 * asynchronously (`readAbiSurfaceSettled`).
 */
export function readAbiSurface(bytes: Uint8Array, source: string): AbiSurface {
  return surfaceOfValidated(validateComponent(parseComponent(bytes)), source);
}

/** `readAbiSurface`, with a core module the engine compiles only asynchronously on this thread compiled so (sync-refusal.ts). */
export function readAbiSurfaceSettled(bytes: Uint8Array, source: string): AbiSurface | Promise<AbiSurface> {
  const validated = validateComponentSettled(parseComponent(bytes), 'when-refused');
  return validated instanceof Promise ? validated.then((v) => surfaceOfValidated(v, source)) : surfaceOfValidated(validated, source);
}
