/**
 * Instantiation of a validated component (Explainer.md "Instance Definitions"):
 * walks the definitions in order again (as steps prepared once per
 * component, `planOf`), this time building runtime index spaces: core instances from the modules compiled at validation, lifted and
 * lowered functions from host/abi, one ComponentInstance per component
 * instance and one ResourceType per resource definition per instance.
 */
import { LoadError, PluginInUseError, TrapError } from '../errors.ts';
import type { FuncType, ResourceTypeRef } from '../types.ts';
import type { Canon, CoreSort, Definition } from '../binary/ast.ts';
import type { DefInfo, ResolvedOptions, ValidatedComponent } from '../validate/validate.ts';
import { callingAbi } from '../validate/canon-options.ts';
import { makeSubst, substFuncType, substTypeEntry, type ExternDesc, type Subst, type TypeEntry } from '../validate/type-space.ts';
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
import { bindImportResources, bindsResources, mentionsResources } from './import-matching.ts';
import { HOST_INSTANCE } from './host-resources.ts';
import { keepShape } from '../shape-anchors.ts';
import { LiftLowerContext } from '../abi/context.ts';
import { asyncModeOf, calleeMayBlock, canonBuiltin, suspensionFor, type AsyncMode } from './async-canon.ts';
import { isStackOverflow, isSuspendError } from '../abi/guard.ts';
import { requireMemory, usesMemory } from '../abi/requirements.ts';
import { countInstantiation, factsOf, type ModuleFacts } from './core-module-facts.ts';
import { compileRefusedHere, engineMessage, runsNoCodeWhenInstantiated } from '../validate/core-compile.ts';
import { refusedSynchronously, type AsyncEngineWork } from '../sync-refusal.ts';

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
  /**
   * `call` is a linked plugin's export reached through its cell (plugin.ts
   * `linkExport`): host code that hands its arguments to the export's borrow
   * rules and lifted function only, and keeps none of them, so a value lent
   * to one of its calls is seen by nothing else (lower.ts `directLift`).
   */
  readonly linked?: boolean;
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
  /** Which core instantiations may wait (`instantiateStarted`): 'never' under the synchronous driver. */
  readonly route: AsyncEngineWork;
}

/**
 * Instantiates `vc` with `args` already converted to runtime items (keyed by
 * import name) and returns its exports: its plan's steps, run by one driver
 * (`runSteps`). With `route` 'never' every core module is instantiated
 * synchronously (a refusal is final) and the result is never a Promise;
 * `load` and `reload` pass 'when-refused' (sync-refusal.ts: only a core
 * instantiation the engine refuses to do synchronously on this thread is
 * done asynchronously), and the driver goes on once it settled. Synchronous
 * (no Promise) when no step waited. While it waits, every instance it made
 * so far stays closed (`mayEnter` false: only the core start functions run,
 * as they would synchronously); whoever gets a Promise must not let anything
 * reach those instances when it rejects.
 */
export function instantiateStarted(
  vc: ValidatedComponent,
  parent: RuntimeScope | undefined,
  args: ReadonlyMap<string, RuntimeItem>,
  name: string,
  allInstances: ComponentInstance[],
  limits: InstanceLimits,
  /** Where the instances' threads run (definitions.py `store`): one per plugin. */
  store: Store,
  /** The instance whose component instantiates this one (definitions.py `parent`). */
  parentInst: ComponentInstance | undefined,
  route: AsyncEngineWork,
): RuntimeInstance | Promise<RuntimeInstance> {
  const inst = new ComponentInstance(name, limits, store);
  inst.parent = parentInst;
  allInstances.push(inst);
  const mode = asyncModeOf(vc);
  inst.coreSuspension = mode.suspension;
  inst.usesTasks = mode.usesTasks;
  const exports = new Map<string, RuntimeItem>();
  const forwarding = forwardingOf(vc);
  // Nothing may enter an instance before its instantiation completes (a core
  // start function calling a lowered export of its own component traps, the
  // spec's may_enter); an instantiation that fails leaves it closed.
  inst.mayEnter = false;
  if (forwarding !== null) {
    forward(forwarding, args, exports);
  } else {
    const scope = newScope(parent, inst, vc.types, allInstances, limits, store, mode, route);
    const waiting = runSteps(planOf(vc), 0, scope, args, exports);
    if (waiting !== undefined) {
      return waiting.then(() => {
        inst.mayEnter = true;
        return exports;
      });
    }
  }
  inst.mayEnter = true;
  return exports;
}

