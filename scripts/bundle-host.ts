/**
 * Bundles the host (host/index.ts) for browsers into build/browser/rdylib.js
 * (ESM), and the isolated plugin's Web Worker (host/isolate/web-worker.ts)
 * into web-worker.js next to it, where `load(..., { isolate: 'worker' })`
 * looks for it. The browser path of the host must not reach Node built-ins;
 * if it does, the bundle fails and names each offending import and the file
 * that makes it, instead of shipping a bundle that breaks at runtime.
 *
 * Usage: node --import tsx scripts/bundle-host.ts
 */
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const HOST_ENTRY = fileURLToPath(new URL('../host/index.ts', import.meta.url));
export const BROWSER_BUNDLE = fileURLToPath(new URL('../build/browser/rdylib.js', import.meta.url));
export const WEB_WORKER_ENTRY = fileURLToPath(new URL('../host/isolate/web-worker.ts', import.meta.url));
/** host/isolate/spawn-web.ts loads the worker from this name, relative to the host bundle. */
export const WEB_WORKER_FILE = 'web-worker.js';

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

/**
 * Turns every static import of a Node built-in into a build error naming it
 * and its importer. A dynamic `import()` stays external: the host makes those
 * only on Node-only paths (reading a file path, starting a worker thread),
 * which browsers never take.
 */
const forbidNodeBuiltins: Plugin = {
  name: 'forbid-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'dynamic-import' && NODE_ONLY_MODULE.test(args.path)) return { path: args.path, external: true };
      if (!isNodeBuiltin(args.path)) return undefined;
      if (args.kind === 'dynamic-import') return { path: args.path, external: true };
      const importer = args.importer === '' ? '(entry)' : relative(ROOT, args.importer);
      return {
        errors: [{ text: `Node built-in "${args.path}" imported by ${importer}: the browser path of the host must not use Node built-ins` }],
      };
    });
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
}

export async function bundleHost({ entry = HOST_ENTRY, outfile = BROWSER_BUNDLE, worker = entry === HOST_ENTRY, minify = false }: BundleOptions = {}): Promise<BundleResult> {
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
      sourcemap: 'linked',
      minify,
      // Error classes name themselves after their class (`BorrowError`): minified names must survive.
      keepNames: true,
      metafile: true,
      logLevel: 'silent',
      plugins: [forbidNodeBuiltins],
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
    const { outfile, bytes } = await bundleHost();
    console.log(`bundled host/index.ts -> ${relative(ROOT, outfile)} (${bytes} B), host/isolate/web-worker.ts -> ${relative(ROOT, join(dirname(outfile), WEB_WORKER_FILE))}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
