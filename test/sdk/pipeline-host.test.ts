/**
 * The async `pipeline` example on rdylib's own host, run by pipeline-host.ts
 * in a child process on the pinned current Node and on the system Node.
 *
 * Every borrow a pending task holds is enforced from the rdylib:abi section
 * before the plugin is entered, as Rust would refuse or allow the same calls
 * on one value: while `consume(&mut self, ..)` awaits the host, `add`
 * (E0499: a second `&mut`) and `total` (E0502: `&` while `&mut` is held)
 * are BorrowErrors; while `describe(&self, ..)` awaits, `total` (a second
 * `&`) runs and `add` (E0502) is a BorrowError; the borrow ends when the
 * task's future completes, is dropped (cancelled through an AbortSignal) or
 * its task traps, as a borrow held by a future ends when the future does.
 * A dependent result of an async fn borrows as in the sync case: while
 * `sizes(&self, ..)` is pending and then while the `Sizes<'a>` view it
 * resolved to lives, the tally may be read but not changed (E0502), moved or
 * dropped (E0505); dropping the view ends the borrow. An exclusive one
 * (`lock(&mut self, ..) -> TallyGuard<'a>`) refuses every other use of the
 * tally, reads too (E0502, E0499, E0505), while pending and while the guard
 * lives; `drain(&mut self, other: &mut Tally, ..)` holds `other` the same
 * way until its task completes, and `c.drain(c, ..)` is refused (E0499).
 *
 * Then the stream pipeline end to end: a host ReadableStream in, the
 * plugin's upper-cased ReadableStream out; the plugin pulls its next input
 * chunk only once JS took its last output (backpressure both ways); piping
 * the output with an AbortSignal that fires stops the plugin, which drops
 * its input, which cancels the host's source; after that nothing is pending
 * and the plugin unloads.
 *
 * Both engines run every scenario; they differ in one: on a Node without
 * JSPI (system Node 20) cancelling `consume` while it awaits the host has
 * to wait inside the plugin's core call, so that call rejects with
 * JspiUnavailableError and the plugin is poisoned (pipeline-host.ts,
 * `cancelWhileAwaitingHost`).
 */
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from './scenario-script.ts';
import type { PipelineOutcomes } from './pipeline-host.ts';

interface Engine {
  readonly name: string;
  readonly executable: string;
  readonly hasJspi: boolean;
}

const engines: Engine[] = [];
const unavailable = pinnedNodeUnavailable();
if (unavailable === undefined) engines.push({ name: `pinned Node ${ensurePinnedNode().version}`, executable: ensurePinnedNode().executable, hasJspi: true });
else it.skip(`the pipeline example on the pinned Node: ${unavailable}`, () => {});
engines.push({ name: `system Node ${process.versions.node}`, executable: process.execPath, hasJspi: 'Suspending' in WebAssembly });

const refused = (message: string) => ({ outcome: 'refused', error: 'BorrowError', message });
const exclusiveHeld = (call: string, by: string) =>
  refused(`cannot borrow mutably tally #1 (self of \`[method]tally.${call}\`): it is borrowed by \`[method]tally.${by}\` (in progress) (exclusive); drop it first`);

