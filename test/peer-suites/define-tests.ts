/**
 * The peer validation scripts as vitest tests, one per script: a script
 * passes when it has no false accept, no failure and no difference that
 * known-differences.txt does not explain; the list itself must have no
 * stale entries. Shared by the strict-index and lenient-index test files
 * (the text parser reads its index mode once per process).
 */
import { describe, expect, it } from 'vitest';
import { listProblems, reasonFor } from './known-differences.ts';
import type { PeerCase } from './runner.ts';
import type { PeerSuiteOptions, PeerSuiteReport } from './suite.ts';

function unexplained(report: PeerSuiteReport, cases: readonly PeerCase[]): string[] {
  return cases
    .filter((c) => c.status === 'false-accept' || c.status === 'failed' || (c.status === 'difference' && reasonFor(report.known, c.id) === undefined))
    .map((c) => `${c.id} ${c.status} [${c.kind}]: ${c.detail}`);
}

export function definePeerSuiteTests(indices: PeerSuiteOptions['indices'], run: () => Promise<PeerSuiteReport>): void {
  describe(`wasm-tools component-model validation scripts (${indices} indices)`, async () => {
    const report = await run();

    it('finds scripts to run', () => {
      expect(report.scripts.length).toBeGreaterThan(0);
    });

    for (const script of report.scripts) {
      const counts = (['passed', 'difference', 'skipped'] as const).map((s) => `${script.cases.filter((c) => c.status === s).length} ${s}`).join(', ');
      it(`${script.file} (${counts})`, () => {
        expect(unexplained(report, script.cases)).toEqual([]);
      });
    }

    it('has a known-differences list that matches the results', () => {
      const all = report.scripts.flatMap((s) => s.cases);
      expect(listProblems(report.known, all, report.scripts.map((s) => s.file))).toEqual([]);
    });
  });
}
