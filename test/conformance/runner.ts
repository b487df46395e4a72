/**
 * Runs one `.wast` script's commands against the host, in order, and turns
 * each command into one case result identified by `file:line`.
 *
 * Semantics (wast conventions for components):
 * - `(component ...)` instantiates and becomes the target of later `invoke`s
 *   (and of `invoke $name` when named);
 * - `(component definition $D ...)` is only loaded; `(component instance $i $D)`
 *   instantiates it anew;
 * - `(register "n" $i?)` makes an instance's exports the import named "n" of
 *   later components;
 * - assert_invalid / assert_malformed / assert_unlinkable expect the host to
 *   refuse with a LoadError of that kind; assert_trap expects a TrapError.
 *   Messages are upstream's wording (wasmtime's), so only the category is
 *   checked and the expected message is quoted when a case fails;
 * - a quoted component that the text parser rejects is the expected outcome
 *   of assert_malformed (the error is at the text level by construction).
 * Async exports return promises, which are awaited (a call completes before
 * the next command runs).
 */

import { encodeComponent } from './encode.ts';
import type { Exports, Host, HostFailure, HostOutcome } from './host-adapter.ts';
import { mismatch, showJs, showWast, toJs } from './js-values.ts';
import { WastSyntaxError } from './sexpr.ts';
import { type Command, type CommandKind, type ComponentSource, type Invoke, WastCommandError, parseWast } from './wast-commands.ts';
import { type WastValue, WastValueError } from './wast-values.ts';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  /** `file:line`, the file relative to the suite folder. */
  readonly id: string;
  readonly kind: CommandKind | 'script';
  readonly status: CaseStatus;
  /** Why it failed or was skipped; for passes, how (e.g. rejected by the text parser). */
  readonly detail: string;
}

/** What a component or definition left behind for the commands after it. */
type Slot =
  | { readonly state: 'ok'; readonly line: number; readonly value: Exports | Uint8Array }
  | { readonly state: 'skipped' | 'failed'; readonly line: number; readonly reason: string };

interface FileState {
  current: Slot | undefined;
  readonly instances: Map<string, Slot>;
  readonly definitions: Map<string, Slot>;
  readonly registered: Exports;
}

type Verdict = { readonly status: CaseStatus; readonly detail: string };

const pass = (detail = ''): Verdict => ({ status: 'passed', detail });
const failed = (detail: string): Verdict => ({ status: 'failed', detail });
const skipped = (detail: string): Verdict => ({ status: 'skipped', detail });

export const CORE_MODULE_SKIP = 'asserts something of a core module, not a component: core validation is the JS engine\'s';

/** Told each case's id before the case runs (so a run that stops early can name the case it stopped in). */
export type CaseStarted = (id: string) => void;

export async function runWastFile(host: Host, file: string, source: string, started?: CaseStarted): Promise<CaseResult[]> {
  const state: FileState = { current: undefined, instances: new Map(), definitions: new Map(), registered: {} };
  return runScript(file, source, (cmd) => runCommand(host, state, cmd), started);
}

/**
 * Reads a script and runs its commands in order, one case per command,
 * identified by `file:line` (two commands on one line get `#2`, `#3`...). An
 * unreadable script is one failed case at the error's line. Shared with the
 * peer-suite runner, whose verdicts differ but whose cases are the same.
 */
export async function runScript<S extends string>(
  file: string,
  source: string,
  run: (cmd: Command) => Promise<{ readonly status: S; readonly detail: string }>,
  started?: CaseStarted,
): Promise<{ readonly id: string; readonly kind: CommandKind | 'script'; readonly status: S | 'failed'; readonly detail: string }[]> {
  let commands: Command[];
  try {
    commands = parseWast(source, file);
  } catch (e) {
    if (e instanceof WastSyntaxError || e instanceof WastCommandError || e instanceof WastValueError) {
      return [{ id: `${file}:${e.line}`, kind: 'script', status: 'failed', detail: `script could not be read: ${e.message}` }];
    }
    throw e;
  }
  const results: { id: string; kind: CommandKind; status: S; detail: string }[] = [];
  const seen = new Map<string, number>();
  for (const cmd of commands) {
    const base = `${file}:${cmd.line}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const id = n === 1 ? base : `${base}#${n}`;
    started?.(id);
    results.push({ id, kind: cmd.kind, ...(await run(cmd)) });
  }
  return results;
}

