/**
 * The package as a user gets it (issue 9): `npm pack`, the tarball installed
 * into an empty project outside the repository, and from there what the
 * README tells a user to do: `npx rdylib new` + `build` a plugin, generate
 * its types, type-check and run a typed host in Node (in process and in a
 * worker thread), bundle a typed page with esbuild (no flags) and with Vite
 * (no config), and run both in headless Chromium (in the page and in a Web
 * Worker).
 *
 * Kept fast without hiding anything: npm installs from its cache
 * (`--prefer-offline`), and cargo shares the guest workspace's target
 * directory, whose registry crates `npm run build:guests` has already
 * compiled with the same lock file and release profile. Only the plugin and
 * the two SDK crates (at the project's path) are compiled each run. Each
 * step's time is printed, not asserted. The project is left in the system's
 * temporary directory for inspection; the next run starts by removing it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/guests.ts';
import { openTestPage, type TestPage } from '../browser/chromium.ts';

/** One directory per checkout, so repeated runs keep their paths (and cargo its fingerprints) and worktrees do not collide. */
const PROJECT_ROOT = join(tmpdir(), `rdylib-fresh-project-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 10)}`);
const APP = join(PROJECT_ROOT, 'app');
const PACK_DIR = join(PROJECT_ROOT, 'pack');
const CRATE = 'mdtext';
const CARGO_TARGET_DIR = join(repoRoot, 'guest-rust', 'target');
const MINUTES = 60_000;

const ours = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Partial<
  Record<'dependencies' | 'peerDependencies' | 'devDependencies', Record<string, string>>
>;

/** The version this repository pins `name` at, wherever package.json lists it. */
function pinned(name: string): string {
  const version = ours.dependencies?.[name] ?? ours.peerDependencies?.[name] ?? ours.devDependencies?.[name];
  if (version === undefined) throw new Error(`package.json does not list ${name}`);
  return `${name}@${version}`;
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { path: string }[];
}

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; rejects with its output when it fails. Prints how long it took. */
async function run(what: string, file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = performance.now();
  const result = await new Promise<Run>((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${what} failed (${file} ${args.join(' ')}):\n${stdout}\n${stderr}`, { cause: error }));
      else resolve({ stdout, stderr });
    });
  });
  console.log(`fresh project: ${what} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** `npx <args>` in the project: its own bins only (`--no`: never download), every argument after `--` its command's. */
const npx = (what: string, args: readonly string[], env?: NodeJS.ProcessEnv) => run(what, 'npx', ['--no', '--', ...args], APP, env);

/**
 * Every module specifier each of `files` imports (static, re-export,
 * side-effect and dynamic imports), as esbuild parses them: each is recorded
 * and left external, so nothing is resolved or bundled.
 */
async function importedSpecifiers(files: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>(files.map((f) => [f, []]));
  const record: Plugin = {
    name: 'record-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        found.get(args.importer)?.push(args.path);
        return { path: args.path, external: true };
      });
    },
  };
  await build({ entryPoints: [...files], bundle: true, write: false, outdir: join(PROJECT_ROOT, 'scan'), platform: 'neutral', logLevel: 'silent', plugins: [record] });
  return found;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => f.endsWith(ext) && statSync(f).isFile());
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const NODE_BUILTINS = new Set(builtinModules);
const isBuiltin = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s) || NODE_BUILTINS.has(s.split('/')[0]!);
const isBare = (s: string) => !s.startsWith('.') && !s.startsWith('/') && !isBuiltin(s);

let packed: PackResult;
let installed: string;

beforeAll(async () => {
  rmSync(PROJECT_ROOT, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  mkdirSync(APP, { recursive: true });
  // `npm pack` runs `prepare` (tsc and the browser bundles), as publishing does.
  const pack = await run('npm pack', 'npm', ['pack', '--json', '--pack-destination', PACK_DIR], repoRoot);
  packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as PackResult[])[0]!;
  console.log(`fresh project: tarball ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${packed.files.length} files`);
  writeFileSync(join(APP, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2));
  // What a user adds next to rdylib: TypeScript, esbuild and Vite for the host and page. jco's tooling, the
  // optional peer that only `rdylib build` needs, comes later: the build test first runs without it.
  const tools = ['typescript', 'esbuild', 'vite', '@types/node'].map(pinned);
  await run('npm install (tarball + tools)', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(PACK_DIR, packed.filename), ...tools], APP);
  installed = join(APP, 'node_modules', 'rdylib');
}, 15 * MINUTES);

