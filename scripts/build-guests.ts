/**
 * Builds every example plugin under guest-rust/examples/ into
 * build/guests/<name>.wasm (+ <name>.wit, the WIT it was built from), with the
 * same code as `rdylib build` (host/cli/plugin-build/): the plugin members of
 * the guest workspace, with progress and timings per guest.
 *
 * Usage: npm run build:guests [-- <name> ...]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlugins } from '../host/cli/plugin-build/build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

buildPlugins([join(root, 'guest-rust')], {
  outDir: join(root, 'build', 'guests'),
  toolchainFile: join(root, 'build', 'toolchain.json'),
  only: process.argv.slice(2),
  log: (line) => console.log(`build-guests: ${line}`),
}).catch((error: unknown) => {
  console.error(`build-guests: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
