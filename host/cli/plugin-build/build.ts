/**
 * Builds plugin crates into components that carry their `rdylib:abi`
 * section at top level (docs/abi.md §3.1):
 *
 *   cargo build --release --target wasm32-… (core module with rdylib:wit and rdylib:abi)
 *   -> componentEmbed (the WIT: the SDK's derived rdylib:wit, or the crate's WIT directory)
 *   -> componentNew
 *   -> every rdylib:* core section except rdylib:wit appended to the component
 *   -> <out>/<crate>.wasm and <crate>.wit (the WIT it was built from)
 *
 * Incremental in two steps: cargo decides whether the core module is stale
 * (it knows every input, path dependencies included), and the component is
 * remade only when the core module, the WIT, the toolchain or this build
 * code changed (a hash recorded beside the output).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RDYLIB_WIT_SECTION, readTopLevelCustomSections } from '../../rdylib/section.ts';
import type { CustomSection } from '../../binary/ast.ts';
import { appendCustomSection } from './custom-sections.ts';
import { findPluginCrates, type PluginCrate } from './crate.ts';
import { loadJco, type JcoTools } from './load-jco.ts';
import { BuildError } from './errors.ts';
import { packageVersion } from './package-root.ts';
import { cargoEnv, setupToolchain, type Toolchain } from './toolchain.ts';

/** Core-module custom sections with this prefix are copied to the component's top level. */
const RDYLIB_SECTION_PREFIX = 'rdylib:';

/**
 * The profile a plugin needs, for crates whose workspace sets none: small
 * code, one codegen unit with LTO, and `panic = "abort"` (a panic must not
 * unwind across the component boundary). Given to cargo as `--config`, so
 * the crate's Cargo.toml stays the user's.
 */
export const PLUGIN_RELEASE_PROFILE: readonly (readonly [string, string])[] = [
  ['opt-level', '"s"'],
  ['lto', 'true'],
  ['codegen-units', '1'],
  ['panic', '"abort"'],
  ['debug', 'false'],
  ['strip', '"debuginfo"'],
];

export interface BuildOptions {
  /** Where components go. Default: `<cargo target dir>/rdylib/`. */
  readonly outDir?: string;
  /** Where the toolchain choice is recorded. Default: `<first crate's target dir>/rdylib/toolchain.json`. */
  readonly toolchainFile?: string;
  /** Progress lines (one per step, with timings). Cargo's own output goes to stderr. */
  readonly log?: (line: string) => void;
  /** Only these crates (by Cargo package name) among those the directories stand for. */
  readonly only?: readonly string[];
}

