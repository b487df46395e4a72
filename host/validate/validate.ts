/**
 * Validation of a concrete component: walks the definitions in order, building
 * the index spaces as Binary.md describes, checks indices, sorts, names and
 * canonical options, compiles each core module once (core-compile.ts: now,
 * or for `load` in the background where the engine will not compile it
 * synchronously), and records per definition what instantiation needs
 * (resolved types and options).
 */
import type { ResourceTypeRef, ValType } from '../types.ts';
import type { Component, CoreSort, Definition } from '../binary/ast.ts';
import { invalid, unsupported } from './failures.ts';
import {
  aliasInstanceExport,
  at,
  checkExternName,
  newTypeScope,
  pushExtern,
  resolveDefType,
  resolveExternType,
  freshenResources,
  rejectGated,
  resolveOuterTypeAlias,
  outerScope,
  outerCoreTypes,
  type TypeScope,
} from './resolve.ts';
import {
  makeSubst,
  substExtern,
  type ComponentType,
  type CoreModuleType,
  type ExternDesc,
  type InstanceType,
  type TypeEntry,
} from './type-space.ts';
import { UniqueNames } from './names.ts';
import { checkAnnotatedName, checkMatches, noteResourceName } from './extern-checks.ts';
import { checkVisible, nameExtern, type Named } from './visibility.ts';
import { coreItemMismatch, defineCoreType, formatSig, sigEquals } from './core-types.ts';
import { readCoreModuleInfo, type CoreItemType } from '../binary/core-module.ts';
import { validateCanon, type CanonInfo } from './canon.ts';
import type { ComponentScope } from './component-scope.ts';
import { compileCoreModule, StartedCompile, StartedCompiles } from './core-compile.ts';
import type { AsyncEngineWork } from '../sync-refusal.ts';

export type { ResolvedOptions } from './canon-options.ts';
export type { ResolvedBuiltin } from './canon.ts';
import { checkTypeSize, externSize, SizeTally } from './type-size.ts';
import { resetWork } from './work.ts';

/**
 * What instantiation needs to know about one definition, parallel to `Component.definitions`.
 * `M`: a compiled core module; or a StartedCompile while its compile may still be running.
 */
export type DefInfo<M = WebAssembly.Module> =
  | NoInfo
  | { readonly kind: 'core-module'; readonly module: M; readonly type: CoreModuleType }
  | { readonly kind: 'component'; readonly component: ValidatedComponent<M> }
  | { readonly kind: 'type'; readonly entry: TypeEntry }
  | { readonly kind: 'import'; readonly desc: ExternDesc }
  | { readonly kind: 'export'; readonly desc: ExternDesc }
  | CanonInfo;

type NoInfo = { readonly kind: 'none' };

/** `M` as in DefInfo: only a component whose modules are all compiled can be instantiated. */
export interface ValidatedComponent<M = WebAssembly.Module> {
  readonly ast: Component;
  readonly type: ComponentType;
  readonly info: readonly DefInfo<M>[];
  /**
   * The type index space as validation left it. Instantiation pairs each
   * static resource identity here with the runtime one at the same index.
   */
  readonly types: readonly TypeEntry[];
}

/** Validates a whole component; `workDone()` (work.ts) then tells how many type steps it took. */
export function validateComponent(ast: Component): ValidatedComponent {
  resetWork();
  return validateIn(ast, undefined, compileCoreModule);
}

/**
 * `validateComponent` with core modules compiled where `background` says
 * (core-compile.ts: for `load`, in the background only one the engine will
 * not compile synchronously on this thread), synchronous unless one is.
 * Fails as `validateComponent` fails: while a compile runs in the
 * background a refusal validation found is not final, since a core module
 * that does not compile fails at its definition, before any later
 * definition's refusal; so it is thrown only once the compiles started
 * before it passed (`settled()` throws the earliest compile refusal).
 */
export function validateComponentSettled(ast: Component, background: AsyncEngineWork): ValidatedComponent | Promise<ValidatedComponent> {
  resetWork();
  const compiles = new StartedCompiles(background);
  let started: ValidatedComponent<WebAssembly.Module | StartedCompile>;
  try {
    started = validateIn(ast, undefined, (bytes, offset) => compiles.start(bytes, offset));
  } catch (e) {
    if (!compiles.waiting) throw e;
    return compiles.settled().then(() => Promise.reject(e));
  }
  return compiles.waiting ? compiles.settled().then(() => withCompiledModules(started)) : withCompiledModules(started);
}

