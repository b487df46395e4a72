/**
 * The public handle on a loaded plugin: its exports in jco's JS shape, and
 * its life cycle.
 *
 * - Every JS-facing function, class and resource object reaches the
 *   instance only through the current generation's PluginCell; `unload()`
 *   drops the handles JS still owns (newest first, so dependents go before
 *   what they borrow), releases the handles the plugin held on host objects
 *   and other plugins' resources, and severs the cell: any later use throws
 *   UnloadedError naming the plugin and the item, and nothing keeps the
 *   instance's memory reachable.
 * - `reload(source)` reads a new build as `load` does (bytes, a path or a
 *   URL), checks it against the same expectation, then replaces the
 *   generation: old handles are revoked, `plugin.exports`
 *   serves the new instance.
 * - Linking: an import interface the caller did not supply can be served by
 *   another Plugin's export (`link`), after checking the importer's
 *   expectation against the exporter's guarantee. The exporter then refuses
 *   to unload while the importer lives, unless told to unload it too.
 */
import { LoadError, PluginInUseError, TrapError, UnloadedError } from '../errors.ts';
import { PanicRecorder, RDYLIB_PANIC_IMPORT, panicError } from '../rdylib/panic.ts';
import type { AbiSurface } from '../rdylib/compat.ts';
import { linkedImport, type LinkProvider } from '../rdylib/linking.ts';
import type { AbiFunction, RdylibAbi } from '../rdylib/section.ts';
import { withBorrowRules } from '../rdylib/call-plan.ts';
import type { ValidatedComponent } from '../validate/validate.ts';
import type { ComponentType, ExternDesc } from '../validate/type-space.ts';
import { ResourceType, runDestructor, Store, type ComponentInstance, type InstanceLimits } from '../abi/index.ts';
import { instantiateStarted, type RuntimeFunc, type RuntimeInstance, type RuntimeItem } from '../runtime/instantiate.ts';
import { matchImports, missingImports, type ImportObject } from '../runtime/import-matching.ts';
import { exportsToJs, type ExportObject } from '../runtime/js-exports.ts';
import { defineExportKeys, exportKeys, type ExportKey } from '../runtime/export-keys.ts';
import type { JsFunction } from '../runtime/export-cell.ts';
import { HOST_INSTANCE } from '../runtime/host-resources.ts';
import { GuestClassBinding, handleOf, isUsable, makeGuestClass, ownedSlot } from '../runtime/guest-resources.ts';
import { keepShape } from '../shape-anchors.ts';
import { PluginCell } from './plugin-cell.ts';
import { type BelowFace, belowFaceOf, DECLINED, setBelowFace } from '../abi/below-face.ts';
import { instanceLimits } from './limits.ts';
import { checkedBuildStarted } from './pipeline.ts';
import type { AsyncEngineWork } from '../sync-refusal.ts';
import type { SandboxOptions } from './sandbox.ts';
import { handleSnapshot, type HandleSnapshot } from './handles.ts';
import { readSource, type ComponentSource } from '../source.ts';

/**
 * How a Plugin is made; `load` fills it from LoadOptions after its checks.
 * `maxLiftBytes` and `maxHandles` bound every instantiation, reloads
 * included. `maxMemoryBytes` caps the memories of each build `reload`
 * compiles; the bytes of the first build are compiled before the Plugin
 * exists, so `load` caps them itself (with `compile`, cap them with
 * `capLinearMemory` first).
 */
export interface PluginOptions extends Pick<SandboxOptions, 'maxMemoryBytes' | 'maxLiftBytes' | 'maxHandles'> {
  /** The plugin's verified rdylib:abi section: enables the borrow rules on its handles. */
  readonly abi?: RdylibAbi;
  /** The host's expectation, kept so `reload` checks new builds against it. */
  readonly expectation?: AbiSurface;
  /** Loaded without a section (types checked only, no lifetime rules). */
  readonly unchecked?: boolean;
  /** Plugins whose exported interfaces may serve this plugin's imports. */
  readonly link?: readonly Plugin<object>[];
  /** `reload` looks new builds up in the compile cache and keeps them there (compile-cache.ts), unless false. */
  readonly cache?: boolean;
}

