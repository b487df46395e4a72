/**
 * Builds bench/extism-plugin (Extism's Rust PDK) into build/extism/bench.wasm,
 * a core module for `@extism/extism`. Run by `npm run build:guests` after the
 * rdylib guests, with the same toolchain (scripts/setup-toolchain.sh records it
 * in build/toolchain.json: rustup, a rustc on PATH or Debian's packages) and
 * the same cargo environment; `--locked`, so the committed Cargo.lock decides
 * every version. Incremental: cargo does nothing when nothing changed.
 *
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { cargoEnv, setupToolchain } from '../../host/cli/plugin-build/toolchain.ts';
import { repoPath } from '../paths.ts';

export const EXTISM_PLUGIN = repoPath('build', 'extism', 'bench.wasm');

export function buildExtismPlugin(log: (line: string) => void = console.log): string {
  const toolchain = setupToolchain(repoPath('build', 'toolchain.json'));
  const crateDir = repoPath('bench', 'extism-plugin');
  const targetDir = repoPath('build', 'extism', 'target');
  const args = ['build', '--release', '--locked', '--target', toolchain.target, '--manifest-path', `${crateDir}/Cargo.toml`, '--target-dir', targetDir];
  if (toolchain.buildStd) args.push('-Zbuild-std=std,panic_abort');
  log(`extism plugin: cargo ${args.join(' ')}`);
  const result = spawnSync(toolchain.cargo, args, { cwd: crateDir, env: cargoEnv(toolchain, 'wasm'), stdio: ['ignore', 2, 2] });
  if (result.error) throw new Error(`cannot run ${toolchain.cargo}: ${result.error.message}`);
  if (result.status !== 0) throw new Error('cargo build of bench/extism-plugin failed (the errors are above)');
  const artifact = `${targetDir}/${toolchain.target}/release/extism_bench_plugin.wasm`;
  if (!existsSync(artifact)) throw new Error(`cargo built no ${artifact}`);
  mkdirSync(dirname(EXTISM_PLUGIN), { recursive: true });
  copyFileSync(artifact, EXTISM_PLUGIN);
  log(`extism plugin: ${EXTISM_PLUGIN}`);
  return EXTISM_PLUGIN;
}
