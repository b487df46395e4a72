/**
 * What an entry of a component's type index space (and the other index spaces)
 * means once indices are resolved. Shared by validation (with placeholder
 * resource identities) and instantiation (with the runtime's ResourceType
 * objects), so both resolve types by the same rules.
 */
import { isLeafType, type FuncType, type ParamType, type ResourceTypeRef, type ValType } from '../types.ts';
import type { CoreDefType } from '../binary/ast.ts';
import type { CoreItemType } from '../binary/core-module.ts';
import type { Layout } from '../abi/layout.ts';
import { countWork, memoTable } from './work.ts';
import { madeByResourceSubstitution } from '../shape-sources.ts';
import { mapTypes, optionalValTypeEquals, valTypeEquals as sharedValTypeEquals } from '../value-type-equality.ts';

export type TypeEntry =
  | { readonly kind: 'value'; readonly type: ValType }
  | { readonly kind: 'func'; readonly type: FuncType }
  | { readonly kind: 'resource'; readonly ref: ResourceTypeRef }
  | { readonly kind: 'instance'; readonly type: InstanceType }
  | { readonly kind: 'component'; readonly type: ComponentType }
  /**
   * A value type that uses a gated feature this host has no Canonical ABI for
   * (🔧 fixed-length lists, 🗺️ maps): valid as a type definition, refused
   * where a function type, import or export would need it.
   */
  | { readonly kind: 'gated'; readonly feature: string; readonly layout: Layout };

/** A core module's imports and exports with their core types (read by host/binary/core-module.ts, or declared by a module type). */
export interface CoreModuleType {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly type: CoreItemType }[];
  readonly exports: readonly { readonly name: string; readonly type: CoreItemType }[];
}

export type ExternDesc =
  | { readonly kind: 'module'; readonly type: CoreModuleType }
  | { readonly kind: 'func'; readonly type: FuncType }
  | { readonly kind: 'value' }
  | { readonly kind: 'type'; readonly type: TypeEntry }
  | { readonly kind: 'component'; readonly type: ComponentType }
  | { readonly kind: 'instance'; readonly type: InstanceType };

export interface InstanceType {
  readonly exports: ReadonlyMap<string, ExternDesc>;
}

export interface ComponentType {
  readonly imports: ReadonlyMap<string, ExternDesc>;
  readonly exports: ReadonlyMap<string, ExternDesc>;
}

/** A placeholder resource identity used while validating (and for abstract imported resources). */
export class AbstractResource implements ResourceTypeRef {
  constructor(readonly name: string) {}
}

export type CoreTypeEntry = CoreDefType;

/** Replaces resource identities in a type, for `instantiate ... with` of type imports. */
export type ResourceMap = ReadonlyMap<ResourceTypeRef, ResourceTypeRef>;

/**
 * Which resource type entry (which `typeidx` alias) an `own`/`borrow` value type
 * was written against. Resource identity at runtime is the `ResourceTypeRef`;
 * this link only serves the external-visibility rule (Explainer.md "External
 * Visibility of Types"), which tells an exported alias `$R'` from the `$R` it
 * was made from although both are the same resource.
 */
export const handleSource = new WeakMap<ValType, TypeEntry>();


/**
 * A named alias of a record, variant, enum or flags type (visibility.ts makes
 * one per import or export that names the type) → the type it aliases. An
 * alias is the same type under a new name: where a substitution replaces the
 * original (a type import supplied at instantiation), it replaces the alias too.
 */
export const aliasOf = new WeakMap<ValType, ValType>();

/**
 * One substitution: resource identities, plus (for validation) whole value
 * types and resource entries replaced by other objects. Types nothing is
 * replaced in keep their object identity, which validation uses as the
 * identity of named types; `memo` makes one type substituted twice come out
 * as one object.
 */
export interface Subst {
  readonly resources: ResourceMap;
  readonly values: ReadonlyMap<ValType, ValType>;
  readonly entries: ReadonlyMap<TypeEntry, TypeEntry>;
  readonly memo: Map<ValType, ValType>;
  /** Instance and component types already substituted: a type shared by many exports is rebuilt once. */
  readonly shared: Map<InstanceType | ComponentType, InstanceType | ComponentType>;
}

const NO_VALUES: ReadonlyMap<ValType, ValType> = new Map();
const NO_ENTRIES: ReadonlyMap<TypeEntry, TypeEntry> = new Map();