export interface UnloadOptions {
  /** Plugins linked against this one: refuse (default) or unload them first. */
  readonly dependents?: 'refuse' | 'unload';
  /**
   * Async work JS is waiting on (async calls whose promise is pending,
   * streams and futures still open between JS and the plugin): refuse
   * (default, PluginInUseError naming them) or `cancel` it first: every
   * pending promise rejects with UnloadedError, every ReadableStream from the
   * plugin errors with it, every stream JS passed in is cancelled with it.
   */
  readonly pending?: 'refuse' | 'cancel';
}

/** How `reload` treats the old generation's pending async work (see UnloadOptions.pending). */
export interface ReloadOptions {
  readonly pending?: 'refuse' | 'cancel';
}

/** One instantiation; `reload` replaces it. */
interface Generation {
  readonly component: ValidatedComponent;
  readonly abi: RdylibAbi | undefined;
  readonly cell: PluginCell;
  readonly instances: ComponentInstance[];
  readonly runtimeExports: RuntimeInstance;
  /** The export function behind each cell slot (js-exports.ts `ExportContext.slotFuncs`), filled when the JS face is built. */
  readonly slotFuncs: RuntimeFunc[];
  /** Whether JS can run during a call into the plugin: through any import but the host's own panic hook. */
  readonly callsOut: boolean;
  /** Built at its first use (`Plugin.#faceOf`), not at load. */
  face: JsFace | undefined;
  readonly providers: readonly Plugin<object>[];
  /** Each import a provider serves, in import order, with the provider's generation then (`#checkLinks`). */
  readonly linked: readonly Link[];
}

/** An import served by a linked plugin (`#build`). */
interface Link {
  readonly name: string;
  readonly provider: Plugin<object>;
  /** The provider's generation when linked, whose exports the import calls. */
  readonly gen: Generation;
}

/**
 * What JS sees of a generation: the exports object (functions, interface
 * objects, resource classes) and the keys it answers to besides the exact
 * names (export-keys.ts). Made when first asked for (`plugin.exports`,
 * `exportKeys`, or a plugin linking against this one), or at unload when
 * JS never asked (the unloaded plugin's exports keep its shape and refuse
 * every use), all of it at once: any call may lift a handle of any exported
 * resource, whose class must exist by then. Each function's call (call
 * plan, lifted function) is made at its first call (plugin-cell.ts
 * `compile`), so a load pays only for the functions it calls.
 */
interface JsFace {
  readonly exports: ExportObject;
  readonly keys: ReadonlyMap<string, ExportKey>;
}

/**
 * `E`: the type of `exports`; `load<T>` with generated declarations
 * (host/bindings) gives `T['exports']`, otherwise the loose ExportObject.
 */
export class Plugin<E extends object = ExportObject> implements LinkProvider {
  #gen: Generation | undefined;
  /**
   * Once unloaded, what `exports` gives: the last exports object, whose
   * functions and classes throw UnloadedError (made at unload when JS had
   * not asked for it before).
   */
  #unloaded: ExportObject | undefined = undefined;
  #component: ValidatedComponent;
  readonly #imports: ImportObject;
  readonly #options: PluginOptions;
  /** The limits every instantiation (reload included) gives its instances. */
  readonly #limits: InstanceLimits;
  /** Plugins linked against this one's exports. */
  readonly #dependents = new Set<Plugin<object>>();
  /** Shared by the cells of every generation, so a handle from before a reload is recognised as such. */
  readonly #lineage = {};
  /**
   * How the next Plugin made instantiates its first generation (`'never'`:
   * synchronously, as every direct `new Plugin` and `CompiledComponent.instantiate`
   * must); set by `Plugin.started` only, around its `new`.
   */
  static #firstRoute: AsyncEngineWork = 'never';
  /**
   * The first generation of the Plugin just made, when its instantiation
   * waits: handed to `Plugin.started` right after its `new` (not a field:
   * every Plugin would carry it).
   */
  static #waiting: Promise<Generation> | undefined = undefined;

  constructor(
    component: ValidatedComponent,
    imports: ImportObject = {},
    readonly name = 'plugin',
    options: PluginOptions = {},
  ) {
    // Read and reset before anything runs that could make another Plugin (the imports' getters).
    const route = Plugin.#firstRoute;
    if (route !== 'never') Plugin.#firstRoute = 'never';
    this.#imports = imports;
    this.#options = options;
    this.#limits = instanceLimits(options);
    this.#component = component;
    const gen = this.#build(component, options.abi, route);
    // Only under `Plugin.started`, which takes it at once (a Plugin made meanwhile, by an import's getter, took its own).
    if (gen instanceof Promise) Plugin.#waiting = gen;
    else this.#adopt(gen);
  }

