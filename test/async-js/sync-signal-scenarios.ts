/**
 * `{ signal }` on a sync-typed export (fixtures/blocking.wat `seven`). Where
 * the instance is entered through JSPI (it defines the synchronous
 * `subtask.cancel`), every export returns a Promise and so takes the async
 * call options: a live signal is taken (it was a TypeError about the
 * argument count), a fired one refuses the call without entering. Without
 * JSPI the export is a plain synchronous function, which takes no options.
 * Plain data, so sync-signal.test.ts checks it in process and on the pinned
 * Node (sync-signal-pinned.ts).
 */
import { load } from '../../host/index.ts';
import { fixtureBytes } from './differential.ts';

/** What a call did: returned a value (at once, or as a Promise), or threw / rejected. */
export type SignalOutcome =
  | { readonly returned: unknown; readonly promise: boolean }
  | { readonly threw: string; readonly message: string; readonly promise: boolean };

async function outcomeOf(call: () => unknown): Promise<SignalOutcome> {
  let r: unknown;
  try {
    r = call();
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message, promise: false };
  }
  if (!(r instanceof Promise)) return { returned: r, promise: false };
  try {
    return { returned: await r, promise: true };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message, promise: true };
  }
}

export interface SyncSignalOutcomes {
  readonly plain: SignalOutcome;
  readonly withSignal: SignalOutcome;
  readonly withFiredSignal: SignalOutcome;
  /** A call after all of them: the instance is not poisoned. */
  readonly after: SignalOutcome;
}

export async function runSyncSignalScenarios(): Promise<SyncSignalOutcomes> {
  const plugin = await load(await fixtureBytes('blocking'), { name: 'blocking', unchecked: true, imports: { slow: () => Promise.resolve(7) } });
  const seven = (plugin.exports as { seven: (...args: unknown[]) => unknown }).seven;
  const fired = new AbortController();
  fired.abort(new Error('stopped before'));
  const out = {
    plain: await outcomeOf(() => seven()),
    withSignal: await outcomeOf(() => seven({ signal: new AbortController().signal })),
    withFiredSignal: await outcomeOf(() => seven({ signal: fired.signal })),
    after: await outcomeOf(() => seven()),
  };
  await plugin.unload();
  return out;
}
