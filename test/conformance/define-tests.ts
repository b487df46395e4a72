/**
 * A conformance run as vitest tests, one per case (`file:line`), under the
 * engine's name so that the runs on the system Node and on the pinned Node
 * stand side by side. Shared by conformance.test.ts (this process's engine)
 * and pinned-node.test.ts (a run in a child process on the pinned Node).
 *
 * - passed: a normal test;
 * - expected to fail on this engine (known-failures.txt, `[needs]` judged
 *   against the engine's features): `it.fails`, so it stays green, and turns
 *   red once the case passes (remove it from the list then);
 * - skipped (a core-module assertion, or text the parser rejects before the host sees it): `it.skip` with the reason.
 */

import { describe, expect, it } from 'vitest';
import { expectedFailure } from './known-failures.ts';
import type { SuiteReport } from './suite.ts';

export function defineConformanceTests(report: SuiteReport): void {
  const features = new Set(report.engine.features);
  describe.each(report.files.map((f) => [`${report.engine.name}: ${f.file}`, f] as const))('%s', (_name, { cases }) => {
    for (const c of cases) {
      const name = `${c.id} ${c.kind}`;
      if (c.status === 'skipped') {
        it.skip(`${name} (${c.detail})`, () => {});
        continue;
      }
      const expected = expectedFailure(c.id, report.known, features);
      const check = (): void => {
        expect(c.status, c.detail).toBe('passed');
      };
      if (expected !== undefined) it.fails(`${name} [known failure: ${expected.reason}]`, check);
      else it(name, check);
    }
  });
}