/**
 * The one driver of a plan's steps, from step `from`: synchronously while
 * no step returns a Promise (only a core instantiation the scope's route
 * lets wait does), then the rest once it settled; a step's failure, thrown
 * or rejected, ends the run.
 */
function runSteps(plan: readonly Step[], from: number, scope: RuntimeScope, args: ReadonlyMap<string, RuntimeItem>, exports: Map<string, RuntimeItem>): Promise<void> | undefined {
  for (let i = from; i < plan.length; i++) {
    const waiting = plan[i]!(scope, args, exports);
    if (waiting !== undefined) return stepsAfter(waiting, plan, i + 1, scope, args, exports);
  }
  return undefined;
}

/**
 * `runSteps` from step `next` once `waiting` settled. Its own function: a closure made in
 * `runSteps`' loop would capture the loop's `let i`, for which V8 (Node 20, V8 11.3) allocates a
 * block context at every iteration, waited or not (callgrind: +28K instructions per warm load of
 * the types example, ~7% of its instantiation).
 */
function stepsAfter(waiting: Promise<void>, plan: readonly Step[], next: number, scope: RuntimeScope, args: ReadonlyMap<string, RuntimeItem>, exports: Map<string, RuntimeItem>): Promise<void> {
  return waiting.then(() => runSteps(plan, next, scope, args, exports));
}

/**
 * A component made only of imports, exports and types that keep their
 * validated form (wit-component wraps each exported interface in one, to
 * give the core module's functions and the resource types the interface's
 * names and types): its instance's exports are its arguments, each under the
 * name that exports it. Resolved once per validated component from its
 * definitions (the index spaces followed to each export's source), so an
 * instantiation checks each argument as an import step does
 * (`importedItem`) and sets the exports, with no index spaces to fill (an
 * SDK plugin's were ~3/4 of its inner component's instantiation: kv's
 * defines 34 imports, 34 exports and 104 types).
 */
interface Forwarding {
  readonly imports: readonly { readonly name: string; readonly desc: ExternDesc; readonly offset: number; readonly binds: boolean }[];
  /** Each export's name and source: the import at index `from` in `imports`, or (`from` -1) the type entry as validated. */
  readonly exports: readonly { readonly name: string; readonly from: number; readonly entry: TypeEntry | undefined }[];
}

/** `forwardingOf`'s answer per validated component (null: not a forwarding component, `planOf` instantiates it). */
const forwardings = new WeakMap<ValidatedComponent, Forwarding | null>();

function forwardingOf(vc: ValidatedComponent): Forwarding | null {
  let f = forwardings.get(vc);
  if (f === undefined) forwardings.set(vc, (f = resolveForwarding(vc)));
  return f;
}

/** Where each item of an index space comes from, as `forward` reads it. */
type Source = { readonly from: number; readonly entry: TypeEntry | undefined };

function resolveForwarding(vc: ValidatedComponent): Forwarding | null {
  const imports: { name: string; desc: ExternDesc; offset: number; binds: boolean }[] = [];
  const exports: { name: string; from: number; entry: TypeEntry | undefined }[] = [];
  // The index spaces an instantiation would fill (`pushItem`, keyed by item kind), by source.
  const spaces = new Map<string, Source[]>();
  const space = (kind: string): Source[] => {
    let sp = spaces.get(kind);
    if (sp === undefined) spaces.set(kind, (sp = []));
    return sp;
  };
  const defs = vc.ast.definitions;
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i]!;
    const info = vc.info[i]!;
    if (d.kind === 'core-type') continue;
    const kept = keptType(d, info);
    if (kept !== undefined) {
      space('type').push({ from: -1, entry: kept });
    } else if (d.kind === 'import' && info.kind === 'import' && itemKinds.has(info.desc.kind)) {
      space(info.desc.kind).push({ from: imports.length, entry: undefined });
      imports.push({ name: d.name.name, desc: info.desc, offset: d.offset, binds: bindsResources(info.desc) });
    } else if (d.kind === 'export') {
      const kind = itemKindOf(d.item.sort);
      const src = kind === undefined ? undefined : spaces.get(kind)?.[d.item.index];
      if (kind === undefined || src === undefined) return null;
      space(kind).push(src);
      exports.push({ name: d.name.name, from: src.from, entry: src.entry });
    } else {
      return null;
    }
  }
  return { imports, exports };
}

/** The runtime item kinds an import brings (`RuntimeItem['kind']`, named as the import's extern kind). */
const itemKinds: ReadonlySet<string> = new Set(['func', 'type', 'instance', 'component', 'module']);

