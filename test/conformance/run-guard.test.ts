/**
 * A conformance run never passes by stopping early: a call whose promise is
 * still pending when the event loop runs out of work fails as a case (and
 * the cases after it still run), and a run that stops anywhere else exits 1
 * naming the last case that started. Each scenario runs in its own process
 * (fixtures/stalls.mts), since only a whole process runs out of work.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './suite.ts';

const STALLS = join(REPO_ROOT, 'test', 'conformance', 'fixtures', 'stalls.mts');

async function runStalls(mode: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', STALLS, mode], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw e;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('conformance run guard', () => {
  it('fails each call whose promise never settles, and runs the calls after it', async () => {
    const r = await runStalls('calls');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const outcomes = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; failure?: { kind: string; message: string } });
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, false]);
    expect(outcomes[0]!.failure).toEqual({ kind: 'other', message: expect.stringContaining('export first: its promise never settled') });
    expect(outcomes[2]!.failure?.message).toContain('export third: its promise never settled');
  });

  it('a run that stops outside a call exits 1 naming the last case that started, never 0', async () => {
    const r = await runStalls('exit');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('stalls: the run stopped early while running a.wast:2 (the last case that started)');
  });
});
