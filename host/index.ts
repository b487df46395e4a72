/**
 * rdylib's host: load Rust plugins compiled to WebAssembly components, check
 * them against what the host expects, call them, and unload them.
 */
export { load, compile, instantiateComponent, validateComponent, CompiledComponent, Plugin } from './load.ts';
export type { LoadOptions, ImportObject, ExportObject, PluginTypes, UntypedPlugin, ImportsOf, HandleSnapshot, HandleBorrower } from './load.ts';
// Typed host bindings: TypeScript declarations generated from a plugin (`rdylib types`).
export { generateDeclarations, type DeclarationOptions } from './bindings/index.ts';
export type { ExportKey } from './runtime/export-keys.ts';
// Async exports: the optional last argument `{ signal }` of an async call.
export type { AsyncCallOptions } from './runtime/async-calls.ts';
export type { UnloadOptions, ReloadOptions } from './plugin/plugin.ts';
// The sandbox: worker isolation, memory caps, per-plugin WASI grants, limits.
export type { SandboxOptions, IsolatedLoadOptions } from './load.ts';
export { loadInWorker, IsolatedPlugin, type WorkerIsolateOptions } from './isolate/index.ts';
export { capLinearMemory } from './plugin/memory-cap.ts';
// Loading the same bytes again reuses their compiled form (found by comparing the bytes); `load(…, { cache: false })` bypasses it.
export { clearCompileCache } from './plugin/compile-cache.ts';
export { grantWasi, type WasiCapabilities, type PreopenGrant, type OutputGrant } from './wasi/index.ts';
// Reading a component without running it: its WIT, lifetime table, imports, exports, sizes.
export * from './inspect/index.ts';
export { readAbiSurface } from './rdylib/surface.ts';
export type { AbiSurface } from './rdylib/compat.ts';
export type { RdylibAbi, AbiInterface, AbiFunction, AbiResource, ParamHandle, ResultHandle, HandleBorrow, ParamMode, ReceiverMode, BorrowMode } from './rdylib/section.ts';
export * from './errors.ts';
export type * from './types.ts';
