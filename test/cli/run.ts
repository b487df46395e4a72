/**
 * Runs the real `rdylib` command (host/cli/main.ts, through tsx) as a
 * subprocess, as a user's shell would, and captures what it prints.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/guests.ts';

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const TSX = import.meta.resolve('tsx');
const MAIN = join(repoRoot, 'host', 'cli', 'main.ts');

export function rdylib(args: readonly string[], options: { cwd?: string } = {}): CommandResult {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
