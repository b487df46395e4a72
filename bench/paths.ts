/**
 * Where the bench finds the repository, from wherever its code runs: from
 * bench/ under tsx (tests) or bundled into build/bench/ (`npm run bench`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'rdylib') return dir;
    if (dirname(dir) === dir) throw new Error(`no rdylib package.json above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** A path under the repository. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/** The bytes of an example plugin built by `npm run build:guests`; fails with the command to run if missing. */
export function readGuest(name: string): Uint8Array {
  const path = repoPath('build', 'guests', `${name}.wasm`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:guests\` first`);
  return readFileSync(path);
}
