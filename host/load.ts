/**
 * Entry points: `load` reads, validates and compiles a component once and
 * returns a Plugin; `compile` stops before instantiation so one compiled
 * component can be instantiated many times; `instantiateComponent` is the
 * synchronous path for tests and the conformance runner.
 */
import type { ValidatedComponent } from './validate/validate.ts';
import { Plugin, type PluginOptions } from './plugin/plugin.ts';
import { checkedBuildStarted, validateBytes, validateBytesCached } from './plugin/pipeline.ts';
import type { ImportObject } from './runtime/import-matching.ts';
import type { ExportObject } from './runtime/js-exports.ts';
import { sandboxImports, sandboxLimits, type SandboxOptions } from './plugin/sandbox.ts';
import { loadIsolated, type IsolatedLoadOptions } from './isolate/index.ts';
import type { IsolatedPlugin } from './isolate/isolated-plugin.ts';
import { resolveExpectation, type Expectation } from './rdylib/load-checks.ts';
import { readSource, type ComponentSource } from './source.ts';

export { Plugin } from './plugin/plugin.ts';
export type { HandleSnapshot, HandleBorrower } from './plugin/handles.ts';
export type { SandboxOptions } from './plugin/sandbox.ts';
export type { IsolatedLoadOptions } from './isolate/index.ts';
export type { ImportObject } from './runtime/import-matching.ts';
export type { ExportObject } from './runtime/js-exports.ts';
export type { ComponentSource } from './source.ts';

/**
 * The types generated declarations (host/bindings, `rdylib types`) give
 * `load<T>`: the exports in process and in a worker, and the imports.
 */
export interface PluginTypes {
  readonly exports: object;
  readonly isolatedExports: object;
  readonly imports: object;
}

/** What `load` gives without generated declarations: loose records. */
export interface UntypedPlugin extends PluginTypes {
  readonly exports: ExportObject;
  readonly isolatedExports: Record<string, unknown>;
  readonly imports: ImportObject;
}

/**
 * The `imports` type of `T`; the loose ImportObject when `T` is not known
 * (as in `Parameters<typeof load>`, where TypeScript reads `T` as PluginTypes).
 */
export type ImportsOf<T extends PluginTypes> = PluginTypes extends T ? ImportObject : T['imports'];

/**
 * Sandbox options (limits, WASI grants): see host/plugin/sandbox.ts.
 * `I`: the type of `imports` (`Imports` of generated declarations).
 */
export interface LoadOptions<I extends object = ImportObject> extends SandboxOptions {
  /** In-process by default; `'worker'` takes IsolatedLoadOptions and returns an IsolatedPlugin. */
  readonly isolate?: undefined;
  /** Keyed by import name; interfaces map to objects of camelCase functions and resource classes. */
  readonly imports?: I;
  /** For messages. */
  readonly name?: string;
  /**
   * The interface the host was built against: a reference build (bytes, a
   * path or URL) or an AbiSurface. Load fails with AbiMismatchError when the
   * plugin does not provide it (docs/abi.md, "Compatibility").
   */
  readonly expect?: Expectation;
  /** Accept a plugin without an rdylib:abi section: types are checked, lifetimes are not enforced. */
  readonly unchecked?: boolean;
  /** Loaded plugins whose exported interfaces serve this plugin's imports not given in `imports`. */
  readonly link?: readonly Plugin<object>[];
  /**
   * Reuse the compiled form of the same bytes loaded before in this process
   * (the compile cache, which compares the bytes themselves; default true), and keep this
   * build there for the next load and for `reload`. `false` compiles afresh
   * and keeps nothing; `clearCompileCache()` empties the cache.
   */
  readonly cache?: boolean;
}

/** A parsed, validated component with its core modules compiled; instantiate it with `instantiate`. */
export class CompiledComponent {
  constructor(readonly validated: ValidatedComponent) {}

  instantiate(imports: ImportObject = {}, name?: string, options?: PluginOptions): Plugin {
    return new Plugin(this.validated, imports, name, options);
  }
}

