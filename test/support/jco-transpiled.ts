/**
 * Loads a component through jco's transpiled bindings: the reference host we
 * compare against (differential tests) and a host that ignores rdylib's
 * metadata (soundness tests). Output goes to build/jco/<name>/, git-ignored.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transpile } from '../../scripts/lib/jco.ts';
import { repoRoot } from './guests.ts';

export async function importTranspiled(name: string, component: Uint8Array): Promise<Record<string, unknown>> {
  const outDir = join(repoRoot, 'build', 'jco', name);
  const { files } = await transpile(component, { name, noTypescript: true });
  for (const [file, contents] of Object.entries(files)) {
    const path = join(outDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents);
  }
  return (await import(pathToFileURL(join(outDir, `${name}.js`)).href)) as Record<string, unknown>;
}
