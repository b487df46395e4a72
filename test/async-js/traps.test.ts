/**
 * Traps of async calls on real components (trap-scenarios.ts), checked the
 * same on the system Node and on the pinned current Node (JSPI): a trap ends
 * the plugin's Store (every pending call of any of its instances rejects
 * with the same TrapError, the streams JS reads from it error with it)
 * while another plugin's call goes on; an AbortSignal whose cancellation has
 * to wait for the host poisons the plugin without JSPI instead of throwing
 * out of the signal's listener; a rejected host Promise is a TrapError
 * naming the import.
 */
import { describe, expect, it } from 'vitest';
import { hasJspi } from '../../host/abi/jspi.ts';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { runTrapScenarios, type TrapOutcomes } from './trap-scenarios.ts';

function check(out: TrapOutcomes, jspi: boolean): void {
  const s = out.store;
  expect(s.trap).toMatchObject({ threw: 'TrapError' });
  expect('message' in s.trap && s.trap.message).toMatch(/wasm trap in two-instances\/instance1: unreachable/);
  // definitions.py: the trap ends the store, so the call waiting in the plugin's other instance too.
  expect(s.otherInstance).toEqual(s.trap);
  expect(s.sameInstance).toEqual(s.trap);
  expect(s.sameError).toBe(true);
  expect(s.later).toMatchObject({ threw: 'TrapError' });
  expect('message' in s.later && s.later.message).toMatch(/is poisoned by an earlier trap: wasm trap in two-instances\/instance1: unreachable/);
  // Another plugin (its own store) goes on.
  expect(s.otherPlugin).toEqual({ returned: 7 });
  expect(s.stream.firstChunk).toBe(4096);
  expect(s.stream.read).toMatchObject({ threw: 'TrapError' });
  expect(s.stream.sameError).toBe(true);

  const w = out.trapWhileWaiting;
  expect(w.trap).toMatchObject({ threw: 'TrapError' });
  expect('message' in w.trap && w.trap.message).toMatch(/unreachable/);
  expect(w.waiting).toEqual(w.trap);
  expect(w.sameError).toBe(true);

  const a = out.abortWhileHostPending;
  if (jspi) {
    // The guest's synchronous subtask.cancel waits for slow() by suspending; then it acknowledges.
    expect(a.call).toEqual({ threw: 'CancelledError', message: "the call of blocking's export was cancelled" });
    expect(a.causeMessage).toBe('user pressed stop');
    expect(a.next).toEqual({ returned: 2 });
  } else {
    expect(a.call).toMatchObject({ threw: 'JspiUnavailableError' });
    expect('message' in a.call && a.call.message).toMatch(/`canon subtask\.cancel` has to wait here, and waiting inside a core wasm call needs JSPI/);
    expect(a.next).toMatchObject({ threw: 'TrapError' });
    expect('message' in a.next && a.next.message).toMatch(/is poisoned by an earlier trap/);
  }

  const r = out.hostRejects;
  expect(r.call).toEqual({ threw: 'TrapError', message: 'host-call: the host function for `double` rejected its Promise (TypeError: no such key)' });
  expect(r.causeIsTheRejection).toBe(true);
  expect(r.next).toMatchObject({ threw: 'TrapError' });
  expect('message' in r.next && r.next.message).toMatch(/is poisoned by an earlier trap: host-call: the host function for `double` rejected/);
}

describe('traps of async calls', () => {
  it(`on this Node (${hasJspi() ? 'with' : 'without'} JSPI)`, async () => {
    check(await runTrapScenarios(), hasJspi());
  });

  const unavailable = pinnedNodeUnavailable();
  it.skipIf(unavailable !== undefined)('on the pinned current Node (JSPI)', async () => {
    check(JSON.parse(await runScenarioScript(ensurePinnedNode().executable, new URL('./traps-pinned.ts', import.meta.url))) as TrapOutcomes, true);
  });
});
