/**
 * Synchronous blocking built-ins (the synchronous `subtask.cancel` every
 * wit-bindgen async guest imports, a synchronous `waitable-set.wait`) on a
 * real component, fixtures/blocking.wat, through blocking-scenarios.ts: the
 * component loads on every engine; what has nothing to wait for works
 * everywhere; what has to wait suspends the core wasm where the engine has
 * JSPI and, where it has not (Node 20), traps with JspiUnavailableError
 * naming the built-in: the call rejects with it, the instance is poisoned
 * like after any trap, and the host goes on. Runs in process (the system
 * Node) and on the pinned current Node.
 */
import { describe, expect, it } from 'vitest';
import { hasJspi } from '../../host/abi/jspi.ts';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { runScenarios, type CallOutcome, type Scenario, type ScenarioOutcome } from './blocking-scenarios.ts';

const returned = (value: number): CallOutcome => ({ outcome: 'returned', value });
const SUBTASK_RETURNED = 2;
/** The event code SUBTASK with the subtask's state RETURNED above it. */
const SUBTASK_EVENT_RETURNED = 1 | (SUBTASK_RETURNED << 4);

/** The expectations every engine shares: nothing to wait for, nothing needs JSPI. */
function checkNonBlocking(out: Record<Scenario, ScenarioOutcome>): void {
  expect(out['cancel-after-return']).toEqual({ call: returned(SUBTASK_RETURNED), next: returned(SUBTASK_RETURNED) });
  expect(out['wait-ready']).toEqual({ call: returned(SUBTASK_EVENT_RETURNED), next: returned(SUBTASK_RETURNED) });
}

function checkWithJspi(out: Record<Scenario, ScenarioOutcome>): void {
  checkNonBlocking(out);
  // The host cannot hear a cancellation: the cancel waits until slow() returned.
  expect(out['cancel-pending']).toEqual({ call: returned(SUBTASK_RETURNED), next: returned(SUBTASK_RETURNED) });
  expect(out['wait-pending']).toEqual({ call: returned(SUBTASK_EVENT_RETURNED), next: returned(SUBTASK_RETURNED) });
}

function checkWithoutJspi(out: Record<Scenario, ScenarioOutcome>): void {
  checkNonBlocking(out);
  for (const [scenario, builtin] of [
    ['cancel-pending', 'subtask.cancel'],
    ['wait-pending', 'waitable-set.wait'],
  ] as const) {
    const { call, next } = out[scenario];
    const named = new RegExp(`\`canon ${builtin.replace('.', '\\.')}\` has to wait here, and waiting inside a core wasm call needs JSPI`);
    expect(call).toMatchObject({ outcome: 'threw', error: 'JspiUnavailableError' });
    expect(call.outcome === 'threw' && call.message).toMatch(named);
    // Poisoned as by any trap: the next call of another export is refused, naming the first trap.
    expect(next).toMatchObject({ outcome: 'threw', error: 'TrapError' });
    expect(next.outcome === 'threw' && next.message).toMatch(/is poisoned by an earlier trap/);
    expect(next.outcome === 'threw' && next.message).toMatch(named);
  }
}

describe(`blocking built-ins in process (${hasJspi() ? 'with' : 'without'} JSPI)`, () => {
  it(hasJspi() ? 'wait by suspending the core wasm' : 'work when nothing waits, and trap with JspiUnavailableError naming the built-in when it must', async () => {
    const out = await runScenarios();
    if (hasJspi()) checkWithJspi(out);
    else checkWithoutJspi(out);
  });
});

const unavailable = pinnedNodeUnavailable();
describe('blocking built-ins on the pinned current Node (JSPI)', () => {
  it.skipIf(unavailable !== undefined)('wait by suspending the core wasm', async () => {
    const stdout = await runScenarioScript(ensurePinnedNode().executable, new URL('./blocking-pinned.ts', import.meta.url));
    checkWithJspi(JSON.parse(stdout) as Record<Scenario, ScenarioOutcome>);
  });
});
