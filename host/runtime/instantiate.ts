/**
 * Instantiation of a validated component (Explainer.md "Instance Definitions"):
 * walks the definitions in order again, this time building runtime index
 * spaces: core instances from the modules compiled at validation, lifted and
 * lowered functions from host/abi, one ComponentInstance per component
 * instance and one ResourceType per resource definition per instance.
 */
import { LoadError, PluginInUseError, TrapError } from '../errors.ts';
import type { FuncType, ResourceTypeRef } from '../types.ts';
import type { CoreSort, Definition } from '../binary/ast.ts';
import type { ResolvedOptions, ValidatedComponent } from '../validate/validate.ts';
import { callingAbi } from '../validate/canon-options.ts';
import { makeSubst, substFuncType, substTypeEntry, type Subst, type TypeEntry } from '../validate/type-space.ts';
import {
  canonLift,
  canonLiftTask,
  canonLower,
  canonLowerTask,
  canonResourceDrop,
  canonResourceNew,
  canonResourceRep,
  ComponentInstance,
  flattenFuncType,
  hostFuncInst,
  promisingEntry,
  ResourceType,
  suspendingWhenBlocked,
  type CanonOptions,
  type FuncInst,
  type InstanceLimits,
  type Store,
} from '../abi/index.ts';
import { bindImportResources } from './import-matching.ts';
import { asyncModeOf, calleeMayBlock, canonBuiltin, suspensionFor, type AsyncMode } from './async-canon.ts';
import { isSuspendError } from '../abi/guard.ts';
import { requireMemory } from '../abi/requirements.ts';

/** A component function at runtime: its resolved type and how to call it from JS. */
export interface RuntimeFunc {
  readonly type: FuncType;
  readonly call: (...args: unknown[]) => unknown;
  /** For a lifted function: the instance a call runs in. */
  readonly inst?: ComponentInstance;
  /** For a function lifted with tasks: the spec's `FuncInst`, which other instances call it through. */
  readonly invoke?: FuncInst;
  /** For a function lifted with tasks: a JS call that can be cancelled (the spec's OnCancel). */
  readonly start?: (args: readonly unknown[], signal?: AbortSignal) => { readonly result: Promise<unknown>; requestCancellation(): void };
  /** `call` returns a Promise (async function types, and instances entered through JSPI). */
  readonly returnsPromise?: boolean;
}

export interface RuntimeComponent {
  readonly validated: ValidatedComponent;
  /** The scope the component was defined in, for its outer aliases. */
  readonly parent: RuntimeScope | undefined;
}

export type RuntimeItem =
  | { readonly kind: 'func'; readonly func: RuntimeFunc }
  /** A resource: this instance's runtime identity; any other type as validated (nothing at run time reads those). */
  | { readonly kind: 'type'; readonly entry: TypeEntry }
  | { readonly kind: 'instance'; readonly instance: RuntimeInstance }
  | { readonly kind: 'component'; readonly component: RuntimeComponent }
  | { readonly kind: 'module'; readonly module: WebAssembly.Module };

export type RuntimeInstance = ReadonlyMap<string, RuntimeItem>;

type CoreExports = Record<string, unknown>;

/** The runtime index spaces of one component instance. */
export interface RuntimeScope {
  readonly parent: RuntimeScope | undefined;
  readonly inst: ComponentInstance;
  /** Static resource identities (validation placeholders) → this instance's runtime ones. */
  readonly subst: ResourceSubst;
  /** The substitution last made from `subst`, and the version of `subst` it was made from (`substitutionOf`). */
  substitution: { readonly version: number; readonly subst: Subst } | undefined;
  readonly core: Record<'func' | 'table' | 'memory' | 'global' | 'tag', unknown[]>;
  readonly coreModules: WebAssembly.Module[];
  readonly coreInstances: CoreExports[];
  readonly funcs: RuntimeFunc[];
  readonly types: TypeEntry[];
  /** Validation's type index space for this component, to pair resource identities. */
  readonly staticTypes: readonly TypeEntry[];
  readonly components: RuntimeComponent[];
  readonly instances: RuntimeInstance[];
  /** Every ComponentInstance created under this one, so a plugin can be unloaded as a whole. */
  readonly allInstances: ComponentInstance[];
  /** The plugin's limits, given to every instance it creates. */
  readonly limits: InstanceLimits;
  /** definitions.py `store`: the plugin's, shared by every instance it creates (a trap ends all of them). */
  readonly store: Store;
  /** How this instance runs its calls (async-canon.ts); a lower may still switch it on before any lift. */
  mode: AsyncMode;
  /** A lift was made: the mode can no longer change. */
  lifted: boolean;
}

