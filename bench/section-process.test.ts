/**
 * section-process.ts: a section run in its own process comes back as it was
 * made, and a child that fails or sends nothing is an error naming the
 * section, never a silently empty section.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInOwnProcess } from './section-process.ts';
import type { Section } from './suite.ts';

const FIXTURE = { script: fileURLToPath(new URL('./section-process.fixture.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };

/** The parent only needs a section's id to run it in the child; the child has its own copy of the section. */
const named = (id: string): Section => ({ id, title: id, run: () => Promise.reject(new Error('run in the parent')) });

describe('a section in its own process', () => {
  it('sends back its cases, facts, chart and sink unchanged, and sees --quick', async () => {
    const run = await runInOwnProcess(named('fine'), true, FIXTURE);
    expect(run.sink).toBe(42);
    expect(run.results).toEqual({
      cases: [{ section: 'fine', name: 'a case', targets: [{ kind: 'ours/raw', atMost: 1.5 }], cells: { raw: { ns: 12.5, spread: 0.05 }, jco: { reason: 'not here' } } }],
      facts: [{ section: 'fine', name: 'quick', value: 'true' }],
      chart: 'unload-by-handles',
    });
    expect((await runInOwnProcess(named('fine'), false, FIXTURE)).results.facts).toEqual([{ section: 'fine', name: 'quick', value: 'false' }]);
  });

  it('rejects naming the section when the section throws', async () => {
    await expect(runInOwnProcess(named('throws'), true, FIXTURE)).rejects.toThrow("bench section 'throws': its process exited with code 1 before sending results");
  });

  it('rejects when the process ends without sending results, even with exit code 0', async () => {
    await expect(runInOwnProcess(named('exits'), true, FIXTURE)).rejects.toThrow("bench section 'exits': its process exited with code 0 before sending results");
  });

  it('rejects an id the bench does not have', async () => {
    await expect(runInOwnProcess(named('nope'), true, FIXTURE)).rejects.toThrow("bench section 'nope': its process exited with code 1 before sending results");
  });
});
