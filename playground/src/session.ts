/**
 * The plugin the page is playing with: loading it (in the page or in a Web
 * Worker with a time limit, checked against an expected build or not),
 * calling its functions, disposing, unloading and reloading, and keeping
 * the log and the handle book up to date. Everything goes through rdylib's
 * public API; this module only decides what to call and records what
 * happened. The views listen for `change`.
 */
import {
  AbiMismatchError,
  GuestPanicError,
  load,
  readComponent,
  ResultError,
  TimeoutError,
  TrapError,
  type AbiFunction,
  type FunctionItem,
  type ImportObject,
  type InterfaceModel,
  type IsolatedPlugin,
  type Plugin,
  type ReadComponent,
  type TypeNames,
  type ValType,
} from '../../host/index.ts';
import { camel, pascal } from '../../host/runtime/js-names.ts';
import { HandleBook, type HeldHandle, type HostHandleSnapshot } from './handles.ts';
import { SvgCanvas } from './svg-canvas.ts';
import { handlesIn } from './values.ts';

export type UnitStatus = 'loaded' | 'unloaded' | 'poisoned' | 'refused';

/** One loaded component: the chosen plugin, or a plugin it is linked against. */
export interface Unit {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly read: ReadComponent;
  plugin: Plugin | IsolatedPlugin | undefined;
  status: UnitStatus;
  /** Why it is not usable, when it is not. */
  reason?: string;
}

/** A callable item of a unit: a function, constructor, method or static, with its scope's type names. */
export interface Callable {
  readonly unit: Unit;
  /** The exported interface's name, or undefined for a function the world exports directly. */
  readonly iface: string | undefined;
  readonly fn: FunctionItem;
  readonly names: TypeNames;
  readonly abi: AbiFunction | undefined;
}

export interface LogEntry {
  readonly seq: number;
  readonly kind: 'call' | 'load' | 'check' | 'unload' | 'reload' | 'dispose' | 'note';
  /** What was done, as code: `store.put("a", "1")`. */
  readonly what: string;
  readonly ok: boolean;
  /** A returned value and its type (a top-level `result`'s err is a value too). */
  readonly value?: { readonly type: ValType | undefined; readonly value: unknown; readonly names: TypeNames };
  readonly error?: unknown;
  readonly note?: string;
}

export interface CheckOutcome {
  /** The build the plugin was checked against, or undefined when not checked. */
  readonly expected: string | undefined;
  readonly verdict: 'compatible' | 'refused' | 'not checked';
  readonly error?: AbiMismatchError;
}

export interface OpenRequest {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Reference build to check against. */
  readonly expect?: { readonly name: string; readonly bytes: Uint8Array };
  /** A plugin to load first and link (consumer -> shapes). */
  readonly link?: { readonly name: string; readonly bytes: Uint8Array };
  readonly isolate: boolean;
  readonly timeoutMs: number;
}

/** The page's own resource objects (the host canvas) are listed under this name. */
export const PAGE = 'page';

export class Session extends EventTarget {
  readonly book = new HandleBook();
  readonly log: LogEntry[] = [];
  readonly canvas = new SvgCanvas();
  units: Unit[] = [];
  check: CheckOutcome = { expected: undefined, verdict: 'not checked' };
  request: OpenRequest | undefined;
  busy: string | undefined;
  #seq = 0;

  get main(): Unit | undefined {
    return this.units[this.units.length - 1];
  }

