/**
 * Reads the report `scripts/conformance.ts --json` printed in a child
 * process (pinned-node.test.ts runs it on the pinned Node through
 * test/sdk/scenario-script.ts, which kills a child that hangs).
 */
import type { SuiteReport } from './suite.ts';

/** How long a whole conformance run on the pinned Node may take: about 15 s on a quiet machine, a few minutes under load. */
export const PINNED_RUN_DEADLINE_MS = 600_000;

/** The run wrote no usable report: no case result stands. */
export class PinnedReportError extends Error {
  constructor(problem: string) {
    super(`scripts/conformance.ts --json on the pinned Node ${problem}`);
    this.name = 'PinnedReportError';
  }
}

export function readReport(stdout: string): Pick<SuiteReport, 'engine' | 'files'> {
  let parsed: Partial<Pick<SuiteReport, 'engine' | 'files'>>;
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new PinnedReportError(stdout.trim() === '' ? 'exited 0 without writing its report' : 'wrote a report that is not JSON');
  }
  const { engine, files } = parsed;
  if (engine === undefined || !Array.isArray(files) || files.length === 0) throw new PinnedReportError('wrote a report with no engine or no scripts');
  return { engine, files };
}
