/** Node only (imported lazily by source.ts): a file path or `file:` URL read as bytes. */
import { readFile } from 'node:fs/promises';

export async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}
