/**
 * The child run pinned-node.test.ts reads its report from fails as a whole,
 * naming why, when it hangs past its deadline (killed), exits non-zero or
 * writes no report; each scenario is a small `node -e` child.
 */
import { describe, expect, it } from 'vitest';
import { PinnedRunError, runReportChild } from './pinned-run.ts';
import { REPO_ROOT } from './suite.ts';

const run = (code: string, deadlineMs = 60_000) => runReportChild(process.execPath, ['-e', code], { cwd: REPO_ROOT, what: 'the child', deadlineMs });

describe('the pinned conformance child run', () => {
  it('is killed at its deadline and fails saying so, with its stderr', async () => {
    const hang = run("process.stderr.write('started\\n'); setInterval(() => {}, 1000);", 5_000);
    await expect(hang).rejects.toThrow(PinnedRunError);
    await expect(hang).rejects.toThrow(/^the child did not finish within 5 s and was killed \(SIGKILL\); its stderr ends:\nstarted$/);
  });

  it('fails naming the exit code and the end of its stderr', async () => {
    await expect(run("process.stderr.write('boom\\n'); process.exit(3);")).rejects.toThrow(/^the child exited with 3; its stderr ends:\nboom$/);
  });

  it('fails when it writes no report, or one without scripts', async () => {
    await expect(run('')).rejects.toThrow('the child exited 0 without writing its report');
    await expect(run("console.log('not json')")).rejects.toThrow('the child wrote a report that is not JSON');
    await expect(run("console.log(JSON.stringify({ engine: { name: 'x', features: [] }, files: [] }))")).rejects.toThrow('the child wrote a report with no engine or no scripts');
  });

  it('reads a report', async () => {
    const report = { engine: { name: 'node x', features: ['jspi'] }, files: [{ file: 'a.wast', cases: [] }] };
    await expect(run(`console.log(${JSON.stringify(JSON.stringify(report))})`)).resolves.toEqual(report);
  });
});
