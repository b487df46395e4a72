/**
 * The async `pipeline` example's own guards (docs/abi.md §5) under a host
 * that ignores the rdylib:abi section: jco's transpiled bindings, run on the
 * pinned current Node by pipeline-jco.ts. Each borrow a pending task holds
 * is refused or allowed as Rust would: while `consume(&mut self, ..)` awaits
 * the host, `add` (E0499) and `total` (E0502) trap with a borrow error; while
 * `describe(&self, ..)` awaits, `total` runs and `add` (E0502) traps; a
 * resource parameter (`absorb(&mut self, other: &Tally, ..)`) and moves
 * (`Tally::finish(self)`, E0505) follow the same rules; once the task
 * completes, its borrow is gone; a dependent result (`sizes(&self, ..) ->
 * Sizes<'a>`) keeps the tally borrowed until the view is dropped, an
 * exclusive one (`lock(&mut self, ..) -> TallyGuard<'a>`) refuses reads too
 * until the guard is, and `drain(&mut self, other: &mut Tally, ..)` holds
 * `other` exclusively until its task completes. Cancellation is not here: jco 0.15.0 takes
 * no AbortSignal (pipeline-differential.ts lists it).
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
  const stdout = await runScenarioScript(pinned.executable, new URL('./pipeline-jco.ts', import.meta.url));
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

  describe(`pipeline under jco on Node ${pinned.version}: resource parameters and moves while a task is pending`, () => {
    const trapped = (call: string, held: string, rest: string) => ({ outcome: 'trapped', panics: [`${borrowError(call, held)}, but it is ${rest}`] });

    it('refuses `Tally::finish(self)` (a move) while `consume(&mut self)` is pending (E0505)', () => {
      expect(outcomes.finishWhileConsuming).toEqual(
        trapped('tally.finish', 'exclusive access to `tally`', 'exclusively borrowed by `tally.consume (pending)`; drop the handles borrowing it first'),
      );
    });

    it('lets `other.total()` (&) run while `absorb(&mut self, other: &Tally)` is pending: two shared borrows', () => {
      expect(outcomes.otherTotalWhileAbsorbing).toEqual({ outcome: 'returned', value: '5' });
    });

    it('refuses `other.add` (&mut, E0502) and `Tally::finish(other)` (a move, E0505) while `absorb` holds `&other`', () => {
      const sharedBy = 'shared-borrowed 1 time(s), most recently by `tally.absorb (pending)`; drop the handles borrowing it first';
      expect(outcomes.otherAddWhileAbsorbing).toEqual(trapped('tally.add', 'exclusive access to `tally`', sharedBy));
      expect(outcomes.otherFinishWhileAbsorbing).toEqual(trapped('tally.finish', 'exclusive access to `tally`', sharedBy));
    });

    it('refuses `self.total()` (&, E0502) while `absorb` holds `&mut self`', () => {
      expect(outcomes.selfTotalWhileAbsorbing).toEqual(
        trapped('tally.total', 'shared access to `tally`', 'exclusively borrowed by `tally.absorb (pending)`; drop that handle first'),
      );
    });

    it('refuses `a.absorb(a, ..)`: the same tally as `&mut self` and `&other` (E0502)', () => {
      expect(outcomes.absorbItself).toEqual(
        trapped('tally.absorb', 'shared access to `tally`', 'exclusively borrowed by `tally.absorb (pending)`; drop that handle first'),
      );
    });

    it('ends both borrows when `absorb` completes: `other` can be changed and moved, `self` read', () => {
      // absorb returned 5; other.add(1) makes 6, finish(other) gives it; self kept 5.
      expect(outcomes.afterAbsorb).toEqual({ outcome: 'returned', value: '5 6 5' });
    });

    it('keeps a tally dropped while `consume(&mut self)` is pending alive for the task (Rust refuses the drop, E0505; the guard cannot refuse a destructor, so it defers the free)', () => {
      expect(outcomes.dropWhileConsuming).toEqual({ outcome: 'returned', value: 'dropped, then consume took 3' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: a dependent result of an async fn`, () => {
    const sharedBy = (by: string) => `shared-borrowed 1 time(s), most recently by \`${by}\`; drop the handles borrowing it first`;

    it('refuses `add` (&mut, E0502) while `sizes(&self, ..)` is pending', () => {
      // The borrow is the view's from the call's start (docs/abi.md §1.4), so the guard names the view even before it exists.
      expect(outcomes.addWhileViewPending).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.add', 'exclusive access to `tally`')}, but it is ${sharedBy('sizes')}`],
      });
    });

    it('keeps the tally borrowed in the `Sizes<\'a>` view it resolved to: reads run, `add` (E0502) and `Tally::finish` (a move, E0505) trap', () => {
      // total 3; the view gives the chunk sizes consume took (2, then 1), then the end.
      expect(outcomes.totalWhileViewLives).toEqual({ outcome: 'returned', value: '3 2 1 undefined' });
      expect(outcomes.addWhileViewLives).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.add', 'exclusive access to `tally`')}, but it is ${sharedBy('sizes')}`],
      });
      expect(outcomes.finishWhileViewLives).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('tally.finish', 'exclusive access to `tally`')}, but it is ${sharedBy('sizes')}`],
      });
    });

    it('ends that borrow when the view is dropped: `add` runs', () => {
      expect(outcomes.addAfterViewDropped).toEqual({ outcome: 'returned', value: '4' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: an exclusive dependent result of an async fn`, () => {
    // The borrow is the guard's from the call's start (docs/abi.md §5), so the guard names it even before it exists.
    const byGuard = (call: string, held: string, rest: string) => ({
      outcome: 'trapped',
      panics: [`${borrowError(call, held)}, but it is exclusively borrowed by \`tally-guard\`; ${rest}`],
    });

    it('refuses `total` (&, E0502) and `add` (&mut, E0499) while `lock(&mut self, ..)` is pending', () => {
      expect(outcomes.totalWhileLockPending).toEqual(byGuard('tally.total', 'shared access to `tally`', 'drop that handle first'));
      expect(outcomes.addWhileLockPending).toEqual(byGuard('tally.add', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
    });

    it('keeps the tally borrowed in the `TallyGuard<\'a>` it resolved to: the guard works, `total` (E0502), `add` and `lock` (E0499) and `Tally::finish` (a move, E0505) trap', () => {
      // add(2) before the lock, bump(3) through the guard.
      expect(outcomes.bumpWhileGuardLives).toEqual({ outcome: 'returned', value: '5' });
      expect(outcomes.totalWhileGuardLives).toEqual(byGuard('tally.total', 'shared access to `tally`', 'drop that handle first'));
      expect(outcomes.addWhileGuardLives).toEqual(byGuard('tally.add', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
      expect(outcomes.lockWhileGuardLives).toEqual(byGuard('tally.lock', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
      expect(outcomes.finishWhileGuardLives).toEqual(byGuard('tally.finish', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
    });

    it('ends that borrow when the guard is dropped: `add` runs', () => {
      expect(outcomes.addAfterGuardDropped).toEqual({ outcome: 'returned', value: '3' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: an exclusive resource parameter of an async fn`, () => {
    const byDrain = (call: string, held: string, rest: string) => ({
      outcome: 'trapped',
      panics: [`${borrowError(call, held)}, but it is exclusively borrowed by \`tally.drain (pending)\`; ${rest}`],
    });

    it('refuses `other.total()` (E0502), `other.add` (E0499), `Tally::finish(other)` (a move, E0505) and `self.total()` (E0502) while `drain(&mut self, other: &mut Tally, ..)` is pending', () => {
      expect(outcomes.otherTotalWhileDraining).toEqual(byDrain('tally.total', 'shared access to `tally`', 'drop that handle first'));
      expect(outcomes.otherAddWhileDraining).toEqual(byDrain('tally.add', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
      expect(outcomes.otherFinishWhileDraining).toEqual(byDrain('tally.finish', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
      expect(outcomes.selfTotalWhileDraining).toEqual(byDrain('tally.total', 'shared access to `tally`', 'drop that handle first'));
    });

    it('refuses `c.drain(c, ..)`: the same tally as `&mut self` and `&mut other` (E0499)', () => {
      expect(outcomes.drainItself).toEqual(byDrain('tally.drain', 'exclusive access to `tally`', 'drop the handles borrowing it first'));
    });

    it('ends both borrows when `drain` completes: `other` read, changed and moved, `self` read', () => {
      // drain returned 5 and left other empty; other.add(1) makes 1, finish(other) gives it; self kept 5.
      expect(outcomes.afterDrain).toEqual({ outcome: 'returned', value: '5 0 1 5' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: an async method of a trait the plugin implements`, () => {
    it('refuses `taken` (&self, E0502) and `run` (&mut self, E0499) while `Stage::run(&mut self)` is pending', () => {
      expect(outcomes.takenWhileRunning).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('stage.taken', 'shared access to `stage`')}, but it is exclusively borrowed by \`stage.run (pending)\`; drop that handle first`],
      });
      expect(outcomes.runWhileRunning).toEqual({
        outcome: 'trapped',
        panics: [`${borrowError('stage.run', 'exclusive access to `stage`')}, but it is exclusively borrowed by \`stage.run (pending)\`; drop the handles borrowing it first`],
      });
    });

    it('keeps a stage dropped while `run` is pending alive for the task (Rust refuses the drop, E0505; the guard defers the free)', () => {
      expect(outcomes.dropWhileRunning).toEqual({ outcome: 'returned', value: 'dropped, then run took 1000' });
    });

    it('ends the borrow when `run` completes', () => {
      expect(outcomes.afterRun).toEqual({ outcome: 'returned', value: '3 3' });
    });
  });

  describe(`pipeline under jco on Node ${pinned.version}: a zero-argument async fn`, () => {
    it('answers the health check', () => {
      expect(outcomes.health).toEqual({ outcome: 'returned', value: 'ok' });
    });
  });
}
