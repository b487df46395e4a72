/**
 * The sandbox options of `load` (host/load.ts) and what they do before a
 * plugin is instantiated:
 *
 * - `maxMemoryBytes`: every linear memory gets that maximum (memory-cap.ts),
 *   applied to the bytes before they are compiled.
 * - `maxLiftBytes`, `maxHandles`: per-instance limits (host/runtime/limits.ts).
 * - `wasi`: the WASI interfaces granted (host/wasi), deny by default; merged
 *   under the caller's `imports`, so an explicit import wins.
 * - `isolate: 'worker'`: all of the above, inside a worker (index.ts).
 *
 * Everything the plugin imports and is not given (WASI not granted
 * included) fails the load with one LoadError naming every missing import,
 * before any of the plugin's code runs.
 */
import type { ImportObject } from '../runtime/js-imports.ts';
import { instanceLimits, type InstanceLimits } from '../runtime/limits.ts';
import type { WasiCapabilities } from '../wasi/capabilities.ts';
import { loadInWorker, type WorkerIsolateOptions } from './index.ts';
import type { IsolatedPlugin } from './isolated-plugin.ts';
import { capLinearMemory } from './memory-cap.ts';

/** Limits and grants for one plugin; all optional, all deny or bound by default. */
export interface SandboxOptions {
  /** Cap on each linear memory of the plugin, in bytes (rounded down to 64 KiB pages). Unlimited when omitted. */
  readonly maxMemoryBytes?: number;
  /** Bytes of strings and lists one call may lift from the plugin's memory (default 64 MiB). */
  readonly maxLiftBytes?: number;
  /** Live resource handles each instance of the plugin may hold (default 2^20). */
  readonly maxHandles?: number;
  /** WASI granted to the plugin; without it, no WASI interface is provided. */
  readonly wasi?: WasiCapabilities;
}

/** The options of `load(source, { isolate: 'worker', ... })`. */
export interface IsolatedLoadOptions extends SandboxOptions, Omit<WorkerIsolateOptions, keyof SandboxOptions> {
  readonly isolate: 'worker';
  /**
   * Must be empty or omitted: host functions cannot cross into the worker
   * (use `importsModule`). Accepted in the type only to be refused clearly.
   */
  readonly imports?: ImportObject;
}

/** `bytes` with `maxMemoryBytes` applied. Throws RangeError / LoadError for a cap that cannot work. */
export function cappedBytes(bytes: Uint8Array, options: SandboxOptions): Uint8Array {
  return options.maxMemoryBytes === undefined ? bytes : capLinearMemory(bytes, options.maxMemoryBytes);
}

/** The per-instance limits of `options` (RangeError for a bad value). */
export function sandboxLimits(options: SandboxOptions): InstanceLimits {
  return instanceLimits(options);
}

/**
 * The imports a plugin gets: the WASI interfaces `options.wasi` grants for
 * the names it imports, overridden by the caller's own `imports`.
 */
export async function sandboxImports(importNames: Iterable<string>, options: SandboxOptions & { readonly imports?: ImportObject; readonly name?: string }): Promise<ImportObject> {
  const imports = options.imports ?? {};
  if (options.wasi === undefined) return imports;
  // Lazily imported so plugins without WASI never load the WASI implementation.
  const { grantWasi } = await import('../wasi/index.ts');
  return { ...(await grantWasi(options.wasi, importNames, { name: options.name ?? 'plugin' })), ...imports };
}

/** `load` with `isolate` set: checks the options, then starts the worker. */
export function loadIsolated(bytes: Uint8Array, options: IsolatedLoadOptions): Promise<IsolatedPlugin> {
  if (options.isolate !== 'worker') {
    throw new TypeError(`isolate must be 'worker' or omitted, got ${JSON.stringify(options.isolate)}`);
  }
  const { imports, isolate: _isolate, ...rest } = options;
  // An import object is functions and classes (or objects of them): none of it can cross.
  if (imports !== undefined && Object.keys(imports).length > 0) {
    throw new TypeError(
      "imports holding functions cannot be used with isolate: 'worker' (they would have to run on this thread); " +
        'put them in a module and pass its URL as importsModule, so they run inside the worker',
    );
  }
  sandboxLimits(rest);
  return loadInWorker(bytes, rest);
}
