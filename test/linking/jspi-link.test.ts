/**
 * A sync-typed import linked to a sync-typed export of a plugin entered
 * through JSPI (jspi-link-scenario.ts): where the engine has JSPI both calls
 * return a Promise of the value, and the importer gets the value, not the
 * Promise lowered as a u32 (which failed with "result: expected an integer
 * (u32), got object"); without JSPI both return the value at once.
 */
import { expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { runJspiLink, type JspiLinkReport } from './jspi-link-scenario.ts';

function expected(jspi: boolean): JspiLinkReport {
  return { jspi, bGet: { promise: jspi, value: 41 }, aRun: { promise: jspi, value: 42 } };
}

it('links a sync import to a JSPI-entered plugin on the Node running the tests', async () => {
  const report = await runJspiLink();
  expect(report).toEqual(expected(report.jspi));
});

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`the same on the pinned Node: ${unavailable}`, () => {});
} else {
  it('links a sync import to a JSPI-entered plugin on the pinned Node (JSPI)', async () => {
    const out = await runScenarioScript(ensurePinnedNode().executable, new URL('./jspi-link-pinned.ts', import.meta.url));
    expect(JSON.parse(out)).toEqual(expected(true));
  });
}
