/**
 * The jco column: components transpiled by jco 1.35 into JS bindings.
 *
 * Calls: the output is written under build/bench/jco/ and imported, as an
 * application shipping jco output would (the default ESM form for the WAT
 * bench guest; the `instantiation: 'async'` form, which takes the imports as
 * an argument, for the SDK-built examples).
 *
 * Load: what a host that receives an unknown component at runtime would have
 * to do with jco: transpile it, bring the generated JS into the module system
 * (here a data: URL, so no disk I/O is counted), compile its core modules from
 * memory and instantiate. jco's `instantiation: 'async'` output is used for
 * that, as it takes the core modules from the caller instead of fetching them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importTranspiled, transpile } from '../scripts/lib/jco.ts';
import { asBenchApi, type BenchApi } from './micro/api.ts';

export async function transpileToDir(component: Uint8Array, outDir: string): Promise<BenchApi> {
  const mod = await importTranspiled(component, { name: 'bench', outDir });
  return asBenchApi(mod['api'], `jco output in ${outDir}`);
}

/** The import an SDK-built plugin reports panics through (world-level, so jco keys it by its name). */
const PANIC_IMPORT = 'rdylib-panic';

/**
 * An SDK-built plugin through jco's bindings, as a jco user would run it:
 * transpiled once into `outDir` (its `instantiation: 'async'` form, which
 * takes the imports as an argument), the core modules compiled from there,
 * and instantiated with `imports` plus an `rdylib-panic` that throws. Returns
 * the root exports, keyed by interface name.
 */
export async function instantiateTranspiled(
  component: Uint8Array,
  options: { name: string; outDir: string; imports?: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const { name, outDir, imports = {} } = options;
  const mod = (await importTranspiled(component, { name, outDir, instantiation: 'async' })) as unknown as JcoInstantiateModule;
  return mod.instantiate(async (path) => WebAssembly.compile(await readFile(join(outDir, path))), { ...panicThrows(), ...imports });
}

/** The `rdylib-panic` import for jco: the plugin's panic report, thrown. */
function panicThrows(): Record<string, unknown> {
  return {
    [PANIC_IMPORT]: {
      default: (message: string, file: string, line: number, column: number) => {
        throw new Error(`plugin panicked: ${message} at ${file}:${line}:${column}`);
      },
    },
  };
}

interface JcoInstantiateModule {
  instantiate(
    getCoreModule: (path: string) => Promise<WebAssembly.Module>,
    imports: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

let loads = 0;

/**
 * One full jco load of any component: transpile, import the generated JS
 * (from a data: URL), compile its core modules from memory, instantiate with
 * `imports` (plus an `rdylib-panic` that throws). Returns the root exports.
 */
export async function jcoLoadComponent(component: Uint8Array, name: string, imports: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { files } = await transpile(component, { name, instantiation: 'async', noTypescript: true });
  const js = files[`${name}.js`];
  if (js === undefined) throw new Error(`jco transpile produced no ${name}.js (files: ${Object.keys(files).join(', ')})`);
  // A unique trailing comment gives every load its own URL, so the module
  // cache never hands back an already-parsed copy.
  const source = `${new TextDecoder().decode(js)}\n// load ${++loads}\n`;
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  const mod = (await import(url)) as JcoInstantiateModule;
  return mod.instantiate(async (path) => {
    const bytes = files[path];
    if (bytes === undefined) throw new Error(`jco output asked for ${path}, which transpile did not produce`);
    // transpile's output arrays are backed by plain ArrayBuffers.
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }, { ...panicThrows(), ...imports });
}
