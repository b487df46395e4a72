/**
 * The async `pipeline` example on rdylib's own host, run on the pinned
 * current Node by pipeline-host.ts: every borrow a pending task holds is
 * enforced from the rdylib:abi section before the plugin is entered, as Rust
 * would: while `consume(&mut self, ..)` awaits the host, `add` (E0499) and
 * `total` (E0502) are BorrowErrors; while `describe(&self, ..)` awaits,
 * `total` runs and `add` (E0502) is a BorrowError; when the task's promise
 * settles, the borrow ends.
 *
 * Until the host's runtime has every built-in the plugin imports (stream.*
 * for `uppercase`), `load` refuses it as `unsupported`: the test then checks
 * that refusal names the missing built-in and skips the scenarios, saying so.
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runOnPinnedNode } from './pinned-script.ts';
import type { HostOutcome } from './pipeline-host.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`the pipeline example on the rdylib host on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const stdout = await runOnPinnedNode(pinned, 'pipeline-host.ts');
  const report = JSON.parse(stdout) as { unsupported: string } | Record<string, HostOutcome | string>;

  if ('unsupported' in report && typeof report.unsupported === 'string') {
    const reason = report.unsupported;
    describe(`pipeline on the rdylib host, Node ${pinned.version}`, () => {
      it('is refused at load only for a canonical built-in the runtime does not have yet, named', () => {
        expect(reason).toMatch(/the canonical built-in `(stream|future)\.[a-z-]+` is not supported by this host yet/);
      });
      it.skip(`borrow scenarios: ${reason}`, () => {});
    });
  } else {
    const outcomes = report as Record<string, HostOutcome | string>;
    const refused = (message: string) => ({ outcome: 'refused', error: 'BorrowError', message });
    describe(`pipeline on the rdylib host, Node ${pinned.version}: a pending task keeps its borrow`, () => {
      it('refuses `add` (&mut self) while `consume(&mut self)` awaits the host, before entering the plugin', () => {
        expect(outcomes.addWhileConsuming).toEqual(
          refused('cannot borrow mutably tally #1 (self of `[method]tally.add`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first'),
        );
      });
      it('refuses `total` (&self) while `consume(&mut self)` awaits the host', () => {
        expect(outcomes.totalWhileConsuming).toEqual(
          refused('cannot borrow tally #1 (self of `[method]tally.total`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first'),
        );
      });
      it('ends the borrow when the promise settles: `add` after `consume` resolved', () => {
        expect(outcomes.addAfterConsume).toEqual({ outcome: 'returned', value: '3 13' });
      });
      it('runs `total` (&self) while `describe(&self)` awaits the host, and refuses `add` (&mut self)', () => {
        expect(outcomes.totalWhileDescribing).toEqual({ outcome: 'returned', value: '13' });
        expect(outcomes.addWhileDescribing).toEqual(
          refused('cannot borrow mutably tally #1 (self of `[method]tally.add`): it is borrowed by `[method]tally.describe` (in progress) (shared); drop it first'),
        );
        expect(outcomes.described).toBe('13 bytes in 2 chunks, next from gated');
      });
      it('answers the zero-argument health check', () => {
        expect(outcomes.health).toEqual({ outcome: 'returned', value: 'ok' });
      });
    });
  }
}
