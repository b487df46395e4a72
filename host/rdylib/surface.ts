/**
 * What a component offers at its boundary, read without instantiating it:
 * its component types and its verified rdylib:abi section. Used for both
 * sides of an expectation check: the reference build the host was made
 * against, and the plugin being loaded.
 */
import { parseComponent } from '../binary/parse.ts';
import { validateComponent, type ValidatedComponent } from '../validate/validate.ts';
import type { AbiSurface } from './compat.ts';
import { rdylibAbiOf } from './section.ts';
import { verifyAbi } from './verify.ts';

/** The surface of an already validated component: its section, from the parsed custom sections, verified. */
export function surfaceOfValidated(validated: ValidatedComponent, source: string): AbiSurface {
  const abi = rdylibAbiOf(validated.ast.customSections);
  if (abi) verifyAbi(abi, validated.type);
  return { type: validated.type, abi, source };
}

/** Parses, validates and reads the section of a component (a reference build, say). */
export function readAbiSurface(bytes: Uint8Array, source: string): AbiSurface {
  return surfaceOfValidated(validateComponent(parseComponent(bytes)), source);
}
