/**
 * Bundles the host for browsers: host/index.ts -> rdylib.js (ESM) and the
 * isolated plugin's Web Worker (host/isolate/web-worker.ts) -> web-worker.js
 * next to it, where `load(..., { isolate: 'worker' })` looks for it.
 *
 * Two outputs, one configuration: build/browser/ for the repository's
 * browser tests (`npm run bundle:browser`), and dist/browser/ for the npm
 * package (`npm run build`), which its `exports` give bundlers under the
 * `browser` condition and as `rdylib/browser` / `rdylib/web-worker`.
 *
 * The browser path of the host must not reach Node built-ins. A static
 * import of one fails the bundle, naming each offending import and the file
 * that makes it. Node-only code the host reaches by a dynamic `import()`
 * on a Node-only path (reading a file path, starting a worker thread) is
 * replaced by a module that throws if ever imported, so the bundles name no
 * `node:` module at all and a user's bundler (esbuild, Vite) takes them
 * without flags.
 *
 * Usage: node --import tsx scripts/bundle-host.ts [--outdir <dir>]
 *   without --outdir: build/browser/, with source maps (the browser tests);
 *   with it (the package's dist/browser/): no source maps, to keep the package small.
 */
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Message, type Plugin } from 'esbuild';
import { WEB_WORKER_FILE } from '../host/isolate/spawn-web.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const HOST_ENTRY = fileURLToPath(new URL('../host/index.ts', import.meta.url));
export const BROWSER_BUNDLE = fileURLToPath(new URL('../build/browser/rdylib.js', import.meta.url));
export const WEB_WORKER_ENTRY = fileURLToPath(new URL('../host/isolate/web-worker.ts', import.meta.url));
export { WEB_WORKER_FILE };

/** Thrown when the host cannot be bundled for browsers; lists every cause. */
export class BundleError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot bundle the host for the browser:\n  ${problems.join('\n  ')}`);
    this.name = 'BundleError';
  }
}

const NODE_BUILTINS = new Set(builtinModules);

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!);
}

/**
 * Host modules that exist only for Node (`spawn-node.ts`, `node-worker.ts`):
 * by convention their names start or end with `node`, and the host reaches
 * them only through a dynamic `import()` on a Node-only path.
 */
const NODE_ONLY_MODULE = /(?:^|\/)(?:[a-z-]+-node|node-[a-z-]+)\.ts$/;

/** The namespace of the stand-ins for Node-only modules. */
const NODE_ONLY_NAMESPACE = 'rdylib-node-only';

/**
 * Turns every static import of a Node built-in into a build error naming it
 * and its importer. A dynamic `import()` of a built-in or of a Node-only
 * host module is replaced by a stand-in that throws when imported: the host
 * makes those only on Node-only paths, which browsers never take.
 */
const browserOnly: Plugin = {
  name: 'rdylib-browser-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const nodeOnly = NODE_ONLY_MODULE.test(args.path) || isNodeBuiltin(args.path);
      if (args.kind === 'dynamic-import' && nodeOnly) return { path: args.path, namespace: NODE_ONLY_NAMESPACE };
      if (!isNodeBuiltin(args.path)) return undefined;
      const importer = args.importer === '' ? '(entry)' : relative(ROOT, args.importer);
      return {
        errors: [{ text: `Node built-in "${args.path}" imported by ${importer}: the browser path of the host must not use Node built-ins` }],
      };
    });
    b.onLoad({ filter: /.*/, namespace: NODE_ONLY_NAMESPACE }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${isNodeBuiltin(args.path) ? args.path : basename(args.path)} is Node-only and not part of rdylib's browser build`)});`,
      loader: 'js',
    }));
  },
};

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where}${message.text}`;
}

export interface BundleResult {
  readonly outfile: string;
  readonly bytes: number;
}

export interface BundleOptions {
  /** Defaults to host/index.ts; tests point it at fixtures. */
  readonly entry?: string;
  /** Defaults to build/browser/rdylib.js. */
  readonly outfile?: string;
  /** Also bundle the Web Worker entry as web-worker.js next to `outfile`; defaults to true for the host entry. */
  readonly worker?: boolean;
  /** Minify (for pages meant to load fast, such as the playground); off by default so stack traces stay readable. */
  readonly minify?: boolean;
  /** Write linked source maps (with the sources in them); defaults to true. */
  readonly sourcemap?: boolean;
}

export async function bundleHost({
  entry = HOST_ENTRY,
  outfile = BROWSER_BUNDLE,
  worker = entry === HOST_ENTRY,
  minify = false,
  sourcemap = true,
}: BundleOptions = {}): Promise<BundleResult> {
  const name = basename(outfile).replace(/\.js$/, '');
  const entryPoints = [{ in: entry, out: name }];
  if (worker) entryPoints.push({ in: WEB_WORKER_ENTRY, out: WEB_WORKER_FILE.replace(/\.js$/, '') });
  let result;
  try {
    result = await build({
      entryPoints,
      outdir: dirname(outfile),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: sourcemap ? 'linked' : false,
      minify,
      // Error classes name themselves after their class (`BorrowError`): minified names must survive.
      keepNames: true,
      metafile: true,
      logLevel: 'silent',
      plugins: [browserOnly],
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) throw new BundleError(errors.map(describe));
    throw error;
  }
  if (result.errors.length > 0) throw new BundleError(result.errors.map(describe));
  const main = join(dirname(outfile), `${name}.js`);
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([path]) => resolve(path) === resolve(main));
  return { outfile, bytes: output?.[1].bytes ?? 0 };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  try {
    const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
    const outfile = values.outdir === undefined ? BROWSER_BUNDLE : join(resolve(values.outdir), 'rdylib.js');
    const { bytes } = await bundleHost({ outfile, sourcemap: values.outdir === undefined });
    console.log(`bundled host/index.ts -> ${relative(ROOT, outfile)} (${bytes} B), host/isolate/web-worker.ts -> ${relative(ROOT, join(dirname(outfile), WEB_WORKER_FILE))}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
