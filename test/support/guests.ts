/** Where the example plugins built by `npm run build:guests` live, for tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function guestPath(name: string): string {
  return join(repoRoot, 'build', 'guests', `${name}.wasm`);
}

/** The bytes of a built example plugin; fails with the command to run if it is missing. */
export function readGuest(name: string): Uint8Array {
  const path = guestPath(name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:guests\` first`);
  return readFileSync(path);
}
