/**
 * Core-level types as component validation sees them: module types
 * (Binary.md `core:moduletype`) resolved against the core type index space,
 * and core subtyping of imports and exports (core spec "Import Subtyping",
 * used by core instantiation and by module-type matching).
 */
import type { CoreDefType, CoreLimits, CoreModuleDecl, CoreRefType, CoreValType } from '../binary/ast.ts';
import type { CoreFuncSig, CoreItemType } from '../binary/core-module.ts';
import { invalid } from './failures.ts';
import type { CoreModuleType } from './type-space.ts';

/** The largest page count of a 32-bit memory (4 GiB of 64 KiB pages). */
const MAX_PAGES_32 = 65536n;
/** The largest element count of a 32-bit table. */
const MAX_TABLE_32 = 0xffff_ffffn;

export function coreValTypeName(t: CoreValType): string {
  if (typeof t === 'string') return t;
  if (t.heap === 'func' && t.nullable) return 'funcref';
  if (t.heap === 'extern' && t.nullable) return 'externref';
  return `(ref ${t.nullable ? 'null ' : ''}${t.heap})`;
}

function coreValTypeEquals(a: CoreValType, b: CoreValType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.nullable === b.nullable && a.heap === b.heap;
}

/**
 * Whether two lists of core value types are the same, element by element. A plain loop: this runs
 * for every lift, lower and core instantiation argument of every load, mostly in code V8 has not
 * optimised yet, where a closure made per call and `every` cost more than the comparison.
 */
export function coreTypesEqual(x: readonly CoreValType[], y: readonly CoreValType[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!coreValTypeEquals(x[i]!, y[i]!)) return false;
  return true;
}

export function sigEquals(a: CoreFuncSig, b: CoreFuncSig): boolean {
  return coreTypesEqual(a.params, b.params) && coreTypesEqual(a.results, b.results);
}

/** A core function type in the text format, e.g. `(func (param i32) (result i32))`. */
export function formatSig(s: CoreFuncSig): string {
  const p = s.params.length > 0 ? ` (param ${s.params.map(coreValTypeName).join(' ')})` : '';
  const r = s.results.length > 0 ? ` (result ${s.results.map(coreValTypeName).join(' ')})` : '';
  return `(func${p}${r})`;
}

/** Valid limits: min ≤ max, and within the 32-bit (or 64-bit) bound of the index type. */
function checkLimits(l: CoreLimits, bound: bigint, what: 'memory' | 'table', offset: number): void {
  if (l.max !== undefined && l.max < l.min) invalid(`size minimum must not be greater than maximum`, offset);
  if (!l.index64 && (l.min > bound || (l.max !== undefined && l.max > bound))) {
    invalid(what === 'memory' ? `memory size must be at most ${bound} pages (4GiB)` : `table size must be at most ${bound} entries`, offset);
  }
}

/** Module types resolved where they were defined, so outer aliases see the right scope. */
const resolvedModuleTypes = new WeakMap<CoreDefType, CoreModuleType>();

/**
 * The core type index spaces a module type can reach through `alias outer`:
 * `[0]` is the space of the component (or component type) the module type is
 * defined in, `[1]` the one enclosing that, and so on (Binary.md: outer count
 * 1 names the innermost enclosing space).
 */
export type OuterCoreTypes = readonly (readonly CoreDefType[])[];

/**
 * Concrete heap types `(ref $t)` in a core function type must name a core
 * type defined before it (or the type itself: each type is its own
 * recursion group), and not a module type.
 */
function checkRefIndices(t: CoreDefType, types: readonly CoreDefType[], offset: number): void {
  if (t.kind !== 'func') return;
  for (const v of [...t.params, ...t.results]) {
    if (typeof v === 'string' || typeof v.heap === 'string') continue;
    if (v.heap > types.length) invalid(`type index out of bounds: core type index ${v.heap} in a reference type (${types.length} defined)`, offset);
    if (types[v.heap]?.kind === 'module') invalid(`type index ${v.heap} is a module type, not a core function type`, offset);
  }
}

/** Checks and resolves a core type definition where it is defined (`outer[0]` is the space it is added to). */
export function defineCoreType(t: CoreDefType, outer: OuterCoreTypes, offset: number): void {
  checkRefIndices(t, outer[0] ?? [], offset);
  if (t.kind === 'module') resolvedModuleTypes.set(t, resolveModuleType(t.decls, outer, offset));
}

/** The resolved type of a module-type definition (resolving it now if it was not defined through `defineCoreType`). */
export function moduleTypeOf(t: Extract<CoreDefType, { kind: 'module' }>, outer: OuterCoreTypes, offset: number): CoreModuleType {
  return resolvedModuleTypes.get(t) ?? resolveModuleType(t.decls, outer, offset);
}

