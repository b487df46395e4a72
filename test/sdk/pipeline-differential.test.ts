/**
 * The `pipeline` example through jco 0.15.0 and through rdylib
 * (pipeline-differential.ts, its normalisations listed there), run on the
 * pinned current Node because jco's async output needs JSPI. Each scenario:
 * rdylib must give the outcome Rust's semantics give; so must jco, unless
 * the scenario says why it differs, and a listed difference that has gone
 * away fails (so the list stays true).
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { sameOutcome, type ScenarioResult } from './pipeline-differential.ts';
import { runScenarioScript } from './scenario-script.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`the pipeline differential against jco on the pinned Node: ${unavailable}`, () => {});
} else {
  const { node, results } = JSON.parse(await runScenarioScript(ensurePinnedNode().executable, new URL('./pipeline-differential.ts', import.meta.url))) as {
    node: string;
    results: ScenarioResult[];
  };

  describe(`the pipeline example, jco against rdylib (pinned Node ${node})`, () => {
    for (const r of results) {
      describe(r.name, () => {
        if (r.jcoDiffers === undefined) {
          it('jco gives the outcome Rust gives', () => {
            expect(sameOutcome(r.jco, r.expected), JSON.stringify(r.jco)).toBe(true);
          });
        } else {
          it(`jco still differs, for the reason listed: ${r.jcoDiffers}`, () => {
            expect(sameOutcome(r.jco, r.expected), 'jco now agrees: remove the listed difference').toBe(false);
          });
        }
        it('rdylib gives the outcome Rust gives', () => {
          expect(sameOutcome(r.rdylib, r.expected), JSON.stringify(r.rdylib)).toBe(true);
        });
      });
    }
  });
}
