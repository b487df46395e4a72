/**
 * The "ours" column: components loaded and called through rdylib's host.
 * This is the only file of the bench that knows the host's public API.
 */
import { load, type IsolatedPlugin, type LoadOptions, type Plugin } from '../host/index.ts';
import { asBenchApi, type BenchApi } from './micro/api.ts';
import { BENCH_INTERFACE } from './micro/guest.ts';

export type { IsolatedPlugin, Plugin };

export interface OursHost {
  /** Parse, validate, compile and instantiate the bench component from its bytes. */
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

/** An SDK-built plugin (it has its rdylib:abi section), loaded as an application would. */
export function loadPlugin(bytes: Uint8Array, options: Pick<LoadOptions, 'name' | 'imports' | 'link'> = {}): Promise<Plugin> {
  return load(bytes, options);
}

/** A hand-written component (no rdylib:abi section) with the host functions it imports: the async section's fixtures. */
export function loadComponent(bytes: Uint8Array, options: Pick<LoadOptions, 'name' | 'imports'> = {}): Promise<Plugin> {
  return load(bytes, { ...options, unchecked: true });
}

/** One exported interface of a loaded plugin. */
export function exportedInterface(plugin: Plugin, name: string): unknown {
  return plugin.exports[name];
}

/** An SDK-built plugin in a worker thread (`isolate: 'worker'`): every call returns a promise. */
export function loadIsolatedPlugin(bytes: Uint8Array, name: string): Promise<IsolatedPlugin> {
  return load(bytes, { name, isolate: 'worker' });
}

/** One exported interface of a worker-isolated plugin. */
export function isolatedInterface(plugin: IsolatedPlugin, name: string): unknown {
  return plugin.exports[name];
}

/** Empties the host's compiled-component cache, so the next load of any bytes compiles (a cold load). */
export { clearCompileCache } from '../host/index.ts';
