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
import { isLeafType, type FuncType, type ValType } from '../types.ts';
import { invalid } from './failures.ts';
import { countWork, memoTable } from './work.ts';
import { aliasOf, handleSource, makeSubst, substExtern, substMembers, type ExternDesc, type InstanceType, type TypeEntry } from './type-space.ts';

/** Named types: `ValType` objects, resource `TypeEntry` aliases, and `ResourceTypeRef`s (for handles with no recorded alias). */
export type Named = Set<object>;

function isNominal(t: ValType): boolean {
  return t.kind === 'record' || t.kind === 'variant' || t.kind === 'enum' || t.kind === 'flags';
}

/*
 * Visibility is decided by what each type *needs* named: a handle needs its
 * resource alias, a nominal type needs itself, other value types need what
 * their members need, and an instance type needs what its exports need minus
 * the names it introduces itself. Needs depend on the type alone, so they are
 * computed once per type object and a type shared by many exports (or nested
 * in many instances) costs one walk; then `d` is visible in a context exactly
 * when the context names everything `d` needs.
 */
const valNeedsMemo = memoTable<ValType, ReadonlySet<object>>();
const NO_NEEDS: ReadonlySet<object> = new Set();
const instanceNeedsMemo = memoTable<InstanceType, ReadonlySet<object>>();
const instanceNamesMemo = memoTable<InstanceType, ReadonlySet<object>>();

function addAll(into: Set<object>, from: ReadonlySet<object>): void {
  for (const x of from) into.add(x);
}

/** What using `t` (as a member, parameter or result) needs named. */
function valNeeds(t: ValType, out: Set<object>): void {
  if (t.kind === 'own' || t.kind === 'borrow') out.add(handleSource.get(t) ?? t.resource);
  else if (isNominal(t)) out.add(t);
  else addAll(out, contentsNeeds(t));
}

/** What the members of `t` need named (a defined type's own contents). */
function contentsNeeds(t: ValType): ReadonlySet<object> {
  // A leaf's members need nothing (computeContentsNeeds' default).
  return isLeafType(t) ? NO_NEEDS : valNeedsMemo.memo(t, computeContentsNeeds);
}

/** `valNeeds` of a member that may be absent (a variant case, a result side, a stream element). */
function optNeeds(t: ValType | undefined, out: Set<object>): void {
  if (t !== undefined) valNeeds(t, out);
}

// Loops, not `forEach`/`map` with arrows: an arrow made per call loses its optimised code with the
// closure at each full GC (V8 holds it weakly), so V8 optimised it again at every cold load.
function computeContentsNeeds(t: ValType): ReadonlySet<object> {
  const out = new Set<object>();
  switch (t.kind) {
    case 'list':
      valNeeds(t.element, out);
      break;
    case 'option':
      valNeeds(t.type, out);
      break;
    case 'record':
      for (const f of t.fields) valNeeds(f.type, out);
      break;
    case 'tuple':
      for (const u of t.types) valNeeds(u, out);
      break;
    case 'variant':
      for (const c of t.cases) optNeeds(c.type, out);
      break;
    case 'result':
      optNeeds(t.ok, out);
      optNeeds(t.err, out);
      break;
    case 'stream':
    case 'future':
      optNeeds(t.element, out);
      break;
    case 'own':
    case 'borrow':
      valNeeds(t, out);
      break;
    default:
      break;
  }
  return out;
}

function funcNeeds(f: FuncType, out: Set<object>): void {
  for (const p of f.params) valNeeds(p.type, out);
  if (f.result !== undefined) valNeeds(f.result, out);
}

/** The names an instance type introduces: its type exports, and those of instances inside it. */
function instanceNames(t: InstanceType): ReadonlySet<object> {
  return instanceNamesMemo.memo(t, computeInstanceNames);
}

function computeInstanceNames(x: InstanceType): ReadonlySet<object> {
  const out = new Set<object>();
  for (const e of x.exports.values()) {
    if (e.kind === 'type') addEntryNames(e.type, out);
    else if (e.kind === 'instance') addAll(out, instanceNames(e.type));
  }
  return out;
}

function addEntryNames(e: TypeEntry, out: Named): void {
  if (e.kind === 'value') out.add(e.type);
  else if (e.kind === 'resource') {
    out.add(e);
    out.add(e.ref);
  }
}

function instanceNeeds(t: InstanceType): ReadonlySet<object> {
  return instanceNeedsMemo.memo(t, computeInstanceNeeds);
}

function computeInstanceNeeds(x: InstanceType): ReadonlySet<object> {
  const all = new Set<object>();
  for (const e of x.exports.values()) descNeeds(e, all);
  const own = instanceNames(x);
  const out = new Set<object>();
  for (const n of all) if (!own.has(n)) out.add(n);
  return out;
}

function descNeeds(d: ExternDesc, out: Set<object>): void {
  switch (d.kind) {
    case 'func':
      funcNeeds(d.type, out);
      break;
    case 'type':
      // Gated types are refused on imports and exports anyway (resolve.ts rejectGated); component types were checked when they were defined.
      if (d.type.kind === 'value') addAll(out, contentsNeeds(d.type.type));
      else if (d.type.kind === 'func') funcNeeds(d.type.type, out);
      else if (d.type.kind === 'instance') addAll(out, instanceNeeds(d.type.type));
      break;
    case 'instance':
      addAll(out, instanceNeeds(d.type));
      break;
    default:
      break;
  }
}

function descVisible(d: ExternDesc, named: ReadonlySet<object>): boolean {
  const needs = new Set<object>();
  descNeeds(d, needs);
  for (const x of needs) if (!named.has(x)) return false;
  return true;
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
  if (e.kind === 'value' && isNominal(e.type)) {
    const copy = { ...e.type } as ValType;
    aliasOf.set(copy, e.type);
    return { kind: 'value', type: copy };
  }
  if (e.kind === 'resource') return { kind: 'resource', ref: e.ref };
  return e;
}

function collectAliases(t: InstanceType, entries: Map<TypeEntry, TypeEntry>, values: Map<ValType, ValType>, seen: Set<InstanceType> = new Set()): void {
  if (seen.has(t)) return;
  seen.add(t);
  countWork();
  for (const x of t.exports.values()) {
    if (x.kind === 'type' && !entries.has(x.type)) {
      const a = aliasEntry(x.type);
      if (a !== x.type) {
        entries.set(x.type, a);
        if (x.type.kind === 'value' && a.kind === 'value') values.set(x.type.type, a.type);
      }
    } else if (x.kind === 'instance') collectAliases(x.type, entries, values, seen);
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
    // The types an exported instance exports are named where they came from too
    // (wasm-tools: an instance's type exports keep their identity), so a function
    // exported beside the instance may use them (async/big-interleaving-test.wast).
    for (const set of into) addAll(set, instanceNames(d.type));
    const entries = new Map<TypeEntry, TypeEntry>();
    const values = new Map<ValType, ValType>();
    collectAliases(d.type, entries, values);
    const s = makeSubst(new Map(), values, entries);
    // An alias's members are aliases too: a named record whose field is another
    // type of the instance refers to that type's alias, so naming the one names
    // what it is made of (type-export-restrictions.wast "one import refers to another").
    for (const [orig, alias] of values) Object.assign(alias, substMembers(orig, s));
    out = substExtern(d, s);
  }
  for (const set of into) {
    if (out.kind === 'type') addEntryNames(out.type, set);
    else if (out.kind === 'instance') addAll(set, instanceNames(out.type));
  }
  return out;
}
