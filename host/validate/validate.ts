/**
 * Validation of a concrete component: walks the definitions in order, building
 * the index spaces as Binary.md describes, checks indices, sorts, names and
 * canonical options, compiles each core module once, and records per
 * definition what instantiation needs (resolved types and options).
 */
import { LoadError } from '../errors.ts';
import type { FuncType, ResourceTypeRef, ValType } from '../types.ts';
import type { CanonOptEntry, Component, CoreSort, Definition } from '../binary/ast.ts';
import {
  aliasInstanceExport,
  at,
  checkExternName,
  invalid,
  newTypeScope,
  pushExtern,
  resolveDefType,
  resolveExternType,
  resolveOuterTypeAlias,
  unsupported,
  outerScope,
  type TypeScope,
} from './resolve.ts';
import {
  substExtern,
  type ComponentType,
  type CoreModuleType,
  type ExternDesc,
  type InstanceType,
  type TypeEntry,
} from './type-space.ts';
import { UniqueNames } from './names.ts';
import { checkAnnotatedName, checkMatches, checkResourcesNamed, introducedResources, noteResourceName } from './extern-checks.ts';

export interface ResolvedOptions {
  readonly memory: number | undefined;
  readonly realloc: number | undefined;
  readonly postReturn: number | undefined;
  readonly stringEncoding: 'utf8' | 'utf16' | 'latin1+utf16';
}

/** What instantiation needs to know about one definition, parallel to `Component.definitions`. */
export type DefInfo =
  | { readonly kind: 'none' }
  | { readonly kind: 'core-module'; readonly module: WebAssembly.Module; readonly type: CoreModuleType }
  | { readonly kind: 'component'; readonly component: ValidatedComponent }
  | { readonly kind: 'type'; readonly entry: TypeEntry }
  | { readonly kind: 'import'; readonly desc: ExternDesc }
  | { readonly kind: 'export'; readonly desc: ExternDesc }
  | { readonly kind: 'lift' | 'lower'; readonly type: FuncType; readonly options: ResolvedOptions }
  | { readonly kind: 'resource'; readonly ref: ResourceTypeRef };

export interface ValidatedComponent {
  readonly ast: Component;
  readonly type: ComponentType;
  readonly info: readonly DefInfo[];
  /**
   * The type index space as validation left it. Instantiation pairs each
   * static resource identity here with the runtime one at the same index.
   */
  readonly types: readonly TypeEntry[];
}

/** Index spaces of a concrete component on top of the type-level ones. */
interface ComponentScope extends TypeScope {
  coreFuncs: number;
  coreTables: number;
  coreMemories: number;
  coreGlobals: number;
  coreTags: number;
  readonly coreInstances: ReadonlyMap<string, CoreSort>[];
  /** Resources defined (not imported) here: `resource.new` and `resource.rep` need one. */
  readonly localResources: Set<ResourceTypeRef>;
}

export function validateComponent(ast: Component): ValidatedComponent {
  return validateIn(ast, undefined);
}

const CORE_KIND_TO_SORT: Record<string, CoreSort> = {
  function: 'func',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};

/** Core section ids in the order the core binary format requires (custom sections aside). */
const CORE_SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

/**
 * The core module's framing (header and section order) is part of being
 * well-formed, so problems there are 'malformed'; everything inside sections
 * is left to WebAssembly.Module, whose refusals are 'invalid'.
 */
function checkCoreFraming(bytes: Uint8Array, offset: number): void {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) {
    throw new LoadError('malformed', 'core module: expected a version header for a module (\\0asm 1 0 0 0)', offset);
  }
  let pos = 8;
  let last = 0;
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= bytes.length || shift > 28) throw new LoadError('malformed', 'core module: bad section size', offset + pos);
      const b = bytes[pos++]!;
      size += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    if (id !== 0) {
      const rank = CORE_SECTION_ORDER[id];
      if (rank === undefined) throw new LoadError('malformed', `core module: malformed section id ${id}`, offset + pos);
      if (rank <= last) throw new LoadError('malformed', `core module: section out of order (section id ${id})`, offset + pos);
      last = rank;
    }
    if (pos + size > bytes.length) throw new LoadError('malformed', `core module: section ${id} runs past the end of the module`, offset + pos);
    pos += size;
  }
}

function compileCoreModule(bytes: Uint8Array, offset: number): WebAssembly.Module {
  checkCoreFraming(bytes, offset);
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new LoadError('invalid', `core module does not validate: ${msg}`, offset, { cause: e });
  }
}

