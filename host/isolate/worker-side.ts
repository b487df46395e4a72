/**
 * The worker's half of an isolated plugin: loads the component inside the
 * worker, describes its exports to the host thread, and serves calls one at
 * a time. Free of Node and DOM APIs: `node-worker.ts` and `web-worker.ts`
 * adapt their thread's message port to `WorkerPort`.
 */
import { load, type Plugin } from '../load.ts';
import { HandleError, UnloadedError } from '../errors.ts';
import { AsyncCrossing } from './async-crossing.ts';
import {
  errorToWire,
  isAbortRef,
  isFutureRef,
  isRemoteRef,
  isThenable,
  isTransferredStream,
  witName,
  mapValue,
  movedView,
  type CallTarget,
  type ExportShape,
  type FromWorker,
  type ToWorker,
  type WorkerLoadRequest,
} from './protocol.ts';

export interface WorkerPort {
  /** `transfer`: streams moved along with the message. */
  post(msg: FromWorker, transfer?: Transferable[]): void;
  onMessage(handler: (msg: ToWorker) => void): void;
}

type AnyFn = (...args: unknown[]) => unknown;
type Cls = (new (...args: unknown[]) => object) & Record<string, unknown>;

/**
 * A resource class, told apart from a plain export function by what every
 * resource class the runtime makes has: `[Symbol.dispose]` on its prototype.
 */
function isClass(v: unknown): v is Cls {
  if (typeof v !== 'function') return false;
  const proto = (v as { prototype?: unknown }).prototype;
  return typeof proto === 'object' && proto !== null && Object.prototype.hasOwnProperty.call(proto, Symbol.dispose);
}

class Served {
  /** Every resource object the host thread has a proxy for, by id, until the proxy is collected (`forget`). */
  private readonly objects = new Map<number, object>();
  /** The id of each object, so one object crosses as one id (and one proxy) however often it is returned. */
  private readonly ids = new WeakMap<object, number>();
  private nextObject = 1;
  /** Prototype of each exported resource class → that class's path in the exports. */
  private readonly classPaths = new Map<object, readonly string[]>();
  readonly shape: ExportShape;
  /** Streams, futures and signals crossing to and from the host thread. */
  readonly crossing: AsyncCrossing;

  constructor(
    readonly plugin: Plugin,
    port: WorkerPort,
  ) {
    this.shape = this.describe(plugin.exports, []);
    this.crossing = new AsyncCrossing(
      (outcome, transfer) => port.post(outcome, transfer),
      (v, transfer) => this.encode(v, transfer),
      (v) => this.decode(v),
    );
  }

  private describe(obj: Record<string, unknown>, path: readonly string[]): ExportShape {
    const members: Record<string, ExportShape> = {};
    for (const [k, v] of Object.entries(obj)) {
      const p = [...path, k];
      if (isClass(v)) {
        if (!this.classPaths.has(v.prototype)) this.classPaths.set(v.prototype, p);
        const methods = Object.getOwnPropertyNames(v.prototype).filter((m) => m !== 'constructor' && typeof (v.prototype as Record<string, unknown>)[m] === 'function');
        const statics = Object.keys(v).filter((s) => typeof v[s] === 'function');
        members[k] = { kind: 'class', methods, statics };
      } else if (typeof v === 'function') {
        members[k] = { kind: 'func' };
      } else if (typeof v === 'object' && v !== null) {
        members[k] = this.describe(v as Record<string, unknown>, p);
      }
    }
    return { kind: 'object', members };
  }

  /** Resource objects leave as RemoteRefs, streams by transfer (collected in `transfer`), Promises as FutureRefs; everything else as data. */
  encode(v: unknown, transfer: Transferable[] = []): unknown {
    return mapValue(v, (o) => {
      // A list the plugin returned: its fresh buffer moves to the host thread.
      if (ArrayBuffer.isView(o)) return movedView(o, transfer);
      const cls = this.classPaths.get(Object.getPrototypeOf(o) as object);
      if (cls === undefined) return this.crossing.outgoing(o, transfer);
      let id = this.ids.get(o);
      if (id === undefined || !this.objects.has(id)) {
        id = this.nextObject++;
        this.ids.set(o, id);
        this.objects.set(id, o);
      }
      return { $remote: id, cls };
    });
  }

  private decode(v: unknown, callId?: number): unknown {
    return mapValue(v, (o) => {
      if (isRemoteRef(o)) return this.object(o.$remote);
      if (isFutureRef(o)) return this.crossing.incoming(o);
      if (isTransferredStream(o)) return this.crossing.incomingStream(o);
      if (isAbortRef(o) && callId !== undefined) return this.crossing.signalFor(callId);
      return undefined;
    });
  }

  private object(id: number): object {
    const o = this.objects.get(id);
    if (o === undefined) throw new TypeError(`remote object #${id} was disposed or never existed`);
    return o;
  }

  private at(path: readonly string[]): unknown {
    let v: unknown = this.plugin.exports;
    for (const k of path) v = (v as Record<string, unknown> | undefined)?.[k];
    return v;
  }

