/**
 * Typed host bindings: TypeScript declarations for a plugin's exports and
 * imports, generated from the component itself (its validated types and its
 * verified rdylib:abi section), so they describe exactly what `load` will
 * hand out. Browser-safe: no Node built-ins.
 */
import { compile } from '../load.ts';
import { surfaceOfValidated } from '../rdylib/surface.ts';
import { describeBoundary } from './model.ts';
import { emitDeclarations } from './emit.ts';

export interface DeclarationOptions {
  /** Where the component came from, for the header comment and errors (default `plugin`). */
  readonly source?: string;
  /** The module the declarations import host types from (default `rdylib`). */
  readonly importFrom?: string;
}

/**
 * The `.d.ts` text for `component` (a plugin or a reference build). Throws
 * LoadError as `load` would for bytes that are not a valid component, or
 * whose rdylib:abi section does not verify.
 */
export function generateDeclarations(component: Uint8Array, options: DeclarationOptions = {}): string {
  const source = options.source ?? 'plugin';
  const surface = surfaceOfValidated(compile(component).validated, source);
  return emitDeclarations(describeBoundary(surface.type, surface.abi), { source, importFrom: options.importFrom ?? 'rdylib' });
}
