/**
 * A component's boundary as WIT would name it, read from the component's own
 * types (not from a WIT file beside it): each imported or exported interface
 * with its named types, the types it `use`s from other interfaces, its
 * resources with their constructors, methods and static functions, and its
 * free functions; plus the world-level functions and types.
 *
 * The component-model types are structural: a record is a list of fields,
 * with no name. Names come from the type exports of each instance type
 * (`(export "color" (type (eq …)))`); function types refer to the very same
 * objects within one interface, so a value type is named by identity.
 * Resources keep their identity across interfaces, so a resource defined in
 * one interface and exported again by another is a `use`. Value types are
 * copied per interface when resources are substituted, so a value type is a
 * `use` when an earlier interface defines one of the same name and structure.
 *
 * This is the one named view of a component's types: the WIT printer, the
 * inspection report and the typed-bindings generator all read it.
 */
import type { FuncType, ResourceTypeRef, ValType } from '../types.ts';
import type { ComponentType, ExternDesc, InstanceType } from '../validate/type-space.ts';
import { valTypeEquals } from '../validate/type-space.ts';
import { parseExternName } from '../validate/names.ts';

export type Direction = 'import' | 'export';

/** How a function belongs to its interface: a free function, or a member of a resource. */
export type FunctionRole =
  | { readonly kind: 'function' }
  | { readonly kind: 'constructor'; readonly resource: string }
  | { readonly kind: 'method' | 'static'; readonly resource: string };

export interface FunctionItem {
  /** The component-level name: `f`, `[constructor]r`, `[method]r.m`, `[static]r.m`. */
  readonly name: string;
  /** The name WIT writes: `f`, `m`; `constructor` for constructors. */
  readonly member: string;
  readonly role: FunctionRole;
  readonly type: FuncType;
}

export interface ResourceItem {
  readonly kind: 'resource';
  readonly name: string;
  readonly ref: ResourceTypeRef;
  readonly constructor: FunctionItem | undefined;
  readonly methods: readonly FunctionItem[];
  readonly statics: readonly FunctionItem[];
}

/**
 * A named value type: `record`, `variant`, `enum` and `flags` are nominal in
 * WIT and are what function types refer to by name; anything else is an
 * alias (`type name = …`) and is written out where used.
 */
export interface ValueTypeItem {
  readonly kind: 'value';
  readonly name: string;
  readonly type: ValType;
}

export type TypeItem = ValueTypeItem | ResourceItem;

/** Names this scope takes from another interface: `use <from>.{name as local}`. */
export interface UseItem {
  /** The interface (fully qualified name) that defines them. */
  readonly from: string;
  readonly names: readonly { readonly name: string; readonly local: string }[];
}

/** Resolves what a value type is called in one scope (an interface, or the world). */
export interface TypeNames {
  /** The scope's name for a nominal value type, or undefined when it is anonymous here. */
  valueName(t: ValType): string | undefined;
  /** The scope's name for a resource (its type export), else the resource's own name. */
  resourceName(ref: ResourceTypeRef): string;
}

export interface InterfaceModel {
  /** As in the component: `rdylib-guest:kv/kv@0.1.0`, or a plain name for an inline interface. */
  readonly name: string;
  readonly direction: Direction;
  /** `rdylib-guest:kv@0.1.0`; undefined for a plain-named (inline) interface. */
  readonly package: string | undefined;
  /** The name within the package: `kv`. */
  readonly local: string;
  readonly uses: readonly UseItem[];
  /** Types defined here (not those `use`d). */
  readonly types: readonly TypeItem[];
  /** Free functions (resource members are on their resource). */
  readonly functions: readonly FunctionItem[];
  readonly names: TypeNames;
}

/** A world-level import or export. */
export type WorldItem =
  | { readonly kind: 'interface'; readonly name: string }
  | { readonly kind: 'function'; readonly name: string; readonly type: FuncType }
  | { readonly kind: 'type'; readonly name: string }
  | { readonly kind: 'other'; readonly name: string; readonly sort: 'module' | 'component' | 'value' };

