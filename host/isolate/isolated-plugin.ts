/**
 * The host thread's half of an isolated plugin: the same exports shape as an
 * in-process Plugin, except every call returns a Promise. A call that runs
 * past `timeoutMs` terminates the worker (the only way to stop a wasm loop),
 * rejects with TimeoutError and poisons the plugin; the host thread is never
 * blocked. `unload()` terminates the worker.
 *
 * Async exports work as in process: a ReadableStream passes either way by
 * transfer, a Promise (`future<T>`) crosses as a FutureRef (async-crossing.ts),
 * and an async call's `{ signal }` fires the worker-side signal of that call.
 * The per-call time limit covers an async call until its promise settles.
 * `unload()` asks the plugin in the worker first, so pending async work is
 * refused or cancelled exactly as in process (`UnloadOptions.pending`); only
 * a call still running in the worker (a loop) is stopped by termination.
 *
 * Thread-agnostic: the worker is reached through a `WorkerEndpoint`, made by
 * `spawn-node.ts` (worker_threads) or `spawn-web.ts` (Web Worker).
 */
import { HandleError, LoadError, PluginInUseError, TimeoutError, TrapError, UnloadedError } from '../errors.ts';
import type { HandleSnapshot } from '../plugin/handles.ts';
import { instanceLimits } from '../plugin/limits.ts';
import { defineExportKeys } from '../runtime/export-keys.ts';
import type { WasiCapabilities } from '../wasi/capabilities.ts';
import { AsyncCrossing, cloneableReason } from './async-crossing.ts';
import {
  copiedView,
  errorFromWire,
  isFutureRef,
  isRemoteRef,
  isTransferredStream,
  witName,
  mapValue,
  type CallTarget,
  type ExportShape,
  type FromWorker,
  type RemoteRef,
  type ToWorker,
  type WorkerLoadRequest,
} from './protocol.ts';

export interface WorkerEndpoint {
  /** `transfer`: streams moved along with the message. */
  post(msg: ToWorker, transfer?: Transferable[]): void;
  onMessage(handler: (msg: FromWorker) => void): void;
  /** The worker died on its own (crash, out of memory, uncaught error). */
  onExit(handler: (reason: Error) => void): void;
  terminate(): void;
}

export interface IsolateOptions {
  /** For messages. */
  readonly name?: string;
  /** Per-call time limit. Unlimited when omitted. */
  readonly timeoutMs?: number;
  /**
   * Limit on starting the worker and instantiating the plugin there (core
   * start functions run then). Separate from `timeoutMs` because a cold
   * worker start is much slower than a call. Unlimited when omitted.
   */
  readonly loadTimeoutMs?: number;
  /** Cap on each linear memory of the plugin (see memory-cap.ts). */
  readonly maxMemoryBytes?: number;
  /** Bytes of strings and lists one call may lift (host/abi/limits.ts; default 64 MiB). */
  readonly maxLiftBytes?: number;
  /** Live resource handles per instance (host/abi/limits.ts; default 2^20). */
  readonly maxHandles?: number;
  /**
   * The plugin's imports run inside the worker: a module URL (or path) whose
   * `imports` or default export is the ImportObject. Host functions cannot be
   * passed directly, since they would have to run on this thread.
   */
  readonly importsModule?: string | URL;
  /** WASI grants (see host/wasi), applied inside the worker. Must be plain data: stdout/stderr 'discard' or 'inherit'. */
  readonly wasi?: WasiCapabilities;
  /** As in-process: load a plugin that has no rdylib:abi section, with its types checked only. */
  readonly unchecked?: boolean;
  /** As in-process, checked inside the worker: a reference build's bytes, or a path or URL to read them from. */
  readonly expect?: Uint8Array | string | URL;
}

