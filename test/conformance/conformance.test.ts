/**
 * The Component Model reference tests against the host: one vitest test per
 * case (`file:line`). The suite runs once while tests are collected (scripts
 * carry state from command to command, so cases cannot run on their own);
 * each test then states that case's outcome.
 *
 * - passed: a normal test;
 * - listed in known-failures.txt and failing: `it.fails`, so it stays green,
 *   and turns red once the case passes (remove it from the list then);
 * - skipped (async features, out of scope): `it.skip` with the reason.
 */

import { describe, expect, it } from 'vitest';
import { runSuite } from './suite.ts';

const report = await runSuite();

describe.each(report.files.map((f) => [f.file, f] as const))('%s', (_file, { cases }) => {
  for (const c of cases) {
    const name = `${c.id} ${c.kind}`;
    if (c.status === 'skipped') {
      it.skip(`${name} (${c.detail})`, () => {});
      continue;
    }
    const reason = report.known.get(c.id);
    const check = (): void => {
      expect(c.status, c.detail).toBe('passed');
    };
    if (reason !== undefined) it.fails(`${name} [known failure: ${reason}]`, check);
    else it(name, check);
  }
});
