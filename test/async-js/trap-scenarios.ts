/**
 * Traps of async calls on real components, as plain data so traps.test.ts
 * checks the same outcomes in process (the system Node) and from a child on
 * the pinned current Node (traps-pinned.ts):
 * - a trap ends its Store (definitions.py), and each loaded plugin is one
 *   Store: a trap in one instance of a plugin (fixtures/two-instances.wat)
 *   rejects every call pending in any instance of that plugin with the same
 *   TrapError, and errors the ReadableStreams JS holds of it; another
 *   plugin's pending call goes on and returns;
 * - a trap while a call of the same instance waits on a wait-ready set
 *   (fixtures/blocking.wat, entered through JSPI where the engine has it);
 * - an AbortSignal fired while the guest's cancellation has to wait for the
 *   host (wit-bindgen's synchronous `subtask.cancel` of a pending import):
 *   without JSPI the call rejects with JspiUnavailableError and the plugin is
 *   poisoned (it used to escape the signal's listener and end the process);
 *   with JSPI the cancel waits for the host and the call is cancelled;
 * - a host import whose Promise rejects: a TrapError naming the import.
 */
import { load } from '../../host/index.ts';
import { fixtureBytes } from './differential.ts';

type Fn = (...args: unknown[]) => Promise<unknown>;

/** What a call did: its value, or the class and message of what it threw. */
export type Outcome = { readonly returned: unknown } | { readonly threw: string; readonly message: string };

