/**
 * The messages between a host thread and the worker that runs an isolated
 * plugin, and how values and errors cross. Everything here is plain data that
 * survives the structured clone algorithm, so the same protocol serves Node's
 * worker_threads and the browser's Web Workers; nothing imports Node or DOM.
 *
 * Values follow host/abi's JS conventions. Structured clone already carries
 * primitives, bigint, arrays, typed arrays and plain objects; the one thing it
 * cannot carry is a resource object (a class instance whose state lives in the
 * worker), which crosses as a `RemoteRef` naming its entry in the worker's
 * object table and the exported class it belongs to.
 *
 * Async values cross too: a ReadableStream (`stream<T>`) is transferred (the
 * engine pipes it between the threads, with its backpressure); a Promise
 * (`future<T>`) crosses as a `FutureRef` whose outcome follows in a `future`
 * message; an async call's `{ signal }` crosses as an `AbortRef`, and the
 * signal firing sends an `abort` message for that call.
 */
import type { WasiCapabilities } from '../wasi/capabilities.ts';
import type { ExportKey } from '../runtime/export-keys.ts';
import {
  LoadError,
  TrapError,
  AbiMismatchError,
  BorrowError,
  HandleError,
  MissingMethodError,
  PluginInUseError,
  UnloadedError,
  TimeoutError,
  GuestPanicError,
  ResultError,
  CancelledError,
  JspiUnavailableError,
  type HandleErrorKind,
  type LoadErrorKind,
} from '../errors.ts';

/** The shape of an exports object, so the host side can build matching async proxies. */
export type ExportShape =
  | { readonly kind: 'func' }
  | { readonly kind: 'object'; readonly members: Readonly<Record<string, ExportShape>> }
  | { readonly kind: 'class'; readonly methods: readonly string[]; readonly statics: readonly string[] };

/** A resource object in the worker's object table; `cls` is the path of its class in the exports. */
export interface RemoteRef {
  readonly $remote: number;
  readonly cls: readonly string[];
}

export function isRemoteRef(v: unknown): v is RemoteRef {
  return typeof v === 'object' && v !== null && typeof (v as { $remote?: unknown }).$remote === 'number';
}

/** A Promise that crossed; its outcome follows in a `future` message with the same number. */
export interface FutureRef {
  readonly $future: number;
}

export function isFutureRef(v: unknown): v is FutureRef {
  return typeof v === 'object' && v !== null && typeof (v as { $future?: unknown }).$future === 'number';
}

/** The `signal` of an async call's options: `abort` messages for call `$abort` fire it on the other side. */
export interface AbortRef {
  readonly $abort: number;
}

export function isAbortRef(v: unknown): v is AbortRef {
  return typeof v === 'object' && v !== null && typeof (v as { $abort?: unknown }).$abort === 'number';
}

/** A crossed Promise settled: its value (encoded), or its error. */
export type FutureOutcome =
  | { readonly t: 'future'; readonly future: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'future'; readonly future: number; readonly ok: false; readonly error: WireError };

/** What a call reaches: a function at a path, a constructor, a method on a remote object, a static. */
export type CallTarget =
  | { readonly kind: 'func'; readonly path: readonly string[] }
  | { readonly kind: 'construct'; readonly cls: readonly string[] }
  | { readonly kind: 'method'; readonly cls: readonly string[]; readonly name: string; readonly self: number }
  | { readonly kind: 'static'; readonly cls: readonly string[]; readonly name: string };

/** Capability data for the worker: only what structured clone can carry (no functions). */
export interface WorkerLoadRequest {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly maxMemoryBytes: number | undefined;
  readonly maxLiftBytes: number | undefined;
  readonly maxHandles: number | undefined;
  /** A module the worker imports; its `imports` (or default) export is the plugin's ImportObject. */
  readonly importsModule: string | undefined;
  /** WASI grants, as data (stdout/stderr 'discard' or 'inherit'; no functions). */
  readonly wasi: WasiCapabilities | undefined;
  readonly unchecked: boolean;
  /** The expectation's reference build: bytes, or a path or URL (as text) the worker reads. */
  readonly expect: Uint8Array | string | undefined;
}

