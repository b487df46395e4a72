/**
 * The sandbox options of `load` (host/load.ts) and what they do before a
 * plugin is instantiated:
 *
 * - `maxMemoryBytes`: every linear memory gets that maximum (memory-cap.ts),
 *   applied to the bytes before they are compiled (pipeline.ts).
 * - `maxLiftBytes`, `maxHandles`: per-instance limits (host/abi/limits.ts).
 * - `wasi`: the WASI interfaces granted (host/wasi), deny by default; merged
 *   under the caller's `imports`, so an explicit import wins.
 * - `isolate: 'worker'` (host/isolate): all of the above, inside a worker.
 *
 * Everything the plugin imports and is not given (WASI not granted
 * included) fails the load with one LoadError naming every missing import,
 * before any of the plugin's code runs.
 */
import type { InstanceLimits } from '../abi/limits.ts';
import type { ImportObject } from '../runtime/import-matching.ts';
import type { WasiCapabilities } from '../wasi/capabilities.ts';
import { instanceLimits } from './limits.ts';

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

/** The per-instance limits of `options` (RangeError for a bad value). */
export function sandboxLimits(options: SandboxOptions): InstanceLimits {
  return instanceLimits(options);
}

/**
 * The imports a plugin gets: the WASI interfaces `options.wasi` grants for
 * the names it imports, overridden by the caller's own `imports`. At once
 * without WASI; a Promise with it (its implementation is imported lazily).
 */
export function sandboxImports(importNames: Iterable<string>, options: SandboxOptions & { readonly imports?: ImportObject; readonly name?: string }): ImportObject | Promise<ImportObject> {
  const imports = options.imports ?? {};
  if (options.wasi === undefined) return imports;
  return withWasi(options.wasi, importNames, options.name ?? 'plugin', imports);
}

async function withWasi(wasi: WasiCapabilities, importNames: Iterable<string>, name: string, imports: ImportObject): Promise<ImportObject> {
  // Lazily imported so plugins without WASI never load the WASI implementation.
  const { grantWasi } = await import('../wasi/index.ts');
  return { ...(await grantWasi(wasi, importNames, { name })), ...imports };
}
