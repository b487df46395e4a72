/**
 * Guided scenarios: each loads an example, makes the calls that show one of
 * rdylib's guarantees, and reports the error the host produced together with
 * the Rust the example was written in. They drive the same session as the
 * forms, so the log and the handle view show every step.
 */
import { INCOMPATIBLE_KV } from './catalog.ts';
import type { LogEntry, Session } from './session.ts';

export interface ScenarioHost {
  readonly session: Session;
  /** Loads a bundled example (or the incompatible kv build) as the Load button would. */
  open(example: string, options: { isolate?: boolean; timeoutMs?: number; expect?: string }): Promise<void>;
}

export interface ScenarioOutcome {
  /** The host's answer to the decisive step (an error, or undefined when that step unexpectedly succeeded). */
  readonly error: unknown;
  /** The calls made, as the log writes them, with what each gave. */
  readonly steps: readonly string[];
  /** The example whose Rust is shown, and which items (`Store::iter`, `fail`). */
  readonly example: string;
  readonly rust: readonly string[];
  /** The Rust change, for the incompatible build. */
  readonly diff?: readonly string[];
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly explains: string;
  run(host: ScenarioHost): Promise<ScenarioOutcome>;
}

/** Calls a function by its component name (`[method]store.put`) on the chosen plugin. */
async function call(session: Session, name: string, args: readonly unknown[], steps: string[]): Promise<LogEntry> {
  const c = session.callables().find((x) => x.fn.name === name && x.unit === session.main);
  if (c === undefined) throw new Error(`the loaded plugin has no ${name}; was it rebuilt with a different interface?`);
  const entry = await session.call(c, args);
  steps.push(`${entry.what} ${entry.ok ? '✓' : `✗ ${(entry.error as Error | undefined)?.name ?? 'error'}`}`);
  return entry;
}

function returned(entry: LogEntry): unknown {
  if (!entry.ok || entry.value === undefined) throw new Error(`${entry.what} failed: ${String((entry.error as Error | undefined)?.message ?? entry.error)}`);
  return entry.value.value;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'borrow-conflict',
    title: 'Borrow conflict refused',
    explains: "While an iterator borrows the store (`iter(&'a self)`), `put(&mut self)` is refused, as rustc refuses it (E0502) — before the plugin runs.",
    async run({ session, open }) {
      await open('kv', {});
      const steps: string[] = [];
      const store = returned(await call(session, '[constructor]store', [], steps));
      await call(session, '[method]store.put', [store, 'a', '1'], steps);
      returned(await call(session, '[method]store.iter', [store], steps));
      const refused = await call(session, '[method]store.put', [store, 'b', '2'], steps);
      return { error: refused.error, steps, example: 'kv', rust: ['Store::iter', 'Store::put'] };
    },
  },
  {
    id: 'use-after-unload',
    title: 'Use after unload',
    explains: 'Unloading revokes every handle the plugin gave out: the page still holds the store object, but using it fails instead of touching freed memory.',
    async run({ session, open }) {
      await open('kv', {});
      const steps: string[] = [];
      const store = returned(await call(session, '[constructor]store', [], steps));
      await call(session, '[method]store.put', [store, 'a', '1'], steps);
      await session.unload();
      steps.push('unload() ✓');
      const after = await call(session, '[method]store.get', [store, 'a'], steps);
      return { error: after.error, steps, example: 'kv', rust: ['Store::get'] };
    },
  },
  {
    id: 'trap',
    title: 'A trap',
    explains: '`std::process::abort()` runs no panic hook: the host sees a WebAssembly trap, reports it, and refuses further calls into the instance.',
    async run({ session, open }) {
      await open('faults', {});
      const steps: string[] = [];
      await call(session, 'abort-if-negative', [5], steps);
      const trapped = await call(session, 'abort-if-negative', [-1], steps);
      await call(session, 'abort-if-negative', [1], steps);
      return { error: trapped.error, steps, example: 'faults', rust: ['abort_if_negative'] };
    },
  },
  {
    id: 'panic',
    title: 'A panic caught',
    explains: "A Rust panic in the plugin reaches the host as GuestPanicError, with the panic's message and source location.",
    async run({ session, open }) {
      await open('kv', {});
      const steps: string[] = [];
      const panicked = await call(session, 'fail', ['the disk is full'], steps);
      return { error: panicked.error, steps, example: 'kv', rust: ['fail'] };
    },
  },
  {
    id: 'infinite-loop',
    title: 'Infinite loop stopped',
    explains: '`collatz_steps(0)` never returns. In a Web Worker with a 1 s limit, the host stops the worker and the page keeps running.',
    async run({ session, open }) {
      await open('faults', { isolate: true, timeoutMs: 1000 });
      const steps: string[] = [];
      await call(session, 'collatz-steps', [27n], steps);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 50);
      const stopped = await call(session, 'collatz-steps', [0n], steps).finally(() => clearInterval(timer));
      steps.push(`the page's own timer ran ${ticks} times during that call`);
      return { error: stopped.error, steps, example: 'faults', rust: ['collatz_steps'] };
    },
  },
  {
    id: 'incompatible-build',
    title: 'Incompatible build refused',
    explains: 'kv rebuilt with `iter(&mut self)` is loaded against the original kv: the load-time check lists what changed and refuses it.',
    async run({ session, open }) {
      await open('kv-v2', { expect: 'kv' });
      const steps = [`load(kv-v2, { expect: kv }) ${session.check.verdict === 'refused' ? '✗ AbiMismatchError' : '✓'}`];
      return { error: session.check.error, steps, example: 'kv', rust: ['Store::iter'], diff: INCOMPATIBLE_KV.change };
    },
  },
];
