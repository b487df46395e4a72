/**
 * Builds every example plugin under guest-rust/examples/ into a component:
 *   cargo (wasm32 core module) -> componentEmbed (WIT) -> componentNew
 *   -> rdylib:* custom sections copied to the component's top level
 *   -> build/guests/<name>.wasm (+ <name>.wit, the WIT it was built from)
 *
 * Usage: npm run build:guests [-- <name> ...]
 *
 * Incremental: a guest is rebuilt only when a hash of its inputs (its crate,
 * the workspace's shared crates and lock file, its WIT, the toolchain and
 * this script) differs from the one recorded beside its output.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from './lib/jco.ts';
import { appendCustomSection, readCustomSections, type CustomSection } from './lib/wasm-custom-sections.ts';
import { cargoEnv, setupToolchain, type Toolchain } from './lib/toolchain.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(root, 'guest-rust');
const examplesDir = join(workspace, 'examples');
const outDir = join(root, 'build', 'guests');

/** The custom section in which an SDK-built core module carries its derived WIT. */
const WIT_SECTION = 'rdylib:wit';
/** Core-module custom sections with this prefix are copied to the component's top level. */
const RDYLIB_SECTION_PREFIX = 'rdylib:';

interface Guest {
  name: string;
  /** File name of the cdylib cargo writes (crate name with '-' as '_'). */
  artifact: string;
  dir: string;
  world: string;
  /** Hand-written WIT directory; absent for SDK crates, whose WIT the macro derives. */
  witDir: string | undefined;
}

class BuildError extends Error {}