function validateIn(ast: Component, parent: TypeScope | undefined): ValidatedComponent {
  const scope: ComponentScope = {
    ...newTypeScope(parent, true),
    coreFuncs: 0,
    coreTables: 0,
    coreMemories: 0,
    coreGlobals: 0,
    coreTags: 0,
    coreInstances: [],
    localResources: new Set(),
  };
  const imports = new Map<string, ExternDesc>();
  const exports = new Map<string, ExternDesc>();
  const importNames = new UniqueNames();
  const exportNames = new UniqueNames();
  const info: DefInfo[] = [];
  const ex: Externs = {
    imports,
    exports,
    importNames,
    exportNames,
    importNamed: new Set(),
    named: new Set(),
    importResources: new Map(),
    exportResources: new Map(),
  };
  for (const d of ast.definitions) info.push(validateDefinition(d, scope, ex));
  return { ast, type: { imports, exports }, info, types: scope.types };
}

interface Externs {
  readonly imports: Map<string, ExternDesc>;
  readonly exports: Map<string, ExternDesc>;
  readonly importNames: UniqueNames;
  readonly exportNames: UniqueNames;
  /** Resources named by an import (what later imports may mention). */
  readonly importNamed: Set<ResourceTypeRef>;
  /** Resources named by an import or export (what exports may mention). */
  readonly named: Set<ResourceTypeRef>;
  readonly importResources: Map<string, ResourceTypeRef>;
  readonly exportResources: Map<string, ResourceTypeRef>;
}

function addCoreItem(scope: ComponentScope, sort: CoreSort, offset: number): void {
  switch (sort) {
    case 'func':
      scope.coreFuncs++;
      break;
    case 'table':
      scope.coreTables++;
      break;
    case 'memory':
      scope.coreMemories++;
      break;
    case 'global':
      scope.coreGlobals++;
      break;
    case 'tag':
      scope.coreTags++;
      break;
    default:
      invalid(`core export alias of sort ${sort} is not allowed`, offset);
  }
}

function coreCount(scope: ComponentScope, sort: CoreSort): number {
  switch (sort) {
    case 'func':
      return scope.coreFuncs;
    case 'table':
      return scope.coreTables;
    case 'memory':
      return scope.coreMemories;
    case 'global':
      return scope.coreGlobals;
    case 'tag':
      return scope.coreTags;
    case 'type':
      return scope.coreTypes.length;
    case 'module':
      return scope.modules.length;
    case 'instance':
      return scope.coreInstances.length;
  }
}