export type ToWorker =
  | { readonly t: 'load'; readonly req: WorkerLoadRequest }
  | { readonly t: 'call'; readonly id: number; readonly target: CallTarget; readonly args: readonly unknown[] }
  /** `[Symbol.dispose]` on a remote object: runs the guest destructor. */
  | { readonly t: 'dispose'; readonly id: number; readonly obj: number }
  /** The host-side proxy was garbage collected: drop the table entry only (as in-process GC would). */
  | { readonly t: 'forget'; readonly obj: number }
  /** The signal of call `id`'s options fired (`reason`: the signal's reason, if it survives structured clone). */
  | { readonly t: 'abort'; readonly id: number; readonly reason: unknown }
  /** A Promise the host passed (a `future<T>` argument) settled. */
  | FutureOutcome
  /** `unload()` of the plugin in the worker, refusing or cancelling its pending async work; answered by `result` or `error`. */
  | { readonly t: 'unload'; readonly id: number; readonly pending: 'refuse' | 'cancel' }
  /** Read-only introspection: `plugin.handles()`, or `plugin.handleId(obj)` of a remote object. */
  | { readonly t: 'inspect'; readonly id: number; readonly what: 'handles' } | { readonly t: 'inspect'; readonly id: number; readonly what: 'handle-id'; readonly obj: number };

export type FromWorker =
  /** `keys`: the exports' extra keys and what they stand for (host/runtime/export-keys.ts), applied on the host side. */
  | { readonly t: 'loaded'; readonly shape: ExportShape; readonly keys: readonly (readonly [string, ExportKey])[] }
  | { readonly t: 'load-failed'; readonly error: WireError }
  | { readonly t: 'result'; readonly id: number; readonly value: unknown }
  | { readonly t: 'error'; readonly id: number; readonly error: WireError }
  /** Call `id` returned a Promise: the worker serves other messages while it is pending (unload can ask about it). */
  | { readonly t: 'waiting'; readonly id: number }
  /** A Promise the plugin gave (a `future<T>` result, inside or as an async call's value) settled. */
  | FutureOutcome;

/** An error as data: class name, message, and the fields our error classes carry. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** LoadError's or HandleError's `kind`. */
  readonly kind?: LoadErrorKind | HandleErrorKind;
  readonly offset?: number;
  readonly payload?: unknown;
  readonly differences?: readonly string[];
  /** MissingMethodError's resource and missing method names. */
  readonly resource?: string;
  readonly missing?: readonly string[];
  readonly cause?: WireError;
}

/** Our error classes, by the name they cross as: a subclass (a LoadError about a section, say) crosses as its class. */
const WIRE_CLASSES = [
  LoadError,
  TrapError,
  AbiMismatchError,
  BorrowError,
  HandleError,
  PluginInUseError,
  UnloadedError,
  TimeoutError,
  GuestPanicError,
  ResultError,
  MissingMethodError,
  CancelledError,
  JspiUnavailableError,
];

export function errorToWire(e: unknown, encodePayload: (v: unknown) => unknown = (v) => v, depth = 0): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const name = WIRE_CLASSES.find((c) => e instanceof c)?.name ?? e.name;
  const w: { -readonly [K in keyof WireError]: WireError[K] } = { name, message: e.message };
  if (e instanceof LoadError) {
    w.kind = e.kind;
    if (e.offset !== undefined) w.offset = e.offset;
  }
  if (e instanceof HandleError) w.kind = e.kind;
  if (e instanceof ResultError) w.payload = encodePayload(e.payload);
  if (e instanceof AbiMismatchError) w.differences = [...e.differences];
  if (e instanceof MissingMethodError) {
    w.resource = e.resource;
    w.missing = [...e.missing];
  }
  if (depth < 4 && e.cause !== undefined) w.cause = errorToWire(e.cause, encodePayload, depth + 1);
  return w;
}

/**
 * Rebuilds a typed error on the host side. Our error classes come back as
 * themselves (so `instanceof TrapError` works across the thread boundary);
 * built-in ones (TypeError, RangeError) as their class; others as Error.
 */
