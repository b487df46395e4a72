/**
 * Which crates a directory holds that build into plugins, read from
 * `cargo metadata`: a package directory is that crate; a workspace root
 * without a package of its own stands for its members that are plugins
 * (a `cdylib` that depends on the SDK or names a world for rdylib).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BuildError } from './errors.ts';
import { cargoEnv, type Toolchain } from './toolchain.ts';

export interface PluginCrate {
  /** The Cargo package name. */
  readonly name: string;
  readonly dir: string;
  readonly manifest: string;
  /** The file cargo writes for the cdylib: its lib name with `-` as `_`, `.wasm`. */
  readonly artifact: string;
  /** Cargo's target directory for this crate's workspace. */
  readonly targetDir: string;
  /** `[package.metadata.rdylib] world`; otherwise the world of the WIT the SDK derived. */
  readonly world: string | undefined;
  /** `[package.metadata.rdylib] wit`: a hand-written WIT directory (no SDK). */
  readonly witDir: string | undefined;
  /** Whether the workspace root's Cargo.toml sets `[profile.release]`; if not, the build supplies the plugin profile. */
  readonly hasReleaseProfile: boolean;
}

interface CargoPackage {
  name: string;
  manifest_path: string;
  targets: { name: string; kind: string[] }[];
  dependencies: { name: string }[];
  metadata: unknown;
}

interface CargoMetadata {
  packages: CargoPackage[];
  target_directory: string;
  workspace_root: string;
}

function cargoMetadata(manifest: string, toolchain: Toolchain): CargoMetadata {
  const result = spawnSync(toolchain.cargo, ['metadata', '--no-deps', '--format-version', '1', '--manifest-path', manifest], {
    cwd: dirname(manifest),
    env: cargoEnv(toolchain, 'wasm'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new BuildError(`cargo cannot read ${manifest}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(result.stdout) as CargoMetadata;
}

type RdylibMetadata = { world?: unknown; wit?: unknown };

function rdylibMetadata(pkg: CargoPackage): RdylibMetadata | undefined {
  return (pkg.metadata as { rdylib?: RdylibMetadata } | null)?.rdylib;
}

function isPlugin(pkg: CargoPackage): boolean {
  return pkg.targets.some((t) => t.kind.includes('cdylib')) && (rdylibMetadata(pkg) !== undefined || pkg.dependencies.some((d) => d.name === 'rdylib'));
}

/** Does the workspace root manifest have a `[profile.release]` table? */
function declaresReleaseProfile(workspaceRoot: string): boolean {
  const manifest = join(workspaceRoot, 'Cargo.toml');
  return existsSync(manifest) && /^\s*\[profile\.release\]/m.test(readFileSync(manifest, 'utf8'));
}

function pluginCrate(pkg: CargoPackage, metadata: CargoMetadata): PluginCrate {
  const dir = dirname(pkg.manifest_path);
  const lib = pkg.targets.find((t) => t.kind.includes('cdylib'));
  if (!lib) throw new BuildError(`crate ${pkg.name} (${dir}) is not a plugin: its Cargo.toml needs [lib] crate-type = ["cdylib"]`);
  const rdylib = rdylibMetadata(pkg);
  if (rdylib?.world !== undefined && typeof rdylib.world !== 'string') {
    throw new BuildError(`crate ${pkg.name}: [package.metadata.rdylib] world must be a string (the WIT world's name)`);
  }
  if (rdylib?.wit !== undefined && typeof rdylib.wit !== 'string') {
    throw new BuildError(`crate ${pkg.name}: [package.metadata.rdylib] wit must be a path string (a directory of .wit files)`);
  }
  return {
    name: pkg.name,
    dir,
    manifest: pkg.manifest_path,
    artifact: `${lib.name.replaceAll('-', '_')}.wasm`,
    targetDir: metadata.target_directory,
    world: rdylib?.world as string | undefined,
    witDir: typeof rdylib?.wit === 'string' ? resolve(dir, rdylib.wit) : undefined,
    hasReleaseProfile: declaresReleaseProfile(metadata.workspace_root),
  };
}

/** The plugin crates `dir` stands for: the crate there, or a workspace's plugin members, sorted by name. */
export function findPluginCrates(dir: string, toolchain: Toolchain): PluginCrate[] {
  const manifest = join(resolve(dir), 'Cargo.toml');
  if (!existsSync(manifest)) {
    throw new BuildError(`${dir} has no Cargo.toml: pass a plugin crate's directory (\`rdylib new <dir>\` makes one)`);
  }
  const metadata = cargoMetadata(manifest, toolchain);
  const own = metadata.packages.find((p) => resolve(p.manifest_path) === manifest);
  if (own) return [pluginCrate(own, metadata)];
  // With --no-deps, cargo lists exactly the workspace's members.
  const members = metadata.packages.filter(isPlugin);
  if (members.length === 0) {
    throw new BuildError(`${dir} is a workspace without plugin crates (a cdylib depending on rdylib): pass a plugin crate's directory`);
  }
  return members.map((p) => pluginCrate(p, metadata)).sort((a, b) => a.name.localeCompare(b.name));
}