function validateDefinition(d: Definition, scope: ComponentScope, ex: Externs): DefInfo {
  const off = d.offset;
  switch (d.kind) {
    case 'core-module': {
      const module = compileCoreModule(d.bytes, off);
      const type: CoreModuleType = {
        imports: WebAssembly.Module.imports(module),
        exports: WebAssembly.Module.exports(module),
      };
      scope.modules.push(type);
      return { kind: 'core-module', module, type };
    }
    case 'core-instance': {
      const e = d.expr;
      const exports = new Map<string, CoreSort>();
      if (e.kind === 'instantiate') {
        const mt = at(scope.modules, e.module, 'core module', off);
        const args = new Map<string, number>();
        for (const a of e.args) {
          if (args.has(a.name)) invalid(`duplicate core instantiation argument named \`${a.name}\``, off);
          at(scope.coreInstances, a.instance, 'core instance', off);
          args.set(a.name, a.instance);
        }
        for (const imp of mt.imports) {
          const argIdx = args.get(imp.module);
          if (argIdx === undefined) invalid(`missing module instantiation argument named \`${imp.module}\``, off);
          const kind = scope.coreInstances[argIdx]!.get(imp.name);
          if (kind === undefined) invalid(`core instance ${argIdx} has no export \`${imp.name}\` needed by import \`${imp.module}\` \`${imp.name}\``, off);
          if (kind !== CORE_KIND_TO_SORT[imp.kind]) invalid(`import \`${imp.module}\` \`${imp.name}\` needs a ${imp.kind}, but core instance ${argIdx} exports a ${kind}`, off);
        }
        for (const x of mt.exports) exports.set(x.name, CORE_KIND_TO_SORT[x.kind] ?? 'func');
      } else {
        for (const x of e.exports) {
          if (exports.has(x.name)) invalid(`duplicate core export name \`${x.name}\``, off);
          const n = coreCount(scope, x.sort);
          if (x.index >= n) invalid(`core ${x.sort} index ${x.index} out of bounds (${n} defined)`, off);
          if (x.sort === 'type' || x.sort === 'module' || x.sort === 'instance') invalid(`core inline export of sort ${x.sort} is not allowed`, off);
          exports.set(x.name, x.sort);
        }
      }
      scope.coreInstances.push(exports);
      return { kind: 'none' };
    }
    case 'core-type':
      if (d.type.kind === 'func') {
        for (const t of [...d.type.params, ...d.type.results]) {
          if (typeof t !== 'string' && typeof t.heap === 'string' && t.heap !== 'func' && t.heap !== 'extern') {
            unsupported(`GC reference type (ref ${t.heap})`, off);
          }
        }
      }
      scope.coreTypes.push(d.type);
      return { kind: 'none' };
    case 'component': {
      const component = validateIn(d.component, scope);
      scope.components.push(component.type);
      return { kind: 'component', component };
    }
    case 'instance':
      return validateInstance(d, scope);
    case 'alias':
      return validateAlias(d, scope);
    case 'type': {
      const entry = resolveDefType(d.type, scope, off);
      if (d.type.kind === 'resource') {
        if (d.type.dtor !== undefined && d.type.dtor >= scope.coreFuncs) {
          invalid(`resource destructor core func index ${d.type.dtor} out of bounds (${scope.coreFuncs} defined)`, off);
        }
        if (entry.kind === 'resource') scope.localResources.add(entry.ref);
      }
      scope.types.push(entry);
      return { kind: 'type', entry };
    }
    case 'canon':
      return validateCanon(d, scope);
    case 'start':
      return unsupported('component start functions (🪙)', off);
    case 'value':
      return unsupported('value definitions (🪙)', off);
    case 'import': {
      checkExternName(d.name, ex.importNames, 'import');
      const desc = resolveExternType(d.type, d.name.name, scope, off);
      checkResourcesNamed(desc, ex.importNamed, 'import', d.name);
      checkAnnotatedName(d.name, desc, ex.importResources);
      noteResourceName(d.name, desc, ex.importResources);
      introducedResources(desc, ex.importNamed);
      introducedResources(desc, ex.named);
      ex.imports.set(d.name.name, desc);
      pushExtern(scope, desc);
      return { kind: 'import', desc };
    }
    case 'export': {
      checkExternName(d.name, ex.exportNames, 'export');
      const desc = describeItem(d.item.sort, d.item.index, scope, off);
      if (d.type !== undefined) {
        // An ascribed type must be one the item satisfies.
        checkMatches(desc, resolveExternType(d.type, d.name.name, scope, off), d.name.name, off);
      }
      checkResourcesNamed(desc, ex.named, 'export', d.name);
      checkAnnotatedName(d.name, desc, ex.exportResources);
      noteResourceName(d.name, desc, ex.exportResources);
      introducedResources(desc, ex.named);
      ex.exports.set(d.name.name, desc);
      pushExtern(scope, desc);
      return { kind: 'export', desc };
    }
  }
}

/** The externtype of an item in this component's index spaces (what exporting it would declare). */
function describeItem(sort: string, index: number, scope: ComponentScope, off: number): ExternDesc {
  switch (sort) {
    case 'func':
      return { kind: 'func', type: at(scope.funcs, index, 'func', off) };
    case 'type':
      return { kind: 'type', type: at(scope.types, index, 'type', off) };
    case 'instance':
      return { kind: 'instance', type: at(scope.instances, index, 'instance', off) };
    case 'component':
      return { kind: 'component', type: at(scope.components, index, 'component', off) };
    case 'core module':
      return { kind: 'module', type: at(scope.modules, index, 'core module', off) };
    case 'value':
      return unsupported('values (🪙)', off);
    default:
      return invalid(`a ${sort} cannot be exported or passed to a component`, off);
  }
}

function sortOfDesc(d: ExternDesc): string {
  return d.kind === 'module' ? 'core module' : d.kind;
}

