/**
 * The report pinned-node.test.ts reads from its child run: a run that
 * printed no report, or an unusable one, fails as a whole naming why (a
 * child that hangs or exits non-zero fails in runScenarioScript, tested in
 * test/sdk/scenario-script.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PinnedReportError, readReport } from './pinned-run.ts';

describe('the pinned conformance run\'s report', () => {
  it('fails when there is none, or one without scripts', () => {
    expect(() => readReport('')).toThrow(PinnedReportError);
    expect(() => readReport('')).toThrow('scripts/conformance.ts --json on the pinned Node exited 0 without writing its report');
    expect(() => readReport('not json')).toThrow('wrote a report that is not JSON');
    expect(() => readReport(JSON.stringify({ engine: { name: 'x', features: [] }, files: [] }))).toThrow('wrote a report with no engine or no scripts');
  });

  it('reads a report', () => {
    const report = { engine: { name: 'node x', features: ['jspi'] }, files: [{ file: 'a.wast', cases: [] }] };
    expect(readReport(JSON.stringify(report))).toEqual(report);
  });
});
