/**
 * The "ours" column: the bench component loaded and called through rdylib's
 * host. This is the only file of the bench that knows the host's public API.
 */
import { load, type Plugin } from '../host/index.ts';
import { asBenchApi, type BenchApi } from './api.ts';
import { BENCH_INTERFACE } from './guest.ts';

export interface OursHost {
  /** Parse, validate, compile and instantiate a component from its bytes. */
  load(bytes: Uint8Array): Promise<Plugin>;
  /** The bench interface of a loaded plugin. */
  api(plugin: Plugin): BenchApi;
  /** Release a loaded plugin. */
  unload(plugin: Plugin): Promise<void>;
}

export const oursHost: OursHost = {
  // The bench component is hand-written component text: it has no rdylib:abi section.
  load: (bytes) => load(bytes, { unchecked: true }),
  api: (plugin) => asBenchApi(plugin.exports[BENCH_INTERFACE], `our host's plugin.exports['${BENCH_INTERFACE}']`),
  unload: (plugin) => plugin.unload(),
};
