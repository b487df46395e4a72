/**
 * rdylib's host: load Rust plugins compiled to WebAssembly components, check
 * them against what the host expects, call them, and unload them.
 */
export { load, compile, instantiateComponent, validateComponent, CompiledComponent, Plugin } from './load.ts';
export type { LoadOptions, ImportObject, ExportObject } from './load.ts';
export * from './errors.ts';
export type * from './types.ts';