  /** Drops whatever was loaded and loads `request` (and the plugin it links to). */
  async open(request: OpenRequest): Promise<void> {
    await this.#run(`loading ${request.name}`, async () => {
      await this.#unloadAll('a different plugin was opened');
      this.book.clear();
      this.log.length = 0;
      this.units = [];
      this.request = request;
      this.check = { expected: request.expect?.name, verdict: request.expect ? 'refused' : 'not checked' };
      if (request.link) {
        const provider = await this.#loadUnit(request.link.name, request.link.bytes, request, [], undefined);
        if (provider.status !== 'loaded') return;
      }
      await this.#loadUnit(request.name, request.bytes, request, this.units.flatMap((u) => (u.plugin && !isIsolated(u.plugin) ? [u.plugin] : [])), request.expect);
    });
  }

  /** Every function, constructor, method and static a loaded unit exports. */
  callables(): Callable[] {
    const out: Callable[] = [];
    for (const unit of this.units) {
      if (unit.status === 'refused') continue;
      const abi = unit.read.lifetimes.status === 'checked' ? unit.read.lifetimes.abi : undefined;
      const abiOf = (iface: string, name: string) => abi?.interfaces.find((i) => i.name === iface)?.functions.find((f) => f.name === name);
      for (const i of unit.read.model.interfaces) {
        if (i.direction !== 'export') continue;
        for (const fn of membersOf(i)) out.push({ unit, iface: i.name, fn, names: i.names, abi: abiOf(i.name, fn.name) });
      }
      for (const item of unit.read.model.world.exports) {
        if (item.kind !== 'function') continue;
        const fn: FunctionItem = { name: item.name, member: item.name, role: { kind: 'function' }, type: item.type };
        out.push({ unit, iface: undefined, fn, names: unit.read.model.world.names, abi: undefined });
      }
    }
    return out;
  }

  /** Calls `c` with `args` (JS values; a method's receiver first), logs the outcome and refreshes the handles. */
  async call(c: Callable, args: readonly unknown[]): Promise<LogEntry> {
    const what = callText(c, args, this.book);
    let entry: LogEntry | undefined;
    await this.#run(what, async () => {
      const plugin = c.unit.plugin;
      let value: unknown;
      let error: unknown;
      try {
        if (plugin === undefined) throw new Error(`${c.unit.name} is not loaded: load it first`);
        value = await invoke(plugin, c, args);
      } catch (e) {
        error = e;
      }
      const resultType = c.fn.type.result;
      if (error instanceof ResultError && resultType?.kind === 'result') {
        // A top-level result's err is a value the function returned, not a failure.
        entry = this.#add({ kind: 'call', what, ok: true, value: { type: resultType, value: { tag: 'err', val: error.payload }, names: c.names } });
      } else if (error !== undefined) {
        entry = this.#add({ kind: 'call', what, ok: false, error });
        this.#afterFailure(c.unit, error);
      } else {
        const shown = resultType?.kind === 'result' ? { tag: 'ok', val: value } : value;
        entry = this.#add({ kind: 'call', what, ok: true, value: { type: resultType, value: shown, names: c.names } });
        const found = handlesIn(resultType, shown, c.names);
        const hostIds = await Promise.all(found.map((x) => handleIdOf(plugin, x.object)));
        this.book.record(
          {
            plugin: c.unit.name,
            origin: what,
            returned: found.map((x, i) => ({
              object: x.object,
              resource: x.resource,
              hostId: hostIds[i],
              lifetime: c.abi?.results.find((r) => r.resource === x.resource),
            })),
            argObjects: new Map(c.fn.type.params.map((p, i) => [i, handlesIn(p.type, args[i], c.names).map((x) => x.object)])),
            moved: (c.abi?.params ?? []).filter((p) => p.mode === 'consume').flatMap((p) => handlesIn(c.fn.type.params[p.param]?.type, args[p.param], c.names).map((x) => x.object)),
          },
          await snapshotOf(plugin),
        );
      }
      await this.#refreshSnapshots();
    });
    return entry!;
  }

  /** Drops a handle the page holds (runs the plugin's destructor, or ends a borrow). */
  async dispose(held: HeldHandle): Promise<void> {
    const what = `#${held.id}[Symbol.dispose]()`;
    await this.#run(what, async () => {
      try {
        const o = held.object as { [Symbol.asyncDispose]?: () => Promise<void>; [Symbol.dispose]?: () => void };
        if (o[Symbol.asyncDispose]) await o[Symbol.asyncDispose]!();
        else o[Symbol.dispose]!();
        this.book.disposed(held.object);
        this.#add({ kind: 'dispose', what, ok: true, note: `${held.resource} #${held.id} dropped` });
      } catch (e) {
        this.#add({ kind: 'dispose', what, ok: false, error: e });
      }
      await this.#refreshSnapshots();
    });
  }

  /** Unloads the chosen plugin (and the plugins it links to): every handle it gave out is revoked. */
  async unload(): Promise<void> {
    await this.#run('unload', async () => {
      await this.#unloadAll('the plugin was unloaded');
    });
  }

  /**
   * Loads the same bytes again: in the page, `plugin.reload` swaps in a new
   * generation (old handles stop working); a worker plugin gets a new worker.
   */
  async reload(): Promise<void> {
    const unit = this.main;
    const request = this.request;
    if (unit === undefined || request === undefined) return;
    await this.#run('reload', async () => {
      const plugin = unit.plugin;
      try {
        if (plugin !== undefined && !isIsolated(plugin) && !plugin.isUnloaded) {
          await plugin.reload(unit.bytes);
          this.book.revokeAll(unit.name, 'revoked: the plugin was reloaded, this handle belongs to the old generation');
          Object.assign(unit, { status: 'loaded', reason: undefined });
          this.#add({ kind: 'reload', what: `${unit.name}.reload(bytes)`, ok: true, note: 'new generation: handles from before are revoked' });
        } else {
          // Unloaded, or a worker (which cannot be reloaded in place): load it again.
          await this.open(request);
          this.#add({ kind: 'reload', what: `load(${unit.name})`, ok: true, note: 'loaded again: handles from before stay revoked' });
          return;
        }
      } catch (e) {
        this.#add({ kind: 'reload', what: `${unit.name}.reload(bytes)`, ok: false, error: e });
      }
      await this.#refreshSnapshots();
    });
  }

  async #loadUnit(name: string, bytes: Uint8Array, request: OpenRequest, link: Plugin[], expect: OpenRequest['expect']): Promise<Unit> {
    let read: ReadComponent;
    try {
      read = readComponent(bytes, name);
    } catch (e) {
      this.#add({ kind: 'load', what: `load(${name})`, ok: false, error: e });
      throw e;
    }
    const unit: Unit = { name, bytes, read, plugin: undefined, status: 'refused' };
    this.units.push(unit);
    const unchecked = read.lifetimes.status === 'missing';
    const imports = this.#hostImports(read);
    if (Object.keys(imports).length > 0 && this.book.of(this.canvas) === undefined) {
      // The canvas the page implements, so calls can pass it where the plugin borrows a canvas.
      this.canvas.clear();
      this.book.record(
        { plugin: PAGE, origin: 'new Canvas() (implemented by the page)', returned: [{ object: this.canvas, resource: 'canvas', lifetime: undefined }], argObjects: new Map(), moved: [] },
        undefined,
      );
    }
    const what = `load(${name}${expect ? `, { expect: ${expect.name} }` : ''}${request.isolate ? `, { isolate: 'worker', timeoutMs: ${request.timeoutMs} }` : ''})`;
    try {
      if (request.isolate) {
        if (link.length > 0 || Object.keys(imports).length > 0) {
          throw new Error(`${name} needs ${link.length > 0 ? 'another plugin linked to it' : "the page's canvas (a host import)"}, which cannot cross into a worker: turn isolation off to load it`);
        }
        unit.plugin = await load(bytes, { name, isolate: 'worker', timeoutMs: request.timeoutMs, unchecked, ...(expect ? { expect: expect.bytes } : {}) });
      } else {
        unit.plugin = await load(bytes, { name, unchecked, imports, link, ...(expect ? { expect: expect.bytes } : {}) });
      }
      unit.status = 'loaded';
      if (expect) this.check = { expected: expect.name, verdict: 'compatible' };
      this.#add({
        kind: 'load', what, ok: true,
        note: unchecked ? 'no rdylib:abi section: loaded with unchecked: true (types checked, lifetimes not, no borrow rules)' : expect ? `checked against ${expect.name}: compatible` : 'lifetimes verified against the types',
      });
      await this.#refreshSnapshots();
    } catch (e) {
      unit.reason = e instanceof Error ? e.message : String(e);
      if (e instanceof AbiMismatchError) this.check = { expected: expect?.name, verdict: 'refused', error: e };
      this.#add({ kind: expect && e instanceof AbiMismatchError ? 'check' : 'load', what, ok: false, error: e });
    }
    return unit;
  }

  /** The host imports the page implements: the canvas the shapes example draws on. */
  #hostImports(read: ReadComponent): ImportObject {
    const imports: Record<string, Record<string, unknown>> = {};
    for (const i of read.model.interfaces) {
      if (i.direction === 'import' && i.types.some((t) => t.kind === 'resource' && t.name === 'canvas')) imports[i.name] = { Canvas: SvgCanvas };
    }
    return imports as ImportObject;
  }

  async #unloadAll(why: string): Promise<void> {
    // The chosen plugin first: the plugins it links to refuse to unload while it uses them.
    for (const unit of [...this.units].reverse()) {
      const plugin = unit.plugin;
      if (plugin === undefined || unit.status === 'unloaded') continue;
      try {
        await plugin.unload();
        this.#add({ kind: 'unload', what: `${unit.name}.unload()`, ok: true, note: 'every handle it gave out is revoked; its memory is released' });
      } catch (e) {
        this.#add({ kind: 'unload', what: `${unit.name}.unload()`, ok: false, error: e });
        continue;
      }
      Object.assign(unit, { status: 'unloaded', reason: why });
      this.book.revokeAll(unit.name, `revoked: ${why}`);
    }
  }

  #afterFailure(unit: Unit, error: unknown): void {
    if (error instanceof TimeoutError) {
      Object.assign(unit, { status: 'poisoned', reason: 'its worker was stopped after the time limit' });
      this.book.revokeAll(unit.name, 'revoked: the worker running the plugin was stopped');
    } else if (error instanceof TrapError || error instanceof GuestPanicError) {
      Object.assign(unit, { status: 'poisoned', reason: 'it trapped: an instance that trapped may be in any state, so it takes no more calls; reload it' });
    }
  }

  async #refreshSnapshots(): Promise<void> {
    for (const unit of this.units) {
      if (unit.plugin === undefined || unit.status === 'unloaded') continue;
      this.book.setSnapshot(unit.name, unit.status === 'loaded' ? await snapshotOf(unit.plugin).catch(() => undefined) : undefined);
    }
  }

  async #run(what: string, job: () => Promise<void>): Promise<void> {
    this.busy = what;
    this.#changed();
    try {
      await job();
    } finally {
      this.busy = undefined;
      this.#changed();
    }
  }

  #add(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const full = { ...entry, seq: ++this.#seq };
    this.log.push(full);
    return full;
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

