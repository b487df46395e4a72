/**
 * `{ signal }` on a sync-typed export (sync-signal-scenarios.ts): taken where
 * the instance is entered through JSPI and its exports return Promises;
 * refused as an extra argument where the export is a plain synchronous
 * function (no JSPI).
 */
import { describe, expect, it } from 'vitest';
import { hasJspi } from '../../host/abi/jspi.ts';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { runSyncSignalScenarios, type SyncSignalOutcomes } from './sync-signal-scenarios.ts';

function checkWithJspi(out: SyncSignalOutcomes): void {
  expect(out.plain).toEqual({ returned: 7, promise: true });
  expect(out.withSignal).toEqual({ returned: 7, promise: true });
  // Refused before entering, as an async export's call is: a rejected Promise, never a throw.
  expect(out.withFiredSignal).toEqual({ threw: 'CancelledError', message: '`seven` was cancelled before it started', promise: true });
  expect(out.after).toEqual({ returned: 7, promise: true });
}

function checkWithoutJspi(out: SyncSignalOutcomes): void {
  expect(out.plain).toEqual({ returned: 7, promise: false });
  // A synchronous function takes exactly its parameters.
  expect(out.withSignal).toEqual({ threw: 'TypeError', message: 'expected 0 argument(s), got 1', promise: false });
  expect(out.withFiredSignal).toEqual({ threw: 'TypeError', message: 'expected 0 argument(s), got 1', promise: false });
  expect(out.after).toEqual({ returned: 7, promise: false });
}

describe('{ signal } on a sync-typed export', () => {
  it(`on this Node (${hasJspi() ? 'with' : 'without'} JSPI)`, async () => {
    const out = await runSyncSignalScenarios();
    if (hasJspi()) checkWithJspi(out);
    else checkWithoutJspi(out);
  });

  const unavailable = pinnedNodeUnavailable();
  it.skipIf(unavailable !== undefined)('on the pinned current Node (JSPI): taken', async () => {
    checkWithJspi(JSON.parse(await runScenarioScript(ensurePinnedNode().executable, new URL('./sync-signal-pinned.ts', import.meta.url))) as SyncSignalOutcomes);
  });
});
