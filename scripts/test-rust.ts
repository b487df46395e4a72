/**
 * `npm run test:rust`: the guest workspace's native tests (SDK support crate,
 * macro, example plugins' plain logic), with the toolchain setup-toolchain.sh
 * chose. Cargo's own output, including its `test result:` lines, is shown as is.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cargoEnv, setupToolchain } from '../host/cli/plugin-build/toolchain.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(root, 'guest-rust');
const toolchain = setupToolchain(join(root, 'build', 'toolchain.json'));
const result = spawnSync(toolchain.cargo, ['test', '--workspace', '--quiet'], {
  cwd: workspace,
  env: cargoEnv(toolchain, 'native'),
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