export function makeSubst(
  resources: ResourceMap,
  values: ReadonlyMap<ValType, ValType> = NO_VALUES,
  entries: ReadonlyMap<TypeEntry, TypeEntry> = NO_ENTRIES,
): Subst {
  return { resources, values, entries, memo: new Map(), shared: new Map() };
}

function isEmpty(s: Subst): boolean {
  return s.resources.size === 0 && s.values.size === 0 && s.entries.size === 0;
}

function toSubst(m: ResourceMap | Subst): Subst {
  return m instanceof Map ? makeSubst(m as ResourceMap) : (m as Subst);
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.every((x, i) => x === b[i]);
}

function substVal(t: ValType, s: Subst): ValType {
  // Only resource identities to replace (instantiation's substitutions): a type without handles stays itself.
  if (s.values.size === 0 && s.entries.size === 0 && !containsHandles(t)) return t;
  const done = s.memo.get(t);
  if (done !== undefined) return done;
  const replaced = s.values.get(t);
  if (replaced !== undefined) return replaced;
  for (let o = aliasOf.get(t); o !== undefined; o = aliasOf.get(o)) {
    const r = s.values.get(o);
    if (r !== undefined) return r;
  }
  const out = substMembers(t, s);
  s.memo.set(t, out);
  return out;
}

/** `t` with the substitution applied to what it contains (`t` itself when nothing changes). */
export function substMembers(t: ValType, s: Subst): ValType {
  countWork();
  const opt = (x: ValType | undefined): ValType | undefined => (x === undefined ? undefined : substVal(x, s));
  let out: ValType = t;
  switch (t.kind) {
    case 'own':
    case 'borrow': {
      const src = handleSource.get(t);
      const ne = src === undefined ? undefined : s.entries.get(src);
      if (ne !== undefined && ne.kind === 'resource') {
        out = { kind: t.kind, resource: s.resources.get(ne.ref) ?? ne.ref };
        handleSource.set(out, ne);
      } else {
        const r = s.resources.get(t.resource);
        if (r !== undefined && r !== t.resource) out = { kind: t.kind, resource: r };
      }
      break;
    }
    case 'list': {
      const e = substVal(t.element, s);
      if (e !== t.element) {
        out = { kind: 'list', element: e };
        if (mapTypes.has(t)) mapTypes.add(out);
      }
      break;
    }
    case 'record': {
      const ts = t.fields.map((f) => substVal(f.type, s));
      if (!sameList(ts, t.fields.map((f) => f.type))) out = { kind: 'record', fields: t.fields.map((f, i) => ({ name: f.name, type: ts[i]! })) };
      break;
    }
    case 'tuple': {
      const ts = t.types.map((x) => substVal(x, s));
      if (!sameList(ts, t.types)) out = { kind: 'tuple', types: ts };
      break;
    }
    case 'variant': {
      const ts = t.cases.map((c) => opt(c.type));
      if (!sameList(ts, t.cases.map((c) => c.type))) out = { kind: 'variant', cases: t.cases.map((c, i) => ({ name: c.name, type: ts[i] })) };
      break;
    }
    case 'option': {
      const x = substVal(t.type, s);
      if (x !== t.type) out = { kind: 'option', type: x };
      break;
    }
    case 'result': {
      const ok = opt(t.ok);
      const err = opt(t.err);
      if (ok !== t.ok || err !== t.err) out = { kind: 'result', ok, err };
      break;
    }
    case 'stream':
    case 'future': {
      const e = opt(t.element);
      if (e !== t.element) out = { kind: t.kind, element: e };
      break;
    }
    default:
      break;
  }
  return out;
}

function substFunc(f: FuncType, s: Subst): FuncType {
  // Resource identities only (instantiation's substitutions): only the members that hold handles
  // can change, and which those are is known per type (`handleMembers`).
  if (s.values.size === 0 && s.entries.size === 0) return substFuncResources(f, s);
  // Loops, not `map` with closures: a closure made per call holds its optimised code alone (the
  // feedback vector keeps it weakly), so each full GC between cold loads threw that code away.
  let changed = false;
  const ps: ValType[] = [];
  for (const p of f.params) {
    const t = substVal(p.type, s);
    if (t !== p.type) changed = true;
    ps.push(t);
  }
  const r = f.result === undefined ? undefined : substVal(f.result, s);
  if (!changed && r === f.result) return f;
  const params: ParamType[] = [];
  for (let i = 0; i < ps.length; i++) params.push({ name: f.params[i]!.name, type: ps[i]! });
  return { async: f.async, params, result: r };
}

