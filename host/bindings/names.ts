/**
 * TypeScript names for the generated declarations: jco's JS naming of WIT
 * names (host/runtime/js-names.ts) made safe where TypeScript needs an
 * identifier, and one namespace name per interface.
 */
import { camel, pascal } from '../runtime/js-names.ts';
import { unversionedName } from '../validate/names.ts';
import type { ComponentDecl, ScopeDecl } from './model.ts';

export { camel, pascal };

/** Names the generated module declares itself at its top level; no interface namespace may take one. */
export const TOP_LEVEL_NAMES: ReadonlySet<string> = new Set(['Exports', 'IsolatedExports', 'Imports', 'Bindings', 'Static', 'Owned', 'ResultError']);

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface ' +
    'package private protected public await arguments eval'
  ).split(' '),
);

/** A parameter name: camelCase, with `_` appended to a reserved word (`this` → `this_`, as jco does). */
export function paramName(wit: string): string {
  const c = camel(wit);
  return RESERVED.has(c) ? `${c}_` : c;
}

/** An object key as written in a type: bare when it is an identifier, quoted otherwise. */
export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

/**
 * One namespace name per scope: the interface's label in PascalCase (`Kv`),
 * prefixed with its package (`RdylibGuestShapesShape`) when two interfaces
 * share a label or the label is a top-level name; `World` / `WorldImports`
 * for the world's own functions.
 */
export function namespaceNames(decl: ComponentDecl): Map<ScopeDecl, string> {
  const names = new Map<ScopeDecl, string>();
  const label = (s: ScopeDecl): string => {
    if (s.name === undefined) return s.direction === 'export' ? 'World' : 'WorldImports';
    const base = unversionedName(s.name);
    return pascal(base.slice(base.lastIndexOf('/') + 1));
  };
  const full = (s: ScopeDecl): string => (s.name === undefined ? label(s) : pascal(unversionedName(s.name).replace(/[:/]/g, '-')));
  const counts = new Map<string, number>();
  for (const s of decl.scopes) counts.set(label(s), (counts.get(label(s)) ?? 0) + 1);
  const used = new Set<string>(TOP_LEVEL_NAMES);
  for (const s of decl.scopes) {
    let name = counts.get(label(s)) === 1 && !TOP_LEVEL_NAMES.has(label(s)) ? label(s) : full(s);
    for (let i = 2; used.has(name); i++) name = `${full(s)}${i}`;
    used.add(name);
    names.set(s, name);
  }
  return names;
}

/** Global types the declarations refer to. */
const GLOBAL_TYPES = [
  'Promise', 'PromiseLike', 'ReadableStream', 'AsyncIterable', 'Iterable', 'Array', 'Disposable', 'AsyncDisposable', 'AbortSignal',
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'BigUint64Array', 'BigInt64Array', 'Float32Array', 'Float64Array',
] as const;

/** Types the module itself declares at its top and uses inside the namespaces. */
const MODULE_TYPES = ['Static', 'Owned'] as const;

/**
 * How the module refers to global types and to its own top-level `Static` and
 * `Owned` from inside a namespace that may declare a type of the same name
 * (a WIT record `array` becomes `interface Array`): through `globalThis.`,
 * and through a `$`-prefixed alias (no WIT name yields a `$`).
 */
export interface References {
  /** `Promise`, or `globalThis.Promise` where a declared type would shadow it. */
  global(name: (typeof GLOBAL_TYPES)[number]): string;
  /** `Static`, or its alias `$Static` where a declared type would shadow it. */
  module(name: (typeof MODULE_TYPES)[number]): string;
  /** The aliases the module must declare for `module` to work. */
  readonly aliases: readonly string[];
}

export function references(declared: ReadonlySet<string>): References {
  return {
    global: (name) => (declared.has(name) ? `globalThis.${name}` : name),
    module: (name) => (declared.has(name) ? `$${name}` : name),
    aliases: MODULE_TYPES.filter((n) => declared.has(n)),
  };
}