async function runCommand(host: Host, st: FileState, cmd: Command): Promise<Verdict> {
  switch (cmd.kind) {
    case 'component': {
      const { slot, verdict } = await instantiate(host, st, cmd.component);
      st.current = slot;
      if (cmd.component.name !== undefined) st.instances.set(cmd.component.name, slot);
      return verdict;
    }
    case 'component definition': {
      const { slot, verdict } = await define(host, cmd.component);
      if (cmd.component.name !== undefined) st.definitions.set(cmd.component.name, slot);
      return verdict;
    }
    case 'component instance': {
      const def = st.definitions.get(cmd.definition);
      let slot: Slot;
      let verdict: Verdict;
      if (def === undefined) {
        verdict = failed(`no component definition named ${cmd.definition} before this line`);
        slot = { state: 'failed', line: cmd.line, reason: verdict.detail };
      } else if (def.state !== 'ok') {
        verdict = { status: def.state, detail: `definition ${cmd.definition} (line ${def.line}): ${def.reason}` };
        slot = { state: def.state, line: cmd.line, reason: verdict.detail };
      } else {
        ({ slot, verdict } = instantiateBytes(host, st, def.value as Uint8Array, cmd.line));
      }
      st.current = slot;
      if (cmd.instance !== undefined) st.instances.set(cmd.instance, slot);
      return verdict;
    }
    case 'register': {
      const target = findInstance(st, cmd.instance);
      if (target.state !== 'ok') return { status: target.state, detail: target.reason };
      st.registered[cmd.as] = target.value;
      return pass();
    }
    case 'invoke': {
      const r = await invoke(host, st, cmd.invoke);
      if ('verdict' in r) return r.verdict;
      return r.outcome.ok ? pass() : failed(`call failed: ${describe(r.outcome.failure)}`);
    }
    case 'assert_return':
      return assertReturn(host, st, cmd.invoke, cmd.expected);
    case 'assert_trap':
      return cmd.action.kind === 'invoke'
        ? assertTrapOnCall(host, st, cmd.action.invoke, cmd.message)
        : assertTrapOnInstantiate(host, st, cmd.action.component, cmd.message);
    case 'assert_invalid':
    case 'assert_malformed':
    case 'assert_unlinkable':
      if (cmd.coreModule === true) return skipped(CORE_MODULE_SKIP);
      return assertRefused(host, st, cmd.kind, cmd.component, cmd.message);
  }
}

async function instantiate(host: Host, st: FileState, c: ComponentSource): Promise<{ slot: Slot; verdict: Verdict }> {
  const encoded = await encodeComponent(c.body);
  if (!encoded.ok) {
    const reason = `jco parse could not encode the component text: ${encoded.message}`;
    return { slot: { state: 'failed', line: c.line, reason }, verdict: failed(reason) };
  }
  return instantiateBytes(host, st, encoded.bytes, c.line);
}

function instantiateBytes(host: Host, st: FileState, bytes: Uint8Array, line: number): { slot: Slot; verdict: Verdict } {
  const r = host.instantiate(bytes, st.registered);
  if (r.ok) return { slot: { state: 'ok', line, value: r.value }, verdict: pass() };
  const reason = `instantiation failed: ${describe(r.failure)}`;
  return { slot: { state: 'failed', line, reason }, verdict: failed(reason) };
}

async function define(host: Host, c: ComponentSource): Promise<{ slot: Slot; verdict: Verdict }> {
  const encoded = await encodeComponent(c.body);
  if (!encoded.ok) {
    const reason = `jco parse could not encode the component text: ${encoded.message}`;
    return { slot: { state: 'failed', line: c.line, reason }, verdict: failed(reason) };
  }
  const r = host.validate(encoded.bytes);
  // Keep the bytes even when the host refused them: each `component instance` reports its own outcome.
  const slot: Slot = { state: 'ok', line: c.line, value: encoded.bytes };
  return { slot, verdict: r.ok ? pass() : failed(`load failed: ${describe(r.failure)}`) };
}

function findInstance(st: FileState, name: string | undefined): Slot {
  if (name === undefined) {
    return st.current ?? { state: 'failed', line: 0, reason: 'no component has been instantiated before this command' };
  }
  return st.instances.get(name) ?? { state: 'failed', line: 0, reason: `no component instance named ${name} before this command` };
}

async function invoke(
  host: Host,
  st: FileState,
  inv: Invoke,
): Promise<{ verdict: Verdict } | { outcome: HostOutcome<unknown> }> {
  const target = findInstance(st, inv.instance);
  if (target.state !== 'ok') {
    const where = target.line > 0 ? `the component at line ${target.line} ` : '';
    return { verdict: { status: target.state, detail: `${where}${target.state === 'skipped' ? 'was skipped' : 'is unavailable'}: ${target.reason}` } };
  }
  return { outcome: await host.call(target.value as Exports, inv.name, inv.args.map((a) => toJs(a))) };
}

