/**
 * The "ours" column: the bench component loaded and called through rdylib's
 * host. This is the only file of the bench that knows the host's public API.
 *
 * The host is found at runtime: while host/index.ts does not export `load`,
 * every "ours" cell is reported as n/a with the reason, never estimated.
 */
import { asBenchApi, type Availability, type BenchApi } from './api.ts';
import { BENCH_INTERFACE } from './guest.ts';

export interface OursHost {
  /** Parse, validate, compile and instantiate a component from its bytes. */
  load(bytes: Uint8Array): Promise<unknown>;
  /** The bench interface of a loaded plugin. */
  api(plugin: unknown): BenchApi;
  /** Release a loaded plugin, if the host offers that. */
  unload(plugin: unknown): Promise<void>;
}

/**
 * Where a loaded plugin exposes an exported interface. Assumed: an `exports`
 * object keyed by the interface's full name, like jco's instantiate() root.
 * If the host's Plugin differs, this is the one line to change.
 */
function interfaceOf(plugin: unknown, name: string): unknown {
  return (plugin as { exports?: Record<string, unknown> } | null)?.exports?.[name];
}

export async function findOursHost(): Promise<Availability<OursHost>> {
  const host = (await import('../host/index.ts')) as Record<string, unknown>;
  const load = host['load'];
  if (typeof load !== 'function') {
    return { ok: false, reason: 'host/index.ts does not export load() yet' };
  }
  return {
    ok: true,
    value: {
      // The bench component is hand-written component text: it has no rdylib:abi section.
      load: (bytes) => Promise.resolve((load as (source: Uint8Array, options: { unchecked: boolean }) => unknown)(bytes, { unchecked: true })),
      api: (plugin) => asBenchApi(interfaceOf(plugin, BENCH_INTERFACE), `our host's plugin.exports['${BENCH_INTERFACE}']`),
      async unload(plugin) {
        const unload = (plugin as { unload?: unknown } | null)?.unload;
        if (typeof unload === 'function') await (unload as () => unknown).call(plugin);
      },
    },
  };
}
