/**
 * Compiles the bench to plain JavaScript before it runs (`npm run bench` runs
 * this, then `node build/bench/run.mjs`):
 *
 * - host/**\/*.ts -> build/bench/host/**\/*.js, one output per module (as
 *   tsc emits dist/host: same layout, so the worker entry of
 *   `isolate: 'worker'` is found next to its spawner), imports left as imports;
 * - bench/run.ts -> build/bench/run.mjs, one bundle, whose imports of host
 *   modules point at that compiled host;
 * - each workload module (column-copy.ts WORKLOAD_MODULES: the cases of micro,
 *   kv, callbacks) -> build/bench/workloads/<name>.mjs, a bundle of its own,
 *   which run.mjs imports once per column (`columnCopy`), so that every
 *   column runs its own copy of each workload closure.
 *
 * Why not run the TypeScript under tsx, as the tests do: tsx compiles every
 * module it loads (plain .js included) with esbuild's `keepNames`, which
 * wraps each function expression in a `__name(...)` call at the point it is
 * created. A call path that makes closures per call pays for that on every
 * call (it took `len()` on the kv store from ~1.5 µs to ~4.4 µs here), and so
 * do jco's bindings: the bench would measure tsx. Compiled here without it,
 * the measured code is what a user's Node runs from dist/.
 *
 * Usage: node --import tsx bench/compile.ts
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { compiledWorkloadPath, WORKLOAD_MODULES } from './column-copy.ts';
import { repoPath } from './paths.ts';

const HOST_DIR = repoPath('host');
const OUT_DIR = repoPath('build', 'bench');
const BENCH_BUNDLE = join(OUT_DIR, 'run.mjs');

/** Same language level as tsconfig.json's `target`, so the output matches tsc's dist/. */
const TARGET = 'es2022';
/** What every build here shares: ESM bundles for Node at TARGET, warnings only. */
const COMMON = { bundle: true, format: 'esm', platform: 'node', target: TARGET, logLevel: 'warning' } as const;

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** `./x.ts` -> `./x.js`, kept as an import of the separately compiled module. */
const relativeImportsStayImports: Plugin = {
  name: 'relative-imports-stay-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (!args.path.startsWith('.')) return { path: args.path, external: true };
      return { path: args.path.replace(/\.ts$/, '.js'), external: true };
    });
  },
};

/** Any import of a host module from bench code goes to the compiled host under build/bench/host/. */
const hostFromCompiledHost: Plugin = {
  name: 'host-from-compiled-host',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(HOST_DIR + '/')) return undefined;
      const compiled = join(OUT_DIR, 'host', relative(HOST_DIR, target)).replace(/\.ts$/, '.js');
      return { path: `./${relative(OUT_DIR, compiled)}`, external: true };
    });
  },
};

async function compileBench(): Promise<void> {
  await build({
    entryPoints: tsFilesUnder(HOST_DIR),
    outdir: join(OUT_DIR, 'host'),
    outbase: HOST_DIR,
    ...COMMON,
    plugins: [relativeImportsStayImports],
  });
  await bundleBenchModule(repoPath('bench', 'run.ts'), BENCH_BUNDLE);
  for (const name of WORKLOAD_MODULES) await bundleBenchModule(repoPath('bench', `${name}.ts`), compiledWorkloadPath(name));
}

/** One bench module and everything it imports in one file, packages and the compiled host left as imports. */
async function bundleBenchModule(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    ...COMMON,
    packages: 'external',
    plugins: [hostFromCompiledHost],
  });
}

await compileBench();
