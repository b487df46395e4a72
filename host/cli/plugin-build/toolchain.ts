/**
 * The Rust toolchain scripts/setup-toolchain.sh chooses (rustup, a rustc on
 * PATH, or Debian's packages with -Zbuild-std), and how to run its cargo.
 * Shared by the plugin build (wasm32) and the native Rust tests. The script
 * ships in the package, so a plugin built anywhere gets the same setup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ToolchainError } from './errors.ts';
import { packageRoot } from './package-root.ts';

/** The toolchain record setup-toolchain.sh writes. */
export interface Toolchain {
  kind: 'path' | 'rustup' | 'debian';
  target: string;
  cargo: string;
  rustc: string;
  /** The wasm32 std must be built from source (-Zbuild-std): the Debian path. */
  buildStd: boolean;
  /** Extra rustc flags for wasm32 artifacts (the wasip1 link setup on Debian). */
  rustflags: string[];
  rustcVersion: string;
}


/**
 * Runs the setup script (quiet when all is present), which records its
 * choice in `recordFile`, and reads it back.
 */
export function setupToolchain(recordFile: string): Toolchain {
  const script = join(packageRoot(), 'scripts', 'setup-toolchain.sh');
  const setup = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, RDYLIB_TOOLCHAIN_FILE: recordFile } });
  if (setup.error) throw new ToolchainError(`cannot run ${script} with bash: ${setup.error.message}`);
  if (setup.status !== 0) throw new ToolchainError('no Rust toolchain for wasm32 was found or installed: install one as the lines above say, then run the command again');
  return JSON.parse(readFileSync(recordFile, 'utf8')) as Toolchain;
}

/**
 * The environment for that toolchain's cargo. RUSTC (and RUSTDOC, for
 * doctests) are pinned to the chosen compiler's, so Debian's /usr/bin/cargo
 * never picks up a rustup proxy of another version from PATH.
 */
export function cargoEnv(toolchain: Toolchain, purpose: 'wasm' | 'native'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RUSTC: toolchain.rustc };
  const rustdoc = join(dirname(toolchain.rustc), 'rustdoc');
  if (existsSync(rustdoc)) env.RUSTDOC = rustdoc;
  if (purpose === 'native') return env;
  // -Zbuild-std on a stable compiler is what the Debian packages are for.
  if (toolchain.buildStd) env.RUSTC_BOOTSTRAP = '1';
  if (toolchain.rustflags.length > 0) env.CARGO_ENCODED_RUSTFLAGS = toolchain.rustflags.join('\x1f');
  return env;
}