/**
 * Instantiates `vc` with `args` already converted to runtime items (keyed by
 * import name) and returns its exports.
 */
export function instantiateValidated(
  vc: ValidatedComponent,
  parent: RuntimeScope | undefined,
  args: ReadonlyMap<string, RuntimeItem>,
  name: string,
  allInstances: ComponentInstance[],
  limits: InstanceLimits,
  /** Where the instances' threads run (definitions.py `store`): one per plugin. */
  store: Store,
  /** The instance whose component instantiates this one (definitions.py `parent`). */
  parentInst?: ComponentInstance,
): RuntimeInstance {
  const inst = new ComponentInstance(name, limits, store);
  inst.parent = parentInst;
  allInstances.push(inst);
  const scope: RuntimeScope = {
    parent,
    inst,
    subst: new ResourceSubst(),
    substitution: undefined,
    core: { func: [], table: [], memory: [], global: [], tag: [] },
    coreModules: [],
    coreInstances: [],
    funcs: [],
    types: [],
    staticTypes: vc.types,
    components: [],
    instances: [],
    allInstances,
    limits,
    store,
    mode: asyncModeOf(vc),
    lifted: false,
  };
  inst.coreSuspension = scope.mode.suspension;
  inst.usesTasks = scope.mode.usesTasks;
  const exports = new Map<string, RuntimeItem>();
  const defs = vc.ast.definitions;
  // Nothing may enter an instance before its instantiation completes (a core
  // start function calling a lowered export of its own component traps, the
  // spec's may_enter); an instantiation that fails leaves it closed.
  inst.mayEnter = false;
  for (let i = 0; i < defs.length; i++) {
    const item = step(defs[i]!, i, vc, scope, args);
    if (item !== undefined) exports.set(item.name, item.item);
  }
  inst.mayEnter = true;
  return exports;
}

/**
 * A scope's map of resource identities, with a version that every `set`
 * changes: what a substitution made from it memoises holds only while the
 * map stays as it was.
 */
class ResourceSubst extends Map<ResourceTypeRef, ResourceTypeRef> {
  version = 0;

  override set(key: ResourceTypeRef, value: ResourceTypeRef): this {
    this.version++;
    return super.set(key, value);
  }
}

/**
 * The substitution of the scope's runtime resource identities, one for as
 * long as they stay the same, so a type used by many definitions (an
 * interface's instance type, a record) is rebuilt once per instantiation,
 * not once per definition.
 */
function substitutionOf(scope: RuntimeScope): Subst {
  const version = scope.subst.version;
  let s = scope.substitution;
  if (s === undefined || s.version !== version) scope.substitution = s = { version, subst: makeSubst(scope.subst) };
  return s.subst;
}

function typeName(vc: ValidatedComponent, typeIndex: number): string {
  return sortName(vc, 'type', typeIndex) ?? `resource${typeIndex}`;
}