for (const engine of engines) {
  const outcomes = JSON.parse(await runScenarioScript(engine.executable, new URL('./pipeline-host.ts', import.meta.url))) as PipelineOutcomes;
  describe(`pipeline on the rdylib host, ${engine.name}: a pending task keeps its borrow`, () => {
    it('refuses `add` (&mut self) while `consume(&mut self)` awaits the host, before entering the plugin (E0499)', () => {
      expect(outcomes.addWhileConsuming).toEqual(exclusiveHeld('add', 'consume'));
    });
    it('refuses `total` (&self) while `consume(&mut self)` awaits the host (E0502)', () => {
      expect(outcomes.totalWhileConsuming).toEqual(
        refused('cannot borrow tally #1 (self of `[method]tally.total`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first'),
      );
    });
    it('ends the borrow when the task completes: `add` after `consume` resolved', () => {
      // consume took 3 bytes in two chunks; add(10) then makes 13.
      expect(outcomes.addAfterConsume).toEqual({ outcome: 'returned', value: '3 13' });
    });
    it('runs `total` (&self) while `describe(&self)` awaits the host, and refuses `add` (&mut self, E0502)', () => {
      expect(outcomes.totalWhileDescribing).toEqual({ outcome: 'returned', value: '13' });
      expect(outcomes.addWhileDescribing).toEqual(
        refused('cannot borrow mutably tally #1 (self of `[method]tally.add`): it is borrowed by `[method]tally.describe` (in progress) (shared); drop it first'),
      );
      expect(outcomes.described).toBe('13 bytes in 2 chunks, next from gated');
    });
    it('answers the zero-argument health check', () => {
      expect(outcomes.health).toEqual({ outcome: 'returned', value: 'ok' });
    });
    it('refuses dropping or moving the tally (`Tally::finish(self)`) while `consume(&mut self)` is pending (E0505)', () => {
      expect(outcomes.dropWhileConsuming).toEqual(
        refused('cannot drop tally #2: it is still borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first'),
      );
      expect(outcomes.finishWhileConsuming).toEqual(
        refused('cannot move tally #2 (self of `[static]tally.finish`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first'),
      );
    });
    it('holds a resource parameter too: while `a.absorb(&b, ..)` is pending, `b` may be read (two &) but not changed (E0502), dropped or moved (E0505), and `a` not read (E0502)', () => {
      const sharedBy = 'it is borrowed by `[method]tally.absorb` (in progress) (shared); drop it first';
      expect(outcomes.otherTotalWhileAbsorbing).toEqual({ outcome: 'returned', value: '5' });
      expect(outcomes.otherAddWhileAbsorbing).toEqual(refused(`cannot borrow mutably tally #4 (self of \`[method]tally.add\`): ${sharedBy}`));
      expect(outcomes.otherDropWhileAbsorbing).toEqual(refused(`cannot drop tally #4: it is still borrowed by \`[method]tally.absorb\` (in progress) (shared); drop it first`));
      expect(outcomes.otherFinishWhileAbsorbing).toEqual(refused(`cannot move tally #4 (self of \`[static]tally.finish\`): ${sharedBy}`));
      expect(outcomes.selfTotalWhileAbsorbing).toEqual(
        refused('cannot borrow tally #3 (self of `[method]tally.total`): it is borrowed by `[method]tally.absorb` (in progress) (exclusive); drop it first'),
      );
    });
    it('ends both borrows when `absorb` completes: `b` changed and moved, `a` read', () => {
      // absorb returned 5; b.add(1) makes 6, finish(b) gives it; a kept 5.
      expect(outcomes.afterAbsorb).toEqual({ outcome: 'returned', value: '5 6 5' });
    });
    it('refuses `a.absorb(a, ..)`: one tally as `&mut self` and `&other` (E0502), before entering the plugin', () => {
      expect(outcomes.absorbItself).toEqual(
        refused('`[method]tally.absorb`: cannot pass the same tally as self (exclusive) and as `other` (shared): a handle used exclusively or by value may appear only once in a call'),
      );
    });
    it('holds the borrow of a dependent result of an async fn: `sizes(&self, ..)` pending, `total` (two &) runs and `add` is refused (E0502)', () => {
      expect(outcomes.totalWhileViewPending).toEqual({ outcome: 'returned', value: '3' });
      expect(outcomes.addWhileViewPending).toEqual(
        refused('cannot borrow mutably tally #5 (self of `[method]tally.add`): it is borrowed by `[method]tally.sizes` (in progress) (shared); drop it first'),
      );
    });
    it('keeps the tally borrowed (shared) in the `Sizes<\'a>` view the call resolved to: read allowed, `add` refused (E0502), move and drop refused (E0505)', () => {
      const byView = 'it is borrowed by sizes #6 (shared); drop it first';
      expect(outcomes.totalWhileViewLives).toEqual({ outcome: 'returned', value: '3' });
      expect(outcomes.addWhileViewLives).toEqual(refused(`cannot borrow mutably tally #5 (self of \`[method]tally.add\`): ${byView}`));
      expect(outcomes.finishWhileViewLives).toEqual(refused(`cannot move tally #5 (self of \`[static]tally.finish\`): ${byView}`));
      expect(outcomes.dropWhileViewLives).toEqual(refused('cannot drop tally #5: it is still borrowed by sizes #6 (shared); drop it first'));
      // The chunk sizes consume took (2 bytes, then 1), then the end.
      expect(outcomes.readView).toEqual({ outcome: 'returned', value: '2 1 undefined' });
    });
    it('ends that borrow when the view is dropped: `add` runs', () => {
      expect(outcomes.addAfterViewDropped).toEqual({ outcome: 'returned', value: '4' });
    });
    it('holds `&mut self` of an async method of a trait the plugin implements (`Stage::run` on a `Box<dyn Stage>`) until its task completes: `taken` (E0502), `run` (E0499) and dropping it (E0505) are refused', () => {
      const held = (what: string) => `${what}: it is borrowed by \`[method]stage.run\` (in progress) (exclusive); drop it first`;
      expect(outcomes.takenWhileRunning).toEqual(refused(held('cannot borrow stage #7 (self of `[method]stage.taken`)')));
      expect(outcomes.runWhileRunning).toEqual(refused(held('cannot borrow mutably stage #7 (self of `[method]stage.run`)')));
      expect(outcomes.dropWhileRunning).toEqual(refused('cannot drop stage #7: it is still borrowed by `[method]stage.run` (in progress) (exclusive); drop it first'));
      expect(outcomes.ran).toEqual({ outcome: 'returned', value: '3' });
      expect(outcomes.takenAfterRun).toEqual({ outcome: 'returned', value: '3' });
    });
    it('ends that borrow when the task is cancelled while it yields (an AbortSignal; no host call pending, so no JSPI needed)', () => {
      expect(outcomes.takenWhileEndless).toEqual(refused('cannot borrow stage #7 (self of `[method]stage.taken`): it is borrowed by `[method]stage.run` (in progress) (exclusive); drop it first'));
      expect(outcomes.stageCancelled).toEqual({
        outcome: 'refused',
        error: 'CancelledError',
        message: "the call of pipeline's export was cancelled (cause: Error: enough steps)",
      });
      // Readable again (the borrow ended), with the 3 steps of the first run and fewer than the cancelled run's.
      expect(outcomes.takenAfterCancel).toEqual({ outcome: 'returned', value: 'cut short' });
    });
    it('holds the borrow of an exclusive dependent result of an async fn: while `lock(&mut self, ..)` is pending, `total` (E0502), `add` and another `lock` (E0499) are refused', () => {
      const held = (what: string) => refused(`${what}: it is borrowed by \`[method]tally.lock\` (in progress) (exclusive); drop it first`);
      expect(outcomes.totalWhileLockPending).toEqual(held('cannot borrow tally #8 (self of `[method]tally.total`)'));
      expect(outcomes.addWhileLockPending).toEqual(held('cannot borrow mutably tally #8 (self of `[method]tally.add`)'));
      expect(outcomes.lockWhileLockPending).toEqual(held('cannot borrow mutably tally #8 (self of `[method]tally.lock`)'));
    });
    it('keeps the tally borrowed (exclusive) in the `TallyGuard<\'a>` it resolved to: `total` (E0502), `add` and `lock` (E0499), move and drop (E0505) refused; the guard itself works', () => {
      const byGuard = 'it is borrowed by tally-guard #9 (exclusive); drop it first';
      expect(outcomes.totalWhileGuardLives).toEqual(refused(`cannot borrow tally #8 (self of \`[method]tally.total\`): ${byGuard}`));
      expect(outcomes.addWhileGuardLives).toEqual(refused(`cannot borrow mutably tally #8 (self of \`[method]tally.add\`): ${byGuard}`));
      expect(outcomes.lockWhileGuardLives).toEqual(refused(`cannot borrow mutably tally #8 (self of \`[method]tally.lock\`): ${byGuard}`));
      expect(outcomes.finishWhileGuardLives).toEqual(refused(`cannot move tally #8 (self of \`[static]tally.finish\`): ${byGuard}`));
      expect(outcomes.dropWhileGuardLives).toEqual(refused('cannot drop tally #8: it is still borrowed by tally-guard #9 (exclusive); drop it first'));
      // add(2) before the lock, bump(3) through the guard.
      expect(outcomes.bumpThroughGuard).toEqual({ outcome: 'returned', value: '5' });
    });
    it('ends that borrow when the guard is dropped: `add` runs', () => {
      expect(outcomes.addAfterGuardDropped).toEqual({ outcome: 'returned', value: '6' });
    });
    it('holds an exclusive resource parameter: while `c.drain(&mut d, ..)` is pending, `d` may not be read (E0502), changed (E0499), dropped or moved (E0505), and `c` not read (E0502)', () => {
      const held = (what: string) => refused(`${what}: it is borrowed by \`[method]tally.drain\` (in progress) (exclusive); drop it first`);
      expect(outcomes.otherTotalWhileDraining).toEqual(held('cannot borrow tally #11 (self of `[method]tally.total`)'));
      expect(outcomes.otherAddWhileDraining).toEqual(held('cannot borrow mutably tally #11 (self of `[method]tally.add`)'));
      expect(outcomes.otherDropWhileDraining).toEqual(refused('cannot drop tally #11: it is still borrowed by `[method]tally.drain` (in progress) (exclusive); drop it first'));
      expect(outcomes.otherFinishWhileDraining).toEqual(held('cannot move tally #11 (self of `[static]tally.finish`)'));
      expect(outcomes.selfTotalWhileDraining).toEqual(held('cannot borrow tally #10 (self of `[method]tally.total`)'));
    });
    it('ends both borrows when `drain` completes: `d` read, changed and moved, `c` read', () => {
      // drain returned 5 and left d empty; d.add(1) makes 1, finish(d) gives it; c kept 5.
      expect(outcomes.afterDrain).toEqual({ outcome: 'returned', value: '5 0 1 5' });
    });
    it('refuses `c.drain(c, ..)`: one tally as `&mut self` and `&mut other` (E0499), before entering the plugin', () => {
      expect(outcomes.drainItself).toEqual(
        refused('`[method]tally.drain`: cannot pass the same tally as self (exclusive) and as `other` (exclusive): a handle used exclusively or by value may appear only once in a call'),
      );
    });
    const cancellation = outcomes.cancellation;
    if (engine.hasJspi) {
      it('ends the borrow when the task is cancelled through an AbortSignal (a dropped future ends its borrow)', () => {
        expect(cancellation.addWhileCancelling).toEqual(exclusiveHeld('add', 'consume'));
        expect(cancellation.cancelled).toEqual({
          outcome: 'refused',
          error: 'CancelledError',
          message: "the call of pipeline's export was cancelled (cause: Error: enough)",
        });
        // The cancelled consume took nothing; add(100).
        expect(cancellation.addAfterCancel).toEqual({ outcome: 'returned', value: '100' });
      });
    } else {
      it('cancelling a task that awaits the host has to wait inside the core call: without JSPI that call rejects with JspiUnavailableError and poisons the plugin', () => {
        expect(cancellation.addWhileCancelling).toEqual(exclusiveHeld('add', 'consume'));
        expect(cancellation.cancelled).toMatchObject({ outcome: 'refused', error: 'JspiUnavailableError' });
        expect((cancellation.cancelled as { message: string }).message).toMatch(/^pipeline: `canon subtask\.cancel` has to wait here, and waiting inside a core wasm call needs JSPI/);
        expect(cancellation.addAfterCancel).toMatchObject({ outcome: 'refused', error: 'TrapError' });
        expect((cancellation.addAfterCancel as { message: string }).message).toMatch(/^pipeline is poisoned by an earlier trap: /);
      });
    }
    it('ends the borrow when the task traps: the next call meets the poisoned plugin, not a BorrowError', () => {
      // The host's Source rejected: the caller gets the trap it is, naming the import (its cause: the host's error).
      expect(outcomes.trapped).toEqual({
        outcome: 'refused',
        error: 'TrapError',
        message: 'pipeline: the host function for `[method]source.next-chunk` rejected its Promise (Error: source broke)',
      });
      expect(outcomes.addAfterTrap).toMatchObject({ outcome: 'refused', error: 'TrapError' });
      expect((outcomes.addAfterTrap as { message: string }).message).toMatch(/^pipeline is poisoned by an earlier trap: /);
    });
  });

  describe(`pipeline on the rdylib host, ${engine.name}: stream<u8> in and out`, () => {
    const s = outcomes.streams;
    it('upper-cases a host ReadableStream into the ReadableStream it returns (ASCII only)', () => {
      expect(s.uppercased).toBe('HELLO WöRLD, ASYNC RUST');
    });
    it('pulls the next input chunk only once JS took the last output chunk (backpressure both ways)', () => {
      // One chunk read, its output waiting for JS; one more per output chunk taken; the last pull sees the end.
      expect(s.pullsBeforeReading).toBe(1);
      expect(s.pullsAfterOneChunk).toBe(2);
      expect(s.pullsAtEnd).toBe(s.chunksIn + 1);
    });
    it('stops when an AbortSignal ends the pipe: the plugin drops its input, the host source is cancelled, nothing stays pending', () => {
      expect(s.cancelled.written).toEqual(['MORE ', 'MORE ']);
      expect(s.cancelled.pipeTo).toBe('rejected: stop piping');
      // The plugin let go of its input without a reason to give: the source's cancel() ran.
      expect(s.cancelled.inputCancelled).toBe('undefined');
      expect(s.unload).toBe('unloaded');
    });
  });
}
