/** Runs a scenario script of this folder on the pinned current Node (scripts/lib/pinned-node.ts) and returns what it printed. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PinnedNode } from '../../scripts/lib/pinned-node.ts';
import { repoRoot } from '../support/guests.ts';

export async function runOnPinnedNode(pinned: PinnedNode, script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(pinned.executable, ['--import', 'tsx', join(repoRoot, 'test', 'sdk', script)], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    // A stuck child fails the test file (with its output) instead of holding up the suite.
    timeout: 180_000,
  });
  return stdout;
}
