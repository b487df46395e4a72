/**
 * What a component offers at its boundary, read without instantiating it:
 * its component types and its verified rdylib:abi section. Used for both
 * sides of an expectation check: the reference build the host was made
 * against, and the plugin being loaded.
 */
import { parseComponent } from '../binary/parse.ts';
import { validateComponent, type ValidatedComponent } from '../validate/validate.ts';
import type { AbiSurface } from './compat.ts';
import { readRdylibAbi } from './section.ts';
import { verifyAbi } from './verify.ts';

export function surfaceOfValidated(bytes: Uint8Array, validated: ValidatedComponent, source: string): AbiSurface {
  const abi = readRdylibAbi(bytes);
  if (abi) verifyAbi(abi, validated.type);
  return { type: validated.type, abi, source };
}

/** Parses, validates and reads the section of a component (a reference build, say). */
export function readAbiSurface(bytes: Uint8Array, source: string): AbiSurface {
  return surfaceOfValidated(bytes, validateComponent(parseComponent(bytes)), source);
}
