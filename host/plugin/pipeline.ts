/**
 * The one load pipeline, for `load`, `reload` and the worker side of an
 * isolated plugin alike: cap linear memory → parse → validate (core modules
 * compiled) → verify the rdylib:abi section against the component's types →
 * check the host's expectation. Nothing of the plugin runs before it passes.
 */
import { LoadError } from '../errors.ts';
import { isCoreModule, parseComponent } from '../binary/parse.ts';
import { validateComponent, type ValidatedComponent } from '../validate/validate.ts';
import type { AbiSurface } from '../rdylib/compat.ts';
import { checkExpectation, foundSurface } from '../rdylib/load-checks.ts';
import type { RdylibAbi } from '../rdylib/section.ts';
import { capLinearMemory } from './memory-cap.ts';

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
}

/** A build that passed every check: ready to instantiate. */
export interface CheckedBuild {
  readonly validated: ValidatedComponent;
  /** The verified section; undefined only for an `unchecked` plugin without one. */
  readonly abi: RdylibAbi | undefined;
}

export function checkedBuild(bytes: Uint8Array, checks: BuildChecks): CheckedBuild {
  const capped = checks.maxMemoryBytes === undefined || isCoreModule(bytes) ? bytes : capLinearMemory(bytes, checks.maxMemoryBytes);
  const validated = validateBytes(capped);
  const found = foundSurface(validated, checks.name, checks.unchecked);
  if (checks.expectation !== undefined) checkExpectation(checks.expectation, found);
  return { validated, abi: found.abi };
}