async function assertReturn(host: Host, st: FileState, inv: Invoke, expected: readonly WastValue[]): Promise<Verdict> {
  const r = await invoke(host, st, inv);
  if ('verdict' in r) return r.verdict;
  const want = expected[0];
  if (expected.length > 1) return failed(`a component function has at most one result, the script expects ${expected.length}`);
  const { outcome } = r;
  // A function's top-level result<_, E> returns the ok payload and throws ResultError for err.
  if (want?.kind === 'result') {
    if (want.case === 'err') {
      if (outcome.ok) return failed(`expected ${showWast(want)} (a thrown ResultError), got ${showJs(outcome.value)}`);
      if (outcome.failure.kind !== 'result-error') return failed(`expected ${showWast(want)}, call failed: ${describe(outcome.failure)}`);
      const m = want.value === undefined ? (outcome.failure.payload === undefined ? undefined : `err payload should be absent, got ${showJs(outcome.failure.payload)}`) : mismatch(outcome.failure.payload, want.value, 'err payload');
      return m === undefined ? pass() : failed(m);
    }
    if (!outcome.ok) return failed(`call failed: ${describe(outcome.failure)}`);
    const m = want.value === undefined ? (outcome.value === undefined ? undefined : `expected no ok payload, got ${showJs(outcome.value)}`) : mismatch(outcome.value, want.value);
    return m === undefined ? pass() : failed(m);
  }
  if (!outcome.ok) return failed(`call failed: ${describe(outcome.failure)}`);
  if (want === undefined) return outcome.value === undefined ? pass() : failed(`expected no result, got ${showJs(outcome.value)}`);
  const m = mismatch(outcome.value, want);
  return m === undefined ? pass() : failed(m);
}

async function assertTrapOnCall(host: Host, st: FileState, inv: Invoke, message: string): Promise<Verdict> {
  const r = await invoke(host, st, inv);
  if ('verdict' in r) return r.verdict;
  return expectTrap(r.outcome, message);
}

async function assertTrapOnInstantiate(host: Host, st: FileState, c: ComponentSource, message: string): Promise<Verdict> {
  const encoded = await encodeComponent(c.body);
  if (!encoded.ok) return failed(`jco parse could not encode the component text: ${encoded.message}`);
  return expectTrap(host.instantiate(encoded.bytes, st.registered), message);
}

function expectTrap(outcome: HostOutcome<unknown>, message: string): Verdict {
  if (outcome.ok) return failed(`expected a trap (${JSON.stringify(message)}), the call returned ${showJs(outcome.value)}`);
  if (outcome.failure.kind === 'trap') return pass();
  return failed(`expected a TrapError (${JSON.stringify(message)}), got ${describe(outcome.failure)}`);
}

const EXPECTED_LOAD_KIND = { assert_invalid: 'invalid', assert_malformed: 'malformed', assert_unlinkable: 'unlinkable' } as const;

async function assertRefused(
  host: Host,
  st: FileState,
  kind: 'assert_invalid' | 'assert_malformed' | 'assert_unlinkable',
  c: ComponentSource,
  message: string,
): Promise<Verdict> {
  const want = EXPECTED_LOAD_KIND[kind];
  const encoded = await encodeComponent(c.body);
  if (!encoded.ok) {
    if (c.body.encoding === 'quote') return pass(`rejected by the text parser: ${encoded.message}`);
    // Text-level refusals of non-quoted text never reach the host, so the host is not tested here.
    return skipped(`jco parse rejected the component text before the host saw it: ${encoded.message}`);
  }
  const outcome = kind === 'assert_unlinkable' ? host.instantiate(encoded.bytes, st.registered) : host.validate(encoded.bytes);
  if (outcome.ok) return failed(`the host accepted a component that must be refused as ${want} (${JSON.stringify(message)})`);
  const f = outcome.failure;
  if (f.kind === 'load' && f.loadKind === want) return pass(f.message);
  return failed(`expected LoadError '${want}' (${JSON.stringify(message)}), got ${describe(f)}`);
}

export function describe(f: HostFailure): string {
  switch (f.kind) {
    case 'load':
      return `LoadError '${f.loadKind}': ${f.message}`;
    case 'trap':
      return `TrapError: ${f.message}`;
    case 'result-error':
      return `ResultError with payload ${showJs(f.payload)}`;
    case 'unavailable':
      return f.message;
    case 'other':
      return `unexpected ${f.message}`;
  }
}
