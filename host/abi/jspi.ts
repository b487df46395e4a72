/**
 * JS Promise Integration (JSPI, `WebAssembly.Suspending` / `WebAssembly.promising`):
 * how core wasm is suspended in the middle of a call. The async ABI needs it
 * wherever a thread blocks inside a core call — a stackful `canon lift`, a
 * synchronous call of a function that may block, `waitable-set.wait` and the
 * other built-ins that wait, and the `thread.*` built-ins. The callback ABI
 * blocks only between core calls and needs none of it.
 *
 * A `Suspending` import suspends the wasm stack up to the nearest
 * `promising` export every time it is called (the engine refuses it without
 * one, whatever it returns), so an instance that imports one is entered only
 * through `promising` (host/runtime/instantiate.ts decides this per instance).
 *
 * Without JSPI such an instance still loads: what may block is known only
 * when it runs, and most calls never have to (a subtask already resolved, an
 * event already pending, a cancel before the callee started). Only a thread
 * that really has to wait inside a core call traps, with JspiUnavailableError.
 */
import { JspiUnavailableError } from '../errors.ts';

/**
 * Whether and how core wasm of one instance can be suspended when one of its
 * threads blocks inside a core call:
 * - `not-needed`: nothing in the instance can block inside a core call;
 * - `jspi`: it is entered through `promising` and its blocking imports are `Suspending`;
 * - `unavailable`: something may block inside a core call but the engine lacks
 *   JSPI: the instance runs as if nothing blocks, and a block that must
 *   happen throws `jspiUnavailable` (a trap of the calling task).
 */
export type CoreSuspension = 'not-needed' | 'jspi' | 'unavailable';

/** The standard JSPI API (the proposal at phase 4: Chromium 137, V8 13.7; Node 24, V8 13.6). */
export interface JspiApi {
  Suspending: new (f: (...args: never[]) => unknown) => object;
  promising: (f: (...args: never[]) => unknown) => (...args: unknown[]) => Promise<unknown>;
}

/**
 * The JSPI of a `WebAssembly` namespace, or undefined where it lacks the
 * standard shape. Only the shape of the phase-4 proposal counts: V8 12.4
 * (Node 22, behind `--experimental-wasm-jspi`) has an earlier one
 * (`WebAssembly.Suspender`, `new WebAssembly.Function(type, f, { suspending })`)
 * that passes the suspender as an explicit externref parameter; using our
 * imports and exports through it would be wrong, so it is no JSPI here.
 */
export function jspiApiOf(wasm: object): JspiApi | undefined {
  const ns = wasm as Partial<JspiApi>;
  return typeof ns.Suspending === 'function' && typeof ns.promising === 'function' ? (ns as JspiApi) : undefined;
}

function api(): JspiApi | undefined {
  return jspiApiOf(WebAssembly);
}

/** Whether the running engine has JSPI (both halves of the standard API exist). */
export function hasJspi(): boolean {
  return api() !== undefined;
}

/**
 * The error of a thread that has to wait inside a core call of an instance
 * that cannot be suspended: `what` names the built-in or the import.
 */
export function jspiUnavailable(instName: string, what: string): JspiUnavailableError {
  return new JspiUnavailableError(
    `${instName}: ${what} has to wait here, and waiting inside a core wasm call needs JSPI (WebAssembly.Suspending and WebAssembly.promising), which this JavaScript engine lacks`,
  );
}

/** A core import that may suspend the wasm calling it: `f` returns a value or a Promise of it. */
export function suspending(f: (...args: never[]) => unknown): unknown {
  const a = api();
  if (a === undefined) throw new Error('JSPI is not available (checked at load)');
  return new a.Suspending(f);
}

/** A core export entered so that the imports it calls may suspend it: every call returns a Promise. */
export function promising(f: (...args: never[]) => unknown): (...args: unknown[]) => Promise<unknown> {
  const a = api();
  if (a === undefined) throw new Error('JSPI is not available (checked at load)');
  return a.promising(f);
}
