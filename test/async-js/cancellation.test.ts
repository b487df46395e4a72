/**
 * Cancelling an async export from the host with an AbortSignal, on a real
 * component (fixtures/cancel.wat): a task that waits only for its
 * cancellation is not a deadlock while the caller holds a live signal; the
 * abort reaches the guest as TASK_CANCELLED, the guest acknowledges with
 * task.cancel, and the promise rejects with CancelledError carrying the
 * signal's reason. Without a signal nothing can wake such a task: it fails
 * with the spec's deadlock trap, which reaches its promise (never the event
 * loop) and the host goes on. Runs on every engine: the callback ABI needs
 * no JSPI.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError, TrapError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import { fixtureBytes } from './differential.ts';

type Forever = (options?: { signal?: AbortSignal }) => Promise<unknown>;
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `forever` with a live signal, aborts it after `ms`, and gives what the call settled with. */
async function abortedAfter(forever: Forever, ms: number): Promise<unknown> {
  const ac = new AbortController();
  const call = forever({ signal: ac.signal }).catch((x: unknown) => x);
  await later(ms);
  ac.abort();
  return call;
}

async function loadCancel() {
  const plugin = await load(await fixtureBytes('cancel'), { name: 'cancel', unchecked: true });
  return { plugin, forever: (plugin.exports as { forever: Forever }).forever };
}

describe('AbortSignal on a real component', () => {
  it('a task waiting for its cancellation stays pending until the signal fires, then rejects with CancelledError', async () => {
    const { plugin, forever } = await loadCancel();
    const ac = new AbortController();
    let outcome: unknown = 'pending';
    const call = forever({ signal: ac.signal }).then(
      (v) => ({ resolved: v }),
      (e: unknown) => e,
    );
    void call.then((o) => (outcome = o));
    // Several macrotasks: long enough for a deadlock check to have fired, were it to.
    await later(20);
    expect(outcome).toBe('pending');
    const reason = new Error('user pressed stop');
    ac.abort(reason);
    const e = await call;
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as Error).cause).toBe(reason);
    // The instance is not poisoned: the next call is cancelled the same way.
    expect(await abortedAfter(forever, 5)).toBeInstanceOf(CancelledError);
    await plugin.unload();
  });

  it('a signal that already fired refuses the call without entering the plugin', async () => {
    const { plugin, forever } = await loadCancel();
    const ac = new AbortController();
    ac.abort();
    await expect(forever({ signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    // Nothing of the refused call lingers: a live signal works as before.
    expect(await abortedAfter(forever, 5)).toBeInstanceOf(CancelledError);
    await plugin.unload();
  });

  it('an async export called without options, or with options but no signal, is the plain call', async () => {
    const plugin = await load(await fixtureBytes('add'), { name: 'add', unchecked: true });
    const add = (plugin.exports as { add: (a: number, b: number, options?: object) => Promise<unknown> }).add;
    expect(await add(2, 3)).toBe(5);
    expect(await add(4, 5, {})).toBe(9);
    await plugin.unload();
  });

  it('without a signal nothing can wake the task: the deadlock trap rejects its promise and the host goes on', async () => {
    const { plugin, forever } = await loadCancel();
    const e = await forever().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as Error).message).toMatch(/deadlock detected: cancel waits for an event that nothing can deliver/);
    // The trap poisoned the instance, as the spec's trap does; later calls say so.
    const next = await forever({ signal: new AbortController().signal }).catch((x: unknown) => x);
    expect(next).toBeInstanceOf(TrapError);
    expect((next as Error).message).toMatch(/poisoned by an earlier trap: deadlock detected/);
    await plugin.unload();
  });
});
