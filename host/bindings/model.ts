/**
 * What the declaration generator prints from: the named view of a
 * component's types (host/inspect/model.ts, the one place names are
 * resolved) with each function paired with its rdylib:abi entry and each
 * resource with its `dependent` flag, and a lookup from a resource's
 * identity to the scope it is defined in.
 */
import type { ResourceTypeRef, ValType } from '../types.ts';
import type { ComponentType } from '../validate/type-space.ts';
import { describeComponent, type FunctionItem, type ResourceItem, type TypeNames, type UseItem } from '../inspect/model.ts';
import type { AbiFunction, AbiInterface, RdylibAbi } from '../rdylib/section.ts';

export type Direction = 'export' | 'import';

export interface FunctionDecl extends FunctionItem {
  /** Its entry in the rdylib:abi section, when the plugin has one. */
  readonly abi: AbiFunction | undefined;
}

export interface ResourceDecl {
  /** WIT name, kebab-case. */
  readonly name: string;
  readonly ref: ResourceTypeRef;
  readonly ctor: FunctionDecl | undefined;
  readonly methods: readonly FunctionDecl[];
  readonly statics: readonly FunctionDecl[];
  /** The section marks the resource dependent: its handles borrow from other handles. */
  readonly dependent: boolean;
}

export interface ScopeDecl {
  /** The interface's extern name; `undefined` for the world's own functions and types. */
  readonly name: string | undefined;
  readonly direction: Direction;
  /** Value types defined here (records, variants, enums, flags, aliases), in order. */
  readonly types: readonly { readonly name: string; readonly type: ValType }[];
  /** Types this scope takes from earlier ones. */
  readonly uses: readonly UseItem[];
  /** Resources defined here. */
  readonly resources: readonly ResourceDecl[];
  readonly functions: readonly FunctionDecl[];
  readonly names: TypeNames;
}

export interface ComponentDecl {
  readonly scopes: readonly ScopeDecl[];
  /** The scope a resource is defined in, and its declaration there. */
  resource(ref: ResourceTypeRef): { readonly scope: ScopeDecl; readonly decl: ResourceDecl } | undefined;
  /** The scope of an interface by its extern name. */
  scope(name: string): ScopeDecl | undefined;
  /** Whether some function hands out library-static handles of the resource. */
  canBeStatic(ref: ResourceTypeRef): boolean;
}

/** Pairs the named view of `type` with the section's entries. */
export function describeBoundary(type: ComponentType, abi: RdylibAbi | undefined): ComponentDecl {
  const model = describeComponent(type);
  const scopes: ScopeDecl[] = model.interfaces.map((i) => {
    const section = abi?.interfaces.find((x) => x.name === i.name && x.direction === i.direction);
    return {
      name: i.name,
      direction: i.direction,
      types: i.types.flatMap((t) => (t.kind === 'value' ? [t] : [])),
      uses: i.uses,
      resources: i.types.flatMap((t) => (t.kind === 'resource' ? [resourceDecl(t, section)] : [])),
      functions: i.functions.map((f) => withAbi(f, section)),
      names: i.names,
    };
  });
  // World-level functions; world-level types and resources live with the exports.
  const w = model.world;
  const worldSection = (direction: Direction) => abi?.interfaces.find((x) => x.name === '' && x.direction === direction);
  const worldFunctions = (direction: Direction) =>
    (direction === 'export' ? w.exports : w.imports).flatMap((item) =>
      item.kind === 'function' ? [withAbi({ name: item.name, member: item.name, role: { kind: 'function' }, type: item.type }, worldSection(direction))] : [],
    );
  for (const direction of ['import', 'export'] as const) {
    const functions = worldFunctions(direction);
    const types = direction === 'export' ? w.types : [];
    if (functions.length === 0 && types.length === 0) continue;
    scopes.push({
      name: undefined,
      direction,
      types: types.flatMap((t) => (t.kind === 'value' ? [t] : [])),
      uses: direction === 'export' ? w.uses : [],
      resources: types.flatMap((t) => (t.kind === 'resource' ? [resourceDecl(t, worldSection(direction))] : [])),
      functions,
      names: w.names,
    });
  }
  const homes = new Map<ResourceTypeRef, { scope: ScopeDecl; decl: ResourceDecl }>();
  for (const scope of scopes) for (const decl of scope.resources) if (!homes.has(decl.ref)) homes.set(decl.ref, { scope, decl });
  const statics = new Set<ResourceTypeRef>();
  for (const scope of scopes) {
    const all = [...scope.functions, ...scope.resources.flatMap((r) => [...r.methods, ...r.statics])];
    for (const fn of all) {
      for (const h of fn.abi?.results ?? []) {
        const ref = h.lifetime === 'static' ? scope.resources.find((r) => r.name === h.resource)?.ref : undefined;
        if (ref !== undefined) statics.add(ref);
      }
    }
  }
  return { scopes, resource: (ref) => homes.get(ref), scope: (name) => scopes.find((s) => s.name === name), canBeStatic: (ref) => statics.has(ref) };
}

function withAbi(f: FunctionItem, section: AbiInterface | undefined): FunctionDecl {
  return { ...f, abi: section?.functions.find((x) => x.name === f.name) };
}

function resourceDecl(r: ResourceItem, section: AbiInterface | undefined): ResourceDecl {
  return {
    name: r.name,
    ref: r.ref,
    ctor: r.constructor === undefined ? undefined : withAbi(r.constructor, section),
    methods: r.methods.map((f) => withAbi(f, section)),
    statics: r.statics.map((f) => withAbi(f, section)),
    dependent: section?.resources.find((x) => x.name === r.name)?.dependent ?? false,
  };
}
