/**
 * The one place the project reaches jco's tooling: wasm-tools (text to binary,
 * WIT embedding, component creation: `rdylib build` uses these at run time,
 * through load-jco.ts, since jco-transpile is an optional peer dependency of
 * the package) and the transpiler the tests and the bench compare against.
 *
 * We depend on @bytecodealliance/jco-transpile, the package that jco 1.35's
 * `transpile` and wasm-tools functions delegate to, rather than on the jco
 * CLI package: jco's own dependency tree (rolldown, componentize-qjs) names
 * platform packages that were never published, so `npm ci` cannot install it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transpileBytes } from '@bytecodealliance/jco-transpile';

export { componentEmbed, componentNew, componentWit, parse, print } from '@bytecodealliance/jco-transpile/wasm-tools';

/**
 * jco 1.35's `transpile`: the same generator with jco's defaults, which wrap
 * a top-level `result` error in a ComponentError, as jco users see it.
 */
export function transpile(
  component: Uint8Array,
  options: { name: string; noTypescript?: boolean; instantiation?: 'async' | 'sync' },
): ReturnType<typeof transpileBytes> {
  return transpileBytes(component, {
    name: options.name,
    noComponentErrorWrapping: false,
    emitTypescriptDeclarations: options.noTypescript !== true,
    ...(options.instantiation ? { instantiation: options.instantiation } : {}),
  });
}

/**
 * Transpiles `component`, writes jco's output into `outDir` and imports its
 * entry module `<name>.js`, as an application shipping jco output would.
 * Files are overwritten in place, never cleared first: test workers running
 * in parallel may write the same (identical) output while another imports it.
 */
export async function importTranspiled(
  component: Uint8Array,
  options: { name: string; outDir: string; instantiation?: 'async' | 'sync' },
): Promise<Record<string, unknown>> {
  const { name, outDir, instantiation } = options;
  const { files } = await transpile(component, { name, noTypescript: true, ...(instantiation ? { instantiation } : {}) });
  for (const [file, contents] of Object.entries(files)) {
    const path = join(outDir, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, contents);
  }
  return (await import(pathToFileURL(join(outDir, `${name}.js`)).href)) as Record<string, unknown>;
}
