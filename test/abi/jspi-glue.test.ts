/**
 * The JSPI glue (host/abi/jspi-glue.ts) on the pinned current Node, which has
 * JSPI: a core call whose import answered with a plain value is not
 * suspended and gives its result at once; one whose import answered with a
 * Promise suspends, and its result (or the rejection) comes through
 * `Suspended`. i32 and i64 (BigInt) signatures.
 */
import { expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`the JSPI glue on the pinned Node: ${unavailable}`, () => {});
} else {
  it('suspends only where the import answered with a Promise, on the pinned Node', async () => {
    const report = JSON.parse(await runScenarioScript(ensurePinnedNode().executable, new URL('./jspi-glue-pinned.ts', import.meta.url))) as Record<string, unknown>;
    expect(report).toEqual({
      plainI32: { at: 'once', value: '41' },
      promiseI32: { at: 'after-suspending', value: '61' },
      plainI64: { at: 'once', value: String(2n ** 41n + 1n) },
      promiseI64: { at: 'after-suspending', value: String(2n ** 40n + 6n) },
      rejected: { at: 'failed', error: 'Error: host said no' },
    });
  });
}
