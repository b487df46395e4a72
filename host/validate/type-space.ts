/**
 * What an entry of a component's type index space (and the other index spaces)
 * means once indices are resolved. Shared by validation (with placeholder
 * resource identities) and instantiation (with the runtime's ResourceType
 * objects), so both resolve types by the same rules.
 */
import type { FuncType, ResourceTypeRef, ValType } from '../types.ts';
import type { CoreDefType } from '../binary/ast.ts';

export type TypeEntry =
  | { readonly kind: 'value'; readonly type: ValType }
  | { readonly kind: 'func'; readonly type: FuncType }
  | { readonly kind: 'resource'; readonly ref: ResourceTypeRef }
  | { readonly kind: 'instance'; readonly type: InstanceType }
  | { readonly kind: 'component'; readonly type: ComponentType };

/** A core module's imports and exports as `WebAssembly.Module.imports/exports` report them. */
export interface CoreModuleType {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly kind: string }[];
  readonly exports: readonly { readonly name: string; readonly kind: string }[];
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

export function substValType(t: ValType, m: ResourceMap): ValType {
  switch (t.kind) {
    case 'own':
    case 'borrow':
      return { kind: t.kind, resource: m.get(t.resource) ?? t.resource };
    case 'list':
      return { kind: 'list', element: substValType(t.element, m) };
    case 'record':
      return { kind: 'record', fields: t.fields.map((f) => ({ name: f.name, type: substValType(f.type, m) })) };
    case 'tuple':
      return { kind: 'tuple', types: t.types.map((x) => substValType(x, m)) };
    case 'variant':
      return {
        kind: 'variant',
        cases: t.cases.map((c) => ({ name: c.name, type: c.type === undefined ? undefined : substValType(c.type, m) })),
      };
    case 'option':
      return { kind: 'option', type: substValType(t.type, m) };
    case 'result':
      return {
        kind: 'result',
        ok: t.ok === undefined ? undefined : substValType(t.ok, m),
        err: t.err === undefined ? undefined : substValType(t.err, m),
      };
    default:
      return t;
  }
}

export function substFuncType(f: FuncType, m: ResourceMap): FuncType {
  if (m.size === 0) return f;
  return {
    params: f.params.map((p) => ({ name: p.name, type: substValType(p.type, m) })),
    result: f.result === undefined ? undefined : substValType(f.result, m),
  };
}

export function substTypeEntry(e: TypeEntry, m: ResourceMap): TypeEntry {
  if (m.size === 0) return e;
  switch (e.kind) {
    case 'value':
      return { kind: 'value', type: substValType(e.type, m) };
    case 'func':
      return { kind: 'func', type: substFuncType(e.type, m) };
    case 'resource':
      return { kind: 'resource', ref: m.get(e.ref) ?? e.ref };
    case 'instance':
      return { kind: 'instance', type: substInstanceType(e.type, m) };
    case 'component':
      return {
        kind: 'component',
        type: { imports: substMap(e.type.imports, m), exports: substMap(e.type.exports, m) },
      };
  }
}

export function substExtern(d: ExternDesc, m: ResourceMap): ExternDesc {
  switch (d.kind) {
    case 'func':
      return { kind: 'func', type: substFuncType(d.type, m) };
    case 'type':
      return { kind: 'type', type: substTypeEntry(d.type, m) };
    case 'instance':
      return { kind: 'instance', type: substInstanceType(d.type, m) };
    case 'component':
      return { kind: 'component', type: { imports: substMap(d.type.imports, m), exports: substMap(d.type.exports, m) } };
    default:
      return d;
  }
}

export function substInstanceType(t: InstanceType, m: ResourceMap): InstanceType {
  return { exports: substMap(t.exports, m) };
}

function substMap(x: ReadonlyMap<string, ExternDesc>, m: ResourceMap): ReadonlyMap<string, ExternDesc> {
  if (m.size === 0) return x;
  const out = new Map<string, ExternDesc>();
  for (const [k, v] of x) out.set(k, substExtern(v, m));
  return out;
}

/** Whether a value type mentions `borrow` anywhere (forbidden in results and exported value types). */
export function containsBorrow(t: ValType): boolean {
  switch (t.kind) {
    case 'borrow':
      return true;
    case 'list':
      return containsBorrow(t.element);
    case 'record':
      return t.fields.some((f) => containsBorrow(f.type));
    case 'tuple':
      return t.types.some(containsBorrow);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && containsBorrow(c.type));
    case 'option':
      return containsBorrow(t.type);
    case 'result':
      return (t.ok !== undefined && containsBorrow(t.ok)) || (t.err !== undefined && containsBorrow(t.err));
    default:
      return false;
  }
}

/** Structural equality of value types; resources compare by identity. */
export function valTypeEquals(a: ValType, b: ValType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'own':
    case 'borrow':
      return a.resource === (b as typeof a).resource;
    case 'list':
      return valTypeEquals(a.element, (b as typeof a).element);
    case 'record': {
      const bf = (b as typeof a).fields;
      return a.fields.length === bf.length && a.fields.every((f, i) => f.name === bf[i]!.name && valTypeEquals(f.type, bf[i]!.type));
    }
    case 'tuple': {
      const bt = (b as typeof a).types;
      return a.types.length === bt.length && a.types.every((t, i) => valTypeEquals(t, bt[i]!));
    }
    case 'variant': {
      const bc = (b as typeof a).cases;
      return a.cases.length === bc.length && a.cases.every((c, i) => c.name === bc[i]!.name && optEquals(c.type, bc[i]!.type));
    }
    case 'enum':
    case 'flags': {
      const bl = (b as typeof a).labels;
      return a.labels.length === bl.length && a.labels.every((l, i) => l === bl[i]);
    }
    case 'option':
      return valTypeEquals(a.type, (b as typeof a).type);
    case 'result': {
      const br = b as typeof a;
      return optEquals(a.ok, br.ok) && optEquals(a.err, br.err);
    }
    default:
      return true;
  }
}

function optEquals(a: ValType | undefined, b: ValType | undefined): boolean {
  return a === undefined || b === undefined ? a === b : valTypeEquals(a, b);
}

export function funcTypeEquals(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.params.every((p, i) => p.name === b.params[i]!.name && valTypeEquals(p.type, b.params[i]!.type)) &&
    optEquals(a.result, b.result)
  );
}