async function outcomeOf(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { returned: await p };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** The host's `slow()` answers 7 only when `releaseAll` is called. */
function slowHost() {
  const releases: (() => void)[] = [];
  const imports = { slow: (): Promise<number> => new Promise<number>((resolve) => releases.push(() => resolve(7))) };
  return { imports, releaseAll: () => releases.splice(0).forEach((r) => r()) };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export interface StoreTrapOutcomes {
  readonly trap: Outcome;
  /** Pending in the trapping instance. */
  readonly sameInstance: Outcome;
  /** Pending in the plugin's other instance. */
  readonly otherInstance: Outcome;
  /** Both pending calls rejected with the very error object the trapping call rejected with. */
  readonly sameError: boolean;
  /** A call made after the trap, into the other instance. */
  readonly later: Outcome;
  /** A pending call of another plugin, loaded from the same bytes. */
  readonly otherPlugin: Outcome;
  /** A stream from another plugin (streams.wat) whose instance traps while JS reads it. */
  readonly stream: { readonly firstChunk: number; readonly read: Outcome; readonly sameError: boolean };
}

async function twoInstances(): Promise<Omit<StoreTrapOutcomes, 'stream'>> {
  const bytes = await fixtureBytes('two-instances');
  const host = slowHost();
  const plugin = await load(bytes, { name: 'two-instances', unchecked: true, imports: host.imports });
  const other = await load(bytes, { name: 'bystander', unchecked: true, imports: host.imports });
  const f = plugin.exports as Record<'aRun' | 'bRun' | 'bTrap', Fn>;
  const errors: unknown[] = [];
  const keep = (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => (errors.push(e), Promise.reject(e)));
  const otherInstance = outcomeOf(keep(f.aRun()));
  const sameInstance = outcomeOf(keep(f.bRun()));
  const otherPlugin = outcomeOf((other.exports as Record<'aRun', Fn>).aRun());
  // Each call has reached its wait on slow().
  await tick();
  const trap = await outcomeOf(keep(f.bTrap()));
  host.releaseAll();
  const out = {
    trap,
    sameInstance: await sameInstance,
    otherInstance: await otherInstance,
    sameError: errors.length === 3 && errors.every((e) => e === errors[0]),
    later: await outcomeOf(f.aRun()),
    otherPlugin: await otherPlugin,
  };
  await plugin.unload();
  await other.unload();
  return out;
}

async function streamOfTrappedPlugin(): Promise<StoreTrapOutcomes['stream']> {
  const plugin = await load(await fixtureBytes('streams'), { name: 'streams', unchecked: true });
  const f = plugin.exports as Record<'produce' | 'trap', Fn>;
  const reader = ((await f.produce(1 << 20, 4096)) as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  const trapped = await f.trap().catch((e: unknown) => e);
  const read = reader.read();
  const error = await read.catch((e: unknown) => e);
  const out = { firstChunk: first.value?.length ?? -1, read: await outcomeOf(read), sameError: error === trapped };
  await plugin.unload();
  return out;
}

/** The host's `slow()` of blocking.wat: answers 7 when released. */
type BlockingExports = Record<'waitReady' | 'trap' | 'cancelAfterReturn', () => Promise<unknown>> & {
  cancelOnAbort(options: { signal: AbortSignal }): Promise<unknown>;
};

/** Releases the host's answers on every macrotask until `p` settles. */
async function releasingUntil(p: Promise<Outcome>, release: () => void): Promise<Outcome> {
  let done = false;
  void p.finally(() => (done = true));
  while (!done) {
    await tick();
    release();
  }
  return p;
}

export interface BlockingTrapOutcomes {
  /** A trap while another call of the instance waits: both reject with the very same error. */
  readonly trapWhileWaiting: { readonly trap: Outcome; readonly waiting: Outcome; readonly sameError: boolean };
  /** The signal of `cancel-on-abort` fired while its slow() is pending; then a call of another export. */
  readonly abortWhileHostPending: { readonly call: Outcome; readonly causeMessage: string | undefined; readonly next: Outcome };
  /** `double` of host-call.wat rejects its Promise with a TypeError. */
  readonly hostRejects: { readonly call: Outcome; readonly causeIsTheRejection: boolean; readonly next: Outcome };
}

async function trapWhileWaiting(): Promise<BlockingTrapOutcomes['trapWhileWaiting']> {
  const host = slowHost();
  const plugin = await load(await fixtureBytes('blocking'), { name: 'blocking', unchecked: true, imports: host.imports });
  const f = plugin.exports as BlockingExports;
  const errors: unknown[] = [];
  const keep = (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => (errors.push(e), Promise.reject(e)));
  const waiting = outcomeOf(keep(f.waitReady()));
  await tick();
  const trap = await outcomeOf(keep(f.trap()));
  host.releaseAll();
  const out = { trap, waiting: await waiting, sameError: errors.length === 2 && errors[0] === errors[1] };
  await plugin.unload();
  return out;
}

async function abortWhileHostPending(): Promise<BlockingTrapOutcomes['abortWhileHostPending']> {
  const host = slowHost();
  const plugin = await load(await fixtureBytes('blocking'), { name: 'blocking', unchecked: true, imports: host.imports });
  const f = plugin.exports as BlockingExports;
  const ac = new AbortController();
  let cause: unknown;
  const call = outcomeOf(f.cancelOnAbort({ signal: ac.signal }).catch((e: unknown) => ((cause = (e as Error).cause), Promise.reject(e))));
  // The call waits on slow(), which the host answers only after the abort.
  await tick();
  ac.abort(new Error('user pressed stop'));
  const settled = await releasingUntil(call, host.releaseAll);
  const next = await releasingUntil(outcomeOf(f.cancelAfterReturn()), host.releaseAll);
  await plugin.unload();
  return { call: settled, causeMessage: cause instanceof Error ? cause.message : undefined, next };
}

async function hostRejects(): Promise<BlockingTrapOutcomes['hostRejects']> {
  const rejection = new TypeError('no such key');
  const plugin = await load(await fixtureBytes('host-call'), {
    name: 'host-call',
    unchecked: true,
    imports: { double: () => Promise.reject(rejection), 'double-sync': (x: unknown) => (x as number) * 2 },
  });
  const f = plugin.exports as Record<'run' | 'runSync', Fn>;
  let cause: unknown;
  const call = await outcomeOf(f.run(1).catch((e: unknown) => ((cause = (e as Error).cause), Promise.reject(e))));
  const next = await outcomeOf(f.run(2));
  await plugin.unload();
  return { call, causeIsTheRejection: cause === rejection, next };
}

export interface TrapOutcomes extends BlockingTrapOutcomes {
  readonly store: StoreTrapOutcomes;
}

export async function runTrapScenarios(): Promise<TrapOutcomes> {
  return {
    store: { ...(await twoInstances()), stream: await streamOfTrappedPlugin() },
    trapWhileWaiting: await trapWhileWaiting(),
    abortWhileHostPending: await abortWhileHostPending(),
    hostRejects: await hostRejects(),
  };
}
