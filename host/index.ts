/**
 * rdylib's host: load Rust plugins compiled to WebAssembly components, check
 * them against what the host expects, call them, and unload them.
 */
export * from './errors.ts';
export type * from './types.ts';
