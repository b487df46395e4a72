/**
 * One interface (an exported or imported instance) of a validated component,
 * seen the way rdylib's checks need it: functions by name, and resource types
 * named by the type export that carries them, so two components can be
 * compared by names even though their resource identities differ.
 */
import type { ExternDesc, InstanceType, ComponentType } from '../validate/type-space.ts';
import type { FuncType, ResourceTypeRef, ValType } from '../types.ts';

export type Direction = 'export' | 'import';

export interface InterfaceView {
  readonly name: string;
  readonly direction: Direction;
  readonly functions: ReadonlyMap<string, FuncType>;
  /** Resource type names exported by the interface. */
  readonly resources: ReadonlySet<string>;
  /** The name a resource identity has in this interface (its type export), else its own name. */
  resourceName(ref: ResourceTypeRef): string;
}

export function interfaceView(name: string, direction: Direction, type: InstanceType): InterfaceView {
  const functions = new Map<string, FuncType>();
  const names = new Map<ResourceTypeRef, string>();
  for (const [exportName, desc] of type.exports) {
    if (desc.kind === 'func') functions.set(exportName, desc.type);
    else if (desc.kind === 'type' && desc.type.kind === 'resource') names.set(desc.type.ref, exportName);
  }
  return {
    name,
    direction,
    functions,
    resources: new Set(names.values()),
    resourceName: (ref) => names.get(ref) ?? ref.name,
  };
}

/** The component's interfaces in one direction: instance imports or exports only. */
export function interfacesOf(component: ComponentType, direction: Direction): Map<string, InterfaceView> {
  const externs: ReadonlyMap<string, ExternDesc> = direction === 'export' ? component.exports : component.imports;
  const out = new Map<string, InterfaceView>();
  for (const [name, desc] of externs) {
    if (desc.kind === 'instance') out.set(name, interfaceView(name, direction, desc.type));
  }
  return out;
}

/**
 * A value type written as WIT, with resources named as `view` names them;
 * `typeName`, when given, names a type (a record, say) that is then not spelled out.
 */
export function printValType(
  t: ValType,
  resourceName: (ref: ResourceTypeRef) => string,
  typeName?: (t: ValType) => string | undefined,
): string {
  const named = typeName?.(t);
  if (named !== undefined) return named;
  const p = (u: ValType): string => printValType(u, resourceName, typeName);
  switch (t.kind) {
    case 'list':
      return `list<${p(t.element)}>`;
    case 'record':
      return `record { ${t.fields.map((f) => `${f.name}: ${p(f.type)}`).join(', ')} }`;
    case 'tuple':
      return `tuple<${t.types.map(p).join(', ')}>`;
    case 'variant':
      return `variant { ${t.cases.map((c) => (c.type ? `${c.name}(${p(c.type)})` : c.name)).join(', ')} }`;
    case 'enum':
      return `enum { ${t.labels.join(', ')} }`;
    case 'flags':
      return `flags { ${t.labels.join(', ')} }`;
    case 'option':
      return `option<${p(t.type)}>`;
    case 'result':
      if (!t.ok && !t.err) return 'result';
      return `result<${t.ok ? p(t.ok) : '_'}${t.err ? `, ${p(t.err)}` : ''}>`;
    case 'own':
      return resourceName(t.resource);
    case 'borrow':
      return `borrow<${resourceName(t.resource)}>`;
    case 'stream':
    case 'future':
      return t.element === undefined ? t.kind : `${t.kind}<${p(t.element)}>`;
    default:
      return t.kind;
  }
}

export function printFuncType(f: FuncType, resourceName: (ref: ResourceTypeRef) => string): string {
  const params = f.params.map((q) => `${q.name}: ${printValType(q.type, resourceName)}`).join(', ');
  return `${f.async ? 'async ' : ''}func(${params})${f.result ? ` -> ${printValType(f.result, resourceName)}` : ''}`;
}

/** The resource a `[constructor]r`, `[method]r.m` or `[static]r.m` function belongs to. */
export function resourceOfFunctionName(name: string): string | undefined {
  const m = /^\[(?:constructor|method|static)\]([^.]+)/.exec(name);
  return m?.[1];
}