/** The name the component's name section gives item `index` of `sort`, if any. */
function sortName(vc: ValidatedComponent, sort: string, index: number): string | undefined {
  for (const s of vc.ast.names?.sortNames ?? []) {
    if (s.sort === sort) {
      const n = s.names.get(index);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}

/**
 * Appends a runtime type and, when it is a resource, records which static
 * (validation-time) identity at the same index it stands for.
 */
function pushType(scope: RuntimeScope, entry: TypeEntry): void {
  const stat = scope.staticTypes[scope.types.length];
  if (stat !== undefined && stat.kind === 'resource' && entry.kind === 'resource' && stat.ref !== entry.ref) {
    scope.subst.set(stat.ref, entry.ref);
  }
  scope.types.push(entry);
}

function pushItem(scope: RuntimeScope, item: RuntimeItem): void {
  switch (item.kind) {
    case 'func':
      scope.funcs.push(item.func);
      break;
    case 'type':
      pushType(scope, item.entry);
      break;
    case 'instance':
      scope.instances.push(item.instance);
      break;
    case 'component':
      scope.components.push(item.component);
      break;
    case 'module':
      scope.coreModules.push(item.module);
      break;
  }
}

function itemOf(scope: RuntimeScope, sort: string, index: number): RuntimeItem {
  switch (sort) {
    case 'func':
      return { kind: 'func', func: scope.funcs[index]! };
    case 'type':
      return { kind: 'type', entry: scope.types[index]! };
    case 'instance':
      return { kind: 'instance', instance: scope.instances[index]! };
    case 'component':
      return { kind: 'component', component: scope.components[index]! };
    case 'core module':
      return { kind: 'module', module: scope.coreModules[index]! };
    default:
      // Validation rejected every other sort here.
      throw new LoadError('invalid', `a ${sort} cannot be used as a component-level item`);
  }
}

function coreItem(scope: RuntimeScope, sort: CoreSort, index: number): unknown {
  switch (sort) {
    case 'func':
    case 'table':
    case 'memory':
    case 'global':
    case 'tag':
      return scope.core[sort][index];
    default:
      throw new LoadError('invalid', `core ${sort} cannot be exported from a core instance`);
  }
}

/** The core type of a `callback` (definitions.py: event code, index, payload -> packed code). */
const CALLBACK_SIG = { params: ['i32', 'i32', 'i32'], results: ['i32'] } as const;

function options(scope: RuntimeScope, o: ResolvedOptions, withPostReturn: boolean): CanonOptions {
  const callback = o.callback === undefined ? undefined : (scope.core.func[o.callback] as NonNullable<CanonOptions['callback']>);
  return {
    memory: o.memory === undefined ? undefined : (scope.core.memory[o.memory] as WebAssembly.Memory),
    realloc: o.realloc === undefined ? undefined : (scope.core.func[o.realloc] as CanonOptions['realloc']),
    postReturn: withPostReturn && o.postReturn !== undefined ? (scope.core.func[o.postReturn] as CanonOptions['postReturn']) : undefined,
    stringEncoding: o.stringEncoding,
    async: o.async,
    // Entered through JSPI, the callback may suspend like the callee.
    callback: callback !== undefined && scope.mode.suspension === 'jspi' ? (promisingEntry(callback, CALLBACK_SIG) as NonNullable<CanonOptions['callback']>) : callback,
  };
}

/**
 * A function lifted without tasks (abi/lift.ts `canonLift`) whose closures
 * are compiled when `call` is first read, not at instantiation: a load
 * builds only what is used (an export's JS call chain reads `call` at its
 * first call, host/runtime/js-exports.ts `register`; a lower of it in
 * another instance of the component reads it at instantiation). Compiling
 * them was ~30% of a warm load's JS work and ~1/5 of what it allocated. Everything `canonLift` reads
 * is fixed by now (options, memory, the core function, the instance's
 * limits); the options' check is made here, so a load still fails where it did.
 */
class LiftedOnFirstUse implements RuntimeFunc {
  #call: ((...args: unknown[]) => unknown) | undefined = undefined;

  constructor(
    readonly type: FuncType,
    private readonly opts: CanonOptions,
    readonly inst: ComponentInstance,
    private readonly core: (...flat: unknown[]) => unknown,
    /**
     * `type` as validated: the same object at every instantiation of a cached
     * component, where `type` is made anew when it mentions resources, so
     * requireMemory's memo (per type object) answers; resources flatten
     * alike whatever instance they belong to.
     */
    declared: FuncType,
  ) {
    requireMemory(declared, opts, 'lift');
  }

  get call(): (...args: unknown[]) => unknown {
    return (this.#call ??= canonLift(this.type, this.opts, this.inst, this.core));
  }
}

function enteringRelativeTraps(inst: ComponentInstance, callee: ComponentInstance): () => never {
  return () => {
    const t = new TrapError(`cannot enter component instance ${callee.name} from ${inst.name}: calls between an instance and its ancestors are not allowed`);
    inst.poison(t);
    throw t;
  };
}

/**
 * A lower whose callee may return a Promise needs this instance to use tasks
 * (and, lowered synchronously, JSPI): switched on here when no lift was made
 * yet, refused otherwise.
 */
function requireModeFor(scope: RuntimeScope, ft: FuncType, f: RuntimeFunc, sync: boolean, offset: number): void {
  const mode = scope.mode;
  const needTasks = f.returnsPromise === true || ft.async;
  const mayBlockInCore = sync && calleeMayBlock(ft, f);
  if ((!needTasks || mode.usesTasks) && (!mayBlockInCore || mode.suspension !== 'not-needed')) return;
  if (scope.lifted) {
    throw new LoadError('unsupported', 'a canon lower of a function that may block, after this instance already lifted functions without tasks', offset);
  }
  scope.mode = { usesTasks: true, suspension: mayBlockInCore ? suspensionFor(true) : mode.suspension };
  scope.inst.coreSuspension = scope.mode.suspension;
  scope.inst.usesTasks = true;
}

/** The names of the memories each core module exports, read once per module (the compile cache keeps modules). */
const memoryExports = new WeakMap<WebAssembly.Module, readonly string[]>();

function exportedMemories(module: WebAssembly.Module): readonly string[] {
  let names = memoryExports.get(module);
  if (names === undefined) {
    names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'memory').map((e) => e.name);
    memoryExports.set(module, names);
  }
  return names;
}

function instantiateCore(module: WebAssembly.Module, imports: WebAssembly.Imports, offset: number): CoreExports {
  try {
    return new WebAssembly.Instance(module, imports).exports as CoreExports;
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) throw new LoadError('unlinkable', `core instantiation failed: ${e.message}`, offset, { cause: e });
    if (e instanceof WebAssembly.RuntimeError) throw new TrapError(`core instantiation trapped (data/element segment out of bounds, or the start function): ${e.message}`, { cause: e });
    // A start function calling into its own component before instantiation completes is refused
    // (may_enter); the refusal unwinds the start function, so the instantiation itself traps.
    if (e instanceof PluginInUseError) throw new TrapError(`core instantiation trapped: its start function called in too early: ${e.message}`, { cause: e });
    // A start function runs outside any task: blocking there (JSPI refuses to suspend) is a trap.
    if (isSuspendError(e)) throw new TrapError(`core instantiation trapped: its start function tried to block: cannot block a synchronous task before returning`, { cause: e });
    throw e;
  }
}

function step(
  d: Definition,
  index: number,
  vc: ValidatedComponent,
  scope: RuntimeScope,
  args: ReadonlyMap<string, RuntimeItem>,
): { name: string; item: RuntimeItem } | undefined {
  const info = vc.info[index]!;
  switch (d.kind) {
    case 'core-module':
      if (info.kind === 'core-module') scope.coreModules.push(info.module);
      return undefined;
    case 'core-instance': {
      const e = d.expr;
      if (e.kind === 'instantiate') {
        const imports: WebAssembly.Imports = {};
        for (const a of e.args) imports[a.name] = scope.coreInstances[a.instance] as WebAssembly.ModuleImports;
        const module = scope.coreModules[e.module]!;
        const core = instantiateCore(module, imports, d.offset);
        for (const name of exportedMemories(module)) {
          const memory = core[name] as WebAssembly.Memory;
          if (!scope.inst.memories.includes(memory)) scope.inst.memories.push(memory);
        }
        scope.coreInstances.push(core);
      } else {
        const o: CoreExports = {};
        for (const x of e.exports) o[x.name] = coreItem(scope, x.sort, x.index);
        scope.coreInstances.push(o);
      }
      return undefined;
    }
    case 'core-type':
      return undefined;
    case 'component':
      if (info.kind === 'component') scope.components.push({ validated: info.component, parent: scope });
      return undefined;
    case 'instance': {
      const e = d.expr;
      if (e.kind === 'exports') {
        const m = new Map<string, RuntimeItem>();
        for (const x of e.exports) m.set(x.name.name, itemOf(scope, x.item.sort, x.item.index));
        scope.instances.push(m);
      } else {
        const c = scope.components[e.component]!;
        const childArgs = new Map<string, RuntimeItem>();
        for (const a of e.args) childArgs.set(a.name, itemOf(scope, a.item.sort, a.item.index));
        scope.instances.push(instantiateValidated(c.validated, c.parent, childArgs, `${scope.inst.name}/instance${scope.instances.length}`, scope.allInstances, scope.limits, scope.store, scope.inst));
      }
      return undefined;
    }
    case 'alias': {
      const a = d.alias;
      if (a.kind === 'export') {
        pushItem(scope, scope.instances[a.instance]!.get(a.name)!);
      } else if (a.kind === 'core-export') {
        const sort = a.sort.slice('core '.length) as 'func' | 'table' | 'memory' | 'global' | 'tag';
        scope.core[sort].push(scope.coreInstances[a.instance]![a.name]);
      } else {
        let target: RuntimeScope = scope;
        for (let i = 0; i < a.count; i++) target = target.parent!;
        if (a.sort === 'type') pushType(scope, target.types[a.index]!);
        else if (a.sort === 'component') scope.components.push(target.components[a.index]!);
        else if (a.sort === 'core module') scope.coreModules.push(target.coreModules[a.index]!);
        // `core type` aliases have no runtime content.
      }
      return undefined;
    }
    case 'type': {
      if (info.kind !== 'type') return undefined;
      if (d.type.kind === 'resource' && info.entry.kind === 'resource') {
        const dtorIdx = d.type.dtor;
        const dtor = dtorIdx === undefined ? undefined : (scope.core.func[dtorIdx] as (rep: number) => void);
        const rt = new ResourceType(typeName(vc, scope.types.length), scope.inst, dtor);
        pushType(scope, { kind: 'resource', ref: rt });
      } else if (info.entry.kind === 'resource') {
        pushType(scope, substTypeEntry(info.entry, substitutionOf(scope)));
      } else {
        // Value, function, instance and component types keep their validated form: what runs reads
        // only resource entries (pushType's pairing, bindImportResources, the exported classes), and
        // substituting every type definition anew was ~12% of what a warm load allocated.
        pushType(scope, info.entry);
      }
      return undefined;
    }
    case 'canon': {
      const c = d.canon;
      if (c.kind === 'lift' && info.kind === 'lift') {
        const ft = substFuncType(info.type, substitutionOf(scope));
        const core = scope.core.func[c.coreFunc] as (...flat: unknown[]) => unknown;
        scope.lifted = true;
        const { usesTasks, suspension } = scope.mode;
        if (usesTasks) {
          const callee = suspension === 'jspi' ? promisingEntry(core, flattenFuncType(ft, 'lift', callingAbi(info.options))) : core;
          const lifted = canonLiftTask(ft, options(scope, info.options, true), scope.inst, callee, { suspension });
          scope.funcs.push({ type: ft, call: lifted.call, inst: scope.inst, invoke: lifted.invoke, start: lifted.start, returnsPromise: lifted.returnsPromise });
        } else {
          scope.funcs.push(new LiftedOnFirstUse(ft, options(scope, info.options, true), scope.inst, core, info.type));
        }
      } else if (c.kind === 'lower' && info.kind === 'lower') {
        const f = scope.funcs[c.func]!;
        if (f.inst !== undefined && f.inst !== scope.inst && (scope.inst.isSelfOrAncestor(f.inst) || f.inst.isSelfOrAncestor(scope.inst))) {
          // Calls between an instance and its ancestors trap, for now, as the reference tests require (trap-on-reenter.wast).
          scope.core.func.push(enteringRelativeTraps(scope.inst, f.inst));
          return undefined;
        }
        requireModeFor(scope, f.type, f, !info.options.async, d.offset);
        const o = options(scope, info.options, false);
        if (scope.mode.usesTasks) {
          const what = `\`${sortName(vc, 'func', c.func) ?? `func ${c.func}`}\``;
          const callee: FuncInst = f.invoke ?? hostFuncInst(f.type, f.call, what);
          const suspends = scope.mode.suspension === 'jspi' && !info.options.async && calleeMayBlock(f.type, f);
          const lowered = canonLowerTask(f.type, o, scope.inst, callee, { suspends, what });
          scope.core.func.push(suspends ? suspendingWhenBlocked(lowered, flattenFuncType(f.type, 'lower')) : lowered);
        } else {
          scope.core.func.push(canonLower(f.type, o, scope.inst, f.call));
        }
      } else if (info.kind === 'builtin') {
        scope.core.func.push(
          canonBuiltin(
            info.builtin,
            {
              inst: scope.inst,
              mode: scope.mode,
              memory: (i) => scope.core.memory[i] as WebAssembly.Memory,
              table: (i) => scope.core.table[i] as WebAssembly.Table,
              canonOptions: (o) => options(scope, o, false),
              subst: scope.subst,
            },
            d.offset,
          ),
        );
      } else if (info.kind === 'resource') {
        const rt = scope.subst.get(info.ref) ?? info.ref;
        if (!(rt instanceof ResourceType)) throw new LoadError('unlinkable', `resource type ${rt.name} has no runtime identity`, d.offset);
        const make = c.kind === 'resource.new' ? canonResourceNew : c.kind === 'resource.drop' ? canonResourceDrop : canonResourceRep;
        scope.core.func.push(make(rt, scope.inst));
      }
      return undefined;
    }
    case 'import': {
      if (info.kind !== 'import') return undefined;
      const got = args.get(d.name.name);
      if (got === undefined) throw new LoadError('unlinkable', `missing import \`${d.name.name}\``, d.offset);
      bindImportResources(info.desc, got, scope.subst, d.name.name);
      pushItem(scope, got);
      return undefined;
    }
    case 'export': {
      const item = itemOf(scope, d.item.sort, d.item.index);
      pushItem(scope, item);
      return { name: d.name.name, item };
    }
    case 'start':
    case 'value':
      // Rejected by validation.
      return undefined;
  }
}