  /** Calls `target`; returns its value as it came (serveWorker encodes it, awaiting an async call's Promise first). */
  call(target: CallTarget, rawArgs: readonly unknown[], callId: number): unknown {
    const args = rawArgs.map((a) => this.decode(a, callId));
    switch (target.kind) {
      case 'func': {
        const f = this.at(target.path);
        if (typeof f !== 'function') throw new TypeError(`${target.path.join('.')} is not an exported function`);
        return (f as AnyFn)(...args);
      }
      case 'construct': {
        const c = this.at(target.cls);
        if (!isClass(c)) throw new TypeError(`${target.cls.join('.')} is not an exported class`);
        return new c(...args);
      }
      case 'method': {
        const self = this.object(target.self) as Record<string, unknown>;
        // Another class's object as `this` (an iterator for a store's method): refused as in-process.
        const own = this.classPaths.get(Object.getPrototypeOf(self) as object);
        if (own !== undefined && own.join('\0') !== target.cls.join('\0')) {
          throw new HandleError('foreign-instance', `${target.cls.join('.')}.${target.name}: \`this\` is a ${witName(own[own.length - 1] ?? '')}, expected a ${witName(target.cls[target.cls.length - 1] ?? '')}`);
        }
        const m = self[target.name];
        if (typeof m !== 'function') throw new TypeError(`${target.cls.join('.')} has no method ${target.name}`);
        return Reflect.apply(m as AnyFn, self, args);
      }
      case 'static': {
        const c = this.at(target.cls) as Record<string, unknown> | undefined;
        const f = c?.[target.name];
        if (typeof f !== 'function') throw new TypeError(`${target.cls.join('.')} has no static ${target.name}`);
        return Reflect.apply(f as AnyFn, c, args);
      }
    }
  }

  /**
   * `[Symbol.dispose]` of the object, as in-process: a refusal (BorrowError,
   * PluginInUseError) goes back to the caller and changes nothing. The entry
   * stays until the host's proxy is collected, so a later use is refused for
   * what it is (use after dispose), as in-process.
   */
  dispose(id: number): void {
    const o = this.objects.get(id);
    if (o === undefined) return;
    (o as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  }

  forget(id: number): void {
    this.objects.delete(id);
  }

  /** `plugin.handles()` / `plugin.handleId(obj)` of the plugin in this worker (plain data). */
  inspect(msg: Extract<ToWorker, { t: 'inspect' }>): unknown {
    if (msg.what === 'handles') return this.plugin.handles();
    const o = this.objects.get(msg.obj);
    return o === undefined ? undefined : this.plugin.handleId(o);
  }
}

/** The in-process `load` of host/load.ts, inside the worker, with the request's limits and grants. */
async function loadRequest(req: WorkerLoadRequest): Promise<Plugin> {
  let imports: Record<string, unknown> = {};
  if (req.importsModule !== undefined) {
    const mod = (await import(req.importsModule)) as { imports?: Record<string, unknown>; default?: Record<string, unknown> };
    imports = mod.imports ?? mod.default ?? {};
  }
  return load(req.bytes, {
    name: req.name,
    imports,
    maxMemoryBytes: req.maxMemoryBytes,
    maxLiftBytes: req.maxLiftBytes,
    maxHandles: req.maxHandles,
    wasi: req.wasi,
    unchecked: req.unchecked,
    ...(req.expect === undefined ? {} : { expect: typeof req.expect === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(req.expect) ? new URL(req.expect) : req.expect }),
  });
}

/** Serves one plugin on `port`: a `load` first, then calls, strictly in order. */
export function serveWorker(port: WorkerPort): void {
  let served: Served | undefined;
  let queue: Promise<void> = Promise.resolve();
  const handle = async (msg: ToWorker): Promise<void> => {
    switch (msg.t) {
      case 'load':
        try {
          served = new Served(await loadRequest(msg.req), port);
          port.post({ t: 'loaded', shape: served.shape, keys: [...served.plugin.exportKeys] });
        } catch (e) {
          port.post({ t: 'load-failed', error: errorToWire(e) });
        }
        return;
      case 'call':
      case 'dispose': {
        const s = served;
        const id = msg.id;
        const fail = (e: unknown): void => port.post({ t: 'error', id, error: errorToWire(e, (v) => s?.encode(v) ?? v) });
        const reply = (value: unknown): void => {
          const transfer: Transferable[] = [];
          port.post({ t: 'result', id, value: s!.encode(value, transfer) }, transfer);
        };
        try {
          if (s === undefined) throw new UnloadedError('no plugin is loaded in this worker');
          const value = msg.t === 'call' ? s.call(msg.target, msg.args, id) : s.dispose(msg.obj);
          if (isThenable(value)) {
            // An async call: answered when it settles, while later calls are served meanwhile.
            port.post({ t: 'waiting', id });
            Promise.resolve(value)
              .then(reply, fail)
              .catch(fail)
              .finally(() => s.crossing.callDone(id));
            return;
          }
          s.crossing.callDone(id);
          reply(value);
        } catch (e) {
          s?.crossing.callDone(id);
          fail(e);
        }
        return;
      }
      case 'unload': {
        // The plugin's own unload: refused (PluginInUseError naming the pending work) or done, exactly as in process.
        const id = msg.id;
        try {
          if (served !== undefined) await served.plugin.unload({ pending: msg.pending });
          port.post({ t: 'result', id, value: undefined });
        } catch (e) {
          port.post({ t: 'error', id, error: errorToWire(e) });
        }
        return;
      }
      case 'abort':
        served?.crossing.abort(msg.id, msg.reason);
        return;
      case 'future':
        served?.crossing.settle(msg);
        return;
      case 'forget':
        served?.forget(msg.obj);
        return;
      case 'inspect':
        port.post({ t: 'result', id: msg.id, value: served?.inspect(msg) });
        return;
    }
  };
  port.onMessage((msg) => {
    queue = queue.then(() => handle(msg));
  });
}
