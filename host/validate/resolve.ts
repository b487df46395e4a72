/**
 * Resolves type definitions (Binary.md "Type Definitions") against a scope's
 * index spaces into `TypeEntry` values, checking well-formedness on the way and
 * rejecting features this host does not implement.
 */
import type { FuncType, ParamType, ValType } from '../types.ts';
import type { Alias, ComponentDecl, CoreDefType, DefType, DefValType, ExternName, ExternType, PrimValType, ValTypeRef } from '../binary/ast.ts';
import { fixedListLayout, recordLayout, variantLayout, type Layout } from '../abi/layout.ts';
import { MAX_VALUE_SIZE, validationLayout, validationPointerPairLayout } from './value-size.ts';
import {
  AbstractResource,
  containsBorrow,
  handleSource,
  substExtern,
  type ComponentType,
  type CoreModuleType,
  type ExternDesc,
  type InstanceType,
  type TypeEntry,
} from './type-space.ts';
import { mapTypes } from '../value-type-equality.ts';
import { UniqueNames, isLabel, locatorNameForm, parseExternName } from './names.ts';
import { checkAnnotatedName, noteResourceName } from './extern-checks.ts';
import { isLeafType, type ResourceTypeRef } from '../types.ts';
import { checkVisible, nameExtern, type Named } from './visibility.ts';
import { defineCoreType, moduleTypeOf } from './core-types.ts';
import { checkTypeSize, checkValTypeDepth, SizeTally, typeEntrySize } from './type-size.ts';
import { countWork, memoTable } from './work.ts';
import { invalid, unsupported } from './failures.ts';


/**
 * The index spaces a type expression can refer to. Concrete components add
 * their runtime spaces on top (see validate.ts); type scopes use only these.
 */
export interface TypeScope {
  readonly parent: TypeScope | undefined;
  /** Whether this scope is a concrete component (outer aliases of resources may not cross it). */
  readonly concrete: boolean;
  readonly types: TypeEntry[];
  readonly coreTypes: CoreDefType[];
  readonly instances: InstanceType[];
  readonly funcs: FuncType[];
  readonly components: ComponentType[];
  readonly modules: CoreModuleType[];
}

export function newTypeScope(parent: TypeScope | undefined, concrete: boolean): TypeScope {
  return { parent, concrete, types: [], coreTypes: [], instances: [], funcs: [], components: [], modules: [] };
}

export function at<T>(space: readonly T[], index: number, what: string, offset: number): T {
  if (index >= space.length) invalid(`${what} index ${index} out of bounds (${space.length} defined)`, offset);
  return space[index]!;
}

/**
 * One resolved type per primitive, shared by every use in every component.
 * A primitive type has no identity to keep apart (it names no resource, and
 * only records, variants, enums and flags get named aliases, visibility.ts),
 * so type matching (value-type-equality.ts answers the same object at once:
 * 237 of the 431 comparisons of a cold types load were two fresh objects of
 * one primitive) and the ABI's per-type memos (abi/layout.ts layouts and
 * flattenings) meet the same object again instead of a fresh one per use.
 * Frozen: one component's types can never change another's.
 */
const PRIMITIVE_KINDS: Readonly<Record<PrimValType, true>> = {
  bool: true, s8: true, u8: true, s16: true, u16: true, s32: true, u32: true, s64: true, u64: true,
  f32: true, f64: true, char: true, string: true, 'error-context': true,
};
const PRIMITIVE_VAL_TYPES = Object.freeze(
  Object.fromEntries(Object.keys(PRIMITIVE_KINDS).map((kind) => [kind, Object.freeze({ kind })])),
) as Readonly<Record<PrimValType, ValType>>;

export function resolveValType(ref: ValTypeRef, scope: TypeScope, offset: number): ValType {
  if (ref.kind === 'primitive') {
    return PRIMITIVE_VAL_TYPES[ref.type];
  }
  const e = at(scope.types, ref.index, 'type', offset);
  if (e.kind === 'gated') unsupported(`${e.feature} in a function type or extern`, offset);
  if (e.kind !== 'value') invalid(`type index ${ref.index} is not a defined value type (it is a ${e.kind} type)`, offset);
  return e.type;
}

