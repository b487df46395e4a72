/**
 * External visibility of types (Explainer.md "External Visibility of Types"):
 * every resource, record, variant, enum and flags type an import or export
 * uses must have an externally-visible name, i.e. be the *new* type index an
 * earlier import or export introduced (or an alias of one). Imports may only
 * use names introduced by imports.
 *
 * `host/types.ts` is structural, so names are tracked by object identity:
 * each defined record/variant/enum/flags type is its own `ValType` object, and
 * naming one (by import or export) makes a fresh copy that is then the named
 * type. Resources keep their runtime identity (`ResourceTypeRef`); their
 * aliases are told apart by the `TypeEntry` an `own`/`borrow` was written
 * against (`handleSource`).
 */
import type { ExternName } from '../binary/ast.ts';
import type { FuncType, ValType } from '../types.ts';
import { invalid } from './resolve.ts';
import { handleSource, makeSubst, substExtern, type ExternDesc, type InstanceType, type TypeEntry } from './type-space.ts';

/** Named types: `ValType` objects, resource `TypeEntry` aliases, and `ResourceTypeRef`s (for handles with no recorded alias). */
export type Named = Set<object>;

function isNominal(t: ValType): boolean {
  return t.kind === 'record' || t.kind === 'variant' || t.kind === 'enum' || t.kind === 'flags';
}

function valVisible(t: ValType, named: ReadonlySet<object>): boolean {
  if (t.kind === 'own' || t.kind === 'borrow') {
    const src = handleSource.get(t);
    return src !== undefined ? named.has(src) : named.has(t.resource);
  }
  if (isNominal(t)) return named.has(t);
  return contentsVisible(t, named);
}

/** The types a value type is made of, not requiring the type itself to be named. */
function contentsVisible(t: ValType, named: ReadonlySet<object>): boolean {
  const all = (ts: readonly (ValType | undefined)[]): boolean => ts.every((x) => x === undefined || valVisible(x, named));
  switch (t.kind) {
    case 'list':
      return valVisible(t.element, named);
    case 'option':
      return valVisible(t.type, named);
    case 'record':
      return all(t.fields.map((f) => f.type));
    case 'tuple':
      return all(t.types);
    case 'variant':
      return all(t.cases.map((c) => c.type));
    case 'result':
      return all([t.ok, t.err]);
    case 'own':
    case 'borrow':
      return valVisible(t, named);
    default:
      return true;
  }
}

function funcVisible(f: FuncType, named: ReadonlySet<object>): boolean {
  return f.params.every((p) => valVisible(p.type, named)) && (f.result === undefined || valVisible(f.result, named));
}

/** Adds the names an instance's type exports introduce (nested instances included). */
function instanceNames(t: InstanceType, out: Named): void {
  for (const x of t.exports.values()) {
    if (x.kind === 'type') addEntryNames(x.type, out);
    else if (x.kind === 'instance') instanceNames(x.type, out);
  }
}

function addEntryNames(e: TypeEntry, out: Named): void {
  if (e.kind === 'value') out.add(e.type);
  else if (e.kind === 'resource') {
    out.add(e);
    out.add(e.ref);
  }
}

function entryVisible(e: TypeEntry, named: ReadonlySet<object>): boolean {
  switch (e.kind) {
    case 'value':
      return contentsVisible(e.type, named);
    case 'func':
      return funcVisible(e.type, named);
    case 'instance':
      return instanceVisible(e.type, named);
    case 'resource':
    case 'component':
    case 'gated':
      // Gated types are refused on imports and exports anyway (resolve.ts rejectGated); component types were checked when they were defined.
      return true;
  }
}

/** An instance's exports may use the types it exports itself as well as those named outside. */
function instanceVisible(t: InstanceType, named: ReadonlySet<object>): boolean {
  const local: Named = new Set(named);
  instanceNames(t, local);
  for (const x of t.exports.values()) if (!descVisible(x, local)) return false;
  return true;
}

function descVisible(d: ExternDesc, named: ReadonlySet<object>): boolean {
  switch (d.kind) {
    case 'func':
      return funcVisible(d.type, named);
    case 'type':
      return entryVisible(d.type, named);
    case 'instance':
      return instanceVisible(d.type, named);
    default:
      return true;
  }
}

/** Rejects an import or export whose type uses a type without an externally-visible name. */
export function checkVisible(d: ExternDesc, named: ReadonlySet<object>, what: 'import' | 'export', n: ExternName): void {
  if (!descVisible(d, named)) {
    const kind = d.kind === 'module' ? 'core module' : d.kind;
    invalid(`${kind} not valid to be used as ${what}: \`${n.name}\` uses a resource, record, variant, enum or flags type that has no ${what === 'import' ? 'imported' : 'imported or exported'} name`, n.offset);
  }
}

/** A fresh alias of a type entry: what the new type index of an import or export denotes. */
function aliasEntry(e: TypeEntry): TypeEntry {
  if (e.kind === 'value' && isNominal(e.type)) return { kind: 'value', type: { ...e.type } as ValType };
  if (e.kind === 'resource') return { kind: 'resource', ref: e.ref };
  return e;
}

function collectAliases(t: InstanceType, entries: Map<TypeEntry, TypeEntry>, values: Map<ValType, ValType>): void {
  for (const x of t.exports.values()) {
    if (x.kind === 'type' && !entries.has(x.type)) {
      const a = aliasEntry(x.type);
      if (a !== x.type) {
        entries.set(x.type, a);
        if (x.type.kind === 'value' && a.kind === 'value') values.set(x.type.type, a.type);
      }
    } else if (x.kind === 'instance') collectAliases(x.type, entries, values);
  }
}

/**
 * The item an import or export introduces: type exports (directly, or inside
 * an instance) become fresh named aliases, added to every set in `into`.
 */
export function nameExtern(d: ExternDesc, into: readonly Named[]): ExternDesc {
  let out: ExternDesc = d;
  if (d.kind === 'type') {
    out = { kind: 'type', type: aliasEntry(d.type) };
  } else if (d.kind === 'instance') {
    const entries = new Map<TypeEntry, TypeEntry>();
    const values = new Map<ValType, ValType>();
    collectAliases(d.type, entries, values);
    out = substExtern(d, makeSubst(new Map(), values, entries));
  }
  for (const set of into) {
    if (out.kind === 'type') addEntryNames(out.type, set);
    else if (out.kind === 'instance') instanceNames(out.type, set);
  }
  return out;
}
