/**
 * WIT text of a component, printed from its types (host/inspect/model.ts):
 * the main package's interfaces and world at top level, interfaces of other
 * packages in nested `package ns:name@version { … }` blocks, one text that
 * wit-parser reads back to the same types.
 *
 * What the binary does not keep cannot be printed: doc comments, the world's
 * name (taken from the rdylib:abi section when there is one) and type aliases
 * of primitives (written out where used).
 */
import type { FuncType, ValType } from '../types.ts';
import type { ComponentModel, FunctionItem, InterfaceModel, TypeItem, TypeNames, UseItem, WorldItem } from './model.ts';
import { splitInterfaceName } from './model.ts';
import { printValType } from '../rdylib/interface-view.ts';

export interface WitNames {
  /** The package the world belongs to, e.g. `rdylib-guest:kv@0.1.0`. Default: that of the first exported interface. */
  readonly package?: string;
  /** Default `root`, as wasm-tools names a world it cannot know. */
  readonly world?: string;
}

// Identifiers that must be written `%name` (wit-parser's keywords).
const KEYWORDS = new Set([
  'as', 'async', 'bool', 'borrow', 'char', 'constructor', 'enum', 'error-context', 'export', 'f32', 'f64', 'flags',
  'float32', 'float64', 'from', 'func', 'future', 'import', 'include', 'interface', 'list', 'option', 'own', 'package',
  'record', 'resource', 'result', 's16', 's32', 's64', 's8', 'static', 'stream', 'string', 'tuple', 'type', 'u16', 'u32',
  'u64', 'u8', 'use', 'variant', 'with', 'world', 'map',
]);

/** An identifier as WIT writes it. */
export function witIdent(name: string): string {
  return KEYWORDS.has(name) ? `%${name}` : name;
}

/**
 * A value type written in a scope: named types by name, anonymous ones
 * structurally. (A nominal type no type export names, in a component not made
 * from WIT, comes out as its definition would be written: for reading only.)
 */
export function witType(t: ValType, names: TypeNames): string {
  return printValType(
    t,
    (ref) => witIdent(names.resourceName(ref)),
    (u) => {
      const n = names.valueName(u);
      return n === undefined ? undefined : witIdent(n);
    },
  );
}

/** `func(a: t, …) -> r`; `skipSelf` drops a method's receiver, which WIT leaves implicit. */
export function witFunc(f: FuncType, names: TypeNames, skipSelf = false): string {
  const params = (skipSelf ? f.params.slice(1) : f.params).map((q) => `${witIdent(q.name)}: ${witType(q.type, names)}`);
  return `${f.async ? 'async ' : ''}func(${params.join(', ')})${f.result ? ` -> ${witType(f.result, names)}` : ''}`;
}

function typeDefinition(t: TypeItem, names: TypeNames, indent: string): string[] {
  const name = witIdent(t.name);
  if (t.kind === 'resource') {
    const members = [
      ...(t.constructor ? [constructorLine(t.constructor, names)] : []),
      ...t.methods.map((m) => `${witIdent(m.member)}: ${witFunc(m.type, names, true)};`),
      ...t.statics.map((m) => `${witIdent(m.member)}: static ${witFunc(m.type, names)};`),
    ];
    if (members.length === 0) return [`${indent}resource ${name};`];
    return [`${indent}resource ${name} {`, ...members.map((m) => `${indent}  ${m}`), `${indent}}`];
  }
  const v = t.type;
  const inner = (u: ValType): string => witType(u, names);
  switch (v.kind) {
    case 'record':
      if (v.fields.length === 0) return [`${indent}record ${name} {}`];
      return [`${indent}record ${name} {`, ...v.fields.map((f) => `${indent}  ${witIdent(f.name)}: ${inner(f.type)},`), `${indent}}`];
    case 'variant':
      return [`${indent}variant ${name} { ${v.cases.map((c) => (c.type ? `${witIdent(c.name)}(${inner(c.type)})` : witIdent(c.name))).join(', ')} }`];
    case 'enum':
      return [`${indent}enum ${name} { ${v.labels.map(witIdent).join(', ')} }`];
    case 'flags':
      return [`${indent}flags ${name} { ${v.labels.map(witIdent).join(', ')} }`];
    default:
      return [`${indent}type ${name} = ${inner(v)};`];
  }
}