  /**
   * `new Plugin(…)` for `load`: core modules the engine will not instantiate
   * synchronously on this thread (a browser's main thread: over 8 MB) are
   * instantiated asynchronously (`route`: sync-refusal.ts; tests force
   * `'always'`). The Plugin is given out only once its generation is
   * adopted; synchronous (no Promise) when nothing waited.
   */
  static started(component: ValidatedComponent, imports: ImportObject, name: string | undefined, options: PluginOptions, route: AsyncEngineWork = 'when-refused'): Plugin<object> | Promise<Plugin<object>> {
    Plugin.#firstRoute = route;
    let plugin: Plugin<object>;
    try {
      plugin = new Plugin<object>(component, imports, name, options);
    } finally {
      Plugin.#firstRoute = 'never';
    }
    const first = Plugin.#waiting;
    if (first === undefined) return plugin;
    Plugin.#waiting = undefined;
    return first.then((gen) => {
      plugin.#adopt(gen);
      return plugin;
    });
  }

  /**
   * Export name → function (top-level function exports) or interface object.
   * Interfaces are also reachable by their unversioned name, by jco's short
   * name and (with `expect`) by the reference's name: see `exportKeys`.
   */
  get exports(): E {
    // What E promises is checked where E comes from: declarations generated from this component's types.
    const gen = this.#gen;
    return (gen !== undefined ? this.#faceOf(gen).exports : this.#unloaded!) as E;
  }

  /**
   * The keys `exports` answers to besides the exact export names, and what
   * each stands for: another name of one export, or a name two exports
   * would share, which throws AmbiguousExportError when read
   * (docs/abi.md §6.1). Empty after unload.
   */
  get exportKeys(): ReadonlyMap<string, ExportKey> {
    const gen = this.#gen;
    return gen === undefined ? new Map() : this.#faceOf(gen).keys;
  }

  get component(): ValidatedComponent {
    return this.#component;
  }

  /** Every component instance of the current instantiation (nested ones included); empty after unload. */
  get instances(): readonly ComponentInstance[] {
    return this.#gen?.instances ?? [];
  }

  /** The linear memories of the current instantiation; empty after unload. */
  get memories(): readonly WebAssembly.Memory[] {
    return this.#gen?.instances.flatMap((i) => i.memories) ?? [];
  }

  /** `checked`: borrow rules from a verified rdylib:abi section apply; `unchecked`: the plugin has no section. */
  get lifetimes(): 'checked' | 'unchecked' {
    return this.#gen?.abi === undefined ? 'unchecked' : 'checked';
  }

  get isUnloaded(): boolean {
    return this.#gen === undefined;
  }

  /** Owned resource objects JS holds from this plugin (leak checks, tests). */
  get liveHandles(): number {
    return this.#gen?.cell.owned.size ?? 0;
  }

  /** Names of the live plugins linked against this one. */
  get dependents(): readonly string[] {
    return [...this.#dependents].map((d) => d.name);
  }

  /**
   * Unloads the plugin (see the file comment). Does its work before
   * returning; the promise rejects with PluginInUseError while a call into
   * the plugin (or a dependent) is in progress, or while dependents are
   * linked and `dependents: 'unload'` was not given. Idempotent.
   */
  unload(options: UnloadOptions = {}): Promise<void> {
    try {
      this.#unloadNow(options.dependents ?? 'refuse', options.pending ?? 'refuse');
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Replaces this plugin's instance with a new build, read from what `load`
   * takes (bytes, a file path on Node, a URL): checked by the same pipeline
   * as `load` (memory cap, section verified, same expectation), instantiated
   * with the same imports and links, then the old instance is unloaded. On
   * any failure the old instance keeps serving.
   */
  async reload(source: ComponentSource, options: ReloadOptions = {}): Promise<void> {
    if (this.#gen === undefined) throw new UnloadedError(`${this.name} was unloaded; load it again instead of reloading it`);
    const given = await readSource(source);
    // Checked after reading: the plugin may have been unloaded or entered meanwhile.
    const pending = options.pending ?? 'refuse';
    this.#reloadable(pending);
    // As `load`'s: synchronous but for what the engine does only asynchronously here (a browser's main thread: over 8 MB).
    const started = checkedBuildStarted(given, {
      name: this.name,
      maxMemoryBytes: this.#options.maxMemoryBytes,
      unchecked: this.#options.unchecked ?? false,
      expectation: this.#options.expectation,
      cache: this.#options.cache ?? true,
    });
    const build = started instanceof Promise ? await started : started;
    // Checked again after waiting, before any of the new build runs.
    if (started instanceof Promise) this.#reloadable(pending);
    const made = this.#build(build.validated, build.abi, 'when-refused');
    const next = made instanceof Promise ? await made : made;
    let old: Generation;
    try {
      // And again now, waited or not (matching the imports runs their getters, which may unload or
      // enter this plugin): the old generation is the one replaced now.
      old = this.#reloadable(pending);
      this.#checkLinks(next);
    } catch (e) {
      this.#teardown(next, 'cancel');
      throw e;
    }
    this.#teardown(old, pending);
    this.#component = build.validated;
    this.#adopt(next);
  }

  /**
   * A snapshot of every live handle of this plugin's resources: the ones JS
   * owns, and the ones held in a plugin's handle table (its own, or a
   * plugin linked against it) that carry ownership state. Read-only; for
   * tools such as a live handle view. Empty after unload.
   */
  handles(): readonly HandleSnapshot[] {
    const gen = this.#gen;
    if (gen === undefined) return [];
    const holders = [this, ...this.#liveDependents()].map((p) => ({ name: p.name, instances: p.instances }));
    return handleSnapshot(this.name, gen.cell, holders);
  }

  /** LinkProvider: the runtime item of an exported interface, called through this plugin's cell. */
  linkExport(name: string): { item: RuntimeItem; surface: AbiSurface } | undefined {
    const gen = this.#gen;
    if (gen === undefined) return undefined;
    const item = gen.runtimeExports.get(name);
    const desc = gen.component.type.exports.get(name);
    if (item === undefined || desc === undefined) return undefined;
    this.#faceOf(gen); // the export functions' cell slots
    const cell = gen.cell;
    const through = (it: RuntimeItem): RuntimeItem => {
      if (it.kind === 'func') {
        // The function's first slot, as a Map from function to slot filled first-come would give it.
        const slot = gen.slotFuncs.indexOf(it.func);
        if (slot < 0) return it;
        // returnsPromise goes along: a sync-typed export of an instance entered through JSPI returns a
        // Promise, so the importer must lower it as a call that may block (instantiate.ts requireModeFor).
        const call = (...args: unknown[]): unknown => (cell.fns[slot] ?? cell.compile(slot))(...args);
        setBelowFace(call, slotBelowFace(cell, slot));
        return { kind: 'func', func: { type: it.func.type, call, linked: true, ...(it.func.returnsPromise === undefined ? {} : { returnsPromise: it.func.returnsPromise }) } };
      }
      if (it.kind === 'instance') return { kind: 'instance', instance: new Map([...it.instance].map(([n, x]) => [n, through(x)])) };
      return it;
    };
    return { item: through(item), surface: { type: { imports: new Map(), exports: new Map<string, ExternDesc>([[name, desc]]) }, abi: gen.abi, source: this.name } };
  }

  get exportNames(): readonly string[] {
    return [...(this.#gen?.component.type.exports.keys() ?? [])];
  }

  /**
   * The id `handles()` lists the resource object `obj` under (the number in
   * messages), or undefined when it is not a live object of this plugin's
   * current build.
   */
  handleId(obj: object): number | undefined {
    const gen = this.#gen;
    const h = handleOf(obj);
    if (gen === undefined || h === undefined || !isUsable(h)) return undefined;
    const binding = h.binding;
    if (binding.cell !== gen.cell) return undefined;
    const slot = ownedSlot(h);
    return binding.recordOf(h.rep)?.id ?? (slot > 0 ? gen.cell.owned.seqOf(slot) : undefined);
  }

  /**
   * A new generation of `component`: its imports matched and linked, then
   * instantiated (`route`: which core instantiations may wait), then
   * `#generation`. Synchronous unless an instantiation waited. A failure
   * leaves nothing that can run: the instances made so far are poisoned.
   */
  #build(component: ValidatedComponent, abi: RdylibAbi | undefined, route: AsyncEngineWork): Generation | Promise<Generation> {
    const instances: ComponentInstance[] = [];
    const imports = this.#imports;
    // SDK plugins import `rdylib-panic` to report a panic before they trap;
    // the host supplies it unless the caller did, and turns the trap that
    // follows into a GuestPanicError (or a BorrowError the plugin detected).
    const wantsPanicImport = component.type.imports.has(RDYLIB_PANIC_IMPORT) && !(RDYLIB_PANIC_IMPORT in imports);
    const panics = wantsPanicImport ? new PanicRecorder() : undefined;
    const supplied = panics !== undefined ? withImport(imports, RDYLIB_PANIC_IMPORT, panics.report) : imports;

    // Imports the caller did not supply may be served by linked plugins, checked both ways.
    const providers: Plugin<object>[] = [];
    const linked: Link[] = [];
    const links = this.#options.link;
    const link =
      links === undefined
        ? undefined
        : (name: string, desc: ExternDesc): RuntimeItem | undefined => {
            const l = linkedImport(name, desc, { type: component.type, abi, source: this.name }, links, this.#options.unchecked ?? false);
            if (l === undefined) return undefined;
            const provider = l.provider as Plugin<object>;
            if (!providers.includes(provider)) providers.push(provider);
            // linkedImport found it loaded.
            linked.push({ name, provider, gen: provider.#gen! });
            return l.item;
          };
    const args = matchImports(component.type.imports, supplied, link);

    // definitions.py's store is the unit a trap ends; one per generation, so one plugin's trap (or its
    // waits, its turns) never touches another plugin (linked plugins call each other through their JS faces).
    let made: RuntimeInstance | Promise<RuntimeInstance>;
    try {
      made = instantiateStarted(component, undefined, args, this.name, instances, this.#limits, new Store(), undefined, route);
    } catch (e) {
      throw abandoned(instances, e);
    }
    if (made instanceof Promise) {
      return made.then(
        (runtimeExports) => this.#generation(component, abi, instances, runtimeExports, panics, wantsPanicImport, providers, linked),
        (e: unknown) => Promise.reject(abandoned(instances, e)),
      );
    }
    return this.#generation(component, abi, instances, made, panics, wantsPanicImport, providers, linked);
  }

  /** The bookkeeping of a generation just instantiated, whichever way it was. */
  #generation(
    component: ValidatedComponent,
    abi: RdylibAbi | undefined,
    instances: ComponentInstance[],
    runtimeExports: RuntimeInstance,
    panics: PanicRecorder | undefined,
    wantsPanicImport: boolean,
    providers: readonly Plugin<object>[],
    linked: readonly Link[],
  ): Generation {
    if (panics !== undefined) {
      const explain = (trap: Error): Error | undefined => {
        const report = panics.take();
        return report === undefined ? undefined : panicError(report, trap.cause ?? trap);
      };
      for (const inst of instances) inst.explainTrap = explain;
    }
    const cell = new PluginCell(this.name, this.#lineage);
    // A trap ends the whole store: the first instance poisoned poisons the others with the same TrapError
    // (their pending calls reject with it, task-lift.ts), and the streams and futures JS holds end with it.
    // Indexed loops here and in #teardown: this runs once per instance at every unload, in V8's
    // interpreter or baseline code, where `for...of` over an array calls the array iterator's next()
    // at every step.
    const endStore = (trap: TrapError): void => {
      for (let i = 0; i < instances.length; i++) instances[i]!.poison(trap);
      cell.pending.endStreams(trap);
    };
    for (const inst of instances) inst.whenPoisoned(endStore);
    let callsOut = false;
    for (const name of component.type.imports.keys()) {
      if (wantsPanicImport && name === RDYLIB_PANIC_IMPORT) continue;
      callsOut = true;
      break;
    }
    return { component, abi, cell, instances, runtimeExports, slotFuncs: [], callsOut, face: undefined, providers, linked };
  }

  /**
   * Makes `gen` this plugin's generation, linked against its providers as
   * it was made. After an instantiation that waited, a provider may have
   * been unloaded or reloaded meanwhile (nothing refused it: this plugin was
   * not its dependent yet): `gen` is then torn down, and the load fails
   * (`#checkLinks`).
   */
  #adopt(gen: Generation): void {
    if (gen.linked.length > 0) {
      try {
        this.#checkLinks(gen);
      } catch (e) {
        this.#teardown(gen, 'cancel');
        throw e;
      }
    }
    this.#gen = gen;
    for (const p of gen.providers) p.#dependents.add(this);
  }

  /**
   * Throws when a provider of `gen` no longer serves the generation it was
   * linked against: unloaded, the failure a load that found it unloaded
   * gives (its imports missing: an unloaded plugin exports nothing);
   * reloaded, `gen` would call the old build's revoked exports.
   */
  #checkLinks(gen: Generation): void {
    const linked = gen.linked;
    let missing: string[] | undefined;
    for (let i = 0; i < linked.length; i++) {
      const { name, provider, gen: was } = linked[i]!;
      const now = provider.#gen;
      if (now === was) continue;
      if (now !== undefined) {
        throw new LoadError('unlinkable', `import \`${name}\`: ${provider.name} was reloaded while ${this.name} was being instantiated; load ${this.name} again`);
      }
      (missing ??= []).push(name);
    }
    if (missing !== undefined) missingImports(missing);
  }

  /** The generation's JS face, built now if it was not yet. */
  #faceOf(gen: Generation): JsFace {
    return (gen.face ??= this.#face(gen));
  }

  #face(gen: Generation): JsFace {
    const js = exportsToJs(gen.runtimeExports, { cell: gen.cell, wrapCall: borrowRulesHook(gen.abi, gen.callsOut), slotFuncs: gen.slotFuncs, planKey: gen.component });
    const keys = extraKeysOf(gen.component, this.#options.expectation, js);
    defineExportKeys(js, keys, this.name);
    keepFaceShapes(gen.component, js);
    return { exports: js, keys };
  }

  /** The generation `reload` may replace now; throws when unloaded, in use or linked against. */
  #reloadable(pending: 'refuse' | 'cancel'): Generation {
    const gen = this.#gen;
    if (gen === undefined) throw new UnloadedError(`${this.name} was unloaded; load it again instead of reloading it`);
    this.#refuseIfInUse(gen, 'reload', pending);
    const deps = this.#liveDependents();
    if (deps.length > 0) {
      throw new PluginInUseError(`cannot reload ${this.name}: ${listNames(deps)} ${deps.length === 1 ? 'is' : 'are'} linked against it; unload ${deps.length === 1 ? 'it' : 'them'} first`);
    }
    return gen;
  }

  #liveDependents(): Plugin<object>[] {
    return this.#dependents.size === 0 ? [] : [...this.#dependents].filter((d) => !d.isUnloaded);
  }

  #refuseIfInUse(gen: Generation, what: string, pending: 'refuse' | 'cancel'): void {
    if (gen.instances.some((i) => !i.mayEnter)) {
      throw new PluginInUseError(`cannot ${what} ${this.name} while a call into it is in progress; ${what} it after the call returns`);
    }
    if (pending === 'refuse' && gen.cell.pending.size > 0) {
      const labels = gen.cell.pending.labels();
      throw new PluginInUseError(
        `cannot ${what} ${this.name}: ${labels.join(', ')} ${labels.length === 1 ? 'is' : 'are'} pending; ` +
          `wait for ${labels.length === 1 ? 'it' : 'them'}, or pass { pending: 'cancel' }`,
      );
    }
  }

  #unloadNow(mode: 'refuse' | 'unload', pending: 'refuse' | 'cancel'): void {
    if (this.#gen === undefined) return;
    // Everything that would go, dependents first; refuse before touching any of it.
    const order: Plugin<object>[] = [];
    const visit = (p: Plugin<object>): void => {
      if (p.#gen === undefined || order.includes(p)) return;
      for (const d of p.#liveDependents()) visit(d);
      order.push(p);
    };
    const deps = this.#liveDependents();
    if (deps.length > 0 && mode === 'refuse') {
      throw new PluginInUseError(
        `cannot unload ${this.name}: ${listNames(deps)} ${deps.length === 1 ? 'is' : 'are'} linked against it; ` +
          `unload ${deps.length === 1 ? 'it' : 'them'} first, or pass { dependents: 'unload' }`,
      );
    }
    visit(this);
    for (const p of order) p.#refuseIfInUse(p.#gen!, 'unload', pending);
    for (const p of order) {
      const gen = p.#gen!;
      // The face JS already has, or one made now from the live generation (no export's call is
      // made for it), which teardown revokes with the rest: its functions throw
      // UnloadedError (plugin-cell.ts). The generation itself, and with it the instance's memory, is let go.
      const face = gen.face ?? p.#face(gen);
      p.#teardown(gen, pending);
      p.#unloaded = face.exports;
      p.#gen = undefined;
    }
  }

  /** Ends the pending async work, drops what JS and the plugin hold, then severs the cell. Never throws. */
  #teardown(gen: Generation, pending: 'refuse' | 'cancel'): void {
    // Refused before when pending is 'refuse', so anything left here was asked to be cancelled.
    if (pending === 'cancel' && gen.cell.pending.size > 0) {
      gen.cell.pending.abortAll(new UnloadedError(`${this.name} was unloaded with this pending ({ pending: 'cancel' })`));
    }
    // JS-held owned handles, newest first: the plugin's destructors run.
    gen.cell.dropAll();
    // Handles the plugin holds on host objects and on other plugins' resources.
    for (const inst of gen.instances) {
      if (inst.handles.size === 0) continue; // the common case: no iterator, no copy
      const held = [...inst.handles.resourceEntries()].reverse();
      for (const [, h] of held) {
        if (!h.own || gen.instances.includes(h.rt.impl)) continue;
        try {
          runDestructor(h.rt, HOST_INSTANCE, h.rep);
        } catch {
          // The other side trapped or is busy: its own unload deals with it.
        }
      }
    }
    gen.cell.revoke();
    for (let i = 0; i < gen.instances.length; i++) gen.instances[i]!.poison(GENERATION_ENDED);
    for (const p of gen.providers) p.#dependents.delete(this);
    gen.instances.length = 0;
  }
}

/**
 * The entry below the face (abi/below-face.ts) of what `cell`'s slot holds
 * now: read at every call, as the slot is, so it is the entry of the
 * function a call through the slot would run (made at the slot's first
 * call); once unload put a thrower there, none, and the call goes through
 * the slot, which throws.
 */
function slotBelowFace(cell: PluginCell, slot: number): BelowFace {
  // Fields, not `let`s the closure shares: V8 checks a captured `let` for its temporal dead zone at every read.
  const last: { fn: unknown; below: BelowFace | undefined } = { fn: undefined, below: undefined };
  return (rep, rt, via, b, c) => {
    const f = cell.fns[slot] ?? cell.compile(slot);
    if (f !== last.fn) {
      last.fn = f;
      last.below = belowFaceOf(f);
    }
    const below = last.below;
    return below === undefined ? DECLINED : below(rep, rt, via, b, c);
  };
}

/**
 * One object of each kind a load makes here and lets go of at unload (the
 * instantiation's own: runtime/instantiate.ts), kept so that their hidden
 * classes survive GCs (host/shape-anchors.ts): right after a GC, making
 * them again took ~60 us (the cell with its owned objects and pending work)
 * and ~15 us (a resource class's binding) of a warm load.
 */
{
  keepShape(new PanicRecorder());
  const cell = keepShape(new PluginCell('shape anchor'));
  const made = makeGuestClass('ShapeAnchor');
  const binding = keepShape(new GuestClassBinding(new ResourceType('shape anchor', HOST_INSTANCE), made.cls, cell));
  made.setBinding(binding);
}

/**
 * The instances of a build whose instantiation failed (`#build`), closed for
 * good: poisoned, so nothing that could still reach one of them (a start
 * function's arguments to an import, an instantiation that waited) can enter
 * it. Returns `failure`, to throw.
 */
function abandoned(instances: readonly ComponentInstance[], failure: unknown): unknown {
  for (let i = 0; i < instances.length; i++) instances[i]!.poison(INSTANTIATION_FAILED);
  return failure;
}

/** What `abandoned` poisons with: one error, made once and frozen, as GENERATION_ENDED below. */
const INSTANTIATION_FAILED = Object.freeze(new TrapError('its instantiation failed'));

/**
 * What the instances of a generation that `unload` or `reload` ended are
 * poisoned with, so nothing can enter them again. One error for every
 * plugin, made once: on V8 the first Error constructed after a garbage
 * collection costs tens of microseconds (~40 us on Node 20, against 1-4 us
 * otherwise), a third of a whole unload measured right after one. Which
 * plugin it was is in the instance's name, which every later refusal
 * (`checkNotPoisoned`) puts first. Frozen, since it is shared.
 */
const GENERATION_ENDED = Object.freeze(new TrapError('its plugin was unloaded, or replaced by reload'));

/** The names of a component's exported interfaces. */
function interfaceNames(type: ComponentType): string[] {
  return [...type.exports].filter(([, desc]) => desc.kind === 'instance').map(([name]) => name);
}

/** For `extraKeysOf`: the entry of a plugin loaded without an expectation. */
const NO_EXPECTATION = {};
/** Per cached component, per expectation: the extra export keys, which depend on nothing else. */
const extraKeysByComponent = new WeakMap<ValidatedComponent, WeakMap<object, ReadonlyMap<string, ExportKey>>>();

/** The extra keys of `exports`, made from `component` (and `expectation`): computed once per component and expectation. */
function extraKeysOf(component: ValidatedComponent, expectation: AbiSurface | undefined, exports: ExportObject): ReadonlyMap<string, ExportKey> {
  let byExpectation = extraKeysByComponent.get(component);
  if (byExpectation === undefined) extraKeysByComponent.set(component, (byExpectation = new WeakMap()));
  const key = expectation ?? NO_EXPECTATION;
  let keys = byExpectation.get(key);
  if (keys === undefined) {
    const expected = expectation === undefined ? [] : interfaceNames(expectation.type);
    keys = exportKeys(interfaceNames(component.type), new Set(Object.keys(exports)), expected);
    byExpectation.set(key, keys);
  }
  return keys;
}

/**
 * Per component, objects of the shapes of its JS face (the exports object
 * and each interface object in it: their keys in order, with their
 * attributes), made from its first face and kept as long as the component
 * (the compile cache keeps it): each face's objects get their keys one by
 * one, so their hidden classes are transitions a GC collects once no face
 * of the component is alive, and the next load made them again
 * (host/shape-anchors.ts).
 */
const faceShapes = new WeakMap<ValidatedComponent, readonly object[]>();

function keepFaceShapes(component: ValidatedComponent, exports: ExportObject): void {
  if (faceShapes.has(component)) return;
  const copies: object[] = [];
  shapesOf(exports, copies, new Set());
  faceShapes.set(component, copies);
}

/** Stands for every value in a shape copy: what a field holds does not change which hidden class it has. */
const SHAPE_VALUE = {};

/**
 * Adds to `copies` an object with `o`'s own data properties, in order, with
 * their attributes, then does the same for each plain object among their
 * values (`o` is a face just made: no user code has seen it, and reading
 * descriptors runs no getter). A copy stops at an accessor (an ambiguous
 * key, export-keys.ts): its getter is new per face, so no later face
 * shares a hidden class past it.
 */
function shapesOf(o: object, copies: object[], seen: Set<object>): void {
  // An alias key holds the object its target holds.
  if (seen.has(o)) return;
  seen.add(o);
  const copy = {};
  copies.push(copy);
  let copying = true;
  for (const key of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if (!('value' in d)) {
      copying = false;
      continue;
    }
    if (copying) Object.defineProperty(copy, key, { value: SHAPE_VALUE, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable });
    const v: unknown = d.value;
    if (typeof v === 'object' && v !== null) shapesOf(v, copies, seen);
  }
}

/** Per verified section: its exported functions by interface and name (the compile cache keeps sections). */
const exportedFunctions = new WeakMap<RdylibAbi, ReadonlyMap<string, ReadonlyMap<string, AbiFunction>>>();

function exportedFunctionsOf(abi: RdylibAbi): ReadonlyMap<string, ReadonlyMap<string, AbiFunction>> {
  let byInterface = exportedFunctions.get(abi);
  if (byInterface === undefined) {
    const m = new Map<string, Map<string, AbiFunction>>();
    for (const i of abi.interfaces) {
      if (i.direction === 'export') m.set(i.name, new Map(i.functions.map((f) => [f.name, f])));
    }
    exportedFunctions.set(abi, (byInterface = m));
  }
  return byInterface;
}

/**
 * The hook through which export wrappers get the borrow rules of the
 * plugin's verified section (host/rdylib/call-plan.ts); none without one.
 */
function borrowRulesHook(abi: RdylibAbi | undefined, callsOut: boolean): ((iface: string, fn: string, f: RuntimeFunc) => JsFunction | undefined) | undefined {
  if (abi === undefined) return undefined;
  const byInterface = exportedFunctionsOf(abi);
  return (iface, fn, f) => {
    const described = byInterface.get(iface)?.get(fn);
    return described === undefined ? undefined : withBorrowRules(described, f, callsOut);
  };
}

/**
 * `imports` and `name` supplied as `value`: the same own enumerable
 * properties as a spread, in a dictionary (a spread with a computed key made
 * a hidden class that every load after a GC made again, host/shape-anchors.ts).
 */
function withImport(imports: ImportObject, name: string, value: unknown): ImportObject {
  const supplied = Object.assign(Object.create(null) as ImportObject, imports);
  supplied[name] = value;
  return supplied;
}

function listNames(ps: readonly Plugin<object>[]): string {
  return ps.map((p) => `\`${p.name}\``).join(', ');
}
