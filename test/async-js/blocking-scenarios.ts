/**
 * Synchronous blocking built-ins on a real component (fixtures/blocking.wat),
 * on whatever engine runs this: a synchronous `subtask.cancel` or
 * `waitable-set.wait` that has nothing to wait for returns at once on every
 * engine; one that has to wait suspends the core wasm with JSPI and, without
 * it, traps with JspiUnavailableError (the instance is poisoned, the host
 * goes on). Each scenario loads its own plugin. blocking.test.ts checks the
 * outcomes in process and on the pinned Node (blocking-pinned.ts).
 */
import { load } from '../../host/index.ts';
import { fixtureBytes } from './differential.ts';

/** What a call did: its value, or the class, message and cause's class of what it threw. */
export type CallOutcome =
  | { readonly outcome: 'returned'; readonly value: unknown }
  | { readonly outcome: 'threw'; readonly error: string; readonly message: string; readonly cause?: string };

export interface ScenarioOutcome {
  /** The scenario's call. */
  readonly call: CallOutcome;
  /** A later call of `cancel-after-return` in the same plugin: whether the instance still works. */
  readonly next: CallOutcome;
}

export const SCENARIOS = ['cancel-pending', 'cancel-after-return', 'wait-pending', 'wait-ready'] as const;
export type Scenario = (typeof SCENARIOS)[number];

type Exports = Record<'cancelPending' | 'cancelAfterReturn' | 'waitPending' | 'waitReady', () => Promise<number>>;

const later = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function outcomeOf(p: Promise<unknown>): Promise<CallOutcome> {
  try {
    return { outcome: 'returned', value: await p };
  } catch (e) {
    const err = e as Error;
    const cause = err.cause instanceof Error ? err.cause.constructor.name : undefined;
    return { outcome: 'threw', error: err.constructor.name, message: err.message, ...(cause === undefined ? {} : { cause }) };
  }
}

/** The host's `slow()` answers 7 only when `releaseAll` is called, in the order of the calls. */
function host() {
  const releases: (() => void)[] = [];
  const imports = { slow: (): Promise<number> => new Promise<number>((resolve) => releases.push(() => resolve(7))) };
  return { imports, releaseAll: () => releases.splice(0).forEach((r) => r()) };
}

const EXPORT: Record<Scenario, keyof Exports> = {
  'cancel-pending': 'cancelPending',
  'cancel-after-return': 'cancelAfterReturn',
  'wait-pending': 'waitPending',
  'wait-ready': 'waitReady',
};

/** Calls the scenario's export; the host answers `slow()` on the next macrotask (and every one after). */
async function run(exports: Exports, h: ReturnType<typeof host>, s: Scenario): Promise<CallOutcome> {
  let done = false;
  const call = outcomeOf(exports[EXPORT[s]]()).finally(() => (done = true));
  while (!done) {
    await later();
    h.releaseAll();
  }
  return call;
}

export async function runScenario(s: Scenario): Promise<ScenarioOutcome> {
  const h = host();
  const plugin = await load(await fixtureBytes('blocking'), { name: 'blocking', unchecked: true, imports: h.imports });
  const exports = plugin.exports as Exports;
  const call = await run(exports, h, s);
  const next = await run(exports, h, 'cancel-after-return');
  await plugin.unload();
  return { call, next };
}

export async function runScenarios(): Promise<Record<Scenario, ScenarioOutcome>> {
  const out: Partial<Record<Scenario, ScenarioOutcome>> = {};
  for (const s of SCENARIOS) out[s] = await runScenario(s);
  return out as Record<Scenario, ScenarioOutcome>;
}