/**
 * Which parameters of a function type (their indices) and whether its result mention `own` or
 * `borrow`: the only members a substitution of resource identities can change.
 */
interface HandleMembers {
  readonly params: readonly number[];
  readonly result: boolean;
}

/** `handleMembers` per function type object (work.ts MemoTable: a cached component's types are looked at once). */
const handleMembersMemo = memoTable<FuncType, HandleMembers>();

function handleMembers(f: FuncType): HandleMembers {
  return handleMembersMemo.memo(f, computeHandleMembers);
}

function computeHandleMembers(f: FuncType): HandleMembers {
  const params: number[] = [];
  for (let i = 0; i < f.params.length; i++) if (containsHandles(f.params[i]!.type)) params.push(i);
  return { params, result: f.result !== undefined && containsHandles(f.result) };
}

/**
 * `substFunc` for a substitution of resource identities only: the members without handles are
 * kept as they are (their ParamType objects too), so a load substitutes only what names a
 * resource (shapes' canvas methods: `self`), and a type naming none is itself. Indexed loops:
 * instantiation runs this in V8's baseline code, where `for...of` calls the array iterator's
 * `next()` at every step.
 */
function substFuncResources(f: FuncType, s: Subst): FuncType {
  const members = handleMembers(f);
  const which = members.params;
  let params: ParamType[] | undefined;
  for (let k = 0; k < which.length; k++) {
    const i = which[k]!;
    const p = f.params[i]!;
    const t = substVal(p.type, s);
    if (t === p.type) continue;
    params ??= f.params.slice();
    params[i] = { name: p.name, type: t };
  }
  const r = members.result ? substVal(f.result!, s) : f.result;
  if (params === undefined && r === f.result) return f;
  const out: FuncType = { async: f.async, params: params ?? f.params, result: r };
  // Resource identities only: facts about the shape are the source's (shape-sources.ts).
  madeByResourceSubstitution(out, f);
  return out;
}

function substEntry(e: TypeEntry, s: Subst): TypeEntry {
  const replaced = s.entries.get(e);
  if (replaced !== undefined) return replaced;
  switch (e.kind) {
    case 'value': {
      const t = substVal(e.type, s);
      return t === e.type ? e : { kind: 'value', type: t };
    }
    case 'func': {
      const f = substFunc(e.type, s);
      return f === e.type ? e : { kind: 'func', type: f };
    }
    case 'resource': {
      const r = s.resources.get(e.ref);
      return r === undefined || r === e.ref ? e : { kind: 'resource', ref: r };
    }
    case 'instance': {
      const t = substInstance(e.type, s);
      return t === e.type ? e : { kind: 'instance', type: t };
    }
    case 'component': {
      const t = substComponent(e.type, s);
      return t === e.type ? e : { kind: 'component', type: t };
    }
    case 'gated':
      return e;
  }
}

function substDesc(d: ExternDesc, s: Subst): ExternDesc {
  switch (d.kind) {
    case 'func': {
      const f = substFunc(d.type, s);
      return f === d.type ? d : { kind: 'func', type: f };
    }
    case 'type': {
      const t = substEntry(d.type, s);
      return t === d.type ? d : { kind: 'type', type: t };
    }
    case 'instance': {
      const t = substInstance(d.type, s);
      return t === d.type ? d : { kind: 'instance', type: t };
    }
    case 'component': {
      const t = substComponent(d.type, s);
      return t === d.type ? d : { kind: 'component', type: t };
    }
    default:
      return d;
  }
}

function substInstance(t: InstanceType, s: Subst): InstanceType {
  const done = s.shared.get(t) as InstanceType | undefined;
  if (done !== undefined) return done;
  const exports = substMap(t.exports, s);
  const out = exports === t.exports ? t : { exports };
  s.shared.set(t, out);
  return out;
}

function substComponent(t: ComponentType, s: Subst): ComponentType {
  const done = s.shared.get(t) as ComponentType | undefined;
  if (done !== undefined) return done;
  const imports = substMap(t.imports, s);
  const exports = substMap(t.exports, s);
  const out = imports === t.imports && exports === t.exports ? t : { imports, exports };
  s.shared.set(t, out);
  return out;
}