/** The runtime item kind of a component-level sort (`itemOf`'s), or undefined for a sort that names none. */
function itemKindOf(sort: string): RuntimeItem['kind'] | undefined {
  switch (sort) {
    case 'func':
    case 'type':
    case 'instance':
    case 'component':
      return sort;
    case 'core module':
      return 'module';
    default:
      return undefined;
  }
}

function forward(f: Forwarding, args: ReadonlyMap<string, RuntimeItem>, exports: Map<string, RuntimeItem>): void {
  const got: RuntimeItem[] = [];
  // What bindImportResources pairs is read only by definitions a forwarding component has none of.
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  const imports = f.imports;
  for (let i = 0; i < imports.length; i++) {
    const im = imports[i]!;
    got.push(importedItem(args, im.name, im.desc, im.offset, im.binds, subst));
  }
  const out = f.exports;
  for (let i = 0; i < out.length; i++) {
    const x = out[i]!;
    exports.set(x.name, x.from >= 0 ? got[x.from]! : { kind: 'type', entry: x.entry! });
  }
}

/**
 * The argument for import `name` (declared as `desc`): present, of the kind
 * declared, its resources paired with the ones declared (`bindImportResources`;
 * `binds`: `bindsResources(desc)`, decided with the plan).
 */
function importedItem(
  args: ReadonlyMap<string, RuntimeItem>,
  name: string,
  desc: ExternDesc,
  offset: number,
  binds: boolean,
  subst: Map<ResourceTypeRef, ResourceTypeRef>,
): RuntimeItem {
  const got = args.get(name);
  if (got === undefined) throw new LoadError('unlinkable', `missing import \`${name}\``, offset);
  if (binds) bindImportResources(desc, got, subst, name);
  // Validation matched every argument with its import; a function, component or module of another kind would be filed in the wrong index space.
  if (got.kind !== desc.kind) throw new LoadError('unlinkable', `import \`${name}\` must be a ${desc.kind}, got a ${got.kind}`, offset);
  return got;
}

/**
 * A scope with empty index spaces. Each array is made on its own and the
 * literals hold only names: V8 copies an object literal that has literals
 * inside it (`core: { func: [], … }`) through the runtime, walking and
 * copying every nested literal with its allocation site, ~5K instructions
 * per instantiation (two per load of an SDK plugin) where copying a flat
 * literal is one builtin call.
 */
