/**
 * Builds every example plugin under guest-rust/examples/ into
 * build/guests/<name>.wasm (+ <name>.wit, the WIT it was built from), with the
 * same code as `rdylib build` (host/cli/plugin-build/): the plugin members of
 * the guest workspace, with progress and timings per guest. Then (when no
 * names are given) the bench's Extism plugin, bench/extism-plugin, into
 * build/extism/bench.wasm (bench/extism/build-plugin.ts).
 *
 * Usage: npm run build:guests [-- <name> ...]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtismPlugin } from '../bench/extism/build-plugin.ts';
import { buildPlugins } from '../host/cli/plugin-build/build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const only = process.argv.slice(2);
const log = (line: string): void => console.log(`build-guests: ${line}`);

buildPlugins([join(root, 'guest-rust')], {
  outDir: join(root, 'build', 'guests'),
  toolchainFile: join(root, 'build', 'toolchain.json'),
  only,
  log,
})
  .then(() => {
    if (only.length === 0) buildExtismPlugin(log);
  })
  .catch((error: unknown) => {
    console.error(`build-guests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
