/**
 * Entry points: `load` reads, validates and compiles a component once and
 * returns a Plugin; `compile` stops before instantiation so one compiled
 * component can be instantiated many times; `instantiateComponent` is the
 * synchronous path for tests and the conformance runner.
 */
import { LoadError } from './errors.ts';
import { parseComponent, isCoreModule } from './binary/parse.ts';
import { validateComponent as validateAst, type ValidatedComponent } from './validate/validate.ts';
import { Plugin } from './runtime/plugin.ts';
import type { ImportObject } from './runtime/js-imports.ts';
import type { ExportObject } from './runtime/js-exports.ts';
import { cappedBytes, loadIsolated, sandboxImports, sandboxLimits, type IsolatedLoadOptions, type SandboxOptions } from './isolate/sandbox.ts';
import type { IsolatedPlugin } from './isolate/isolated-plugin.ts';
import { checkExpectation, foundSurface, resolveExpectation, type Expectation } from './rdylib/load-checks.ts';
import type { PluginOptions } from './runtime/plugin.ts';
import { readSource, type ComponentSource } from './source.ts';

export { Plugin } from './runtime/plugin.ts';
export type { SandboxOptions, IsolatedLoadOptions } from './isolate/sandbox.ts';
export type { ImportObject } from './runtime/js-imports.ts';
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
 * Sandbox options (limits, WASI grants): see host/isolate/sandbox.ts.
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
}

/** A parsed, validated component with its core modules compiled; instantiate it with `instantiate`. */
export class CompiledComponent {
  constructor(readonly validated: ValidatedComponent) {}

  instantiate(imports: ImportObject = {}, name?: string, options?: PluginOptions): Plugin {
    return new Plugin(this.validated, imports, name, options);
  }
}

/** Parses, validates and compiles. Throws LoadError ('malformed' | 'invalid' | 'unsupported'). */
export function compile(bytes: Uint8Array | ArrayBuffer): CompiledComponent {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (isCoreModule(u8)) {
    throw new LoadError('malformed', 'this is a core WebAssembly module, not a component; wrap it with `wasm-tools component new`', 4);
  }
  return new CompiledComponent(validateAst(parseComponent(u8)));
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
  const bytes = cappedBytes(await readSource(source), options);
  const compiled = compile(bytes);
  // rdylib checks, before any plugin code runs: the section against the types, the plugin against the expectation.
  const found = foundSurface(compiled.validated, options.name ?? 'plugin', options.unchecked ?? false);
  const expectation = options.expect === undefined ? undefined : await resolveExpectation(options.expect, readSource);
  if (expectation !== undefined) checkExpectation(expectation, found);
  const checked: PluginOptions = {
    abi: found.abi,
    expectation,
    unchecked: options.unchecked,
    link: options.link,
    maxMemoryBytes: options.maxMemoryBytes,
    maxLiftBytes: options.maxLiftBytes,
    maxHandles: options.maxHandles,
  };
  // Typed imports are the same objects; their declared type just has no index signature.
  const imports = await sandboxImports(compiled.validated.type.imports.keys(), { ...options, imports: options.imports as ImportObject | undefined });
  return compiled.instantiate(imports, options.name, checked);
}
