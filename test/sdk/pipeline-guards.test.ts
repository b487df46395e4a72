/**
 * The async `pipeline` example's own guards (docs/abi.md §5) under a host
 * that ignores the rdylib:abi section: jco's transpiled bindings, run on the
 * pinned current Node by pipeline-jco.ts. Each borrow a pending task holds
 * is refused or allowed as Rust would: while `consume(&mut self, ..)` awaits
 * the host, `add` (E0499) and `total` (E0502) trap with a borrow error; while
 * `describe(&self, ..)` awaits, `total` runs and `add` (E0502) traps; once
 * the task completes, its borrow is gone.
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from './scenario-script.ts';
import type { Outcome } from './pipeline-jco.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`the pipeline example under jco on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const stdout = await runScenarioScript(pinned.executable, 'pipeline-jco.ts');
  const outcomes = JSON.parse(stdout) as Record<string, Outcome>;
  const borrowError = (call: string, held: string): string =>
    `rdylib borrow error: \`${call}\` needs ${held}`;

  describe(`pipeline under jco on Node ${pinned.version}: a pending task keeps its borrow`, () => {
    it('refuses `add` (&mut self) while `consume(&mut self)` awaits the host, naming the pending call', () => {
      expect(outcomes.addWhileConsuming).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.add', 'exclusive access to `tally`')}, but it is exclusively borrowed by \`tally.consume (pending)\`; drop the handles borrowing it first`],
      });
    });

    it('refuses `total` (&self) while `consume(&mut self)` awaits the host', () => {
      expect(outcomes.totalWhileConsuming).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.total', 'shared access to `tally`')}, but it is exclusively borrowed by \`tally.consume (pending)\`; drop that handle first`],
      });
    });

    it('runs `total` (&self) while `describe(&self)` awaits the host, and refuses `add` (&mut self)', () => {
      expect(outcomes.totalWhileDescribing).toEqual({ outcome: 'returned', value: '0' });
      expect(outcomes.addWhileDescribing).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.add', 'exclusive access to `tally`')}, but it is shared-borrowed 1 time(s), most recently by \`tally.describe (pending)\`; drop the handles borrowing it first`],
      });
    });

    it('ends the borrow when the task completes: `add` after `consume` resolved', () => {
      // consume took 3 bytes in two chunks; add(10) then makes 13.
      expect(outcomes.addAfterConsume).toEqual({ outcome: 'returned', value: '3 13' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: a zero-argument async fn`, () => {
    it('answers the health check', () => {
      expect(outcomes.health).toEqual({ outcome: 'returned', value: 'ok' });
    });
  });
}
