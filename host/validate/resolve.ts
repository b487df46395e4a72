/**
 * Resolves type definitions (Binary.md "Type Definitions") against a scope's
 * index spaces into `TypeEntry` values, checking well-formedness on the way and
 * rejecting features this host does not implement.
 */
import { LoadError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import type { Alias, ComponentDecl, CoreDefType, DefType, ExternName, ExternType, ValTypeRef } from '../binary/ast.ts';
import {
  AbstractResource,
  containsBorrow,
  type ComponentType,
  type CoreModuleType,
  type ExternDesc,
  type InstanceType,
  type TypeEntry,
} from './type-space.ts';
import { UniqueNames, isLabel, parseExternName } from './names.ts';
import { checkAnnotatedName, noteResourceName } from './extern-checks.ts';
import type { ResourceTypeRef } from '../types.ts';

export function invalid(message: string, offset: number): never {
  throw new LoadError('invalid', message, offset);
}

export function unsupported(feature: string, offset: number): never {
  throw new LoadError('unsupported', `${feature} is not supported by this host`, offset);
}

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

export function resolveValType(ref: ValTypeRef, scope: TypeScope, offset: number): ValType {
  if (ref.kind === 'primitive') {
    if (ref.type === 'error-context') unsupported('the error-context type', offset);
    return { kind: ref.type };
  }
  const e = at(scope.types, ref.index, 'type', offset);
  if (e.kind !== 'value') invalid(`type index ${ref.index} is not a defined value type (it is a ${e.kind} type)`, offset);
  return e.type;
}

function uniqueLabels(labels: readonly string[], what: string, offset: number): void {
  const seen = new UniqueNames();
  for (const l of labels) {
    if (!isLabel(l)) invalid(`${what} name \`${l}\` is not in kebab case`, offset);
    const prev = seen.add(l);
    if (prev !== undefined) invalid(`${what} name \`${l}\` conflicts with previous name \`${prev}\``, offset);
  }
}

export function resolveFuncType(def: Extract<DefType, { kind: 'func' }>, scope: TypeScope, offset: number): FuncType {
  if (def.async) unsupported('async function types', offset);
  uniqueLabels(def.params.map((p) => p.name), 'function parameter', offset);
  const params = def.params.map((p) => ({ name: p.name, type: resolveValType(p.type, scope, offset) }));
  const result = def.result === undefined ? undefined : resolveValType(def.result, scope, offset);
  if (result !== undefined && containsBorrow(result)) invalid('function result type contains a borrow handle', offset);
  return { params, result };
}

export function resolveDefType(def: DefType, scope: TypeScope, offset: number): TypeEntry {
  const v = (type: ValType): TypeEntry => ({ kind: 'value', type });
  const vt = (r: ValTypeRef): ValType => resolveValType(r, scope, offset);
  const nonEmpty = (n: number, message: string): void => {
    if (n === 0) invalid(message, offset);
  };
  switch (def.kind) {
    case 'primitive':
      return v(vt(def));
    case 'record':
      nonEmpty(def.fields.length, 'record type must have at least one field');
      uniqueLabels(def.fields.map((f) => f.name), 'record field', offset);
      return v({ kind: 'record', fields: def.fields.map((f) => ({ name: f.name, type: vt(f.type) })) });
    case 'variant':
      nonEmpty(def.cases.length, 'variant type must have at least one case');
      uniqueLabels(def.cases.map((c) => c.name), 'variant case', offset);
      return v({
        kind: 'variant',
        cases: def.cases.map((c) => ({ name: c.name, type: c.type === undefined ? undefined : vt(c.type) })),
      });
    case 'list':
      if (def.length !== undefined) unsupported('fixed-length lists', offset);
      return v({ kind: 'list', element: vt(def.element) });
    case 'tuple':
      nonEmpty(def.types.length, 'tuple type must have at least one type');
      return v({ kind: 'tuple', types: def.types.map(vt) });
    case 'flags':
      nonEmpty(def.labels.length, 'flags must have at least one entry');
      if (def.labels.length > 32) invalid(`cannot have more than 32 flags (found ${def.labels.length})`, offset);
      uniqueLabels(def.labels, 'flag', offset);
      return v({ kind: 'flags', labels: def.labels });
    case 'enum':
      nonEmpty(def.labels.length, 'enum type must have at least one variant');
      uniqueLabels(def.labels, 'enum tag', offset);
      return v({ kind: 'enum', labels: def.labels });
    case 'option':
      return v({ kind: 'option', type: vt(def.type) });
    case 'result':
      return v({
        kind: 'result',
        ok: def.ok === undefined ? undefined : vt(def.ok),
        err: def.err === undefined ? undefined : vt(def.err),
      });
    case 'own':
    case 'borrow': {
      const e = at(scope.types, def.index, 'type', offset);
      if (e.kind !== 'resource') invalid(`type index ${def.index} is not a resource type`, offset);
      return v({ kind: def.kind, resource: e.ref });
    }
    case 'stream':
      return unsupported('the stream type', offset);
    case 'future':
      return unsupported('the future type', offset);
    case 'map':
      return unsupported('the map type', offset);
    case 'func':
      return { kind: 'func', type: resolveFuncType(def, scope, offset) };
    case 'resource':
      if (!scope.concrete) invalid('resources can only be defined within a concrete component', offset);
      // The identity is replaced per instance at runtime; validation uses a placeholder.
      return { kind: 'resource', ref: new AbstractResource(`resource#${scope.types.length}`) };
    case 'component':
      return { kind: 'component', type: resolveComponentType(def.decls, scope) };
    case 'instance':
      return { kind: 'instance', type: resolveInstanceType(def.decls, scope) };
  }
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

function mentionsResource(e: TypeEntry): boolean {
  if (e.kind === 'resource') return true;
  if (e.kind === 'value') return JSON.stringify(e.type, (k, x: unknown) => (k === 'resource' ? 'R' : x)).includes('"R"');
  if (e.kind === 'func') return [...e.type.params.map((p) => p.type), ...(e.type.result ? [e.type.result] : [])].some((t) => mentionsResource({ kind: 'value', type: t }));
  return false;
}

/** An outer alias of a type or core type, shared by definitions and declarators. */
export function resolveOuterTypeAlias(a: Extract<Alias, { kind: 'outer' }>, scope: TypeScope, offset: number): void {
  const target = outerScope(scope, a.count, offset);
  if (a.sort === 'type') {
    const e = at(target.types, a.index, 'type', offset);
    if (a.count > 0 && crossesComponent(scope, a.count) && mentionsResource(e)) {
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
  const parsed = parseExternName(n.name);
  if (typeof parsed === 'string') invalid(`${what} name ${parsed}`, n.offset);
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
      return { kind: 'module', type: coreModuleTypeOf(ct) };
    }
    case 'func': {
      const e = at(scope.types, t.typeIndex, 'type', offset);
      if (e.kind !== 'func') invalid(`type index ${t.typeIndex} is not a function type`, offset);
      return { kind: 'func', type: e.type };
    }
    case 'value':
      return unsupported('value imports and exports (🪙)', offset);
    case 'type':
      if (t.bound.kind === 'sub-resource') return { kind: 'type', type: { kind: 'resource', ref: new AbstractResource(name) } };
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

function coreModuleTypeOf(ct: Extract<CoreDefType, { kind: 'module' }>): CoreModuleType {
  const imports: { module: string; name: string; kind: string }[] = [];
  const exports: { name: string; kind: string }[] = [];
  for (const d of ct.decls) {
    if (d.kind === 'import') imports.push({ module: d.module, name: d.name, kind: coreKindName(d.type.kind) });
    else if (d.kind === 'export') exports.push({ name: d.name, kind: coreKindName(d.type.kind) });
  }
  return { imports, exports };
}

function coreKindName(k: string): string {
  return k === 'func' ? 'function' : k;
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

function resolveDecls(decls: readonly ComponentDecl[], parent: TypeScope): { imports: Map<string, ExternDesc>; exports: Map<string, ExternDesc> } {
  const scope = newTypeScope(parent, false);
  const imports = new Map<string, ExternDesc>();
  const exports = new Map<string, ExternDesc>();
  const importNames = new UniqueNames();
  const exportNames = new UniqueNames();
  const importResources = new Map<string, ResourceTypeRef>();
  const exportResources = new Map<string, ResourceTypeRef>();
  for (const d of decls) {
    switch (d.kind) {
      case 'core-type':
        if (d.type.kind === 'func') unsupported('core function types inside component or instance types', d.offset);
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
        const desc = resolveExternType(d.type, d.name.name, scope, d.offset);
        checkAnnotatedName(d.name, desc, importResources);
        noteResourceName(d.name, desc, importResources);
        imports.set(d.name.name, desc);
        pushExtern(scope, desc);
        break;
      }
      case 'export': {
        checkExternName(d.name, exportNames, 'export');
        const desc = resolveExternType(d.type, d.name.name, scope, d.offset);
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
  return resolveDecls(decls, parent);
}

function resolveInstanceType(decls: readonly ComponentDecl[], parent: TypeScope): InstanceType {
  return { exports: resolveDecls(decls, parent).exports };
}