/** Throws TypeError / RangeError for options that cannot work; call before starting a worker. */
export function checkIsolateOptions(options: IsolateOptions): void {
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`);
  if (options.loadTimeoutMs !== undefined && !(options.loadTimeoutMs > 0)) throw new RangeError(`loadTimeoutMs must be positive, got ${options.loadTimeoutMs}`);
  instanceLimits(options);
  if (typeof options.wasi?.stdout === 'function' || typeof options.wasi?.stderr === 'function') {
    throw new TypeError("wasi.stdout / wasi.stderr of an isolated plugin must be 'discard' or 'inherit': functions cannot cross into the worker");
  }
}

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly what: string;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The worker said the call returned a Promise, so it no longer runs there (`waiting`); until then it may be running. */
  waiting: boolean;
  /** For the `unload` request itself, which no refusal counts. */
  readonly unloadRequest?: true;
}

/** What `unload()` of an isolated plugin takes: as in process (host/plugin/plugin.ts), without `dependents` (nothing links to it). */
export interface IsolatedUnloadOptions {
  /**
   * Async work JS is waiting on (calls whose promise is pending, streams
   * and futures still open): `refuse` (default) rejects with
   * PluginInUseError naming it, `cancel` ends it first (promises reject
   * and streams error with UnloadedError). A call still running in the
   * worker (not yet returned, sync or async) is work only termination can
   * stop: `refuse` names it, `cancel` terminates the worker.
   */
  readonly pending?: 'refuse' | 'cancel';
}

interface ProxyState {
  readonly id: number;
  readonly cls: readonly string[];
}

type Poison = { readonly kind: 'trap'; readonly error: Error } | { readonly kind: 'unloaded' };

/** Every proxy of every isolated plugin, described for messages (`store of kv`): passed to another plugin, it is named as foreign. */
const proxyOwners = new WeakMap<object, string>();

/**
 * What `o` is when it is a resource object of some other plugin (another
 * isolated plugin's proxy, or an in-process plugin's object: the host brands
 * those with `Symbol.for('rdylib.handle')`), for a HandleError; undefined for
 * anything else (plain data, a forged object), which is a TypeError.
 */
function foreignHandle(o: object): string | undefined {
  const proxy = proxyOwners.get(o);
  if (proxy !== undefined) return proxy;
  const brand = (o as { [k: symbol]: unknown })[Symbol.for('rdylib.handle')] as { resource: string; plugin: string } | undefined;
  return brand === undefined ? undefined : `${brand.resource} of ${brand.plugin} (in process)`;
}


/** The key of the first function among `o`'s own enumerable values, without building an entry per element of a long array. */
function firstMethod(o: object): string | undefined {
  if (Array.isArray(o)) {
    const i = o.findIndex((x) => typeof x === 'function');
    return i < 0 ? undefined : String(i);
  }
  if (o instanceof ArrayBuffer) return undefined;
  for (const k of Object.keys(o)) if (typeof (o as Record<string, unknown>)[k] === 'function') return k;
  return undefined;
}

/**
 * `E`: the type of `exports`; `load<T>` with generated declarations
 * (host/bindings) gives `T['isolatedExports']`, otherwise a loose record.
 */
export class IsolatedPlugin<E extends object = Record<string, unknown>> {
  /** Export name → async function, interface object, or class whose constructor returns a Promise of an instance. */
  exports: E = {} as E;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private state: Poison | undefined;
  private readonly proxies = new WeakMap<object, ProxyState>();
  private readonly known = new Map<number, WeakRef<object>>();
  private readonly classes = new Map<string, { prototype: object }>();
  private readonly finalizer = new FinalizationRegistry<number>((id) => {
    this.known.delete(id);
    if (this.state === undefined) this.endpoint.post({ t: 'forget', obj: id });
  });
  private loaded: Pending | undefined;
  /** The unload asked of the worker, until it answers. */
  private unloading: { readonly pending: 'refuse' | 'cancel'; readonly answer: Promise<void> } | undefined;
  /** Streams and futures crossing to and from the worker. */
  private readonly crossing: AsyncCrossing;

  private constructor(
    private readonly endpoint: WorkerEndpoint,
    readonly name: string,
    private readonly timeoutMs: number | undefined,
  ) {
    this.crossing = new AsyncCrossing(
      (outcome, transfer) => {
        if (this.state === undefined) endpoint.post(outcome, transfer);
      },
      (v, transfer) => this.encode(v, transfer),
      (v) => this.decode(v),
    );
    endpoint.onMessage((m) => this.receive(m));
    endpoint.onExit((reason) => this.died(reason));
  }

  /** Sends the component to a fresh worker and resolves once it is instantiated there. */
  static async start(endpoint: WorkerEndpoint, bytes: Uint8Array, options: IsolateOptions = {}): Promise<IsolatedPlugin> {
    const name = options.name ?? 'plugin';
    try {
      checkIsolateOptions(options);
    } catch (e) {
      endpoint.terminate();
      throw e;
    }
    const p = new IsolatedPlugin(endpoint, name, options.timeoutMs);
    const req: WorkerLoadRequest = {
      bytes,
      name,
      maxMemoryBytes: options.maxMemoryBytes,
      maxLiftBytes: options.maxLiftBytes,
      maxHandles: options.maxHandles,
      importsModule: options.importsModule === undefined ? undefined : String(options.importsModule),
      wasi: options.wasi,
      unchecked: options.unchecked ?? false,
      expect: options.expect instanceof URL ? options.expect.href : options.expect,
    };

    try {
      const loaded = (await new Promise<unknown>((resolve, reject) => {
        p.loaded = { resolve, reject, what: `loading ${name}`, timer: p.startTimer(0, `loading ${name}`, options.loadTimeoutMs ?? null), waiting: false };
        endpoint.post({ t: 'load', req });
      })) as Extract<FromWorker, { t: 'loaded' }>;
      const exports = p.build(loaded.shape, []) as Record<string, unknown>;
      // The same extra keys as the plugin's exports in the worker, resolved to this side's objects.
      defineExportKeys(exports, new Map(loaded.keys), name);
      p.exports = exports as typeof p.exports;
      return p;
    } catch (e) {
      endpoint.terminate();
      throw e;
    }
  }

  get isUnloaded(): boolean {
    return this.state?.kind === 'unloaded';
  }

  /**
   * Unloads the plugin in the worker, then terminates the worker; later
   * calls reject with UnloadedError. As in process, the promise rejects with
   * PluginInUseError (and nothing changes) while async work is pending,
   * unless `{ pending: 'cancel' }` is given: then every pending promise
   * rejects and every open stream errors with UnloadedError. A poisoned
   * plugin (trap, timeout) unloads at once. Idempotent.
   */
  unload(options: IsolatedUnloadOptions = {}): Promise<void> {
    if (this.state?.kind === 'unloaded') return Promise.resolve();
    const pending = options.pending ?? 'refuse';
    const asking = this.unloading;
    if (asking !== undefined) {
      // One question at a time; a different one is asked once the first is answered.
      return asking.pending === pending ? asking.answer : asking.answer.catch(() => undefined).then(() => this.unload(options));
    }
    if (this.state?.kind === 'trap') {
      this.unloaded(pending);
      return Promise.resolve();
    }
    const running = [...this.pending.values()].filter((p) => !p.waiting && p.unloadRequest !== true);
    if (running.length > 0) {
      // The worker may be in a loop that never yields, so it cannot be asked: only termination stops such a call.
      if (pending === 'refuse') {
        const names = running.map((p) => `\`${p.what}\``);
        return Promise.reject(
          new PluginInUseError(
            `cannot unload ${this.name} while ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} running in its worker; ` +
              `wait for ${names.length === 1 ? 'it' : 'them'}, or pass { pending: 'cancel' } to terminate the worker`,
          ),
        );
      }
      this.unloaded(pending);
      return Promise.resolve();
    }
    const asked = this.send((id) => ({ t: 'unload', id, pending }), `${this.name}: unload`, () => [], { unloadRequest: true }).then(
      () => {
        this.unloading = undefined;
        this.unloaded(pending);
      },
      (e: unknown) => {
        this.unloading = undefined;
        // Poisoned or unloaded meanwhile: nothing left to unload.
        if (this.state !== undefined) return this.unloaded(pending);
        throw e;
      },
    );
    this.unloading = { pending, answer: asked };
    return asked;
  }

  /** Terminates the worker for good; what is still pending rejects, and what is still open errors, with UnloadedError. */
  private unloaded(pending: 'refuse' | 'cancel'): void {
    if (this.state?.kind === 'unloaded') return;
    this.state = { kind: 'unloaded' };
    this.endpoint.terminate();
    this.failAll(() =>
      pending === 'cancel'
        ? new UnloadedError(`${this.name} was unloaded with this pending ({ pending: 'cancel' })`)
        : new UnloadedError(`${this.name} was unloaded; its exports can no longer be called`),
    );
  }

  /** `plugin.handles()` of the plugin in the worker (see host/plugin/handles.ts); empty once unloaded. */
  handles(): Promise<readonly HandleSnapshot[]> {
    if (this.state?.kind === 'unloaded') return Promise.resolve([]);
    return this.send((id) => ({ t: 'inspect', id, what: 'handles' }), `${this.name}: handles()`) as Promise<readonly HandleSnapshot[]>;
  }

  /** `plugin.handleId(obj)` for a proxy of this plugin; undefined for anything else. */
  handleId(obj: object): Promise<number | undefined> {
    const s = this.proxies.get(obj);
    if (s === undefined || this.state !== undefined) return Promise.resolve(undefined);
    return this.send((id) => ({ t: 'inspect', id, what: 'handle-id', obj: s.id }), `${this.name}: handleId()`) as Promise<number | undefined>;
  }

  /** `limit`: the time limit to use, `null` for none, omitted for the per-call `timeoutMs`. */
  private startTimer(id: number, what: string, limit?: number | null): ReturnType<typeof setTimeout> | undefined {
    const ms = limit === undefined ? this.timeoutMs : (limit ?? undefined);
    if (ms === undefined) return undefined;
    return setTimeout(() => this.timedOut(id, what, ms), ms);
  }

  private timedOut(id: number, what: string, ms: number): void {
    const err = new TimeoutError(`${what} ran past its time limit of ${ms} ms; the plugin's worker was terminated`);
    const p = id === 0 ? this.loaded : this.pending.get(id);
    if (id === 0) this.loaded = undefined;
    else this.pending.delete(id);
    this.poison(err);
    p?.reject(err);
  }

  /** Marks the plugin unusable with `cause`, stops the worker, and fails every other call in flight. */
  private poison(cause: Error): void {
    if (this.state !== undefined) return;
    const trap = new TrapError(`${this.name} is poisoned: ${cause.message}`, { cause });
    this.state = { kind: 'trap', error: trap };
    this.endpoint.terminate();
    this.failAll(() => trap);
  }

  private failAll(err: () => Error): void {
    const all = [...this.pending.values()];
    if (this.loaded !== undefined) all.push(this.loaded);
    this.pending.clear();
    this.loaded = undefined;
    for (const p of all) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.reject(err());
    }
    this.crossing.failAll(err);
  }

  private died(reason: Error): void {
    if (this.state !== undefined) return;
    const loading = this.loaded;
    if (loading !== undefined && reason instanceof LoadError) {
      // The worker could not start (its entry was not found): the load fails with that reason as is.
      this.loaded = undefined;
      if (loading.timer !== undefined) clearTimeout(loading.timer);
      this.poison(reason);
      loading.reject(reason);
      return;
    }
    this.poison(new TrapError(`${this.name}'s worker died: ${reason.message}`, { cause: reason }));
  }

  private receive(m: FromWorker): void {
    switch (m.t) {
      case 'loaded':
      case 'load-failed': {
        const p = this.loaded;
        this.loaded = undefined;
        if (p === undefined) return;
        if (p.timer !== undefined) clearTimeout(p.timer);
        if (m.t === 'loaded') p.resolve(m);
        else p.reject(errorFromWire(m.error));
        return;
      }
      case 'result':
      case 'error': {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        if (p.timer !== undefined) clearTimeout(p.timer);
        if (m.t === 'result') p.resolve(this.decode(m.value));
        else p.reject(errorFromWire(m.error, (v) => this.decode(v)));
        return;
      }
      case 'waiting': {
        const p = this.pending.get(m.id);
        if (p !== undefined) p.waiting = true;
        return;
      }
      case 'future':
        this.crossing.settle(m);
        return;
    }
  }

  private refused(): Error | undefined {
    const s = this.state;
    if (s === undefined) return undefined;
    if (s.kind === 'unloaded') return new UnloadedError(`${this.name} was unloaded; its exports can no longer be called`);
    return new TrapError(s.error.message, { cause: s.error.cause });
  }

  /** `transfer`: what the message made by `make` moves along (streams). */
  private send(
    make: (id: number) => ToWorker,
    what: string,
    transfer: () => Transferable[] = () => [],
    kind: { readonly unloadRequest?: true } = {},
  ): Promise<unknown> {
    const refused = this.refused();
    if (refused !== undefined) return Promise.reject(refused);
    const id = this.nextId++;
    let msg: ToWorker;
    try {
      msg = make(id);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      // The unload request waits on no guest code (running calls were dealt with before), so no time limit.
      const timer = kind.unloadRequest === true ? undefined : this.startTimer(id, what);
      this.pending.set(id, { resolve, reject, what, timer, waiting: false, ...kind });
      this.endpoint.post(msg, transfer());
    });
  }

  private call(target: CallTarget, args: unknown[], what: string): Promise<unknown> {
    let transfer: Transferable[] = [];
    let stopListening: (() => void) | undefined;
    const p = this.send((id) => {
      transfer = [];
      const encoded = args.map((a) => this.encode(this.crossSignal(a, id, (stop) => (stopListening = stop)), transfer));
      return { t: 'call', id, target, args: encoded };
    }, what, () => transfer);
    if (stopListening !== undefined) void p.then(stopListening, stopListening);
    return p;
  }

  /**
   * An async call's options `{ signal }`: the signal stays here, an AbortRef
   * goes instead, and its firing sends an `abort` for call `id`.
   */
  private crossSignal(a: unknown, id: number, onListen: (stop: () => void) => void): unknown {
    if (typeof a !== 'object' || a === null || Object.getPrototypeOf(a) !== Object.prototype) return a;
    const signal = (a as { signal?: unknown }).signal;
    if (typeof AbortSignal === 'undefined' || !(signal instanceof AbortSignal)) return a;
    const onAbort = (): void => {
      if (this.state === undefined) this.endpoint.post({ t: 'abort', id, reason: cloneableReason(signal.reason) });
    };
    if (signal.aborted) queueMicrotask(onAbort);
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      onListen(() => signal.removeEventListener('abort', onAbort));
    }
    return { ...a, signal: { $abort: id } };
  }

  private encode(v: unknown, transfer: Transferable[] = []): unknown {
    return mapValue(v, (o) => {
      // Bytes and other typed arrays: one bulk copy, never a walk over their elements.
      if (ArrayBuffer.isView(o)) return copiedView(o);
      const s = this.proxies.get(o);
      if (s !== undefined) return { $remote: s.id, cls: s.cls } satisfies RemoteRef;
      // Streams by transfer, Promises as FutureRefs.
      const crossed = this.crossing.outgoing(o, transfer);
      if (crossed !== undefined) return crossed;
      const other = foreignHandle(o);
      if (other !== undefined) {
        // A handle of another plugin (isolated or in-process): it cannot reach into this plugin's worker.
        throw new HandleError('foreign-instance', `a ${other} cannot be passed to ${this.name} (isolated): expected one of its own objects, or plain data`);
      }
      if (typeof o === 'object' && Object.getPrototypeOf(o) !== Object.prototype && !Array.isArray(o) && !(o instanceof ArrayBuffer)) {
        throw new TypeError(`a ${o.constructor?.name ?? 'class'} instance cannot be passed to an isolated plugin (only plain data and its own objects)`);
      }
      // A host-implemented trait object's methods would have to run on this thread, which the worker cannot call.
      const method = firstMethod(o);
      if (method !== undefined) {
        throw new TypeError(
          `an object with methods (here \`${method}\`) cannot be passed to an isolated plugin: implement host traits inside the worker, in the module given as importsModule`,
        );
      }
      return undefined;
    });
  }

  private decode(v: unknown): unknown {
    return mapValue(v, (o) =>
      isRemoteRef(o) ? this.proxyFor(o) : isFutureRef(o) ? this.crossing.incoming(o) : isTransferredStream(o) ? this.crossing.incomingStream(o) : undefined,
    );
  }

  private proxyFor(ref: RemoteRef): object {
    const existing = this.known.get(ref.$remote)?.deref();
    if (existing !== undefined) return existing;
    const cls = this.classes.get(ref.cls.join('\0'));
    const o = Object.create(cls?.prototype ?? Object.prototype) as object;
    this.proxies.set(o, { id: ref.$remote, cls: ref.cls });
    proxyOwners.set(o, `${witName(ref.cls[ref.cls.length - 1] ?? 'resource')} of ${this.name}`);
    this.known.set(ref.$remote, new WeakRef(o));
    this.finalizer.register(o, ref.$remote);
    return o;
  }

  private selfOf(o: unknown, cls: readonly string[], name: string): number {
    const s = typeof o === 'object' && o !== null ? this.proxies.get(o) : undefined;
    if (s !== undefined) return s.id;
    const other = typeof o === 'object' && o !== null ? foreignHandle(o) : undefined;
    if (other !== undefined) throw new HandleError('foreign-instance', `${cls.join('.')}.${name}: \`this\` is a ${other}, expected a ${witName(cls[cls.length - 1] ?? '')} of ${this.name}`);
    throw new TypeError(`${cls.join('.')}.${name}: \`this\` is not an object of this plugin`);
  }

  private build(shape: ExportShape, path: readonly string[]): unknown {
    switch (shape.kind) {
      case 'func': {
        const what = `${this.name}: ${path.join('.')}`;
        return (...args: unknown[]) => this.call({ kind: 'func', path }, args, what);
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(shape.members)) out[k] = this.build(s, [...path, k]);
        return out;
      }
      case 'class':
        return this.buildClass(shape, path);
    }
  }

  private buildClass(shape: Extract<ExportShape, { kind: 'class' }>, path: readonly string[]): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const plugin = this;
    const key = path.join('\0');
    const existing = this.classes.get(key);
    if (existing !== undefined) return existing;
    const className = path[path.length - 1] ?? 'Resource';
    const cls = {
      [className]: class {
        /** `new C(...)` resolves to the instance: constructing it runs in the worker. */
        constructor(...args: unknown[]) {
          return plugin.call({ kind: 'construct', cls: path }, args, `${plugin.name}: new ${className}`) as unknown as object;
        }
      },
    }[className]!;
    for (const m of shape.methods) {
      Object.defineProperty(cls.prototype, m, {
        value(this: unknown, ...args: unknown[]) {
          const self = plugin.selfOf(this, path, m);
          return plugin.call({ kind: 'method', cls: path, name: m, self }, args, `${plugin.name}: ${className}.${m}`);
        },
        writable: true,
        configurable: true,
      });
    }
    // As in-process: refused (BorrowError, PluginInUseError) with nothing changed, or done; after
    // unload or a trap there is nothing left to drop, so it does nothing.
    const dispose = function (this: unknown): Promise<undefined> {
      const self = plugin.selfOf(this, path, 'dispose');
      if (plugin.state !== undefined) return Promise.resolve(undefined);
      return plugin.send((id) => ({ t: 'dispose', id, obj: self }), `${plugin.name}: dispose ${className}`).then(() => undefined);
    };
    Object.defineProperty(cls.prototype, Symbol.asyncDispose, { value: dispose, writable: true, configurable: true });
    // `using` needs a synchronous dispose, which cannot wait for the worker: it starts the destructor,
    // and a refusal leaves the object as it was (use `await using` or `[Symbol.asyncDispose]` to hear of it).
    Object.defineProperty(cls.prototype, Symbol.dispose, {
      value(this: unknown) {
        dispose.call(this).catch(() => undefined);
      },
      writable: true,
      configurable: true,
    });
    for (const s of shape.statics) {
      (cls as unknown as Record<string, unknown>)[s] = (...args: unknown[]) =>
        this.call({ kind: 'static', cls: path, name: s }, args, `${this.name}: ${className}.${s}`);
    }
    this.classes.set(key, cls);
    return cls;
  }
}
