/**
 * Runs a scenario script of this folder in a child process on a given Node
 * (the pinned current one, scripts/lib/pinned-node.ts, or the system one)
 * and returns what it printed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/guests.ts';

export async function runScenarioScript(node: string, script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(node, ['--import', 'tsx', join(repoRoot, 'test', 'sdk', script)], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    // A stuck child fails the test file (with its output) instead of holding up the suite.
    timeout: 180_000,
  });
  return stdout;
}