function findGuests(toolchain: Toolchain): Guest[] {
  const result = spawnSync(toolchain.cargo, ['metadata', '--no-deps', '--format-version', '1', '--offline'], {
    cwd: workspace,
    env: cargoEnv(toolchain, 'wasm'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new BuildError(`cargo metadata failed:\n${result.stderr}`);
  const metadata = JSON.parse(result.stdout) as {
    packages: { name: string; manifest_path: string; targets: { name: string; kind: string[] }[]; metadata: unknown }[];
  };
  const guests: Guest[] = [];
  for (const pkg of metadata.packages) {
    const dir = dirname(pkg.manifest_path);
    if (dirname(dir) !== examplesDir) continue;
    const lib = pkg.targets.find((t) => t.kind.includes('cdylib'));
    if (!lib) throw new BuildError(`guest ${pkg.name}: its Cargo.toml must declare [lib] crate-type = ["cdylib"]`);
    const rdylib = (pkg.metadata as { rdylib?: { wit?: unknown; world?: unknown } } | null)?.rdylib;
    if (!rdylib || typeof rdylib.world !== 'string') {
      throw new BuildError(`guest ${pkg.name}: Cargo.toml needs [package.metadata.rdylib] with world = "<world name>"`);
    }
    if (rdylib.wit !== undefined && typeof rdylib.wit !== 'string') {
      throw new BuildError(`guest ${pkg.name}: [package.metadata.rdylib] wit must be a path string`);
    }
    guests.push({
      name: pkg.name,
      artifact: `${lib.name.replaceAll('-', '_')}.wasm`,
      dir,
      world: rdylib.world,
      witDir: rdylib.wit === undefined ? undefined : resolve(dir, rdylib.wit),
    });
  }
  return guests.sort((a, b) => a.name.localeCompare(b.name));
}

/** Files under `dir`, recursively, skipping build output. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/**
 * Everything that can change a guest's output: its own crate, every workspace
 * crate that is not another example (the SDK crates it may depend on), the
 * workspace manifest and lock file, its WIT, the toolchain, and this build.
 */
function inputsHash(guest: Guest, toolchain: Toolchain): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(toolchain));
  const sharedCrates = readdirSync(workspace, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'examples' && e.name !== 'target')
    .flatMap((e) => listFiles(join(workspace, e.name)));
  const files = [
    ...listFiles(guest.dir),
    ...sharedCrates,
    join(workspace, 'Cargo.toml'),
    join(workspace, 'Cargo.lock'),
    ...(guest.witDir ? listFiles(guest.witDir) : []),
    fileURLToPath(import.meta.url),
    join(root, 'scripts', 'lib', 'wasm-custom-sections.ts'),
    join(root, 'scripts', 'lib', 'toolchain.ts'),
    join(root, 'host', 'rdylib', 'section.ts'),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function compileCoreModule(guest: Guest, toolchain: Toolchain): Uint8Array {
  const args = ['build', '--release', '--target', toolchain.target, '-p', guest.name];
  if (toolchain.buildStd) args.push('-Zbuild-std=std,panic_abort');
  // cargo's own progress and errors go straight to the terminal.
  const result = spawnSync(toolchain.cargo, args, { cwd: workspace, env: cargoEnv(toolchain, 'wasm'), stdio: 'inherit' });
  if (result.status !== 0) throw new BuildError(`guest ${guest.name}: cargo build failed (the compiler's errors are above)`);
  return readFileSync(join(workspace, 'target', toolchain.target, 'release', guest.artifact));
}

function witSourceOf(guest: Guest, coreSections: readonly CustomSection[]): string {
  const derived = coreSections.filter((s) => s.name === WIT_SECTION);
  if (derived.length > 1) throw new BuildError(`guest ${guest.name}: the core module has ${derived.length} ${WIT_SECTION} sections, expected one`);
  if (derived[0]) return new TextDecoder('utf-8', { fatal: true }).decode(derived[0].data);
  if (!guest.witDir) {
    throw new BuildError(`guest ${guest.name}: no WIT found: the core module has no ${WIT_SECTION} section and Cargo.toml names no wit directory`);
  }
  return listFiles(guest.witDir)
    .filter((f) => f.endsWith('.wit'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

async function makeComponent(guest: Guest, core: Uint8Array): Promise<{ component: Uint8Array; wit: string }> {
  const coreSections = readCustomSections(core);
  const wit = witSourceOf(guest, coreSections);
  // Always by source: jco's witPath handling fails to resolve directories here.
  const embedded = await componentEmbed({ binary: core, witSource: wit, world: guest.world });
  let component = await componentNew(embedded);
  for (const section of coreSections) {
    if (section.name.startsWith(RDYLIB_SECTION_PREFIX) && section.name !== WIT_SECTION) {
      component = appendCustomSection(component, section);
    }
  }
  return { component, wit };
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2));
  const toolchain = setupToolchain();
  const all = findGuests(toolchain);
  const unknown = [...wanted].filter((name) => !all.some((g) => g.name === name));
  if (unknown.length > 0) {
    throw new BuildError(`no guest named ${unknown.join(', ')}; known guests: ${all.map((g) => g.name).join(', ')}`);
  }
  const guests = wanted.size === 0 ? all : all.filter((g) => wanted.has(g.name));
  mkdirSync(outDir, { recursive: true });

  let built = 0;
  const started = performance.now();
  for (const [i, guest] of guests.entries()) {
    const tag = `[${i + 1}/${guests.length}] ${guest.name}`;
    const output = join(outDir, `${guest.name}.wasm`);
    const stampFile = join(outDir, `${guest.name}.inputs`);
    const hash = inputsHash(guest, toolchain);
    if (existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
      console.log(`${tag}: up to date`);
      continue;
    }
    console.log(`${tag}: building with ${toolchain.kind} toolchain (${toolchain.rustcVersion})`);
    const t0 = performance.now();
    const core = compileCoreModule(guest, toolchain);
    const t1 = performance.now();
    const { component, wit } = await makeComponent(guest, core);
    writeAtomically(output, component);
    writeAtomically(join(outDir, `${guest.name}.wit`), wit);
    writeAtomically(stampFile, hash);
    built++;
    console.log(
      `${tag}: built ${relative(root, output)} (${(statSync(output).size / 1024).toFixed(1)} KiB)` +
        ` in ${seconds(t0)} (cargo ${((t1 - t0) / 1000).toFixed(1)}s, component ${seconds(t1)})`,
    );
  }
  console.log(
    built === 0
      ? `build-guests: all ${guests.length} guests up to date, nothing rebuilt`
      : `build-guests: rebuilt ${built} of ${guests.length} guests in ${seconds(started)}`,
  );
}

main().catch((error: unknown) => {
  console.error(`build-guests: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