function isIsolated(p: Plugin | IsolatedPlugin): p is IsolatedPlugin {
  return !('reload' in p);
}

/** `plugin.handles()` when the host has it (issue 10); undefined otherwise. */
async function snapshotOf(plugin: Plugin | IsolatedPlugin | undefined): Promise<readonly HostHandleSnapshot[] | undefined> {
  const handles = (plugin as { handles?: () => readonly HostHandleSnapshot[] | Promise<readonly HostHandleSnapshot[]> } | undefined)?.handles;
  return typeof handles === 'function' ? await handles.call(plugin) : undefined;
}

/** `plugin.handleId(object)` when the host has it (issue 10): the number its messages use for that object. */
async function handleIdOf(plugin: Plugin | IsolatedPlugin | undefined, object: object): Promise<number | undefined> {
  const handleId = (plugin as { handleId?: (o: object) => number | undefined | Promise<number | undefined> } | undefined)?.handleId;
  return typeof handleId === 'function' ? await handleId.call(plugin, object) : undefined;
}

function membersOf(i: InterfaceModel): FunctionItem[] {
  const out: FunctionItem[] = [];
  for (const t of i.types) {
    if (t.kind !== 'resource') continue;
    if (t.constructor) out.push(t.constructor);
    out.push(...t.methods, ...t.statics);
  }
  // Resources first: their constructors make the handles the free functions take.
  return [...out, ...i.functions];
}