/**
 * The component validation gave, with its compiled modules; only once its
 * background compiles settled without a refusal. The same object when every
 * module was compiled on this thread.
 */
function withCompiledModules(v: ValidatedComponent<WebAssembly.Module | StartedCompile>): ValidatedComponent {
  // Checked, not assumed: every core-module entry holds a WebAssembly.Module.
  if (allCompiled(v)) return v as ValidatedComponent;
  const info = v.info.map((d): DefInfo => {
    if (d.kind === 'core-module') return { kind: 'core-module', module: d.module instanceof StartedCompile ? d.module.module : d.module, type: d.type };
    if (d.kind === 'component') return { kind: 'component', component: withCompiledModules(d.component) };
    return d;
  });
  return { ast: v.ast, type: v.type, info, types: v.types };
}

function allCompiled(v: ValidatedComponent<WebAssembly.Module | StartedCompile>): boolean {
  for (const d of v.info) {
    if (d.kind === 'core-module' && d.module instanceof StartedCompile) return false;
    if (d.kind === 'component' && !allCompiled(d.component)) return false;
  }
  return true;
}

/** Compiles a core module, or starts compiling it; throws LoadError for a refusal known now. */
type CoreCompiler<M> = (bytes: Uint8Array, offset: number) => M;

function validateIn<M>(ast: Component, parent: TypeScope | undefined, compile: CoreCompiler<M>): ValidatedComponent<M> {
  const scope: ComponentScope = {
    ...newTypeScope(parent, true),
    coreFuncs: [],
    coreTables: [],
    coreMemories: [],
    coreGlobals: [],
    coreTags: [],
    coreInstances: [],
    localResources: new Set(),
  };
  const imports = new Map<string, ExternDesc>();
  const exports = new Map<string, ExternDesc>();
  const importNames = new UniqueNames();
  const exportNames = new UniqueNames();
  const info: DefInfo<M>[] = [];
  const ex: Externs = {
    imports,
    exports,
    importNames,
    exportNames,
    importNamed: new Set(),
    named: new Set(),
    importResources: new Map(),
    exportResources: new Map(),
    size: new SizeTally('this component'),
  };
  for (const d of ast.definitions) info.push(validateDefinition(d, scope, ex, compile));
  return { ast, type: { imports, exports }, info, types: scope.types };
}

interface Externs {
  readonly imports: Map<string, ExternDesc>;
  readonly exports: Map<string, ExternDesc>;
  readonly importNames: UniqueNames;
  readonly exportNames: UniqueNames;
  /** Types named by an import (what later imports may use). */
  readonly importNamed: Named;
  /** Types named by an import or export (what exports may use). */
  readonly named: Named;
  readonly importResources: Map<string, ResourceTypeRef>;
  readonly exportResources: Map<string, ResourceTypeRef>;
  /** The component's type size so far (imports and exports), kept under the limit (type-size.ts). */
  readonly size: SizeTally;
}

function addCoreItem(scope: ComponentScope, t: CoreItemType): void {
  switch (t.kind) {
    case 'func':
      scope.coreFuncs.push(t.sig);
      break;
    case 'table':
      scope.coreTables.push(t);
      break;
    case 'memory':
      scope.coreMemories.push(t);
      break;
    case 'global':
      scope.coreGlobals.push(t);
      break;
    case 'tag':
      scope.coreTags.push(t);
      break;
  }
}

/** The core type of item `index` of a core sort that an inline core instance may export. */
function coreItem(scope: ComponentScope, sort: CoreSort, index: number, off: number): CoreItemType {
  switch (sort) {
    case 'func':
      return { kind: 'func', sig: at(scope.coreFuncs, index, 'core func', off) };
    case 'table':
      return at(scope.coreTables, index, 'core table', off);
    case 'memory':
      return at(scope.coreMemories, index, 'core memory', off);
    case 'global':
      return at(scope.coreGlobals, index, 'core global', off);
    case 'tag':
      return at(scope.coreTags, index, 'core tag', off);
    default:
      return invalid(`core inline export of sort ${sort} is not allowed`, off);
  }
}

