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

export { Plugin } from './runtime/plugin.ts';
export type { ImportObject } from './runtime/js-imports.ts';
export type { ExportObject } from './runtime/js-exports.ts';

export interface LoadOptions {
  /** Keyed by import name; interfaces map to objects of camelCase functions and resource classes. */
  readonly imports?: ImportObject;
  /** For messages. */
  readonly name?: string;
}

/** A parsed, validated component with its core modules compiled; instantiate it with `instantiate`. */
export class CompiledComponent {
  constructor(readonly validated: ValidatedComponent) {}

  instantiate(imports: ImportObject = {}, name?: string): Plugin {
    return new Plugin(this.validated, imports, name);
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

async function readSource(source: Uint8Array | ArrayBuffer | string | URL): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  try {
    if (runsOnNode() && (typeof source === 'string' || source.protocol === 'file:')) {
      // Imported lazily, and only on Node, so browser bundles never need node:fs.
      const fs = await import('node:fs/promises');
      return new Uint8Array(await fs.readFile(source));
    }
    // In a browser a string is a URL, relative to the page.
    const res = await fetch(typeof source === 'string' ? new URL(source, globalThis.location?.href) : source);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const what = typeof source === 'string' ? source : source.href;
    throw new LoadError('io', `cannot read component ${what}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

function runsOnNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

/** Reads `source` (bytes, a file path in Node, or a URL), then compiles and instantiates it. */
export async function load(source: Uint8Array | ArrayBuffer | string | URL, options: LoadOptions = {}): Promise<Plugin> {
  const bytes = await readSource(source);
  return compile(bytes).instantiate(options.imports ?? {}, options.name);
}
