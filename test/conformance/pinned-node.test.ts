/**
 * The Component Model reference tests on the pinned current Node
 * (scripts/lib/pinned-node.ts; installed into build/pinned-node on first use):
 * scripts/conformance.ts --json runs the suite there, and each case becomes a
 * test here, judged against the features that engine reported. Every case the
 * known-failures list marks `[needs FEATURE]` must pass on it.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { defineConformanceTests } from './define-tests.ts';
import { ENGINE_FEATURES } from './engine-features.ts';
import { readKnownFailures } from './known-failures.ts';
import { KNOWN_FAILURES_FILE, REPO_ROOT, type SuiteReport } from './suite.ts';

/** The run failed as a whole (it exited early, or wrote no report): no case result stands. */
class PinnedRunError extends Error {
  constructor(problem: string, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(`scripts/conformance.ts --json on the pinned Node ${problem}${tail === '' ? '' : `; its stderr ends:\n${tail}`}`);
    this.name = 'PinnedRunError';
  }
}

async function runOnPinnedNode(executable: string): Promise<SuiteReport> {
  const script = join(REPO_ROOT, 'scripts', 'conformance.ts');
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await promisify(execFile)(executable, ['--import', 'tsx', script, '--json'], {
      cwd: REPO_ROOT,
      maxBuffer: 256 * 1024 * 1024,
    }));
  } catch (e) {
    const failed = e as { code?: unknown; stderr?: unknown };
    throw new PinnedRunError(`exited with ${String(failed.code)}`, typeof failed.stderr === 'string' ? failed.stderr : '');
  }
  let parsed: Partial<Pick<SuiteReport, 'engine' | 'files'>>;
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new PinnedRunError(stdout.trim() === '' ? 'exited 0 without writing its report' : 'wrote a report that is not JSON', stderr);
  }
  const { engine, files } = parsed;
  if (engine === undefined || !Array.isArray(files) || files.length === 0) throw new PinnedRunError('wrote a report with no engine or no scripts', stderr);
  return { engine, files, known: readKnownFailures(KNOWN_FAILURES_FILE) };
}

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  // Only linux-x64 and linux-arm64 are pinned; CI runs on linux-x64.
  it.skip(`conformance on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const report = await runOnPinnedNode(pinned.executable);

  describe(`pinned Node ${pinned.version}`, () => {
    it('is the version the lock pins', () => {
      expect(report.engine.name).toBe(`node ${pinned.version}`);
    });

    it('has every engine feature a known failure can need, so no such case may fail on it', () => {
      expect([...report.engine.features].sort()).toEqual([...ENGINE_FEATURES].sort());
    });
  });

  defineConformanceTests(report);
}