/** Reads the module's import and export types and applies the component-level rules on core imports. */
function coreModuleType(bytes: Uint8Array, off: number): CoreModuleType {
  const info = readCoreModuleInfo(bytes, off);
  // Two-level import names must stay distinct once mangled to one level.
  const seen = new Set<string>();
  for (const imp of info.imports) {
    const key = `${imp.module}:${imp.name}`;
    if (seen.has(key)) invalid(`duplicate import name \`${key}\` in core module`, off);
    seen.add(key);
  }
  return info;
}

function validateDefinition<M>(d: Definition, scope: ComponentScope, ex: Externs, compile: CoreCompiler<M>): DefInfo<M> {
  const off = d.offset;
  switch (d.kind) {
    case 'core-module': {
      // Compiled (or started) before its type is read: a module that does not compile fails as that.
      const module = compile(d.bytes, off);
      const type = coreModuleType(d.bytes, off);
      scope.modules.push(type);
      return { kind: 'core-module', module, type };
    }
    case 'core-instance': {
      const e = d.expr;
      const exports = new Map<string, CoreItemType>();
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
          const got = scope.coreInstances[argIdx]!.get(imp.name);
          if (got === undefined) invalid(`core instance ${argIdx} has no export \`${imp.name}\` needed by import \`${imp.module}\` \`${imp.name}\``, off);
          const why = coreItemMismatch(got, imp.type);
          if (why !== undefined) invalid(`core instantiation argument for import \`${imp.module}\` \`${imp.name}\`: ${why}`, off);
        }
        for (const x of mt.exports) exports.set(x.name, x.type);
      } else {
        for (const x of e.exports) {
          if (exports.has(x.name)) invalid(`duplicate core export name \`${x.name}\``, off);
          exports.set(x.name, coreItem(scope, x.sort, x.index, off));
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
      defineCoreType(d.type, outerCoreTypes(scope), off);
      scope.coreTypes.push(d.type);
      return { kind: 'none' };
    case 'component': {
      const component = validateIn(d.component, scope, compile);
      scope.components.push(component.type);
      return { kind: 'component', component };
    }
    case 'instance':
      return validateInstance(d, scope, ex);
    case 'alias':
      return validateAlias(d, scope);
    case 'type': {
      const entry = resolveDefType(d.type, scope, off);
      if (d.type.kind === 'resource') {
        if (d.type.rep !== 'i32') unsupported('a 64-bit resource representation (🚀 cm64)', off);
        if (d.type.dtor !== undefined) {
          const sig = at(scope.coreFuncs, d.type.dtor, 'resource destructor core func', off);
          if (!sigEquals(sig, { params: ['i32'], results: [] })) {
            invalid(`wrong signature for a destructor: expected (func (param i32)), found ${formatSig(sig)}`, off);
          }
        }
        if (entry.kind === 'resource') scope.localResources.add(entry.ref);
      }
      scope.types.push(entry);
      return { kind: 'type', entry };
    }
    case 'canon':
      return validateCanon(d.canon, scope, off);
    case 'start':
      return unsupported('component start functions (🪙)', off);
    case 'value':
      return unsupported('value definitions (🪙)', off);
    case 'import': {
      checkExternName(d.name, ex.importNames, 'import');
      const resolved = resolveExternType(d.type, d.name.name, scope, off);
      ex.size.add(resolved, d.name.name, off);
      const declared = freshenResources(resolved, scope);
      rejectGated(declared, off);
      // Imports may only use types named by earlier imports.
      checkVisible(declared, ex.importNamed, 'import', d.name);
      const desc = nameExtern(declared, [ex.importNamed, ex.named]);
      checkAnnotatedName(d.name, desc, ex.importResources);
      noteResourceName(d.name, desc, ex.importResources);
      ex.imports.set(d.name.name, desc);
      pushExtern(scope, desc);
      return { kind: 'import', desc };
    }
    case 'export': {
      checkExternName(d.name, ex.exportNames, 'export');
      let declared = describeItem(d.item.sort, d.item.index, scope, off);
      if (d.type !== undefined) {
        // An ascribed type must be one the item satisfies, and replaces the item's type.
        const ascribed = resolveExternType(d.type, d.name.name, scope, off);
        checkMatches(declared, ascribed, d.name.name, off);
        declared = ascribed;
      }
      ex.size.add(declared, d.name.name, off);
      rejectGated(declared, off);
      checkVisible(declared, ex.named, 'export', d.name);
      const desc = nameExtern(declared, [ex.named]);
      checkAnnotatedName(d.name, desc, ex.exportResources);
      noteResourceName(d.name, desc, ex.exportResources);
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

function validateInstance(d: Extract<Definition, { kind: 'instance' }>, scope: ComponentScope, ex: Externs): NoInfo {
  const off = d.offset;
  const e = d.expr;
  if (e.kind === 'exports') {
    const names = new UniqueNames();
    const exports = new Map<string, ExternDesc>();
    const size = new SizeTally('this instance');
    for (const x of e.exports) {
      checkExternName(x.name, names, 'export');
      const desc = describeItem(x.item.sort, x.item.index, scope, off);
      size.add(desc, x.name.name, off);
      // A synthesized instance type is checked in the component's export
      // context: a `[constructor]r` / `[method]r.m` / `[static]r.m` must name
      // a resource the component has already exported as `r`. The bag's own
      // `r` export does not count, so a bag cannot name a resource that is
      // local to the component (annotated-names.wast:176).
      checkAnnotatedName(x.name, desc, ex.exportResources);
      exports.set(x.name.name, desc);
    }
    scope.instances.push({ exports });
    return { kind: 'none' };
  }
  const ct = at(scope.components, e.component, 'component', off);
  // The instance's type is the component's exports: sized before anything walks it.
  let size = 1;
  for (const x of ct.exports.values()) size += externSize(x);
  checkTypeSize(size, `the instance of component ${e.component}`, off);
  const args = new Map<string, ExternDesc>();
  for (const a of e.args) {
    if (args.has(a.name)) invalid(`duplicate instantiation argument named \`${a.name}\``, off);
    args.set(a.name, describeItem(a.item.sort, a.item.index, scope, off));
  }
  // Each supplied type import is substituted into everything after it (Binary.md).
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  // Value types imported with `(eq ...)` become the supplied types, so the parent sees its own (possibly named) types.
  const values = new Map<ValType, ValType>();
  for (const [name, want] of ct.imports) {
    const got = args.get(name);
    if (got === undefined) invalid(`missing instantiation argument named \`${name}\``, off);
    if (sortOfDesc(got) !== sortOfDesc(want)) {
      invalid(`instantiation argument \`${name}\` is a ${sortOfDesc(got)}, but the component imports a ${sortOfDesc(want)}`, off);
    }
    collectResourceSubst(want, got, subst, name, off);
    checkMatches(got, substExtern(want, subst), name, off);
    collectValueSubst(want, got, values);
  }
  const exports = new Map<string, ExternDesc>();
  const s = makeSubst(subst, values);
  for (const [name, desc] of ct.exports) exports.set(name, substExtern(desc, s));
  // Resources the component defines (or its type declares) are new for each instantiation, shared by all its exports.
  const fresh = freshenResources({ kind: 'instance', type: { exports } }, scope, new Set(subst.values()));
  scope.instances.push(fresh.kind === 'instance' ? fresh.type : { exports });
  return { kind: 'none' };
}

/**
 * Pairs the value types an import declares (directly, or as type exports of
 * an imported instance) with the supplied ones, so the instance's exports are
 * stated in the parent's own (named) types.
 */
function collectValueSubst(want: ExternDesc, got: ExternDesc, values: Map<ValType, ValType>): void {
  if (want.kind === 'type' && got.kind === 'type') {
    if (want.type.kind === 'value' && got.type.kind === 'value') values.set(want.type.type, got.type.type);
  } else if (want.kind === 'instance' && got.kind === 'instance' && want.type !== got.type) {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g !== undefined) collectValueSubst(w, g, values);
    }
  }
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

function validateAlias(d: Extract<Definition, { kind: 'alias' }>, scope: ComponentScope): NoInfo {
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
      const item = inst.get(a.name);
      if (item === undefined) invalid(`core instance ${a.instance} has no export named \`${a.name}\``, off);
      const sort = a.sort.slice('core '.length) as CoreSort;
      if (item.kind !== sort) invalid(`export \`${a.name}\` of core instance ${a.instance} is a ${item.kind}, not a ${sort}`, off);
      addCoreItem(scope, item);
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