/** Calls the JS export for `c`: `new Store()`, `store.put(…)`, `Store.fromPairs(…)`, `countPrefix(…)`. */
async function invoke(plugin: Plugin | IsolatedPlugin, c: Callable, args: readonly unknown[]): Promise<unknown> {
  const exports = plugin.exports as Record<string, unknown>;
  const scope = (c.iface === undefined ? exports : exports[c.iface]) as Record<string, unknown>;
  const role = c.fn.role;
  switch (role.kind) {
    case 'function':
      return (scope[camel(c.fn.name)] as (...a: unknown[]) => unknown)(...args);
    case 'constructor':
      return new (scope[pascal(role.resource)] as new (...a: unknown[]) => object)(...args);
    case 'static':
      return ((scope[pascal(role.resource)] as Record<string, (...a: unknown[]) => unknown>)[camel(c.fn.member)]!)(...args);
    case 'method': {
      const [self, ...rest] = args;
      if (typeof self !== 'object' || self === null) throw new TypeError(`${c.fn.name} needs a ${role.resource} to call it on`);
      return (self as Record<string, (...a: unknown[]) => unknown>)[camel(c.fn.member)]!.call(self, ...rest);
    }
  }
}

/** How a call reads in the log: `store#1.put("a", "1")`. */
function callText(c: Callable, args: readonly unknown[], book: HandleBook): string {
  const show = (v: unknown): string => {
    if (typeof v === 'object' && v !== null) {
      const held = book.of(v);
      if (held) return `${held.resource}#${held.id}`;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, show).join(', ')}]`;
      return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')} }`;
    }
    if (typeof v === 'bigint') return `${v}n`;
    return v === undefined ? 'undefined' : JSON.stringify(v);
  };
  const role = c.fn.role;
  switch (role.kind) {
    case 'function':
      return `${camel(c.fn.name)}(${args.map(show).join(', ')})`;
    case 'constructor':
      return `new ${pascal(role.resource)}(${args.map(show).join(', ')})`;
    case 'static':
      return `${pascal(role.resource)}.${camel(c.fn.member)}(${args.map(show).join(', ')})`;
    case 'method':
      return `${show(args[0])}.${camel(c.fn.member)}(${args.slice(1).map(show).join(', ')})`;
  }
}