export interface WorldModel {
  readonly imports: readonly WorldItem[];
  readonly exports: readonly WorldItem[];
  /** World-level type imports and exports (types of world-level functions), and their uses. */
  readonly uses: readonly UseItem[];
  readonly types: readonly TypeItem[];
  readonly names: TypeNames;
}

export interface ComponentModel {
  /** Imported interfaces first, then exported ones, each in component order. */
  readonly interfaces: readonly InterfaceModel[];
  readonly world: WorldModel;
}

const NOMINAL: ReadonlySet<ValType['kind']> = new Set(['record', 'variant', 'enum', 'flags']);

/** Splits `ns:pkg/iface@1.0.0` into its package (`ns:pkg@1.0.0`) and interface name. */
export function splitInterfaceName(name: string): { package: string | undefined; local: string } {
  const m = /^([^/]+)\/([^@]+)(?:@(.+))?$/.exec(name);
  if (!m) return { package: undefined, local: name };
  return { package: m[3] === undefined ? m[1]! : `${m[1]}@${m[3]}`, local: m[2]! };
}

/** Where a named type is defined, so later scopes can `use` it. */
interface Home {
  readonly scope: string;
  readonly name: string;
}

/** Names of types already defined by earlier scopes. */
class Homes {
  private readonly resources = new Map<ResourceTypeRef, Home>();
  private readonly values: { home: Home; type: ValType }[] = [];

  resource(ref: ResourceTypeRef): Home | undefined {
    return this.resources.get(ref);
  }
  value(name: string, type: ValType): Home | undefined {
    return this.values.find((v) => v.home.name === name && valTypeEquals(v.type, type))?.home;
  }
  defineResource(ref: ResourceTypeRef, home: Home): void {
    if (!this.resources.has(ref)) this.resources.set(ref, home);
  }
  defineValue(type: ValType, home: Home): void {
    this.values.push({ home, type });
  }
}

/** Builds the named view of a validated component's type. */
export function describeComponent(type: ComponentType): ComponentModel {
  const homes = new Homes();
  const interfaces: InterfaceModel[] = [];
  for (const direction of ['import', 'export'] as const) {
    const externs = direction === 'import' ? type.imports : type.exports;
    for (const [name, desc] of externs) {
      if (desc.kind === 'instance') interfaces.push(describeInterface(name, direction, desc.type, homes));
    }
  }
  return { interfaces, world: describeWorld(type, homes) };
}

function describeInterface(name: string, direction: Direction, type: InstanceType, homes: Homes): InterfaceModel {
  const scope = describeScope(name, type.exports, homes);
  const functions = [...type.exports].flatMap(([n, d]) => (d.kind === 'func' ? [functionItem(n, d.type)] : []));
  const { types, free } = attachMembers(scope.types, functions);
  return { name, direction, ...splitInterfaceName(name), uses: scope.uses, types, functions: free, names: scope.names };
}

/** Puts constructors, methods and static functions on the resources they belong to; the rest stay free functions. */
function attachMembers(types: readonly TypeItem[], functions: readonly FunctionItem[]): { types: TypeItem[]; free: FunctionItem[] } {
  const free = functions.filter((f) => f.role.kind === 'function' || !types.some((t) => t.kind === 'resource' && t.name === resourceOf(f)));
  const withMembers = types.map((t): TypeItem => {
    if (t.kind !== 'resource') return t;
    const members = functions.filter((f) => resourceOf(f) === t.name);
    return {
      ...t,
      constructor: members.find((f) => f.role.kind === 'constructor'),
      methods: members.filter((f) => f.role.kind === 'method'),
      statics: members.filter((f) => f.role.kind === 'static'),
    };
  });
  return { types: withMembers, free };
}