function constructorLine(c: FunctionItem, names: TypeNames): string {
  const params = c.type.params.map((q) => `${witIdent(q.name)}: ${witType(q.type, names)}`).join(', ');
  // A plain constructor returns its own resource; a fallible one says its result.
  const result = c.type.result && c.type.result.kind !== 'own' ? ` -> ${witType(c.type.result, names)}` : '';
  return `constructor(${params})${result};`;
}

/** How `scope` refers to interface `target`: by its name within the same package, else fully qualified. */
function interfaceRef(target: string, fromPackage: string | undefined): string {
  const t = splitInterfaceName(target);
  if (t.package === undefined) return witIdent(target);
  if (t.package === fromPackage) return witIdent(t.local);
  return target;
}

function useLines(uses: readonly UseItem[], fromPackage: string | undefined, indent: string): string[] {
  return uses.map((u) => {
    const names = u.names.map((n) => (n.name === n.local ? witIdent(n.name) : `${witIdent(n.name)} as ${witIdent(n.local)}`));
    return `${indent}use ${interfaceRef(u.from, fromPackage)}.{${names.join(', ')}};`;
  });
}

function interfaceBody(i: InterfaceModel, indent: string): string[] {
  return [
    ...useLines(i.uses, i.package, indent),
    ...i.types.flatMap((t) => typeDefinition(t, i.names, indent)),
    ...i.functions.map((f) => `${indent}${witIdent(f.member)}: ${witFunc(f.type, i.names)};`),
  ];
}

function interfaceBlock(i: InterfaceModel, indent: string): string[] {
  return [`${indent}interface ${witIdent(i.local)} {`, ...interfaceBody(i, `${indent}  `), `${indent}}`];
}

function worldItemLine(direction: 'import' | 'export', item: WorldItem, model: ComponentModel, pkg: string | undefined): string[] {
  switch (item.kind) {
    case 'interface': {
      const iface = model.interfaces.find((i) => i.name === item.name && i.direction === direction);
      // A plain-named instance is an inline interface of the world.
      if (iface && iface.package === undefined) {
        return [`  ${direction} ${witIdent(item.name)}: interface {`, ...interfaceBody(iface, '    '), '  }'];
      }
      return [`  ${direction} ${interfaceRef(item.name, pkg)};`];
    }
    case 'function':
      // Constructors, methods and statics are printed inside their resource.
      if (item.name.startsWith('[')) return [];
      return [`  ${direction} ${witIdent(item.name)}: ${witFunc(item.type, model.world.names)};`];
    case 'type':
      return []; // printed with the world's type definitions
    case 'other':
      return [`  // ${direction} ${item.name}: a ${item.sort}, which WIT cannot express`];
  }
}

/** The WIT text of a described component. */
export function printWit(model: ComponentModel, names: WitNames = {}): string {
  const firstExport = model.interfaces.find((i) => i.direction === 'export' && i.package !== undefined);
  const pkg = names.package ?? firstExport?.package ?? 'root:component';
  const packaged = model.interfaces.filter((i) => i.package !== undefined);
  // One definition per interface name (an interface both imported and exported is one interface).
  const unique = packaged.filter((i, n) => packaged.findIndex((j) => j.name === i.name) === n);
  const ours = unique.filter((i) => i.package === pkg);
  const others = new Map<string, InterfaceModel[]>();
  for (const i of unique) {
    if (i.package === pkg) continue;
    others.set(i.package!, [...(others.get(i.package!) ?? []), i]);
  }

  const out: string[] = [`package ${pkg};`, ''];
  for (const [otherPkg, list] of others) {
    out.push(`package ${otherPkg} {`);
    for (const [n, i] of list.entries()) {
      if (n > 0) out.push('');
      out.push(...interfaceBlock(i, '  '));
    }
    out.push('}', '');
  }
  for (const i of ours) out.push(...interfaceBlock(i, ''), '');

  const world = model.world;
  out.push(`world ${witIdent(names.world ?? 'root')} {`);
  out.push(...useLines(world.uses, pkg, '  '));
  out.push(...world.types.flatMap((t) => typeDefinition(t, world.names, '  ')));
  for (const item of world.imports) out.push(...worldItemLine('import', item, model, pkg));
  for (const item of world.exports) out.push(...worldItemLine('export', item, model, pkg));
  out.push('}', '');
  return out.join('\n');
}
