/**
 * The async differential against jco (test/async-js/differential.ts), run on
 * the pinned current Node because jco's async output needs JSPI. Each
 * scenario: rdylib must give the outcome the fixture's definition gives; so
 * must jco, unless the scenario says why it differs, and a listed difference
 * that has gone away fails (so the list stays true).
 *
 * While rdylib refuses a fixture at load as unsupported (the async runtime
 * lands in steps), its side of the scenario is skipped, naming the refusal.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { repoRoot } from '../support/guests.ts';
import { sameOutcome, type ScenarioResult } from './differential.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`async differential against jco on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const { stdout } = await promisify(execFile)(pinned.executable, ['--import', 'tsx', join(repoRoot, 'scripts', 'async-differential.ts'), '--json'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const { node, results } = JSON.parse(stdout) as { node: string; results: ScenarioResult[] };

  describe(`async differential against jco (pinned Node ${node})`, () => {
    for (const r of results) {
      describe(r.name, () => {
        if (r.jcoDiffers === undefined) {
          it('jco gives the outcome the fixture defines', () => {
            expect(sameOutcome(r.jco, r.expected), JSON.stringify(r.jco)).toBe(true);
          });
        } else {
          it(`jco still differs, for the reason listed: ${r.jcoDiffers}`, () => {
            expect(sameOutcome(r.jco, r.expected), 'jco now agrees: remove the listed difference').toBe(false);
          });
        }
        if (r.rdylib.kind === 'unsupported') {
          it.skip(`rdylib: refused at load as unsupported (${r.rdylib.message})`, () => {});
        } else {
          it('rdylib gives the outcome the fixture defines', () => {
            expect(sameOutcome(r.rdylib, r.expected), JSON.stringify(r.rdylib)).toBe(true);
          });
        }
      });
    }
  });
}