function resourceOf(f: FunctionItem): string | undefined {
  return f.role.kind === 'function' ? undefined : f.role.resource;
}

function functionItem(name: string, type: FuncType): FunctionItem {
  const parsed = parseExternName(name);
  if (typeof parsed !== 'string') {
    if (parsed.kind === 'constructor') return { name, member: 'constructor', role: { kind: 'constructor', resource: parsed.resource }, type };
    if (parsed.kind === 'method' || parsed.kind === 'static') {
      return { name, member: parsed.name, role: { kind: parsed.kind, resource: parsed.resource }, type };
    }
  }
  return { name, member: name, role: { kind: 'function' }, type };
}

/**
 * The type exports of one scope: each either `use`d from an earlier scope or
 * defined here (and then available to later scopes).
 */
function describeScope(
  scopeName: string,
  externs: ReadonlyMap<string, ExternDesc>,
  homes: Homes,
): { uses: UseItem[]; types: TypeItem[]; names: TypeNames } {
  const uses = new Map<string, { name: string; local: string }[]>();
  const types: TypeItem[] = [];
  const valueNames = new Map<ValType, string>();
  const resourceNames = new Map<ResourceTypeRef, string>();
  const use = (home: Home, local: string): void => {
    const list = uses.get(home.scope) ?? [];
    uses.set(home.scope, list);
    list.push({ name: home.name, local });
  };
  for (const [name, desc] of externs) {
    if (desc.kind !== 'type') continue;
    const entry = desc.type;
    if (entry.kind === 'resource') {
      resourceNames.set(entry.ref, name);
      const home = homes.resource(entry.ref);
      if (home && home.scope !== scopeName) use(home, name);
      else {
        homes.defineResource(entry.ref, { scope: scopeName, name });
        types.push({ kind: 'resource', name, ref: entry.ref, constructor: undefined, methods: [], statics: [] });
      }
    } else if (entry.kind === 'value') {
      if (NOMINAL.has(entry.type.kind)) valueNames.set(entry.type, name);
      const home = homes.value(name, entry.type);
      if (home) use(home, name);
      else {
        homes.defineValue(entry.type, { scope: scopeName, name });
        types.push({ kind: 'value', name, type: entry.type });
      }
    }
  }
  return {
    uses: [...uses].map(([from, names]) => ({ from, names })),
    types,
    names: {
      // Function types share the type exports' objects; types nested in
      // other type definitions may be copies, found by structure.
      valueName: (t) => valueNames.get(t) ?? (NOMINAL.has(t.kind) ? [...valueNames].find(([v]) => valTypeEquals(v, t))?.[1] : undefined),
      resourceName: (ref) => resourceNames.get(ref) ?? ref.name,
    },
  };
}

function describeWorld(type: ComponentType, homes: Homes): WorldModel {
  const items = (externs: ReadonlyMap<string, ExternDesc>): WorldItem[] =>
    [...externs].map(([name, desc]): WorldItem => {
      switch (desc.kind) {
        case 'instance':
          return { kind: 'interface', name };
        case 'func':
          return { kind: 'function', name, type: desc.type };
        case 'type':
          return { kind: 'type', name };
        default:
          return { kind: 'other', name, sort: desc.kind };
      }
    });
  // World-level types share one scope: imports first, as for interfaces.
  const worldTypes = new Map<string, ExternDesc>();
  for (const externs of [type.imports, type.exports]) {
    for (const [name, desc] of externs) if (desc.kind === 'type') worldTypes.set(name, desc);
  }
  const scope = describeScope('(world)', worldTypes, homes);
  const functions = [...type.imports, ...type.exports].flatMap(([n, d]) => (d.kind === 'func' ? [functionItem(n, d.type)] : []));
  const { types } = attachMembers(scope.types, functions);
  return { imports: items(type.imports), exports: items(type.exports), uses: scope.uses, types, names: scope.names };
}