/**
 * Parses, validates and compiles. Throws LoadError ('malformed' | 'invalid' | 'unsupported').
 * Like `load`, reuses the compile cache for bytes it has seen (and fills it);
 * `cache: false` compiles afresh and keeps nothing. Synchronous: where the engine
 * refuses to compile a core module synchronously (Chromium's main thread, over
 * 8 MB), LoadError('unsupported'); `load` compiles such a module asynchronously.
 */
export function compile(bytes: Uint8Array | ArrayBuffer, options: { readonly cache?: boolean } = {}): CompiledComponent {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return new CompiledComponent(options.cache === false ? validateBytes(u8) : validateBytesCached(u8));
}

/** Load-time checks only (parse, validate, compile core modules); throws LoadError. */
export function validateComponent(bytes: Uint8Array | ArrayBuffer): void {
  compile(bytes);
}

/** Synchronous compile + instantiate; returns the exports object. */
export function instantiateComponent(bytes: Uint8Array | ArrayBuffer, imports: ImportObject = {}): ExportObject {
  return compile(bytes).instantiate(imports).exports;
}

/**
 * Reads `source` (bytes, a file path in Node, or a URL), then compiles and
 * instantiates it, in this thread or (`isolate: 'worker'`) in a worker.
 *
 * `T`: generated declarations' `Bindings` (`load<import('./kv.js').Bindings>(…)`)
 * type `plugin.exports` and `imports`; they describe the component they were
 * generated from, so load that one or a build `expect` accepts against it.
 */
export function load<T extends PluginTypes = UntypedPlugin>(source: ComponentSource, options: IsolatedLoadOptions): Promise<IsolatedPlugin<T['isolatedExports']>>;
export function load<T extends PluginTypes = UntypedPlugin>(source: ComponentSource, options?: LoadOptions<ImportsOf<T>>): Promise<Plugin<T['exports']>>;
export async function load(source: ComponentSource, options: LoadOptions<object> | IsolatedLoadOptions = {}): Promise<Plugin<object> | IsolatedPlugin<object>> {
  if (options.isolate !== undefined) return loadIsolated(await readSource(source), options);
  sandboxLimits(options); // bad limits fail before any reading
  // Bytes need no reading: not awaiting them (nor a build compiled synchronously, nor imports without WASI) keeps a
  // load from the compile cache in one turn, without a promise and a microtask per step.
  const bytes = source instanceof Uint8Array ? source : await readSource(source);
  const expectation = options.expect === undefined ? undefined : await resolveExpectation(options.expect, readSource);
  // The load pipeline (host/plugin/pipeline.ts): nothing of the plugin runs before it passed.
  const name = options.name ?? 'plugin';
  const cache = options.cache ?? true;
  // Synchronous but for a core module the engine compiles only asynchronously here (a big one on a browser's main thread).
  const started = checkedBuildStarted(bytes, { name, maxMemoryBytes: options.maxMemoryBytes, unchecked: options.unchecked ?? false, expectation, cache });
  const build = started instanceof Promise ? await started : started;
  const checked: PluginOptions = {
    abi: build.abi,
    expectation,
    unchecked: options.unchecked,
    cache,
    link: options.link,
    maxMemoryBytes: options.maxMemoryBytes,
    maxLiftBytes: options.maxLiftBytes,
    maxHandles: options.maxHandles,
  };
  // Typed imports are the same objects; their declared type just has no index signature.
  // A literal, not a spread of `options`: a spread's hidden class is made anew after every full GC that
  // found none alive (host/shape-anchors.ts).
  const granted = sandboxImports(build.validated.type.imports.keys(), { wasi: options.wasi, name: options.name, imports: options.imports as ImportObject | undefined });
  const imports = granted instanceof Promise ? await granted : granted;
  // Instantiated synchronously but for a core module the engine instantiates only asynchronously here (as compiling).
  return Plugin.started(build.validated, imports, options.name, checked);
}
