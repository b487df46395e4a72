/**
 * What a component offers at its boundary, read without instantiating it:
 * its component types and its verified rdylib:abi section. Used for both
 * sides of an expectation check: the reference build the host was made
 * against, and the plugin being loaded.
 */
import { parseComponent } from '../binary/parse.ts';
import { validateComponent, type ValidatedComponent } from '../validate/validate.ts';
import type { ComponentType } from '../validate/type-space.ts';
import type { AbiSurface } from './compat.ts';
import { rdylibAbiOf, type RdylibAbi } from './section.ts';
import { verifyAbi } from './verify.ts';

/**
 * The surface of an already validated component (its core modules may still
 * be compiling: the section is checked against its types only): its section,
 * from the parsed custom sections, verified. The verified section depends
 * only on the component, so it is kept with it, by its type, which one
 * validation made and which the component keeps once its modules are
 * compiled: a component from the compile cache (host/plugin/compile-cache.ts)
 * is verified once, however often it loads.
 */
export function surfaceOfValidated(validated: ValidatedComponent<unknown>, source: string): AbiSurface {
  const key = validated.type;
  let abi = verifiedSections.get(key);
  if (abi === undefined && !verifiedSections.has(key)) {
    abi = rdylibAbiOf(validated.ast.customSections);
    if (abi) verifyAbi(abi, validated.type);
    verifiedSections.set(key, abi);
  }
  return { type: validated.type, abi, source };
}

/** Each component's section once verified (undefined: it has none); a section that fails is not kept, so it fails again. */
const verifiedSections = new WeakMap<ComponentType, RdylibAbi | undefined>();

/** Parses, validates and reads the section of a component (a reference build, say). */
export function readAbiSurface(bytes: Uint8Array, source: string): AbiSurface {
  return surfaceOfValidated(validateComponent(parseComponent(bytes)), source);
}
