/**
 * Shared pieces of the ownership red-team suite (issue 10): loading the
 * example plugins in-process or in a worker behind one shape, and the
 * assertions every refusal test makes (a typed error with a stable `.code`,
 * thrown or rejected, before the plugin ran).
 *
 * Calls are written `await x.f()` everywhere, so one test body serves both
 * modes: in-process calls return values (awaiting them is a no-op), worker
 * calls return promises. Only the public API (host/index.ts) is used, so the
 * suite survives the host's internal reorganisation.
 */
import { expect } from 'vitest';
import { load, RdylibError, type Plugin, type IsolatedPlugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';

export type Mode = 'in-process' | 'worker';
export const MODES: readonly Mode[] = ['in-process', 'worker'];

/** The imports the shapes plugin needs (a recording canvas); in a worker they come from a module. */
export const SHAPES_IMPORTS_MODULE = new URL('./fixtures/shapes-imports.ts', import.meta.url);

export type AnyPlugin = Plugin | IsolatedPlugin;

/**
 * Loads a built example plugin in `mode`. Shapes gets its canvas import from
 * the same fixture module in both modes, so both run the same code.
 */
export async function loadExample(name: string, mode: Mode): Promise<AnyPlugin> {
  const needsCanvas = name === 'shapes';
  if (mode === 'worker') {
    return load(guestPath(name), {
      isolate: 'worker',
      name,
      ...(needsCanvas ? { importsModule: SHAPES_IMPORTS_MODULE } : {}),
    });
  }
  const imports = needsCanvas ? (await import('./fixtures/shapes-imports.ts')).imports : {};
  return load(guestPath(name), { name, imports });
}

/** The export `iface` of `plugin`, typed as the test's view of it. */
export function api<T>(plugin: AnyPlugin, iface: string): T {
  return plugin.exports[iface] as T;
}

export const KV = 'rdylib-guest:kv/kv@0.1.0';
export const STATICS = 'rdylib-guest:statics/statics@0.1.0';
export const REGISTRY = 'rdylib-guest:registry/registry@0.1.0';
export const SHAPES = 'rdylib-guest:shapes/shapes@0.1.0';
export const MUTATOR = 'rdylib-guest:mutator/mutator@0.1.0';
export const KEEPER = 'rdylib-guest:keeper/keeper@0.1.0';
export const CONSUMER = 'rdylib-guest:consumer/consumer@0.1.0';

/** What a refusal must be: the stable code, and optionally the kind (HandleError, LoadError) and message. */
export interface Refusal {
  readonly code: string | readonly string[];
  readonly kind?: string;
  readonly message?: RegExp;
}

/**
 * Runs `f` (sync or async) and returns the error it throws or rejects with,
 * after checking it is a typed host error with the expected code (and kind,
 * and message). Fails if `f` succeeds.
 */
export async function refused(f: () => unknown, want: Refusal): Promise<RdylibError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await f() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`expected a refusal with code ${JSON.stringify(want.code)}, but the call succeeded and returned ${describe(outcome.value)}`);
  const e = outcome.error;
  const codes = typeof want.code === 'string' ? [want.code] : want.code;
  if (!(e instanceof RdylibError)) {
    throw new Error(`expected a typed RdylibError with code ${codes.join(' or ')}, got ${describe(e)}`, { cause: e });
  }
  expect(codes, `error code of ${e.name}: ${e.message}`).toContain(e.code);
  if (want.kind !== undefined) expect((e as RdylibError & { kind?: unknown }).kind, e.message).toBe(want.kind);
  if (want.message !== undefined) expect(e.message).toMatch(want.message);
  return e;
}

/** `refused` for a BorrowError (code BORROW). */
export function borrowRefused(f: () => unknown, message?: RegExp): Promise<RdylibError> {
  return refused(f, { code: 'BORROW', ...(message ? { message } : {}) });
}

