/**
 * Async work through a worker-isolated plugin (worker-scenarios.ts), checked
 * the same on the system Node and on the pinned current Node (JSPI): unload
 * is refused with PluginInUseError naming the pending calls and streams, as
 * in process; `{ pending: 'cancel' }` rejects every pending promise and
 * errors or cancels every stream with UnloadedError (typed across the
 * thread boundary); streams both ways, `future<T>` and AbortSignal work.
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { runWorkerScenarios, type WorkerOutcomes } from './worker-scenarios.ts';

const unloadedWithCancel = (name: string) => ({ error: { name: 'UnloadedError', message: `${name} was unloaded with this pending ({ pending: 'cancel' })` } });
const refusedWith = (message: string) => ({ error: { name: 'PluginInUseError', message } });

function check(out: WorkerOutcomes): void {
  const calls = out.pendingCalls;
  expect(calls.other).toBe(7);
  // The in-process plugin's own refusal, from the worker.
  expect(calls.refusal).toEqual(refusedWith("cannot unload host-call: `run` (call), `run` (call) are pending; wait for them, or pass { pending: 'cancel' }"));
  expect(calls.unloadedAfterRefusal).toBe(false);
  expect(calls.calls).toEqual([unloadedWithCancel('host-call'), unloadedWithCancel('host-call')]);
  expect(calls.later).toEqual({ error: { name: 'UnloadedError', message: 'host-call was unloaded; its exports can no longer be called' } });

  expect(out.streamOut.firstChunk).toBe(4096);
  expect(out.streamOut.refusal).toEqual(refusedWith("cannot unload streams: stream from `produce` is pending; wait for it, or pass { pending: 'cancel' }"));
  expect(out.streamOut.read).toEqual(unloadedWithCancel('streams'));

  expect(out.streamIn.refusal).toEqual(
    refusedWith("cannot unload streams: stream passed as `consume` argument `s`, `consume` (call) are pending; wait for them, or pass { pending: 'cancel' }"),
  );
  expect(out.streamIn.call).toEqual(unloadedWithCancel('streams'));
  expect(out.streamIn.cancelReason).toEqual(unloadedWithCancel('streams').error);

  expect(out.roundTrip).toEqual({ produced: 10_000, isStream: true, consumed: [10_000, sumMod251(10_000)], future: 8, unloaded: { value: null } });

  expect(out.abort.pendingBeforeAbort).toBe(true);
  const cancelled = { name: 'CancelledError', message: "the call of cancel's export was cancelled" };
  expect(out.abort.aborted).toEqual({ error: { ...cancelled, cause: { name: 'Error', message: 'user pressed stop' } } });
  // A fired signal's default reason (a DOMException) crosses as an error, not as `{}`.
  expect(out.abort.alreadyAborted).toEqual({ error: { ...cancelled, cause: { name: 'Error', message: 'This operation was aborted' } } });
  expect(out.abort.unloaded).toEqual({ value: null });
}

function sumMod251(total: number): number {
  let sum = 0;
  for (let i = 0; i < total; i++) sum = (sum + (i % 251)) >>> 0;
  return sum;
}

describe('async work through a worker-isolated plugin', () => {
  it('on this Node: unload refuses or cancels pending work as in process; streams, futures and signals cross', async () => {
    check(await runWorkerScenarios());
  });

  const unavailable = pinnedNodeUnavailable();
  it.skipIf(unavailable !== undefined)('the same on the pinned current Node (JSPI)', async () => {
    check(JSON.parse(await runScenarioScript(ensurePinnedNode().executable, new URL('./worker-pinned.ts', import.meta.url))) as WorkerOutcomes);
  });
});