type GatedEntry = Extract<TypeEntry, { kind: 'gated' }>;

/** A value type reference that may also name a gated type (only other type definitions may). */
function resolveMember(ref: ValTypeRef, scope: TypeScope, offset: number): ValType | GatedEntry {
  if (ref.kind === 'index') {
    const e = at(scope.types, ref.index, 'type', offset);
    if (e.kind === 'gated') return e;
  }
  return resolveValType(ref, scope, offset);
}

function isGated(m: ValType | GatedEntry | undefined): m is GatedEntry {
  return m !== undefined && m.kind === 'gated';
}

function memberLayout(m: ValType | GatedEntry): Layout {
  return m.kind === 'gated' ? m.layout : validationLayout(m);
}

/** A defined type that contains a gated type (🔧 or 🗺️): checked for size, then kept only as a type definition. */
function gated(feature: string, layout: Layout, offset: number): GatedEntry {
  if (layout.size >= MAX_VALUE_SIZE) {
    invalid(`type exceeds maximum byte size: its canonical ABI size is ${layout.size} bytes, the limit is 2^28 - 1`, offset);
  }
  return { kind: 'gated', feature, layout };
}

const HANDLE_LAYOUT: Layout = { size: 4, align: 4 };

const KEY_TYPES: ReadonlySet<string> = new Set(['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'char', 'string']);

/** `resolveMember` of an optional reference (a variant case's or a result side's type). */
function optMember(r: ValTypeRef | undefined, scope: TypeScope, offset: number): ValType | GatedEntry | undefined {
  return r === undefined ? undefined : resolveMember(r, scope, offset);
}

function optMemberLayout(x: ValType | GatedEntry | undefined): Layout | undefined {
  return x === undefined ? undefined : memberLayout(x);
}

function firstGated(ms: readonly (ValType | GatedEntry | undefined)[]): GatedEntry | undefined {
  for (const x of ms) if (isGated(x)) return x;
  return undefined;
}

/**
 * Value type definitions whose members include a gated type. Their sizes are
 * validated (max-value-size) but the Canonical ABI here does not implement
 * them, so they may not reach a function type, import or export.
 *
 * Loops and module-level helpers, not arrows made per call, here and in
 * `resolveDefTypeUnchecked`: each cold load runs these after a full GC, and an
 * arrow made per call loses its optimised code with the closure (V8 holds it
 * weakly), so V8 optimised those arrows again at every load.
 */
function resolveGatedDefType(def: DefValType, scope: TypeScope, offset: number): GatedEntry | undefined {
  switch (def.kind) {
    case 'list': {
      const el = resolveMember(def.element, scope, offset);
      if (def.length === undefined) return isGated(el) ? gated(el.feature, validationPointerPairLayout(), offset) : undefined;
      if (def.length === 0) invalid('fixed-length list length must be larger than 0', offset);
      return gated('fixed-length lists (🔧)', fixedListLayout(memberLayout(el), def.length), offset);
    }
    case 'map': {
      const key = resolveMember(def.key, scope, offset);
      if (isGated(key) || !KEY_TYPES.has(key.kind)) invalid(`map key type must be a boolean, integer, char or string type`, offset);
      const value = resolveMember(def.value, scope, offset);
      return isGated(value) ? gated(value.feature, validationPointerPairLayout(), offset) : undefined;
    }
    case 'record': {
      const ms: (ValType | GatedEntry)[] = [];
      for (const f of def.fields) ms.push(resolveMember(f.type, scope, offset));
      const g = firstGated(ms);
      return g === undefined ? undefined : gated(g.feature, recordLayout(ms.map(memberLayout)), offset);
    }
    case 'tuple': {
      const ms: (ValType | GatedEntry)[] = [];
      for (const t of def.types) ms.push(resolveMember(t, scope, offset));
      const g = firstGated(ms);
      return g === undefined ? undefined : gated(g.feature, recordLayout(ms.map(memberLayout)), offset);
    }
    case 'variant': {
      const ms: (ValType | GatedEntry | undefined)[] = [];
      for (const c of def.cases) ms.push(optMember(c.type, scope, offset));
      const g = firstGated(ms);
      return g === undefined ? undefined : gated(g.feature, variantLayout(ms.map(optMemberLayout)), offset);
    }
    case 'option': {
      const x = resolveMember(def.type, scope, offset);
      return isGated(x) ? gated(x.feature, variantLayout([undefined, x.layout]), offset) : undefined;
    }
    case 'result': {
      const ms = [optMember(def.ok, scope, offset), optMember(def.err, scope, offset)];
      const g = firstGated(ms);
      return g === undefined ? undefined : gated(g.feature, variantLayout(ms.map(optMemberLayout)), offset);
    }
    case 'stream':
    case 'future': {
      // A stream or future is passed as an i32 handle whatever its elements are.
      const el = optMember(def.element, scope, offset);
      return isGated(el) ? gated(el.feature, HANDLE_LAYOUT, offset) : undefined;
    }
    default:
      return undefined;
  }
}

/** Instance types already found free of gated types (each shared instance type is checked once). */
const gatedFree = new WeakSet<InstanceType>();

/** Gated types are only type definitions here: importing or exporting one needs the ABI for it. */
export function rejectGated(d: ExternDesc, offset: number): void {
  if (d.kind === 'type' && d.type.kind === 'gated') unsupported(`${d.type.feature} in an import or export`, offset);
  const inst = d.kind === 'instance' ? d.type : d.kind === 'type' && d.type.kind === 'instance' ? d.type.type : undefined;
  if (inst === undefined || gatedFree.has(inst)) return;
  countWork();
  for (const x of inst.exports.values()) rejectGated(x, offset);
  gatedFree.add(inst);
}

function uniqueLabels(labels: readonly string[], what: string, offset: number): void {
  // One label cannot conflict: no table for it (most functions have one parameter or none).
  const seen = labels.length > 1 ? new UniqueNames() : undefined;
  for (const l of labels) {
    if (!isLabel(l)) invalid(`${what} name \`${l}\` is not in kebab case`, offset);
    const prev = seen?.add(l);
    if (prev !== undefined) invalid(`${what} name \`${l}\` conflicts with previous name \`${prev}\``, offset);
  }
}

export function resolveFuncType(def: Extract<DefType, { kind: 'func' }>, scope: TypeScope, offset: number): FuncType {
  uniqueLabels(namesOf(def.params), 'function parameter', offset);
  // A loop, not `map` with a closure: a closure made per call holds its optimised code alone (the
  // feedback vector keeps it weakly), so each full GC between cold loads threw that code away.
  const params: ParamType[] = [];
  for (const p of def.params) params.push({ name: p.name, type: resolveValType(p.type, scope, offset) });
  const result = def.result === undefined ? undefined : resolveValType(def.result, scope, offset);
  if (result !== undefined && containsBorrow(result)) invalid('function result type contains a borrow handle', offset);
  return { async: def.async, params, result };
}

export function resolveDefType(def: DefType, scope: TypeScope, offset: number): TypeEntry {
  const entry = resolveDefTypeUnchecked(def, scope, offset);
  checkTypeSize(typeEntrySize(entry), `this ${entry.kind} type`, offset);
  if (entry.kind === 'value') checkValTypeDepth(entry.type, offset);
  return entry;
}

/** The names of a definition's parameters, fields or cases, in order. */
function namesOf(items: readonly { readonly name: string }[]): string[] {
  const out: string[] = [];
  for (const x of items) out.push(x.name);
  return out;
}

function valueEntry(type: ValType): TypeEntry {
  return { kind: 'value', type };
}

function nonEmpty(n: number, message: string, offset: number): void {
  if (n === 0) invalid(message, offset);
}

function resolveDefTypeUnchecked(def: DefType, scope: TypeScope, offset: number): TypeEntry {
  if (def.kind === 'list' || def.kind === 'map' || def.kind === 'record' || def.kind === 'tuple' || def.kind === 'variant' || def.kind === 'option' || def.kind === 'result' || def.kind === 'stream' || def.kind === 'future') {
    const g = resolveGatedDefType(def, scope, offset);
    if (g !== undefined) return g;
  }
  switch (def.kind) {
    case 'primitive':
      return valueEntry(resolveValType(def, scope, offset));
    case 'record': {
      nonEmpty(def.fields.length, 'record type must have at least one field', offset);
      uniqueLabels(namesOf(def.fields), 'record field', offset);
      const fields: { name: string; type: ValType }[] = [];
      for (const f of def.fields) fields.push({ name: f.name, type: resolveValType(f.type, scope, offset) });
      return valueEntry({ kind: 'record', fields });
    }
    case 'variant': {
      nonEmpty(def.cases.length, 'variant type must have at least one case', offset);
      uniqueLabels(namesOf(def.cases), 'variant case', offset);
      const cases: { name: string; type: ValType | undefined }[] = [];
      for (const c of def.cases) cases.push({ name: c.name, type: c.type === undefined ? undefined : resolveValType(c.type, scope, offset) });
      return valueEntry({ kind: 'variant', cases });
    }
    case 'list':
      return valueEntry({ kind: 'list', element: resolveValType(def.element, scope, offset) });
    case 'tuple': {
      nonEmpty(def.types.length, 'tuple type must have at least one type', offset);
      const types: ValType[] = [];
      for (const t of def.types) types.push(resolveValType(t, scope, offset));
      return valueEntry({ kind: 'tuple', types });
    }
    case 'flags':
      nonEmpty(def.labels.length, 'flags must have at least one entry', offset);
      if (def.labels.length > 32) invalid(`cannot have more than 32 flags (found ${def.labels.length})`, offset);
      uniqueLabels(def.labels, 'flag', offset);
      return valueEntry({ kind: 'flags', labels: def.labels });
    case 'enum':
      nonEmpty(def.labels.length, 'enum type must have at least one variant', offset);
      uniqueLabels(def.labels, 'enum tag', offset);
      return valueEntry({ kind: 'enum', labels: def.labels });
    case 'option':
      return valueEntry({ kind: 'option', type: resolveValType(def.type, scope, offset) });
    case 'result':
      return valueEntry({
        kind: 'result',
        ok: def.ok === undefined ? undefined : resolveValType(def.ok, scope, offset),
        err: def.err === undefined ? undefined : resolveValType(def.err, scope, offset),
      });
    case 'own':
    case 'borrow': {
      const e = at(scope.types, def.index, 'type', offset);
      if (e.kind !== 'resource') invalid(`type index ${def.index} is not a resource type`, offset);
      const t: ValType = { kind: def.kind, resource: e.ref };
      handleSource.set(t, e);
      return valueEntry(t);
    }
    case 'stream':
    case 'future': {
      const element = def.element === undefined ? undefined : resolveValType(def.element, scope, offset);
      // Explainer.md: `stream<char>` waits for string-encoding-aware copies; borrows may not outlive their call.
      if (def.kind === 'stream' && element?.kind === 'char') invalid('`stream<char>` is not valid at this time, use `stream<u8>` with a defined by encoding instead for now', offset);
      if (element !== undefined && containsBorrow(element)) invalid(`a ${def.kind} element type cannot contain a borrow handle`, offset);
      return valueEntry({ kind: def.kind, element });
    }
    case 'map': {
      // Despecialized to list<tuple<K, V>>, remembered as a map (value-type-equality.ts mapTypes).
      const t: ValType = { kind: 'list', element: { kind: 'tuple', types: [resolveValType(def.key, scope, offset), resolveValType(def.value, scope, offset)] } };
      mapTypes.add(t);
      return valueEntry(t);
    }
    case 'func':
      return { kind: 'func', type: resolveFuncType(def, scope, offset) };
    case 'resource':
      if (!scope.concrete) invalid('resources can only be defined within a concrete component', offset);
      // The identity is replaced per instance at runtime; validation uses a placeholder.
      return { kind: 'resource', ref: declareResource(new AbstractResource(`resource#${scope.types.length}`), scope) };
    case 'component':
      return { kind: 'component', type: resolveComponentType(def.decls, scope) };
    case 'instance':
      return { kind: 'instance', type: resolveInstanceType(def.decls, scope) };
  }
}

/**
 * The scope each static resource identity was introduced in. A resource
 * introduced inside a type (or inside a child component) is bound by it:
 * every import of that type, and every instantiation of that component,
 * stands for new resources (Explainer.md: resource types are generative).
 */
const declaredIn = new WeakMap<ResourceTypeRef, TypeScope>();

function declareResource(r: ResourceTypeRef, scope: TypeScope): ResourceTypeRef {
  declaredIn.set(r, scope);
  return r;
}

/** Whether `r` is free in `scope`: introduced in `scope` itself or a scope enclosing it. */
function isFreeIn(r: ResourceTypeRef, scope: TypeScope): boolean {
  const home = declaredIn.get(r);
  if (home === undefined) return true;
  for (let s: TypeScope | undefined = scope; s !== undefined; s = s.parent) if (s === home) return true;
  return false;
}

/**
 * Every resource a type mentions, memoised per type object (types do not
 * change once built), so a type shared by many imports, exports and
 * instantiations is walked once in the whole validation.
 */
const mentioned = memoTable<object, ReadonlySet<ResourceTypeRef>>();
const NONE: ReadonlySet<ResourceTypeRef> = new Set();

function union(parts: readonly ReadonlySet<ResourceTypeRef>[]): ReadonlySet<ResourceTypeRef> {
  // A loop, not `filter` with an arrow: an arrow made per call loses its optimised code with the closure at each full GC.
  let only: ReadonlySet<ResourceTypeRef> | undefined;
  let many = false;
  for (const p of parts) {
    if (p.size === 0) continue;
    if (only === undefined) only = p;
    else many = true;
  }
  if (only === undefined) return NONE;
  if (!many) return only;
  const out = new Set<ResourceTypeRef>();
  for (const p of parts) for (const r of p) out.add(r);
  return out;
}

function valResources(t: ValType | undefined): ReadonlySet<ResourceTypeRef> {
  // A leaf names no resource (computeValResources' default).
  return t === undefined || isLeafType(t) ? NONE : mentioned.memo(t, computeValResources);
}

// The compute functions are module-level, not arrows made per call: a closure made anew on every
// call is one more function V8 optimises again on every load (type-size.ts says the same).
function computeValResources(v: ValType): ReadonlySet<ResourceTypeRef> {
  switch (v.kind) {
    case 'own':
    case 'borrow':
      return new Set([v.resource]);
    case 'list':
      return valResources(v.element);
    case 'option':
      return valResources(v.type);
    case 'record':
      return union(memberResources(v.fields));
    case 'tuple':
      return union(v.types.map(valResources));
    case 'variant':
      return union(memberResources(v.cases));
    case 'result':
      return union([valResources(v.ok), valResources(v.err)]);
    case 'stream':
    case 'future':
      return valResources(v.element);
    default:
      return NONE;
  }
}

/** The resources of each field's or case's type, in order. */
function memberResources(members: readonly { readonly type?: ValType | undefined }[]): ReadonlySet<ResourceTypeRef>[] {
  const out: ReadonlySet<ResourceTypeRef>[] = [];
  for (const m of members) out.push(valResources(m.type));
  return out;
}

function funcResources(f: FuncType): ReadonlySet<ResourceTypeRef> {
  return mentioned.memo(f, computeFuncResources);
}

function computeFuncResources(x: FuncType): ReadonlySet<ResourceTypeRef> {
  const parts: ReadonlySet<ResourceTypeRef>[] = [];
  for (const p of x.params) parts.push(valResources(p.type));
  parts.push(valResources(x.result));
  return union(parts);
}

function descsResources(ds: Iterable<ExternDesc>): ReadonlySet<ResourceTypeRef> {
  return union([...ds].map(descResources));
}

function computeInstanceResources(t: InstanceType): ReadonlySet<ResourceTypeRef> {
  return descsResources(t.exports.values());
}

function computeComponentResources(t: ComponentType): ReadonlySet<ResourceTypeRef> {
  return union([descsResources(t.imports.values()), descsResources(t.exports.values())]);
}

function entryResources(e: TypeEntry): ReadonlySet<ResourceTypeRef> {
  switch (e.kind) {
    case 'resource':
      return new Set([e.ref]);
    case 'value':
      return valResources(e.type);
    case 'func':
      return funcResources(e.type);
    case 'instance':
      return mentioned.memo(e.type, computeInstanceResources);
    case 'component':
      return mentioned.memo(e.type, computeComponentResources);
    case 'gated':
      return NONE;
  }
}

function descResources(d: ExternDesc): ReadonlySet<ResourceTypeRef> {
  switch (d.kind) {
    case 'func':
      return funcResources(d.type);
    case 'type':
      return entryResources(d.type);
    case 'instance':
      return entryResources({ kind: 'instance', type: d.type });
    case 'component':
      return entryResources({ kind: 'component', type: d.type });
    default:
      return NONE;
  }
}

/** Whether a type mentions any resource (its identity then depends on where it is instantiated). */
export function mentionsResources(d: ExternDesc): boolean {
  return descResources(d).size > 0;
}

function collectDescResources(d: ExternDesc, out: Set<ResourceTypeRef>): void {
  for (const r of descResources(d)) out.add(r);
}

/**
 * Gives the resources a type binds new identities introduced in `scope`:
 * what importing an instance type (or exporting one from a type), or
 * instantiating a component, does. `keep` are identities already supplied.
 */
export function freshenResources(d: ExternDesc, scope: TypeScope, keep: ReadonlySet<ResourceTypeRef> = new Set()): ExternDesc {
  const all = new Set<ResourceTypeRef>();
  collectDescResources(d, all);
  const m = new Map<ResourceTypeRef, ResourceTypeRef>();
  for (const r of all) {
    if (keep.has(r) || isFreeIn(r, scope)) continue;
    m.set(r, declareResource(new AbstractResource(r.name), scope));
  }
  return m.size === 0 ? d : substExtern(d, m);
}

/** The core type spaces of `scope` and every scope around it, innermost first (core-types.ts OuterCoreTypes). */
export function outerCoreTypes(scope: TypeScope): CoreDefType[][] {
  const out: CoreDefType[][] = [];
  for (let s: TypeScope | undefined = scope; s !== undefined; s = s.parent) out.push(s.coreTypes);
  return out;
}

/** Walks out `count` scopes for an outer alias. */
export function outerScope(scope: TypeScope, count: number, offset: number): TypeScope {
  let s: TypeScope = scope;
  for (let i = 0; i < count; i++) {
    if (s.parent === undefined) invalid(`invalid outer alias count of ${count}`, offset);
    s = s.parent;
  }
  return s;
}

/** Whether crossing from `scope` out `count` levels passes a concrete component boundary. */
function crossesComponent(scope: TypeScope, count: number): boolean {
  let s: TypeScope = scope;
  for (let i = 0; i < count; i++) {
    if (s.concrete) return true;
    s = s.parent!;
  }
  return false;
}

/** Whether a type refers to a resource it does not bind itself, i.e. one introduced in `target` or around it. */
function mentionsResource(e: TypeEntry, target: TypeScope): boolean {
  const all = new Set<ResourceTypeRef>();
  collectDescResources({ kind: 'type', type: e }, all);
  for (const r of all) if (isFreeIn(r, target)) return true;
  return false;
}

/** An outer alias of a type or core type, shared by definitions and declarators. */
export function resolveOuterTypeAlias(a: Extract<Alias, { kind: 'outer' }>, scope: TypeScope, offset: number): void {
  const target = outerScope(scope, a.count, offset);
  if (a.sort === 'type') {
    const e = at(target.types, a.index, 'type', offset);
    if (a.count > 0 && crossesComponent(scope, a.count) && mentionsResource(e, target)) {
      invalid('an outer alias of a type that refers to a resource may not cross a component boundary', offset);
    }
    scope.types.push(e);
  } else if (a.sort === 'core type') {
    scope.coreTypes.push(at(target.coreTypes, a.index, 'core type', offset));
  } else {
    invalid(`outer alias of sort ${a.sort} is not allowed here`, offset);
  }
}

/** Checks an import/export name and its uniqueness among `names`. */
export function checkExternName(n: ExternName, names: UniqueNames, what: 'import' | 'export'): void {
  const locator = locatorNameForm(n.name);
  if (locator !== undefined) unsupported(`the ${what} name \`${n.name}\`, a ${locator} name (package and artifact locators),`, n.offset);
  const parsed = parseExternName(n.name);
  if (typeof parsed === 'string') invalid(`${what} name ${parsed}`, n.offset);
  // 🏷️ (cm-canon-names) version suffixes are not implemented; refused before their rules would apply.
  if (n.attributes.versionSuffix !== undefined) unsupported(`the versionsuffix attribute on \`${n.name}\``, n.offset);
  const prev = names.add(n.name);
  if (prev !== undefined) invalid(`${what} name \`${n.name}\` conflicts with previous name \`${prev}\``, n.offset);
  if (n.attributes.implements !== undefined && parsed.kind === 'interface') {
    invalid(`\`${n.name}\`: an implements attribute requires a plain name`, n.offset);
  }
}

/** Resolves an externtype in `scope`; `(sub resource)` creates a fresh abstract resource named after the item. */
export function resolveExternType(t: ExternType, name: string, scope: TypeScope, offset: number): ExternDesc {
  switch (t.kind) {
    case 'module': {
      const ct = at(scope.coreTypes, t.typeIndex, 'core type', offset);
      if (ct.kind !== 'module') invalid(`core type index ${t.typeIndex} is not a module type`, offset);
      return { kind: 'module', type: moduleTypeOf(ct, outerCoreTypes(scope), offset) };
    }
    case 'func': {
      const e = at(scope.types, t.typeIndex, 'type', offset);
      if (e.kind !== 'func') invalid(`type index ${t.typeIndex} is not a function type`, offset);
      return { kind: 'func', type: e.type };
    }
    case 'value':
      return unsupported('value imports and exports (🪙)', offset);
    case 'type':
      if (t.bound.kind === 'sub-resource') return { kind: 'type', type: { kind: 'resource', ref: declareResource(new AbstractResource(name), scope) } };
      return { kind: 'type', type: at(scope.types, t.bound.index, 'type', offset) };
    case 'component': {
      const e = at(scope.types, t.typeIndex, 'type', offset);
      if (e.kind !== 'component') invalid(`type index ${t.typeIndex} is not a component type`, offset);
      return { kind: 'component', type: e.type };
    }
    case 'instance': {
      const e = at(scope.types, t.typeIndex, 'type', offset);
      if (e.kind !== 'instance') invalid(`type index ${t.typeIndex} is not an instance type`, offset);
      return { kind: 'instance', type: e.type };
    }
  }
}

/** Adds the item an import/export declaration introduces to its index space. */
export function pushExtern(scope: TypeScope, d: ExternDesc): void {
  switch (d.kind) {
    case 'func':
      scope.funcs.push(d.type);
      break;
    case 'type':
      scope.types.push(d.type);
      break;
    case 'instance':
      scope.instances.push(d.type);
      break;
    case 'component':
      scope.components.push(d.type);
      break;
    case 'module':
      scope.modules.push(d.type);
      break;
    case 'value':
      break;
  }
}

/** An export alias of an instance's export, for the sorts that have a type. */
export function aliasInstanceExport(
  a: Extract<Alias, { kind: 'export' }>,
  scope: TypeScope,
  offset: number,
): ExternDesc {
  const inst = at(scope.instances, a.instance, 'instance', offset);
  const d = inst.exports.get(a.name);
  if (d === undefined) invalid(`instance ${a.instance} has no export named \`${a.name}\``, offset);
  const sortOf: Record<ExternDesc['kind'], string> = {
    func: 'func',
    type: 'type',
    instance: 'instance',
    component: 'component',
    module: 'core module',
    value: 'value',
  };
  if (sortOf[d.kind] !== a.sort) invalid(`export \`${a.name}\` of instance ${a.instance} is a ${sortOf[d.kind]}, not a ${a.sort}`, offset);
  return d;
}

/**
 * Resolves the declarators of a component type (`isComponent`) or an instance
 * type. Component types check external visibility as they go; instance types
 * defer it until they are attached to an import or export (visibility.ts).
 */
function resolveDecls(
  decls: readonly ComponentDecl[],
  parent: TypeScope,
  isComponent: boolean,
): { imports: Map<string, ExternDesc>; exports: Map<string, ExternDesc> } {
  const scope = newTypeScope(parent, false);
  const imports = new Map<string, ExternDesc>();
  const exports = new Map<string, ExternDesc>();
  const importNames = new UniqueNames();
  const exportNames = new UniqueNames();
  const importResources = new Map<string, ResourceTypeRef>();
  const exportResources = new Map<string, ResourceTypeRef>();
  const importNamed: Named = new Set();
  const named: Named = new Set();
  const size = new SizeTally(isComponent ? 'this component type' : 'this instance type');
  for (const d of decls) {
    switch (d.kind) {
      case 'core-type':
        defineCoreType(d.type, outerCoreTypes(scope), d.offset);
        scope.coreTypes.push(d.type);
        break;
      case 'type':
        scope.types.push(resolveDefType(d.type, scope, d.offset));
        break;
      case 'alias': {
        const a = d.alias;
        if (a.kind === 'outer') resolveOuterTypeAlias(a, scope, d.offset);
        else if (a.kind === 'export' && (a.sort === 'type' || a.sort === 'instance')) {
          pushExtern(scope, aliasInstanceExport(a, scope, d.offset));
        } else invalid(`alias of sort ${a.sort} is not allowed in a type declaration`, d.offset);
        break;
      }
      case 'import': {
        checkExternName(d.name, importNames, 'import');
        const declared = resolveExternType(d.type, d.name.name, scope, d.offset);
        size.add(declared, d.name.name, d.offset);
        let desc = freshenResources(declared, scope);
        rejectGated(desc, d.offset);
        if (isComponent) {
          checkVisible(desc, importNamed, 'import', d.name);
          desc = nameExtern(desc, [importNamed, named]);
        }
        checkAnnotatedName(d.name, desc, importResources);
        noteResourceName(d.name, desc, importResources);
        imports.set(d.name.name, desc);
        pushExtern(scope, desc);
        break;
      }
      case 'export': {
        checkExternName(d.name, exportNames, 'export');
        const declared = resolveExternType(d.type, d.name.name, scope, d.offset);
        size.add(declared, d.name.name, d.offset);
        let desc = freshenResources(declared, scope);
        rejectGated(desc, d.offset);
        if (isComponent) {
          checkVisible(desc, named, 'export', d.name);
          desc = nameExtern(desc, [named]);
        }
        checkAnnotatedName(d.name, desc, exportResources);
        noteResourceName(d.name, desc, exportResources);
        exports.set(d.name.name, desc);
        pushExtern(scope, desc);
        break;
      }
    }
  }
  return { imports, exports };
}

function resolveComponentType(decls: readonly ComponentDecl[], parent: TypeScope): ComponentType {
  return resolveDecls(decls, parent, true);
}

function resolveInstanceType(decls: readonly ComponentDecl[], parent: TypeScope): InstanceType {
  return { exports: resolveDecls(decls, parent, false).exports };
}
