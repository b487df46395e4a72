/**
 * Runs `scripts/conformance.ts --json` (or any command printing such a
 * report) in a child process and reads its report, for pinned-node.test.ts.
 * The child gets a deadline: a run that hangs (a stuck case the run guard
 * does not catch, a child that never exits) is killed and fails naming the
 * deadline, instead of holding up the suite until vitest's own timeouts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SuiteReport } from './suite.ts';

/** The run failed as a whole (it exited early, hung, or wrote no report): no case result stands. */
export class PinnedRunError extends Error {
  constructor(what: string, problem: string, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(`${what} ${problem}${tail === '' ? '' : `; its stderr ends:\n${tail}`}`);
    this.name = 'PinnedRunError';
  }
}

/** How long a whole conformance run on the pinned Node may take: about 15 s on a quiet machine, a few minutes under load. */
export const PINNED_RUN_DEADLINE_MS = 600_000;

export async function runReportChild(
  executable: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly what: string; readonly deadlineMs: number },
): Promise<Pick<SuiteReport, 'engine' | 'files'>> {
  const { what, deadlineMs } = options;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await promisify(execFile)(executable, [...args], {
      cwd: options.cwd,
      maxBuffer: 256 * 1024 * 1024,
      timeout: deadlineMs,
      killSignal: 'SIGKILL',
    }));
  } catch (e) {
    const failed = e as { code?: unknown; killed?: unknown; signal?: unknown; stderr?: unknown };
    const childStderr = typeof failed.stderr === 'string' ? failed.stderr : '';
    if (failed.killed === true) throw new PinnedRunError(what, `did not finish within ${deadlineMs / 1000} s and was killed (${String(failed.signal)})`, childStderr);
    throw new PinnedRunError(what, `exited with ${String(failed.code ?? failed.signal)}`, childStderr);
  }
  let parsed: Partial<Pick<SuiteReport, 'engine' | 'files'>>;
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new PinnedRunError(what, stdout.trim() === '' ? 'exited 0 without writing its report' : 'wrote a report that is not JSON', stderr);
  }
  const { engine, files } = parsed;
  if (engine === undefined || !Array.isArray(files) || files.length === 0) throw new PinnedRunError(what, 'wrote a report with no engine or no scripts', stderr);
  return { engine, files };
}