describe('the packed npm package in a fresh project', () => {
  it('ships the host, the browser build, the worker entries, the command and the SDK crates, and nothing of the repository', () => {
    const paths = packed.files.map((f) => f.path);
    for (const expected of [
      'dist/host/index.js',
      'dist/host/index.d.ts',
      'dist/host/isolate/node-worker.js',
      'dist/browser/rdylib.js',
      'dist/browser/web-worker.js',
      'guest-rust/rdylib/Cargo.toml',
      'guest-rust/rdylib/src/lib.rs',
      'guest-rust/rdylib-macros/Cargo.toml',
      'guest-rust/rdylib-macros/src/lib.rs',
    ]) {
      expect(paths, expected).toContain(expected);
    }
    // A guard against shipping build output or the repository by mistake (today: about 1.7 MB unpacked).
    expect(packed.unpackedSize).toBeLessThan(4 * 1024 * 1024);
    const stray = paths.filter((p) => /(^|\/)(target|node_modules|test|build)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts'));
    expect(stray).toEqual([]);
  });

  it('resolves every bare import of the installed code there, each from a declared dependency', async () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const bare = new Map<string, string>(); // specifier -> a file importing it
    for (const [file, specifiers] of await importedSpecifiers(filesUnder(join(installed, 'dist'), '.js'))) {
      if (file.startsWith(join(installed, 'dist', 'browser'))) {
        // The browser build is self-contained: a user's bundler must find nothing to resolve, Node built-ins least of all.
        expect(specifiers, relative(installed, file)).toEqual([]);
        continue;
      }
      for (const s of specifiers.filter(isBare)) bare.set(s, relative(installed, file));
    }
    expect(bare.size).toBeGreaterThan(0); // at least preview2-shim: the scan sees imports
    const undeclared = [...bare].filter(([s]) => !declared.has(packageName(s)) && packageName(s) !== 'rdylib');
    expect(undeclared).toEqual([]);
    // Resolved as Node resolves them from inside the installed package (nested node_modules included);
    // an optional peer is not installed yet here (the build test installs it), and load-jco.ts reports its absence.
    const optional = new Set(Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([name]) => name));
    expect([...optional]).toEqual(['@bytecodealliance/jco-transpile']);
    const resolveFrom = createRequire(join(installed, 'package.json'));
    const unresolved = [...bare].filter(([s]) => !optional.has(packageName(s))).filter(([s]) => {
      try {
        resolveFrom.resolve(s);
        return false;
      } catch {
        return true;
      }
    });
    expect(unresolved.map(([s, file]) => `${s} (imported by ${file})`)).toEqual([]);
  });

  let wasm: string;

  it('npx rdylib new + npx rdylib build: a plugin crate outside the repository becomes a component', async () => {
    const created = await npx('rdylib new', ['rdylib', 'new', 'plug', '--name', CRATE]);
    expect(created.stdout).toContain(`created plugin crate ${CRATE}`);
    expect(readFileSync(join(APP, 'plug', 'Cargo.toml'), 'utf8')).toMatch(/rdylib = \{ path = "[^"]*node_modules\/rdylib\/guest-rust\/rdylib" \}/);
    // Without the optional peer, build stops at once with the command that installs it.
    const refused = await npx('rdylib build (no jco-transpile)', ['rdylib', 'build', 'plug'], { CARGO_TARGET_DIR }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect((refused?.cause as { code?: number } | undefined)?.code).toBe(1);
    expect(refused?.message).toContain(`npm install --save-dev ${pinned('@bytecodealliance/jco-transpile')}`);
    await run('npm install jco-transpile', 'npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', pinned('@bytecodealliance/jco-transpile')], APP);
    const built = await npx('rdylib build', ['rdylib', 'build', 'plug'], { CARGO_TARGET_DIR });
    wasm = built.stdout.trim().split('\n').pop()!;
    expect(wasm).toMatch(new RegExp(`${CRATE}\\.wasm$`));
    expect(existsSync(wasm)).toBe(true);
    const inspected = await npx('rdylib inspect', ['rdylib', 'inspect', wasm, '--json']);
    const info = JSON.parse(inspected.stdout) as { lifetimes: { status: string } };
    expect(info.lifetimes.status).toBe('checked'); // the rdylib:abi section survived the build
  }, 20 * MINUTES);

  it('npx rdylib types: a typed host type-checks (misuse refused) and runs in Node, in process and in a worker', async () => {
    await npx('rdylib types', ['rdylib', 'types', wasm, '-o', `${CRATE}.d.ts`]);
    writeFileSync(join(APP, 'host.ts'), NODE_HOST);
    writeFileSync(join(APP, 'page.ts'), PAGE);
    writeFileSync(join(APP, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    await npx('tsc (type-check and emit)', ['tsc', '-p', '.']);
    const out = await run('node host', process.execPath, [join(APP, 'built', 'host.js'), wasm], APP);
    expect(JSON.parse(out.stdout)).toEqual({
      greet: 'Hello, Node!',
      greeting: { message: 'Hello, Zoë!', length: 11 },
      counted: 42,
      isolated: 'Hello, worker thread!',
      afterUnload: 'UNLOADED',
    });
  }, 5 * MINUTES);

  describe('in a page', () => {
    let opened: TestPage | undefined;
    afterAll(() => opened?.close());

    /** Opens `site` (its index.html) with the plugin, and the worker entry served at `workerPath`; the page's result. */
    async function runPage(site: string, workerPath: string): Promise<unknown> {
      await opened?.close();
      const workerEntry = createRequire(join(APP, 'package.json')).resolve('rdylib/web-worker');
      opened = await openTestPage(site, { [`/${CRATE}.wasm`]: wasm, [workerPath]: workerEntry }, 'freshDone');
      const result = await opened.page.evaluate(() => (window as unknown as { freshResult: unknown }).freshResult);
      expect(opened.pageErrors).toEqual([]);
      return result;
    }

    const EXPECTED = {
      greet: 'Hello, Page!',
      greeting: { message: 'Hello, Zoë!', length: 11 },
      counted: 42,
      isolated: 'Hello, Web Worker!',
    };

    it('bundles the typed page with esbuild and no flags, and runs it in Chromium, in the page and in a Web Worker', async () => {
      const site = join(APP, 'site');
      mkdirSync(site, { recursive: true });
      const bundled = await npx('esbuild (no flags)', ['esbuild', 'page.ts', '--bundle', `--outfile=${join('site', 'page.js')}`]);
      expect(bundled.stderr).not.toMatch(/node:|Could not resolve/);
      expect(readFileSync(join(site, 'page.js'), 'utf8')).not.toMatch(/["']node:/);
      writeFileSync(join(site, 'index.html'), PAGE_HTML);
      // esbuild's default output is a classic script: the worker entry is looked for next to it.
      expect(await runPage(site, '/web-worker.js')).toEqual(EXPECTED);
    }, 5 * MINUTES);

    it('bundles the same page with Vite and no config, and it runs in Chromium', async () => {
      const root = join(APP, 'vite-page');
      mkdirSync(root, { recursive: true });
      writeFileSync(join(root, 'index.html'), PAGE_HTML.replace('<script src="page.js"></script>', '<script type="module" src="../page.ts"></script>'));
      const built = await npx('vite build (no config)', ['vite', 'build', 'vite-page']);
      expect(built.stdout + built.stderr).not.toMatch(/node:|externalized for browser compatibility|Could not resolve/);
      // Vite puts the script in assets/: the worker entry goes next to it.
      expect(await runPage(join(root, 'dist'), '/assets/web-worker.js')).toEqual(EXPECTED);
    }, 5 * MINUTES);
  });
});

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    strict: true,
    // The package's own declarations are checked too, under a user's strict settings.
    skipLibCheck: false,
    outDir: 'built',
  },
  include: ['host.ts', 'page.ts', `${CRATE}.d.ts`],
};

const NODE_HOST = `import { load, UnloadedError } from 'rdylib';
import type { Bindings } from './${CRATE}.js';

const path = process.argv[2]!;
const plugin = await load<Bindings>(path, { name: '${CRATE}' });
const api = plugin.exports.${CRATE};
const counter = new api.Counter(40);
const counted: number = counter.increment(2);
const greeting: { message: string; length: number } = api.makeGreeting('Zoë');
counter[Symbol.dispose]();
const greeted = api.greet('Node');
await plugin.unload();
let afterUnload: string | undefined;
try {
  api.greet('again');
} catch (e) {
  afterUnload = e instanceof UnloadedError ? e.code : 'not an UnloadedError';
}
const result = { greet: greeted, greeting, counted, afterUnload };

const isolated = await load<Bindings>(path, { name: '${CRATE}', isolate: 'worker' });
const fromWorker: string = await isolated.exports.${CRATE}.greet('worker thread');
await isolated.unload();
console.log(JSON.stringify({ ...result, isolated: fromWorker }));

/** Never called: proves the declarations type the exports (each line must be an error). */
export function misuse(): void {
  // @ts-expect-error greet takes a string
  api.greet(42);
  // @ts-expect-error there is no such export
  api.farewell('x');
  // @ts-expect-error increment returns a number
  const s: string = counter.increment(1);
  void s;
}
`;

const PAGE = `import { load } from 'rdylib';
import type { Bindings } from './${CRATE}.js';

async function run(): Promise<unknown> {
  const plugin = await load<Bindings>('${CRATE}.wasm', { name: '${CRATE}' });
  const api = plugin.exports.${CRATE};
  const counter = new api.Counter(40);
  const result = { greet: api.greet('Page'), greeting: api.makeGreeting('Zoë'), counted: counter.increment(2) };
  counter[Symbol.dispose]();
  await plugin.unload();
  const isolated = await load<Bindings>('${CRATE}.wasm', { name: '${CRATE}', isolate: 'worker' });
  const fromWorker = await isolated.exports.${CRATE}.greet('Web Worker');
  await isolated.unload();
  return { ...result, isolated: fromWorker };
}

const page = window as unknown as { freshResult: unknown; freshDone: boolean };
run()
  .then((result) => { page.freshResult = result; })
  .catch((e: unknown) => { page.freshResult = { error: e instanceof Error ? e.stack ?? e.message : String(e) }; })
  .finally(() => { page.freshDone = true; });
`;

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>fresh project</title><link rel="icon" href="data:,"></head>
<body><script src="page.js"></script></body>
</html>
`;