function newScope(
  parent: RuntimeScope | undefined,
  inst: ComponentInstance,
  staticTypes: readonly TypeEntry[],
  allInstances: ComponentInstance[],
  limits: InstanceLimits,
  store: Store,
  mode: AsyncMode,
  route: AsyncEngineWork,
): RuntimeScope {
  const func: unknown[] = [];
  const table: unknown[] = [];
  const memory: unknown[] = [];
  const global: unknown[] = [];
  const tag: unknown[] = [];
  const core = { func, table, memory, global, tag };
  const coreModules: WebAssembly.Module[] = [];
  const coreInstances: CoreExports[] = [];
  const funcs: RuntimeFunc[] = [];
  const types: TypeEntry[] = [];
  const components: RuntimeComponent[] = [];
  const instances: RuntimeInstance[] = [];
  const subst = new ResourceSubst();
  return {
    parent,
    inst,
    subst,
    substitution: undefined,
    core,
    coreModules,
    coreInstances,
    funcs,
    types,
    staticTypes,
    components,
    instances,
    allInstances,
    limits,
    store,
    mode,
    lifted: false,
    route,
  };
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
 * not once per definition. It holds a copy of the identities as they are
 * now: a lifted function's type is substituted at its first use
 * (`LiftedOnFirstUse`), after later definitions added theirs.
 */
function substitutionOf(scope: RuntimeScope): Subst {
  const version = scope.subst.version;
  let s = scope.substitution;
  if (s === undefined || s.version !== version) scope.substitution = s = { version, subst: makeSubst(new Map(scope.subst)) };
  return s.subst;
}

function typeName(vc: ValidatedComponent, typeIndex: number): string {
  return sortName(vc, 'type', typeIndex) ?? `resource${typeIndex}`;
}

/** The name the component's name section gives item `index` of `sort`, if any. */
function sortName(vc: ValidatedComponent, sort: string, index: number): string | undefined {
  return sortNamesOf(vc, sort).get(index);
}

/** Per validated component (the compile cache keeps them), its name section's names per sort. */
const sortNames = new WeakMap<ValidatedComponent, Map<string, ReadonlyMap<number, string>>>();

/**
 * The names the name section gives items of `sort`, the first of each index where several
 * subsections name it, merged once per component: each load named every resource type it made.
 */
function sortNamesOf(vc: ValidatedComponent, sort: string): ReadonlyMap<number, string> {
  let bySort = sortNames.get(vc);
  if (bySort === undefined) sortNames.set(vc, (bySort = new Map()));
  let names = bySort.get(sort);
  if (names === undefined) {
    const merged = new Map<number, string>();
    for (const s of vc.ast.names?.sortNames ?? []) {
      if (s.sort !== sort) continue;
      for (const [index, name] of s.names) if (!merged.has(index)) merged.set(index, name);
    }
    bySort.set(sort, (names = merged));
  }
  return names;
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

/**
 * Options naming nothing, both as validated and as made: for the memory check of a lift that names
 * no memory (`requireMemory` reads only `memory`), and for the shape anchors below.
 */
const NO_MEMORY: CanonOptions & ResolvedOptions = { memory: undefined, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8', async: false, callback: undefined };

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
 * is fixed by now: the core function, the instance's limits, and the canonical
 * options, made at the first use too from the lifting scope (`options`: its core
 * index spaces only grow, so they still hold the items the lift named, and its
 * mode no longer changes once a lift was made). The options' check is made at
 * the lift (canonStep), so a load still fails where it did.
 */
class LiftedOnFirstUse implements RuntimeFunc {
  // Every field is assigned once, in the constructor (`declare`: no class field). A class field, or a
  // parameter property, is defined first by the class's members initializer (one more call per object,
  // a define per field) and then assigned by the constructor: each load makes one of these per lift
  // (kv: 28, shapes: 14), and V8 ran that initializer each time (~870 instructions, of ~1.6K per object).
  /**
   * The type as validated: the same object at every instantiation of a cached
   * component, so requireMemory's memo (per type object) answers; resources
   * flatten alike whatever instance they belong to.
   */
  declare readonly declared: FuncType;
  /** What async-calls.ts `returnsPromise` reads from the type otherwise (`async`, which substitution keeps): set here so the face need not make the type. */
  declare readonly returnsPromise: boolean;
  /**
   * This instance's resource identities for `declared` (`substitutionOf`: a copy made
   * at the lift, so the type is the one an eager substitution gave), or undefined when
   * `declared` mentions no resource. Substituting every lifted type at instantiation
   * was ~8% of a kv warm load; the face needs only its arity (`paramCount`).
   */
  declare private readonly subst: Subst | undefined;
  /** The lift's options as validated; made into CanonOptions from `scope` at the first use. */
  declare private readonly resolved: ResolvedOptions;
  /** The lifting instance's runtime index spaces (making the options at every lift was ~1/4 of a lift step's work). */
  declare private readonly scope: RuntimeScope;
  declare private readonly core: (...flat: unknown[]) => unknown;
  /** `call`, once made. */
  declare private lifted: ((...args: unknown[]) => unknown) | undefined;
  /** `type`, once made. */
  declare private substituted: FuncType | undefined;

  constructor(declared: FuncType, subst: Subst | undefined, resolved: ResolvedOptions, scope: RuntimeScope, core: (...flat: unknown[]) => unknown) {
    this.declared = declared;
    this.returnsPromise = declared.async;
    this.subst = subst;
    this.resolved = resolved;
    this.scope = scope;
    this.core = core;
    this.lifted = undefined;
    this.substituted = undefined;
  }

  get inst(): ComponentInstance {
    return this.scope.inst;
  }

  /** The type with this instance's resource identities, made at its first use. */
  get type(): FuncType {
    return (this.substituted ??= this.subst === undefined ? this.declared : substFuncType(this.declared, this.subst));
  }

  get call(): (...args: unknown[]) => unknown {
    return (this.lifted ??= canonLift(this.type, options(this.scope, this.resolved, true), this.scope.inst, this.core));
  }
}

/**
 * How many parameters `f` takes, read without making a lifted function's
 * type (substitution keeps the parameters, it only replaces resource identities).
 */
export function paramCount(f: RuntimeFunc): number {
  return (f instanceof LiftedOnFirstUse ? f.declared : f.type).params.length;
}

// One object of each class every instantiation makes and unload lets go of (shape-anchors.ts).
keepShape(new ResourceSubst());
// A canon lower's, made at instantiation (lowered imports; a lift's at its first call).
keepShape(new LiftLowerContext(NO_MEMORY, HOST_INSTANCE));
// With its DefaultResourceBinding.
keepShape(new ResourceType('shape anchor', HOST_INSTANCE, undefined));
keepShape(
  new LiftedOnFirstUse(
    { async: false, params: [], result: undefined },
    undefined,
    NO_MEMORY,
    newScope(undefined, HOST_INSTANCE, [], [], { maxHandles: 0, maxLiftBytes: 0 }, HOST_INSTANCE.store, { usesTasks: false, suspension: 'not-needed' }, 'never'),
    () => undefined,
  ),
);

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

/**
 * A core instance of `module`: made synchronously; or, where `route` lets
 * it wait, by `WebAssembly.instantiate` (always; or, for 'when-refused', a
 * module whose synchronous compile the engine refused on this thread, whose
 * synchronous instantiation it refuses by the same test: sync-refusal.ts; or
 * when it refused the synchronous call), whose verdict is final. Fails the
 * same way either way (`coreInstantiationFailure`).
 */
function instantiateCore(module: WebAssembly.Module, imports: WebAssembly.Imports, offset: number, route: AsyncEngineWork): CoreExports | Promise<CoreExports> {
  if (route === 'never' || (route === 'when-refused' && !compileRefusedHere(module))) {
    try {
      return new WebAssembly.Instance(module, imports).exports as CoreExports;
    } catch (e) {
      // A refusal only where the failed call cannot have run anything: a RangeError is also what a
      // start function that overflows the stack throws, after calling out or writing to imported
      // memories, which a second run would do again. Nothing ran for a module without a start
      // function (core-compile.ts), nor for one whose compile was refused here (Blink refuses its
      // instantiation by the same test, before running anything; only the synchronous entry points
      // try it). Otherwise the engine's error, as before.
      const refused = refusedSynchronously(e) && (runsNoCodeWhenInstantiated(module) || compileRefusedHere(module));
      if (route === 'never' || !refused) throw coreInstantiationFailure(e, offset, refused);
    }
  }
  return WebAssembly.instantiate(module, imports).then(
    (instance) => instance.exports as CoreExports,
    (e: unknown) => {
      throw coreInstantiationFailure(e, offset, false);
    },
  );
}

/**
 * What a core instantiation's failure is to the caller, whichever API made
 * it (the engine's message without the API's name, `engineMessage`);
 * `refusedHere`: the engine refused to instantiate synchronously on this
 * thread where nothing may wait (the synchronous entry points).
 */
function coreInstantiationFailure(e: unknown, offset: number, refusedHere: boolean): unknown {
  if (e instanceof WebAssembly.LinkError) return new LoadError('unlinkable', `core instantiation failed: ${engineMessage(e)}`, offset, { cause: e });
  if (e instanceof WebAssembly.RuntimeError) return new TrapError(`core instantiation trapped (data/element segment out of bounds, or the start function): ${engineMessage(e)}`, { cause: e });
  // As a call's stack overflow is (guard.ts `trapped`): the start function exhausted the call stack.
  if (isStackOverflow(e)) return new TrapError(`core instantiation trapped: its start function exhausted the call stack: ${e.message}`, { cause: e });
  // A start function calling into its own component before instantiation completes is refused
  // (may_enter); the refusal unwinds the start function, so the instantiation itself traps.
  if (e instanceof PluginInUseError) return new TrapError(`core instantiation trapped: its start function called in too early: ${e.message}`, { cause: e });
  // A start function runs outside any task: blocking there (JSPI refuses to suspend) is a trap.
  if (isSuspendError(e)) return new TrapError(`core instantiation trapped: its start function tried to block: cannot block a synchronous task before returning`, { cause: e });
  if (refusedHere) {
    return new LoadError(
      'unsupported',
      `core instantiation: this JavaScript engine will not instantiate this module synchronously on this thread (a browser's main thread: over 8 MB); \`load\` instantiates it asynchronously, or load it in a worker: ${engineMessage(e)}`,
      offset,
      { cause: e },
    );
  }
  return e;
}

/** Keeps a core instance made by a step: its memories are the component instance's, its exports the next index. */
function keepCoreInstance(scope: RuntimeScope, facts: ModuleFacts, core: CoreExports): void {
  for (const name of facts.memories) {
    const memory = core[name] as WebAssembly.Memory;
    if (!scope.inst.memories.includes(memory)) scope.inst.memories.push(memory);
  }
  scope.coreInstances.push(core);
}

/**
 * An object for names known only at run time that only the engine and this
 * module read (a core instantiation's import object, a core instance made of
 * exports): without a prototype and in dictionary mode from the start, so
 * filling it makes no hidden class. Built with `{}`, each new name is a
 * hidden class transition, which V8 holds weakly: after a full GC found no
 * live object of those classes, every instantiation made them again, and
 * right after a GC that costs microseconds per class (shape-anchors.ts).
 */
function keyedObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/**
 * One definition's work at instantiation (Explainer.md "Instance
 * Definitions"), prepared once per validated component by `planOf`:
 * `exports` receives the component's exports. Only a core instantiation,
 * and an instance step whose component has one, may return a Promise
 * (`runSteps`), and only where `scope.route` lets it wait.
 */
type Step = (scope: RuntimeScope, args: ReadonlyMap<string, RuntimeItem>, exports: Map<string, RuntimeItem>) => void | Promise<void>;

/**
 * Per validated component (the compile cache keeps them, so every warm load
 * of the same bytes finds its plan; a component of other bytes is another
 * object), the steps of an instantiation: what depends on the definitions
 * alone (which kind of definition, which branch, names, indices, whether a
 * lifted type mentions resources) is decided once; each step does only the
 * per-instance work. Dispatching on the definition at every load (string
 * compares, a closure context per definition) was ~70% of instantiation's
 * own JS work for the 1.1 MB bench component.
 */
const plans = new WeakMap<ValidatedComponent, readonly Step[]>();

function planOf(vc: ValidatedComponent): readonly Step[] {
  let plan = plans.get(vc);
  if (plan === undefined) {
    const steps: Step[] = [];
    const defs = vc.ast.definitions;
    // Consecutive definitions of types that keep their validated form (`keptType`) are one step, of at most TYPES_PER_STEP.
    let run: TypeEntry[] = [];
    for (let i = 0; i < defs.length; i++) {
      const kept = keptType(defs[i]!, vc.info[i]!);
      if (kept !== undefined) {
        run.push(kept);
        if (run.length === TYPES_PER_STEP) {
          steps.push(pushTypes(run));
          run = [];
        }
        continue;
      }
      if (run.length > 0) steps.push(pushTypes(run));
      run = [];
      const s = stepFor(defs[i]!, vc.info[i]!, vc);
      if (s !== undefined) steps.push(s);
    }
    if (run.length > 0) steps.push(pushTypes(run));
    plans.set(vc, (plan = steps));
  }
  return plan;
}

/**
 * The entry of a type definition that keeps its validated form at run time (a value, function,
 * instance or component type: what runs reads only resource entries, `stepFor`'s `type` case), or
 * undefined for any other definition. Such an entry is never a resource, so `pushType` only appends it.
 */
function keptType(d: Definition, info: DefInfo): TypeEntry | undefined {
  if (d.kind !== 'type' || info.kind !== 'type' || info.entry.kind === 'resource') return undefined;
  return info.entry;
}

/**
 * The most entries one `pushTypes` step appends: it passes them as the arguments of one call, and a
 * call with ~200K arguments exhausts the stack (Node 20); 1024 take ~8 KB of it.
 */
const TYPES_PER_STEP = 1024;

/**
 * One step for a run of `keptType` definitions: a step each cost a call and a `pushType` per
 * definition at every load, and an SDK component defines a hundred or more (kv: 139, counting its
 * inner component's). The run is appended by one `push` of all its entries: the loads run in V8's
 * baseline (Sparkplug) code, where a `push` per entry was a builtin call each (callgrind, warm loads
 * after gc(): kv's 27 runs of 139 entries cost 25.5K instructions, ~10K less with one call per run).
 */
function pushTypes(entries: readonly TypeEntry[]): Step {
  return (scope) => {
    scope.types.push(...entries);
  };
}

/** The step of definition `d` (validated as `info`), or undefined when it has no runtime content. */
function stepFor(d: Definition, info: DefInfo, vc: ValidatedComponent): Step | undefined {
  switch (d.kind) {
    case 'core-module': {
      if (info.kind !== 'core-module') return undefined;
      const module = info.module;
      return (scope) => {
        scope.coreModules.push(module);
      };
    }
    case 'core-instance': {
      const e = d.expr;
      const offset = d.offset;
      if (e.kind === 'instantiate') {
        const moduleIndex = e.module;
        const importArgs = e.args;
        return (scope) => {
          const imports = keyedObject() as WebAssembly.Imports;
          for (const a of importArgs) imports[a.name] = scope.coreInstances[a.instance] as WebAssembly.ModuleImports;
          const module = scope.coreModules[moduleIndex]!;
          const facts = factsOf(module);
          countInstantiation(facts);
          const core = instantiateCore(module, imports, offset, scope.route);
          if (core instanceof Promise) return core.then((made) => keepCoreInstance(scope, facts, made));
          keepCoreInstance(scope, facts, core);
          return undefined;
        };
      }
      const items = e.exports;
      return (scope) => {
        const o = keyedObject() as CoreExports;
        for (let i = 0; i < items.length; i++) {
          const x = items[i]!;
          o[x.name] = coreItem(scope, x.sort, x.index);
        }
        scope.coreInstances.push(o);
      };
    }
    case 'core-type':
      return undefined;
    case 'component': {
      if (info.kind !== 'component') return undefined;
      const validated = info.component;
      return (scope) => {
        scope.components.push({ validated, parent: scope });
      };
    }
    case 'instance': {
      const e = d.expr;
      if (e.kind === 'exports') {
        const items = e.exports;
        return (scope) => {
          const m = new Map<string, RuntimeItem>();
          for (let i = 0; i < items.length; i++) {
            const x = items[i]!;
            m.set(x.name.name, itemOf(scope, x.item.sort, x.item.index));
          }
          scope.instances.push(m);
        };
      }
      const componentIndex = e.component;
      const instanceArgs = e.args;
      return (scope) => {
        const c = scope.components[componentIndex]!;
        const childArgs = new Map<string, RuntimeItem>();
        for (let i = 0; i < instanceArgs.length; i++) {
          const a = instanceArgs[i]!;
          childArgs.set(a.name, itemOf(scope, a.item.sort, a.item.index));
        }
        const child = instantiateStarted(c.validated, c.parent, childArgs, `${scope.inst.name}/instance${scope.instances.length}`, scope.allInstances, scope.limits, scope.store, scope.inst, scope.route);
        if (child instanceof Promise) return child.then((made) => void scope.instances.push(made));
        scope.instances.push(child);
        return undefined;
      };
    }
    case 'alias': {
      const a = d.alias;
      if (a.kind === 'export') {
        const instanceIndex = a.instance;
        const name = a.name;
        return (scope) => {
          pushItem(scope, scope.instances[instanceIndex]!.get(name)!);
        };
      }
      if (a.kind === 'core-export') {
        const sort = a.sort.slice('core '.length) as 'func' | 'table' | 'memory' | 'global' | 'tag';
        const instanceIndex = a.instance;
        const name = a.name;
        // Appended by a store at `length`, not `push`: these steps run in V8's baseline (Sparkplug) code,
        // where `push` is a property load and a builtin call (callgrind, warm loads after gc(): kv's 53
        // such steps, -5K to -11K instructions in two runs).
        return (scope) => {
          const space = scope.core[sort];
          space[space.length] = scope.coreInstances[instanceIndex]![name];
        };
      }
      const count = a.count;
      const index = a.index;
      const outer = (scope: RuntimeScope): RuntimeScope => {
        let target = scope;
        for (let i = 0; i < count; i++) target = target.parent!;
        return target;
      };
      if (a.sort === 'type') {
        return (scope) => {
          pushType(scope, outer(scope).types[index]!);
        };
      }
      if (a.sort === 'component') {
        return (scope) => {
          scope.components.push(outer(scope).components[index]!);
        };
      }
      if (a.sort === 'core module') {
        return (scope) => {
          scope.coreModules.push(outer(scope).coreModules[index]!);
        };
      }
      // `core type` aliases have no runtime content.
      return undefined;
    }
    case 'type': {
      if (info.kind !== 'type') return undefined;
      const entry = info.entry;
      if (d.type.kind === 'resource' && entry.kind === 'resource') {
        const dtorIdx = d.type.dtor;
        return (scope) => {
          const dtor = dtorIdx === undefined ? undefined : (scope.core.func[dtorIdx] as (rep: number) => void);
          const rt = new ResourceType(typeName(vc, scope.types.length), scope.inst, dtor);
          pushType(scope, { kind: 'resource', ref: rt });
        };
      }
      if (entry.kind === 'resource') {
        return (scope) => {
          pushType(scope, substTypeEntry(entry, substitutionOf(scope)));
        };
      }
      // Value, function, instance and component types keep their validated form: what runs reads
      // only resource entries (pushType's pairing, bindImportResources, the exported classes), and
      // substituting every type definition anew was ~12% of what a warm load allocated. planOf
      // gives runs of them one step (`keptType`, `pushTypes`).
      return pushTypes([entry]);
    }
    case 'canon':
      return canonStep(d.canon, info, vc, d.offset);
    case 'import': {
      if (info.kind !== 'import') return undefined;
      const name = d.name.name;
      const desc = info.desc;
      const offset = d.offset;
      const binds = bindsResources(desc);
      return (scope, args) => {
        pushItem(scope, importedItem(args, name, desc, offset, binds, scope.subst));
      };
    }
    case 'export': {
      const name = d.name.name;
      const sort = d.item.sort;
      const index = d.item.index;
      return (scope, _args, exports) => {
        const item = itemOf(scope, sort, index);
        pushItem(scope, item);
        exports.set(name, item);
      };
    }
    case 'start':
    case 'value':
      // Rejected by validation.
      return undefined;
  }
}

function canonStep(c: Canon, info: DefInfo, vc: ValidatedComponent, offset: number): Step | undefined {
  if (c.kind === 'lift' && info.kind === 'lift') {
    const declared = info.type;
    const perInstanceType = mentionsResources(declared);
    const coreFunc = c.coreFunc;
    const resolved = info.options;
    // The options' memory check (abi/requirements.ts), as canonLift makes it, fails only for a type that
    // needs a memory lifted without one (a memory index names a memory: validated): known from the plan.
    const refusedForMemory = resolved.memory === undefined && usesMemory(declared);
    return (scope) => {
      // A type without resources is the same at every instantiation (substituting it gives it back).
      const subst = perInstanceType ? substitutionOf(scope) : undefined;
      const core = scope.core.func[coreFunc] as (...flat: unknown[]) => unknown;
      scope.lifted = true;
      const { usesTasks, suspension } = scope.mode;
      if (usesTasks) {
        const ft = subst === undefined ? declared : substFuncType(declared, subst);
        const callee = suspension === 'jspi' ? promisingEntry(core, flattenFuncType(ft, 'lift', callingAbi(resolved))) : core;
        const lifted = canonLiftTask(ft, options(scope, resolved, true), scope.inst, callee, { suspension });
        scope.funcs.push({ type: ft, call: lifted.call, inst: scope.inst, invoke: lifted.invoke, start: lifted.start, returnsPromise: lifted.returnsPromise });
      } else {
        if (refusedForMemory) requireMemory(declared, NO_MEMORY, 'lift');
        scope.funcs.push(new LiftedOnFirstUse(declared, subst, resolved, scope, core));
      }
    };
  }
  if (c.kind === 'lower' && info.kind === 'lower') {
    const funcIndex = c.func;
    const resolved = info.options;
    return (scope) => {
      const f = scope.funcs[funcIndex]!;
      if (f.inst !== undefined && f.inst !== scope.inst && (scope.inst.isSelfOrAncestor(f.inst) || f.inst.isSelfOrAncestor(scope.inst))) {
        // Calls between an instance and its ancestors trap, for now, as the reference tests require (trap-on-reenter.wast).
        scope.core.func.push(enteringRelativeTraps(scope.inst, f.inst));
        return;
      }
      requireModeFor(scope, f.type, f, !resolved.async, offset);
      const o = options(scope, resolved, false);
      if (scope.mode.usesTasks) {
        const what = `\`${sortName(vc, 'func', funcIndex) ?? `func ${funcIndex}`}\``;
        const callee: FuncInst = f.invoke ?? hostFuncInst(f.type, f.call, what);
        const suspends = scope.mode.suspension === 'jspi' && !resolved.async && calleeMayBlock(f.type, f);
        const lowered = canonLowerTask(f.type, o, scope.inst, callee, { suspends, what });
        scope.core.func.push(suspends ? suspendingWhenBlocked(lowered, flattenFuncType(f.type, 'lower')) : lowered);
      } else {
        scope.core.func.push(canonLower(f.type, o, scope.inst, f.call, f.linked === true));
      }
    };
  }
  if (info.kind === 'builtin') {
    const builtin = info.builtin;
    return (scope) => {
      scope.core.func.push(
        canonBuiltin(
          builtin,
          {
            inst: scope.inst,
            mode: scope.mode,
            memory: (i) => scope.core.memory[i] as WebAssembly.Memory,
            table: (i) => scope.core.table[i] as WebAssembly.Table,
            canonOptions: (o) => options(scope, o, false),
            subst: scope.subst,
          },
          offset,
        ),
      );
    };
  }
  if (info.kind === 'resource') {
    const ref = info.ref;
    const make = c.kind === 'resource.new' ? canonResourceNew : c.kind === 'resource.drop' ? canonResourceDrop : canonResourceRep;
    return (scope) => {
      const rt = scope.subst.get(ref) ?? ref;
      if (!(rt instanceof ResourceType)) throw new LoadError('unlinkable', `resource type ${rt.name} has no runtime identity`, offset);
      scope.core.func.push(make(rt, scope.inst));
    };
  }
  return undefined;
}