function validateInstance(d: Extract<Definition, { kind: 'instance' }>, scope: ComponentScope): DefInfo {
  const off = d.offset;
  const e = d.expr;
  if (e.kind === 'exports') {
    const names = new UniqueNames();
    const exports = new Map<string, ExternDesc>();
    const resources = new Map<string, ResourceTypeRef>();
    for (const x of e.exports) {
      checkExternName(x.name, names, 'export');
      const desc = describeItem(x.item.sort, x.item.index, scope, off);
      checkAnnotatedName(x.name, desc, resources);
      noteResourceName(x.name, desc, resources);
      exports.set(x.name.name, desc);
    }
    scope.instances.push({ exports });
    return { kind: 'none' };
  }
  const ct = at(scope.components, e.component, 'component', off);
  const args = new Map<string, ExternDesc>();
  for (const a of e.args) {
    if (args.has(a.name)) invalid(`duplicate instantiation argument named \`${a.name}\``, off);
    args.set(a.name, describeItem(a.item.sort, a.item.index, scope, off));
  }
  // Each supplied type import is substituted into everything after it (Binary.md).
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  for (const [name, want] of ct.imports) {
    const got = args.get(name);
    if (got === undefined) invalid(`missing instantiation argument named \`${name}\``, off);
    if (sortOfDesc(got) !== sortOfDesc(want)) {
      invalid(`instantiation argument \`${name}\` is a ${sortOfDesc(got)}, but the component imports a ${sortOfDesc(want)}`, off);
    }
    collectResourceSubst(want, got, subst, name, off);
    checkMatches(got, substExtern(want, subst), name, off);
  }
  const exports = new Map<string, ExternDesc>();
  for (const [name, desc] of ct.exports) exports.set(name, substExtern(desc, subst));
  scope.instances.push({ exports });
  return { kind: 'none' };
}

/** Pairs the abstract resources an import declares with the supplied ones. */
export function collectResourceSubst(
  want: ExternDesc,
  got: ExternDesc,
  subst: Map<ResourceTypeRef, ResourceTypeRef>,
  path: string,
  off: number,
): void {
  if (want.kind === 'type' && got.kind === 'type') {
    // Only the import's own fresh resources are bound; an `eq` bound keeps the earlier binding.
    if (want.type.kind === 'resource' && !subst.has(want.type.ref)) {
      if (got.type.kind !== 'resource') invalid(`\`${path}\` must be a resource type`, off);
      subst.set(want.type.ref, got.type.ref);
    }
  } else if (want.kind === 'instance' && got.kind === 'instance') {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g === undefined) invalid(`instance \`${path}\` is missing export \`${n}\``, off);
      if (sortOfDesc(g) !== sortOfDesc(w)) invalid(`export \`${n}\` of \`${path}\` is a ${sortOfDesc(g)}, expected a ${sortOfDesc(w)}`, off);
      collectResourceSubst(w, g, subst, `${path}/${n}`, off);
    }
  }
}

function validateAlias(d: Extract<Definition, { kind: 'alias' }>, scope: ComponentScope): DefInfo {
  const a = d.alias;
  const off = d.offset;
  switch (a.kind) {
    case 'export': {
      const desc = aliasInstanceExport(a, scope, off);
      pushExtern(scope, desc);
      return { kind: 'none' };
    }
    case 'core-export': {
      const inst = at(scope.coreInstances, a.instance, 'core instance', off);
      const kind = inst.get(a.name);
      if (kind === undefined) invalid(`core instance ${a.instance} has no export named \`${a.name}\``, off);
      const sort = a.sort.slice('core '.length) as CoreSort;
      if (kind !== sort) invalid(`export \`${a.name}\` of core instance ${a.instance} is a ${kind}, not a ${sort}`, off);
      addCoreItem(scope, sort, off);
      return { kind: 'none' };
    }
    case 'outer': {
      if (a.sort === 'type' || a.sort === 'core type') {
        resolveOuterTypeAlias(a, scope, off);
        return { kind: 'none' };
      }
      const target = outerScope(scope, a.count, off);
      if (a.sort === 'component') scope.components.push(at(target.components, a.index, 'component', off));
      else if (a.sort === 'core module') scope.modules.push(at(target.modules, a.index, 'core module', off));
      else invalid(`outer alias of sort ${a.sort} is not allowed`, off);
      return { kind: 'none' };
    }
  }
}

function resolveOptions(entries: readonly CanonOptEntry[], scope: ComponentScope, off: number, isLift: boolean): ResolvedOptions {
  let memory: number | undefined;
  let realloc: number | undefined;
  let postReturn: number | undefined;
  let stringEncoding: ResolvedOptions['stringEncoding'] | undefined;
  for (const { opt, offset } of entries) {
    switch (opt.kind) {
      case 'string-encoding':
        if (stringEncoding !== undefined) invalid('canonical encoding option conflicts with a previous one', offset);
        stringEncoding = opt.encoding;
        break;
      case 'memory':
        if (memory !== undefined) invalid('`memory` is specified more than once', offset);
        if (opt.index >= scope.coreMemories) invalid(`core memory index ${opt.index} out of bounds (${scope.coreMemories} defined)`, offset);
        memory = opt.index;
        break;
      case 'realloc':
        if (realloc !== undefined) invalid('`realloc` is specified more than once', offset);
        if (opt.index >= scope.coreFuncs) invalid(`core func index ${opt.index} out of bounds (${scope.coreFuncs} defined)`, offset);
        realloc = opt.index;
        break;
      case 'post-return':
        if (postReturn !== undefined) invalid('`post-return` is specified more than once', offset);
        if (!isLift) invalid('canonical option `post-return` cannot be used with lowerings', offset);
        if (opt.index >= scope.coreFuncs) invalid(`core func index ${opt.index} out of bounds (${scope.coreFuncs} defined)`, offset);
        postReturn = opt.index;
        break;
      case 'async':
        unsupported('the async canonical option', offset);
        break;
      case 'callback':
        unsupported('the callback canonical option', offset);
        break;
    }
  }
  return { memory, realloc, postReturn, stringEncoding: stringEncoding ?? 'utf8' };
}