/** `refused` for a HandleError (code HANDLE) of `kind`. */
export function handleRefused(f: () => unknown, kind: string, message?: RegExp): Promise<RdylibError> {
  return refused(f, { code: 'HANDLE', kind, ...(message ? { message } : {}) });
}

/** Runs `f` (sync or async), expecting a plain TypeError (a value of the wrong shape, not a handle error). */
export async function typeRefused(f: () => unknown): Promise<TypeError> {
  try {
    await f();
  } catch (e) {
    expect(e, describe(e)).toBeInstanceOf(TypeError);
    return e as TypeError;
  }
  throw new Error('expected a TypeError, but the call succeeded');
}

/**
 * Disposes `o` the way each mode offers: `[Symbol.dispose]()` in-process
 * (synchronous, throws a refusal), `[Symbol.asyncDispose]()` for a worker
 * object (rejects with the refusal).
 */
export async function dispose(o: object, mode: Mode): Promise<void> {
  if (mode === 'worker') await (o as { [Symbol.asyncDispose](): Promise<void> })[Symbol.asyncDispose]();
  else (o as { [Symbol.dispose](): void })[Symbol.dispose]();
}

/** In-process only: no instance of `plugin` is poisoned (the refusal happened before the plugin ran). */
export function expectNotPoisoned(plugin: AnyPlugin): void {
  if ('instances' in plugin) expect(plugin.instances.map((i) => i.poisoned?.message)).toEqual(plugin.instances.map(() => undefined));
}

function describe(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The vitest hooks `usePlugins` needs (passed in so this module does not register hooks on import). */
export interface Hooks {
  beforeAll(f: () => Promise<void>): void;
  afterAll(f: () => Promise<void>): void;
  beforeEach(f: (ctx: { onTestFailed(f: () => void): void }) => Promise<void>): void;
  afterEach(f: () => Promise<void>): void;
}

/**
 * The example plugins a describe block uses, loaded in `mode`: fresh for
 * every test in-process (so a test that poisons one does not fail the next),
 * once per block in a worker (starting workers is what costs time), and
 * again after a failed test, so one failure (a plugin poisoned where the host
 * should have refused) is reported once, not by every later test. Access
 * them inside tests through the returned getter.
 */
export function usePlugins<N extends string>(hooks: Hooks, mode: Mode, names: readonly N[]): () => Record<N, AnyPlugin> {
  let current: Record<N, AnyPlugin> | undefined;
  // A failed test that used these plugins may have left them poisoned or half-changed.
  let stale = false;
  let usedByThisTest = false;
  const loadAll = async (): Promise<void> => {
    const entries = await Promise.all(names.map(async (n) => [n, await loadExample(n, mode)] as const));
    current = Object.fromEntries(entries) as Record<N, AnyPlugin>;
  };
  const unloadAll = async (): Promise<void> => {
    const all = current === undefined ? [] : Object.values<AnyPlugin>(current);
    current = undefined;
    // Not part of what is tested here: unload errors are the unload tests' business.
    await Promise.all(all.map((p) => Promise.resolve(p.unload()).catch(() => undefined)));
  };
  if (mode === 'worker') {
    hooks.beforeAll(loadAll);
    hooks.afterAll(unloadAll);
    hooks.beforeEach(async ({ onTestFailed }) => {
      if (stale) {
        await unloadAll();
        await loadAll();
        stale = false;
      }
      usedByThisTest = false;
      onTestFailed(() => {
        stale ||= usedByThisTest;
      });
    });
  } else {
    hooks.beforeEach(loadAll);
    hooks.afterEach(unloadAll);
  }
  return () => {
    if (current === undefined) throw new Error('plugins are only loaded inside a test');
    usedByThisTest = true;
    return current;
  };
}

/**
 * The plugin's live handles and their ownership state (`plugin.handles()`,
 * both modes), for asserting that a refused call changed nothing: no handle
 * moved, leaked or freed, no loan left behind.
 */
export async function handleState(plugin: AnyPlugin): Promise<unknown> {
  return structuredClone(await plugin.handles());
}
