/**
 * The Rust toolchain scripts/setup-toolchain.sh chose, and how to run its
 * cargo. Shared by the guest build (wasm32) and the native Rust tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** build/toolchain.json, as written by scripts/setup-toolchain.sh. */
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

/** Runs the setup script (quiet when all is present) and reads its choice. */
export function setupToolchain(): Toolchain {
  const setup = spawnSync('bash', [join(root, 'scripts', 'setup-toolchain.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('the Rust toolchain setup failed (see above)');
  return JSON.parse(readFileSync(join(root, 'build', 'toolchain.json'), 'utf8')) as Toolchain;
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
