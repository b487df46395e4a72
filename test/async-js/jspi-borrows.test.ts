/**
 * Loans of sync-typed exports entered through JSPI last until their promise
 * settles (host/rdylib/call-plan.ts), on a real component run on the pinned
 * current Node by jspi-borrows.ts: its instance is entered through JSPI, so
 * `bump(&mut self)`, `peek(&self)` and `view(&self) -> View<'_>` return
 * promises although their types are not async. What Rust allows or refuses
 * for a call still in progress, before entering the plugin:
 * - while `bump(&mut self)` is pending: `peek(&self)` (E0502), `bump`
 *   (E0499) and dropping the counter (E0505) are refused;
 * - while `peek(&self)` is pending: another `peek` runs, `bump` is refused (E0502);
 * - a `View<'_>` from `view(&self)` borrows the counter from the moment the
 *   promise resolves with it until it is dropped: `bump` (E0502) and drop
 *   (E0505) are refused meanwhile, and allowed after.
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import type { Outcome } from './jspi-borrows.ts';

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  it.skip(`loans of JSPI-entered sync exports on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const report = JSON.parse(await runScenarioScript(pinned.executable, new URL('./jspi-borrows.ts', import.meta.url))) as Record<string, Outcome> & { jspiEntered: boolean };
  const returned = (value: string): Outcome => ({ outcome: 'returned', value });
  const refused = (message: string): Outcome => ({ outcome: 'refused', error: 'BorrowError', message });

  describe(`a sync-typed export entered through JSPI keeps its loans until its promise settles (Node ${pinned.version})`, () => {
    it('runs with JSPI', () => {
      expect(report.jspiEntered).toBe(true);
    });

    it('bump(&mut self) pending: peek, bump and drop are refused before entering the plugin; the refused calls changed nothing', () => {
      expect(report['bumped']).toEqual(returned('1'));
      expect(report['peekWhileBumping']).toEqual(
        refused('cannot borrow counter #1 (self of `[method]counter.peek`): it is borrowed by `[method]counter.bump` (in progress) (exclusive); drop it first'),
      );
      expect(report['bumpWhileBumping']).toEqual(
        refused('cannot borrow mutably counter #1 (self of `[method]counter.bump`): it is borrowed by `[method]counter.bump` (in progress) (exclusive); drop it first'),
      );
      expect(report['dropWhileBumping']).toEqual(refused('cannot drop counter #1: it is still borrowed by `[method]counter.bump` (in progress) (exclusive); drop it first'));
      // One bump ran: the refused second one never entered the plugin.
      expect(report['peekAfterBump']).toEqual(returned('1'));
    });

    it('peek(&self) pending: a second peek runs, bump is refused', () => {
      expect(report['peeked']).toEqual(returned('1'));
      expect(report['peekWhilePeeking']).toEqual(returned('1'));
      expect(report['bumpWhilePeeking']).toMatchObject({ outcome: 'refused', error: 'BorrowError' });
      expect((report['bumpWhilePeeking'] as { message: string }).message).toMatch(/^cannot borrow mutably counter #1 \(self of `\[method\]counter.bump`\): it is borrowed by `\[method\]counter.peek` \(in progress\) \(shared\)/);
    });

    it("the View<'_> a resolved view(&self) gave borrows the counter until it is dropped", () => {
      expect(report['readView']).toEqual(returned('1'));
      expect(report['bumpWhileViewLives']).toEqual(refused('cannot borrow mutably counter #1 (self of `[method]counter.bump`): it is borrowed by view #2 (shared); drop it first'));
      expect(report['dropWhileViewLives']).toEqual(refused('cannot drop counter #1: it is still borrowed by view #2 (shared); drop it first'));
      expect(report['bumpAfterViewDropped']).toEqual(returned('2'));
    });
  });
}