export function errorFromWire(w: WireError, decodePayload: (v: unknown) => unknown = (v) => v): Error {
  const cause = w.cause === undefined ? undefined : errorFromWire(w.cause, decodePayload);
  const opts = cause === undefined ? undefined : { cause };
  let e: Error;
  switch (w.name) {
    case 'LoadError': {
      // LoadError appends the offset to its message; keep the message as sent.
      e = new LoadError((w.kind as LoadErrorKind | undefined) ?? 'invalid', w.message, undefined, opts);
      if (w.offset !== undefined) Object.defineProperty(e, 'offset', { value: w.offset, enumerable: true });
      break;
    }
    case 'TrapError':
      e = new TrapError(w.message, opts);
      break;
    case 'AbiMismatchError':
      e = new AbiMismatchError(w.message);
      break;
    case 'BorrowError':
      e = new BorrowError(w.message, opts);
      break;
    case 'HandleError':
      e = new HandleError((w.kind as HandleErrorKind | undefined) ?? 'foreign-instance', w.message);
      break;
    case 'PluginInUseError':
      e = new PluginInUseError(w.message, opts);
      break;
    case 'UnloadedError':
      e = new UnloadedError(w.message, opts);
      break;
    case 'TimeoutError':
      e = new TimeoutError(w.message, opts);
      break;
    case 'GuestPanicError':
      e = new GuestPanicError(w.message, opts);
      break;
    case 'CancelledError':
      e = new CancelledError(w.message, opts);
      break;
    case 'JspiUnavailableError':
      e = new JspiUnavailableError(w.message, opts);
      break;
    case 'ResultError':
      e = new ResultError(decodePayload(w.payload));
      break;
    case 'MissingMethodError':
      e = new MissingMethodError(w.message, w.resource ?? '', w.missing ?? []);
      break;
    case 'TypeError':
      e = new TypeError(w.message, opts);
      break;
    case 'RangeError':
      e = new RangeError(w.message, opts);
      break;
    default:
      e = new Error(w.message, opts);
      e.name = w.name;
  }
  if (e.message !== w.message) Object.defineProperty(e, 'message', { value: w.message, writable: true, configurable: true });
  if (w.differences !== undefined && e instanceof AbiMismatchError) Object.defineProperty(e, 'differences', { value: w.differences });
  return e;
}

/** Walks plain data (arrays, plain objects), replacing what `leaf` maps; everything else is left to structured clone. */
export function mapValue(v: unknown, leaf: (v: object) => unknown | undefined, depth = 0): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const mapped = leaf(v);
  if (mapped !== undefined) return mapped;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  // A stream is transferred whole (isTransferredStream), never walked.
  if (isTransferredStream(v)) return v;
  if (depth > 256) throw new RangeError('value nests deeper than 256 levels');
  if (Array.isArray(v)) return v.map((x) => mapValue(x, leaf, depth + 1));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapValue(x, leaf, depth + 1);
    return out;
  }
  return v;
}

/**
 * A typed array (`list<u8>` as Uint8Array, `list<f64>` as Float64Array, …)
 * the host passes in, as it crosses: by the engine's structured clone, one
 * bulk copy, so the caller's array stays as it was and usable. A view onto
 * part of a larger buffer is copied down to its own bytes first, because
 * structured clone would send the whole buffer behind it; so is a view of a
 * SharedArrayBuffer, which structured clone would share with the worker.
 */
export function copiedView(v: ArrayBufferView): ArrayBufferView {
  if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) return v;
  if (v instanceof DataView) return new DataView(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice().buffer);
  return (v as Uint8Array).slice();
}

/**
 * A typed array the worker sends back (a list the plugin returned), as it
 * crosses: its buffer is moved, not copied, when the view owns all of it.
 * Every list the runtime lifts is a fresh buffer of exactly its bytes
 * (host/abi/load-store.ts), which nothing else in the worker holds, so
 * moving it detaches nothing anyone can see. A shared or partly viewed
 * buffer is copied instead (`copiedView`), and so is a small one, where a
 * copy costs less than the transfer's bookkeeping (and the transfer list,
 * searched for duplicates, stays short).
 */
export function movedView(v: ArrayBufferView, transfer: Transferable[]): ArrayBufferView {
  const b = v.buffer;
  if (!(b instanceof ArrayBuffer) || v.byteOffset !== 0 || v.byteLength !== b.byteLength) return copiedView(v);
  if (b.byteLength < MOVED_VIEW_MIN_BYTES) return v;
  // One buffer listed twice makes postMessage throw.
  if (!transfer.includes(b)) transfer.push(b);
  return v;
}

/** Below this size a returned typed array is copied rather than moved. */
export const MOVED_VIEW_MIN_BYTES = 64 * 1024;

/** A WHATWG ReadableStream, which crosses by transfer (Node worker_threads and browsers both transfer it). */
export function isTransferredStream(v: unknown): v is ReadableStream {
  return typeof ReadableStream !== 'undefined' && v instanceof ReadableStream;
}

/** A Promise (or thenable) in a value, which crosses as a FutureRef. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** A resource class's name as its WIT type is written (`UnitRegistry` -> `unit-registry`). */
export function witName(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