function hasIndirect(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'list':
      return true;
    case 'record':
      return t.fields.some((f) => hasIndirect(f.type));
    case 'tuple':
      return t.types.some(hasIndirect);
    case 'variant':
      return t.cases.some((c) => c.type !== undefined && hasIndirect(c.type));
    case 'option':
      return hasIndirect(t.type);
    case 'result':
      return (t.ok !== undefined && hasIndirect(t.ok)) || (t.err !== undefined && hasIndirect(t.err));
    default:
      return false;
  }
}

/** definitions.py `flatten_type` length, enough to know when values spill to memory. */
function flatCount(t: ValType): number {
  switch (t.kind) {
    case 'string':
    case 'list':
      return 2;
    case 'record':
      return t.fields.reduce((n, f) => n + flatCount(f.type), 0);
    case 'tuple':
      return t.types.reduce((n, x) => n + flatCount(x), 0);
    case 'variant':
      return 1 + Math.max(0, ...t.cases.map((c) => (c.type === undefined ? 0 : flatCount(c.type))));
    case 'option':
      return 1 + flatCount(t.type);
    case 'result':
      return 1 + Math.max(t.ok === undefined ? 0 : flatCount(t.ok), t.err === undefined ? 0 : flatCount(t.err));
    case 'flags':
      return t.labels.length > 0 ? 1 : 0;
    default:
      return 1;
  }
}

function checkOptionsFor(ft: FuncType, o: ResolvedOptions, isLift: boolean, off: number): void {
  const params = ft.params.map((p) => p.type);
  const results = ft.result === undefined ? [] : [ft.result];
  const paramFlat = params.reduce((n, t) => n + flatCount(t), 0);
  const resultFlat = results.reduce((n, t) => n + flatCount(t), 0);
  const needsMemory = [...params, ...results].some(hasIndirect) || paramFlat > 16 || resultFlat > 1;
  if (needsMemory && o.memory === undefined) invalid('canonical option `memory` is required', off);
  // The side that receives lists and strings in linear memory must allocate them.
  const received = isLift ? params : results;
  const needsRealloc = received.some(hasIndirect) || (isLift && paramFlat > 16);
  if (needsRealloc && o.realloc === undefined) invalid('canonical option `realloc` is required', off);
}

function validateCanon(d: Extract<Definition, { kind: 'canon' }>, scope: ComponentScope): DefInfo {
  const c = d.canon;
  const off = d.offset;
  switch (c.kind) {
    case 'lift': {
      if (c.coreFunc >= scope.coreFuncs) invalid(`core func index ${c.coreFunc} out of bounds (${scope.coreFuncs} defined)`, off);
      const e = at(scope.types, c.typeIndex, 'type', off);
      if (e.kind !== 'func') invalid(`type index ${c.typeIndex} is not a function type`, off);
      const options = resolveOptions(c.options, scope, off, true);
      checkOptionsFor(e.type, options, true, off);
      scope.funcs.push(e.type);
      return { kind: 'lift', type: e.type, options };
    }
    case 'lower': {
      const ft = at(scope.funcs, c.func, 'func', off);
      const options = resolveOptions(c.options, scope, off, false);
      checkOptionsFor(ft, options, false, off);
      scope.coreFuncs++;
      return { kind: 'lower', type: ft, options };
    }
    case 'resource.new':
    case 'resource.drop':
    case 'resource.rep': {
      const e = at(scope.types, c.typeIndex, 'type', off);
      if (e.kind !== 'resource') invalid(`type index ${c.typeIndex} is not a resource type`, off);
      if (c.kind !== 'resource.drop' && !scope.localResources.has(e.ref)) {
        invalid(`${c.kind} requires a resource type defined in this component, not an imported one`, off);
      }
      scope.coreFuncs++;
      return { kind: 'resource', ref: e.ref };
    }
    case 'builtin':
      return unsupported(`the canonical built-in \`${c.name}\` (async, streams, futures, error-context or threads)`, off);
  }
}