export interface BuiltPlugin {
  readonly crate: string;
  /** The component. */
  readonly output: string;
  /** The WIT it was built from. */
  readonly wit: string;
  readonly bytes: number;
  /** False when it was up to date. */
  readonly rebuilt: boolean;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Builds the plugin crates the directories stand for (a crate, or a workspace's plugin members). */
export async function buildPlugins(dirs: readonly string[], options: BuildOptions = {}): Promise<BuiltPlugin[]> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const toolchainFile = options.toolchainFile ?? join(dirs[0] ?? '.', 'target', 'rdylib', 'toolchain.json');
  // jco's tooling is an optional peer: say it is missing before minutes of cargo, not after.
  const jco = await loadJco();
  const toolchain = setupToolchain(toolchainFile);
  let crates = dirs.flatMap((d) => findPluginCrates(d, toolchain));
  if (options.only && options.only.length > 0) {
    const unknown = options.only.filter((n) => !crates.some((c) => c.name === n));
    if (unknown.length > 0) throw new BuildError(`no plugin crate named ${unknown.join(', ')}; found: ${crates.map((c) => c.name).join(', ')}`);
    crates = crates.filter((c) => options.only!.includes(c.name));
  }
  const built: BuiltPlugin[] = [];
  for (const [i, crate] of crates.entries()) {
    const tag = `[${i + 1}/${crates.length}] ${crate.name}`;
    built.push(await buildOne(crate, toolchain, jco, options.outDir ?? join(crate.targetDir, 'rdylib'), tag, log));
  }
  const rebuilt = built.filter((b) => b.rebuilt).length;
  log(
    rebuilt === 0
      ? `all ${built.length} up to date`
      : `built ${rebuilt} of ${built.length} in ${seconds(performance.now() - started)}`,
  );
  return built;
}

async function buildOne(crate: PluginCrate, toolchain: Toolchain, jco: JcoTools, outDir: string, tag: string, log: (line: string) => void): Promise<BuiltPlugin> {
  const output = join(outDir, `${crate.name}.wasm`);
  const witFile = join(outDir, `${crate.name}.wit`);
  const stampFile = join(outDir, `${crate.name}.inputs`);
  const profile = crate.hasReleaseProfile ? 'its release profile' : 'the plugin release profile';
  log(`${tag}: cargo build (${toolchain.target}, ${profile}, ${toolchain.kind} ${toolchain.rustcVersion})`);
  const t0 = performance.now();
  const core = compileCoreModule(crate, toolchain);
  const t1 = performance.now();
  const sections = readTopLevelCustomSections(core);
  const wit = witSourceOf(crate, sections);
  const hash = inputsHash(core, wit, toolchain);
  if (existsSync(output) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    log(`${tag}: up to date: ${output} (cargo ${seconds(t1 - t0)})`);
    return { crate: crate.name, output, wit: witFile, bytes: statSync(output).size, rebuilt: false };
  }
  const component = await makeComponent(jco, crate, core, sections, wit);
  mkdirSync(outDir, { recursive: true });
  writeAtomically(output, component);
  writeAtomically(witFile, wit);
  writeAtomically(stampFile, hash);
  log(`${tag}: built ${output} (${sizeText(component.length)}) in ${seconds(performance.now() - t0)} (cargo ${seconds(t1 - t0)}, component ${seconds(performance.now() - t1)})`);
  return { crate: crate.name, output, wit: witFile, bytes: component.length, rebuilt: true };
}

function compileCoreModule(crate: PluginCrate, toolchain: Toolchain): Uint8Array {
  const args = ['build', '--release', '--target', toolchain.target, '--manifest-path', crate.manifest, '-p', crate.name];
  if (!crate.hasReleaseProfile) for (const [key, value] of PLUGIN_RELEASE_PROFILE) args.push('--config', `profile.release.${key}=${value}`);
  if (toolchain.buildStd) args.push('-Zbuild-std=std,panic_abort');
  // cargo's progress and errors go to our stderr; stdout stays for the output paths.
  const result = spawnSync(toolchain.cargo, args, { cwd: crate.dir, env: cargoEnv(toolchain, 'wasm'), stdio: ['ignore', 2, 2] });
  if (result.error) throw new BuildError(`crate ${crate.name}: cannot run ${toolchain.cargo}: ${result.error.message}`);
  if (result.status !== 0) throw new BuildError(`crate ${crate.name}: cargo build failed (the compiler's errors are above)`);
  const artifact = join(crate.targetDir, toolchain.target, 'release', crate.artifact);
  if (!existsSync(artifact)) throw new BuildError(`crate ${crate.name}: cargo built no ${artifact}; is [lib] crate-type = ["cdylib"] set?`);
  return readFileSync(artifact);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

/** The WIT to embed: the SDK's derived rdylib:wit section, else the crate's WIT directory. */
function witSourceOf(crate: PluginCrate, sections: readonly CustomSection[]): string {
  const derived = sections.filter((s) => s.name === RDYLIB_WIT_SECTION);
  if (derived.length > 1) {
    throw new BuildError(`crate ${crate.name}: the core module has ${derived.length} ${RDYLIB_WIT_SECTION} sections, expected one (two #[rdylib::export] modules?)`);
  }
  if (derived[0]) return new TextDecoder('utf-8', { fatal: true }).decode(derived[0].data);
  if (!crate.witDir) {
    throw new BuildError(
      `crate ${crate.name}: no WIT found: the core module has no ${RDYLIB_WIT_SECTION} section (is a module annotated #[rdylib::export]?) ` +
        'and Cargo.toml names no [package.metadata.rdylib] wit directory',
    );
  }
  const files = listFiles(crate.witDir).filter((f) => f.endsWith('.wit'));
  if (files.length === 0) throw new BuildError(`crate ${crate.name}: the WIT directory ${crate.witDir} has no .wit files`);
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** The world to embed: Cargo.toml's, else the only world of the WIT. */
function worldOf(crate: PluginCrate, wit: string): string {
  if (crate.world !== undefined) return crate.world;
  const worlds = [...wit.matchAll(/^\s*world\s+(%?[a-z][a-z0-9-]*)\s*\{/gm)].map((m) => m[1]!.replace(/^%/, ''));
  if (worlds.length === 1) return worlds[0]!;
  throw new BuildError(
    `crate ${crate.name}: the WIT has ${worlds.length === 0 ? 'no world' : `worlds ${worlds.join(', ')}`}; ` +
      'name the one to build in Cargo.toml: [package.metadata.rdylib] world = "<name>"',
  );
}

async function makeComponent(jco: JcoTools, crate: PluginCrate, core: Uint8Array, sections: readonly CustomSection[], wit: string): Promise<Uint8Array> {
  const { componentEmbed, componentNew } = jco;
  let component: Uint8Array;
  try {
    // Always by source: jco's witPath handling fails to resolve directories.
    const embedded = await componentEmbed({ binary: core, witSource: wit, world: worldOf(crate, wit) });
    component = await componentNew(embedded);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(`crate ${crate.name}: making the component failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  for (const section of sections) {
    if (section.name.startsWith(RDYLIB_SECTION_PREFIX) && section.name !== RDYLIB_WIT_SECTION) {
      component = appendCustomSection(component, section);
    }
  }
  return component;
}

/** What makes a component differ: the core module, the WIT, the toolchain, and this build code. */
function inputsHash(core: Uint8Array, wit: string, toolchain: Toolchain): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(toolchain)).update('\0').update(wit).update('\0').update(core).update('\0').update(packageVersion());
  const here = dirname(fileURLToPath(import.meta.url));
  for (const file of listFiles(here)) if (/\.[jt]s$/.test(file)) hash.update(readFileSync(file));
  return hash.digest('hex');
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