/** Resolves a `core:moduletype` against the enclosing core type index spaces. */
function resolveModuleType(
  decls: readonly CoreModuleDecl[],
  outer: OuterCoreTypes,
  offset: number,
): CoreModuleType {
  const types: CoreDefType[] = [];
  const imports: { module: string; name: string; type: CoreItemType }[] = [];
  const exports: { name: string; type: CoreItemType }[] = [];
  const importNames = new Set<string>();
  const exportNames = new Set<string>();
  const sig = (index: number): CoreFuncSig => {
    if (index >= types.length) invalid(`type index out of bounds: core type index ${index} (${types.length} defined)`, offset);
    const t = types[index]!;
    if (t.kind !== 'func') invalid(`core type index ${index} is not a function type`, offset);
    return t;
  };
  const itemType = (t: Extract<CoreModuleDecl, { kind: 'import' }>['type']): CoreItemType => {
    switch (t.kind) {
      case 'func':
      case 'tag':
        return { kind: t.kind, sig: sig(t.typeIndex) };
      case 'memory':
        checkLimits(t.limits, MAX_PAGES_32, 'memory', offset);
        return t;
      case 'table':
        checkLimits(t.limits, MAX_TABLE_32, 'table', offset);
        return t;
      case 'global':
        return t;
    }
  };
  for (const d of decls) {
    switch (d.kind) {
      case 'type':
        if (d.type.kind === 'module') invalid('a module type cannot be declared inside a module type', offset);
        checkRefIndices(d.type, types, offset);
        types.push(d.type);
        break;
      case 'alias': {
        // Count 0 would be the module type itself, which has no outer core types; 1 is the enclosing component's space.
        const space = d.count === 0 ? undefined : outer[d.count - 1];
        if (space === undefined) invalid(`invalid outer alias count of ${d.count} in a module type`, offset);
        if (d.index >= space.length) invalid(`type index out of bounds: core type index ${d.index} (${space.length} defined)`, offset);
        types.push(space[d.index]!);
        break;
      }
      case 'import': {
        const key = `${d.module}:${d.name}`;
        if (importNames.has(key)) invalid(`duplicate import name \`${key}\` in module type`, offset);
        importNames.add(key);
        imports.push({ module: d.module, name: d.name, type: itemType(d.type) });
        break;
      }
      case 'export':
        if (exportNames.has(d.name)) invalid(`export name \`${d.name}\` already defined`, offset);
        exportNames.add(d.name);
        exports.push({ name: d.name, type: itemType(d.type) });
        break;
    }
  }
  return { imports, exports };
}

function limitsMatch(got: CoreLimits, want: CoreLimits): boolean {
  if (got.min < want.min) return false;
  if (want.max === undefined) return true;
  return got.max !== undefined && got.max <= want.max;
}

function refEquals(a: CoreRefType, b: CoreRefType): boolean {
  return a.nullable === b.nullable && a.heap === b.heap;
}

/**
 * Whether `got` may be supplied where `want` is expected (core import
 * subtyping), or the reason it may not.
 */
export function coreItemMismatch(got: CoreItemType, want: CoreItemType): string | undefined {
  if (got.kind !== want.kind) return `expected ${want.kind}, found ${got.kind}`;
  switch (want.kind) {
    case 'func':
    case 'tag': {
      const g = (got as typeof want).sig;
      return sigEquals(g, want.sig) ? undefined : `type mismatch: expected: ${formatSig(want.sig)}, found: ${formatSig(g)}`;
    }
    case 'global': {
      const g = got as typeof want;
      if (!coreValTypeEquals(g.type, want.type)) return `expected global type ${coreValTypeName(want.type)}, found ${coreValTypeName(g.type)}`;
      if (g.mutable !== want.mutable) return 'global types differ in mutability';
      return undefined;
    }
    case 'table': {
      const g = got as typeof want;
      if (!refEquals(g.element, want.element)) {
        return `expected table element type ${coreValTypeName(want.element)}, found ${coreValTypeName(g.element)}`;
      }
      if (g.limits.index64 !== want.limits.index64 || !limitsMatch(g.limits, want.limits)) return 'mismatch in table limits';
      return undefined;
    }
    case 'memory': {
      const g = got as typeof want;
      if (g.limits.shared !== want.limits.shared) return 'mismatch in the shared flag for memories';
      if (g.limits.index64 !== want.limits.index64) return 'mismatch in index type used for memories';
      if (!limitsMatch(g.limits, want.limits)) return 'mismatch in memory limits';
      return undefined;
    }
  }
}

/**
 * Module type subtyping: `got` can stand for `want` when it needs no import
 * `want` does not offer (imports are contravariant) and has every export
 * `want` promises (exports are covariant).
 */
export function checkModuleMatches(got: CoreModuleType, want: CoreModuleType, path: string, offset: number): void {
  for (const gi of got.imports) {
    const wi = want.imports.find((x) => x.module === gi.module && x.name === gi.name);
    const key = `${gi.module}::${gi.name}`;
    if (wi === undefined) invalid(`type mismatch in \`${path}\`: missing expected import \`${key}\``, offset);
    const why = coreItemMismatch(wi.type, gi.type);
    if (why !== undefined) invalid(`type mismatch in import \`${key}\` of \`${path}\`: ${why}`, offset);
  }
  for (const we of want.exports) {
    const ge = got.exports.find((x) => x.name === we.name);
    if (ge === undefined) invalid(`type mismatch in \`${path}\`: missing expected export \`${we.name}\``, offset);
    const why = coreItemMismatch(ge.type, we.type);
    if (why !== undefined) invalid(`type mismatch in export \`${we.name}\` of \`${path}\`: ${why}`, offset);
  }
}
