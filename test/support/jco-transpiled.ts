/**
 * Loads a component through jco's transpiled bindings: the reference host we
 * compare against (differential tests) and a host that ignores rdylib's
 * metadata (soundness tests). Output goes to build/jco/<name>/, git-ignored.
 */
import { join } from 'node:path';
import { importTranspiled as importJco } from '../../scripts/lib/jco.ts';
import { repoRoot } from './guests.ts';

export function importTranspiled(name: string, component: Uint8Array): Promise<Record<string, unknown>> {
  return importJco(component, { name, outDir: join(repoRoot, 'build', 'jco', name) });
}
