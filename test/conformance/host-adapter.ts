/**
 * The runner's only contact with the host. Everything the runner needs from
 * the host goes through `Host`, so a change of the host's API is a change here.
 *
 * Host API relied on (docs/host-architecture.md; host/errors.ts):
 *   instantiateComponent(bytes: Uint8Array, imports: Record<string, unknown>): exports object
 * exported from host/load.ts (or host/runtime/instantiate.ts), synchronous,
 * throwing LoadError (kind malformed | invalid | unsupported | unlinkable) and
 * TrapError. An async export returns a Promise (settling as a sync call
 * returns or throws). For `component definition` the adapter uses `compile(bytes)`
 * (parse + validate + compile, no instantiation) when the module exports it;
 * otherwise a definition is instantiated with no imports and an `unlinkable`
 * refusal still counts as valid.
 *
 * The modules are imported dynamically so the runner loads (and reports every
 * case as failing with the reason) while the host is still being written.
 */

import { LoadError, type LoadErrorKind, ResultError, TrapError } from '../../host/errors.ts';
import { camelCase } from './js-values.ts';

export type Exports = Record<string, unknown>;

export type HostFailure =
  | { readonly kind: 'load'; readonly loadKind: LoadErrorKind; readonly message: string }
  | { readonly kind: 'trap'; readonly message: string }
  /** A top-level `result` returned `err`: the host throws ResultError with the payload. */
  | { readonly kind: 'result-error'; readonly payload: unknown; readonly message: string }
  /** The host API is not there (yet). */
  | { readonly kind: 'unavailable'; readonly message: string }
  /** Anything else the host threw: a host bug or an error class it should not use here. */
  | { readonly kind: 'other'; readonly message: string };

export type HostOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: HostFailure };

export interface Host {
  instantiate(bytes: Uint8Array, imports: Exports): HostOutcome<Exports>;
  /** Load-time checks only, for `component definition`. */
  validate(bytes: Uint8Array): HostOutcome<void>;
  /** Calls an exported function by its component-level (kebab-case) name; an async export's promise is awaited. */
  call(exports: Exports, name: string, args: readonly unknown[]): Promise<HostOutcome<unknown>>;
}

type InstantiateFn = (bytes: Uint8Array, imports: Record<string, unknown>) => unknown;
type ValidateFn = (bytes: Uint8Array) => unknown;

/** Where the host's entry points are expected, in order of preference. */
const HOST_MODULES = ['../../host/load.ts', '../../host/runtime/instantiate.ts'] as const;

export async function loadHost(): Promise<Host> {
  let instantiate: InstantiateFn | undefined;
  let validate: ValidateFn | undefined;
  const problems: string[] = [];
  for (const path of HOST_MODULES) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(path)) as Record<string, unknown>;
    } catch (e) {
      const missing = (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && firstLine(e).includes(`'${new URL(path, import.meta.url).pathname}'`);
      problems.push(missing ? `${path.slice(6)} does not exist` : `${path.slice(6)} failed to load: ${firstLine(e)}`);
      continue;
    }
    if (instantiate === undefined && typeof mod.instantiateComponent === 'function') instantiate = mod.instantiateComponent as InstantiateFn;
    if (validate === undefined && typeof mod.compile === 'function') validate = mod.compile as ValidateFn;
  }
  if (instantiate === undefined) {
    const message = `host API instantiateComponent not found (${problems.join('; ') || 'no module exports it'})`;
    return unavailableHost(message);
  }
  return makeHost(instantiate, validate);
}

function unavailableHost(message: string): Host {
  const failure: HostOutcome<never> = { ok: false, failure: { kind: 'unavailable', message } };
  return { instantiate: () => failure, validate: () => failure, call: () => Promise.resolve(failure) };
}

function makeHost(instantiate: InstantiateFn, validate: ValidateFn | undefined): Host {
  const doInstantiate = (bytes: Uint8Array, imports: Exports): HostOutcome<Exports> =>
    guard(() => {
      const exports = instantiate(bytes, imports);
      if (isThenable(exports)) throw new HostContractError('instantiateComponent returned a Promise; the runner expects it to be synchronous');
      if (typeof exports !== 'object' || exports === null) throw new HostContractError(`instantiateComponent returned ${typeof exports}, expected an exports object`);
      return exports as Exports;
    });
  return {
    instantiate: doInstantiate,
    validate(bytes) {
      if (validate !== undefined) return guard(() => void validate(bytes));
      const r = doInstantiate(bytes, {});
      if (r.ok || (r.failure.kind === 'load' && r.failure.loadKind === 'unlinkable')) return { ok: true, value: undefined };
      return r;
    },
    async call(exports, name, args) {
      const fn = exports[name] ?? exports[camelCase(name)];
      if (typeof fn !== 'function') {
        const known = Object.keys(exports).join(', ') || 'none';
        return { ok: false, failure: { kind: 'other', message: `no exported function ${JSON.stringify(name)} (exports: ${known})` } };
      }
      const r = guard(() => (fn as (...a: unknown[]) => unknown)(...args));
      if (!r.ok || !isThenable(r.value)) return r;
      // An async export: its promise settles with the result, or rejects as a sync call would throw.
      return settleOrStall(r.value as PromiseLike<unknown>, name);
    },
  };
}

class HostContractError extends Error {}

/**
 * Calls whose promise has not settled. When the event loop runs out of work
 * while one waits (a deadlock the host did not detect), Node would exit in
 * the middle of the script; instead each waiting call fails with that reason
 * and the script goes on. The failures are delivered from a macrotask: Node
 * emits `beforeExit` again only when the loop has a handle to run, and work
 * that continues purely in microtasks would otherwise end the process at
 * the next stall.
 */
const stalled = new Set<() => void>();
process.on('beforeExit', () => {
  if (stalled.size === 0) return;
  setImmediate(() => {
    for (const fail of [...stalled]) fail();
  });
});

/** The outcome of an export's promise, or a failure if it is still pending when nothing is left to run. */
export function settleOrStall(p: PromiseLike<unknown>, name: string): Promise<HostOutcome<unknown>> {
  return new Promise((resolve) => {
    const fail = (): void => {
      stalled.delete(fail);
      resolve({ ok: false, failure: { kind: 'other', message: `export ${name}: its promise never settled (the event loop ran out of work while it waited: a deadlock the host did not detect)` } });
    };
    stalled.add(fail);
    p.then(
      (value) => (stalled.delete(fail), resolve({ ok: true, value })),
      (e: unknown) => (stalled.delete(fail), resolve({ ok: false, failure: classify(e) })),
    );
  });
}

function guard<T>(f: () => T): HostOutcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, failure: classify(e) };
  }
}

function classify(e: unknown): HostFailure {
  if (e instanceof LoadError) return { kind: 'load', loadKind: e.kind, message: e.message };
  if (e instanceof TrapError) return { kind: 'trap', message: e.message };
  if (e instanceof ResultError) return { kind: 'result-error', payload: e.payload, message: e.message };
  const name = e instanceof Error ? e.constructor.name : typeof e;
  return { kind: 'other', message: `${name}: ${firstLine(e)}` };
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0]!;
}