function substMap(x: ReadonlyMap<string, ExternDesc>, s: Subst): ReadonlyMap<string, ExternDesc> {
  let changed = false;
  const out = new Map<string, ExternDesc>();
  for (const [k, v] of x) {
    countWork();
    const nv = substDesc(v, s);
    if (nv !== v) changed = true;
    out.set(k, nv);
  }
  return changed ? out : x;
}

export function substValType(t: ValType, m: ResourceMap | Subst): ValType {
  const s = toSubst(m);
  return isEmpty(s) ? t : substVal(t, s);
}

export function substFuncType(f: FuncType, m: ResourceMap | Subst): FuncType {
  const s = toSubst(m);
  return isEmpty(s) ? f : substFunc(f, s);
}

export function substTypeEntry(e: TypeEntry, m: ResourceMap | Subst): TypeEntry {
  const s = toSubst(m);
  return isEmpty(s) ? e : substEntry(e, s);
}

export function substExtern(d: ExternDesc, m: ResourceMap | Subst): ExternDesc {
  const s = toSubst(m);
  return isEmpty(s) ? d : substDesc(d, s);
}

export function substInstanceType(t: InstanceType, m: ResourceMap | Subst): InstanceType {
  const s = toSubst(m);
  return isEmpty(s) ? t : substInstance(t, s);
}

/**
 * Whether a value type mentions `own` or `borrow` anywhere, the only places
 * a resource identity sits. Memoised per type object (work.ts MemoTable), so
 * the types of a component in the compile cache are walked once however
 * often it is instantiated, until another component is validated.
 */
export function containsHandles(t: ValType): boolean {
  return !isLeafType(t) && handles.memo(t, computeContainsHandles);
}

const handles = memoTable<ValType, boolean>();

function computeContainsHandles(t: ValType): boolean {
  return t.kind === 'own' || t.kind === 'borrow' || someMember(t, containsHandles);
}

/** Whether a value type mentions `borrow` anywhere (forbidden in results and exported value types). */
export function containsBorrow(t: ValType): boolean {
  return !isLeafType(t) && borrows.memo(t, computeContainsBorrow);
}

/** `containsBorrow` per type object: shared members are looked at once. */
const borrows = memoTable<ValType, boolean>();

function computeContainsBorrow(t: ValType): boolean {
  return t.kind === 'borrow' || someMember(t, containsBorrow);
}

/** Whether any value type `t` directly contains satisfies `test`. */
function someMember(t: ValType, test: (member: ValType) => boolean): boolean {
  switch (t.kind) {
    case 'list':
      return test(t.element);
    // Loops, not `some` with arrows: an arrow made per call loses its optimised code with the closure
    // at each full GC (V8 holds it weakly), so V8 optimised it again at every cold load.
    case 'record':
      for (const f of t.fields) if (test(f.type)) return true;
      return false;
    case 'tuple':
      for (const u of t.types) if (test(u)) return true;
      return false;
    case 'variant':
      for (const c of t.cases) if (c.type !== undefined && test(c.type)) return true;
      return false;
    case 'option':
      return test(t.type);
    case 'result':
      return (t.ok !== undefined && test(t.ok)) || (t.err !== undefined && test(t.err));
    case 'stream':
    case 'future':
      return t.element !== undefined && test(t.element);
    default:
      return false;
  }
}

/** Structural equality of value types (host/value-type-equality.ts), counted as validation work. */
export function valTypeEquals(a: ValType, b: ValType): boolean {
  return sharedValTypeEquals(a, b, countWork);
}

function optEquals(a: ValType | undefined, b: ValType | undefined): boolean {
  return optionalValTypeEquals(a, b, countWork);
}

export function funcTypeEquals(a: FuncType, b: FuncType): boolean {
  if (a.async !== b.async || a.params.length !== b.params.length) return false;
  // A loop, not `every` with a closure, for the reason given in `substFunc`.
  for (let i = 0; i < a.params.length; i++) {
    const p = a.params[i]!;
    const q = b.params[i]!;
    if (p.name !== q.name || !valTypeEquals(p.type, q.type)) return false;
  }
  return optEquals(a.result, b.result);
}
