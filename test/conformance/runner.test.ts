/**
 * Runner semantics against a scripted stand-in for the host, so they are
 * checked whatever state the real host is in: which outcome counts as a pass
 * for each command, how instances, definitions and register thread through a
 * script, and how skips and failures propagate to dependent commands.
 */

import { describe, expect, it } from 'vitest';
import type { Exports, Host, HostFailure, HostOutcome } from './host-adapter.ts';
import { runWastFile, type CaseResult } from './runner.ts';

type Step = { instantiate: Exports } | { refuse: HostFailure };

/** Hands out scripted outcomes in order and records what the runner asked for. */
class ScriptedHost implements Host {
  readonly log: string[] = [];
  constructor(private readonly steps: Step[]) {}

  private next(what: string): HostOutcome<Exports> {
    const step = this.steps.shift();
    if (step === undefined) throw new Error(`unscripted ${what}`);
    return 'refuse' in step ? { ok: false, failure: step.refuse } : { ok: true, value: step.instantiate };
  }

  instantiate(bytes: Uint8Array, imports: Exports): HostOutcome<Exports> {
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    this.log.push(`instantiate imports=${Object.keys(imports).join(',')}`);
    return this.next('instantiate');
  }

  validate(bytes: Uint8Array): HostOutcome<void> {
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    this.log.push('validate');
    const r = this.next('validate');
    return r.ok ? { ok: true, value: undefined } : r;
  }

  async call(exports: Exports, name: string, args: readonly unknown[]): Promise<HostOutcome<unknown>> {
    this.log.push(`call ${name}(${args.map(String).join(',')})`);
    const f = exports[name];
    if (typeof f !== 'function') return { ok: false, failure: { kind: 'other', message: `no export ${name}` } };
    try {
      return { ok: true, value: await (f as (...a: unknown[]) => unknown)(...args) };
    } catch (e) {
      return { ok: false, failure: e as HostFailure };
    }
  }
}

const trap = (message = 'unreachable'): HostFailure => ({ kind: 'trap', message });
const load = (loadKind: 'malformed' | 'invalid' | 'unsupported' | 'unlinkable'): HostFailure => ({ kind: 'load', loadKind, message: `refused as ${loadKind}` });

function statuses(results: CaseResult[]): string[] {
  return results.map((r) => `${r.id.replace(/^t\.wast:/, '')} ${r.status}`);
}

describe('runner', () => {
  it('passes assert_return on equal values and fails with the difference otherwise', async () => {
    const host = new ScriptedHost([{ instantiate: { add: (a: number, b: number) => a + b, big: () => 5n, none: () => undefined } }]);
    const src = [
      '(component)',
      '(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))',
      '(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 4))',
      '(assert_return (invoke "big") (u64.const 5))',
      '(assert_return (invoke "none"))',
      '(assert_return (invoke "big"))',
    ].join('\n');
    const r = await runWastFile(host, 't.wast', src);
    expect(statuses(r)).toEqual(['1 passed', '2 passed', '3 failed', '4 passed', '5 passed', '6 failed']);
    expect(r[2]!.detail).toBe('result: expected (u32.const 4), got 3');
    expect(r[5]!.detail).toBe('expected no result, got 5n');
    expect(host.log).toContain('call add(1,2)');
  });

  it('treats a top-level result as ok value or thrown ResultError', async () => {
    const host = new ScriptedHost([
      {
        instantiate: {
          ok: () => 'yo',
          err: () => {
            throw { kind: 'result-error', payload: 404, message: 'err' } satisfies HostFailure;
          },
        },
      },
    ]);
    const src = [
      '(component)',
      '(assert_return (invoke "ok") (result.ok (str.const "yo")))',
      '(assert_return (invoke "err") (result.err (u32.const 404)))',
      '(assert_return (invoke "err") (result.err (u32.const 405)))',
      '(assert_return (invoke "ok") (result.err (u32.const 404)))',
    ].join('\n');
    expect(statuses(await runWastFile(host, 't.wast', src))).toEqual(['1 passed', '2 passed', '3 passed', '4 failed', '5 failed']);
  });

  it('expects a TrapError for assert_trap, from calls and from instantiation', async () => {
    const host = new ScriptedHost([
      {
        instantiate: {
          traps: () => {
            throw trap();
          },
          fine: () => 1,
          oops: () => {
            throw { kind: 'other', message: 'TypeError: bad' } satisfies HostFailure;
          },
        },
      },
      { refuse: trap('start') },
      { instantiate: {} },
    ]);
    const src = [
      '(component)',
      '(assert_trap (invoke "traps") "unreachable")',
      '(assert_trap (invoke "fine") "unreachable")',
      '(assert_trap (invoke "oops") "unreachable")',
      '(assert_trap (component) "start")',
      '(assert_trap (component) "start")',
    ].join('\n');
    const r = await runWastFile(host, 't.wast', src);
    expect(statuses(r)).toEqual(['1 passed', '2 passed', '3 failed', '4 failed', '5 passed', '6 failed']);
    expect(r[3]!.detail).toContain('expected a TrapError ("unreachable"), got unexpected TypeError: bad');
  });

  it('requires the LoadError kind that matches the assertion', async () => {
    const host = new ScriptedHost([
      { refuse: load('invalid') },
      { refuse: load('malformed') },
      { instantiate: {} },
      { refuse: load('malformed') },
      { refuse: load('unsupported') },
      { refuse: load('unlinkable') },
    ]);
    const src = [
      '(assert_invalid (component) "x")',
      '(assert_invalid (component) "x")',
      '(assert_invalid (component) "x")',
      '(assert_malformed (component binary "\\00asm") "x")',
      '(assert_invalid (component) "x")',
      '(assert_unlinkable (component) "x")',
      '(assert_malformed (component quote "(foo") "x")',
    ].join('\n');
    const r = await runWastFile(host, 't.wast', src);
    expect(statuses(r)).toEqual(['1 passed', '2 failed', '3 failed', '4 passed', '5 failed', '6 passed', '7 passed']);
    expect(r[1]!.detail).toBe(`expected LoadError 'invalid' ("x"), got LoadError 'malformed': refused as malformed`);
    expect(r[2]!.detail).toContain('the host accepted a component that must be refused as invalid');
    expect(r[6]!.detail).toMatch(/^rejected by the text parser: /);
    // The quoted component never reached the host.
    expect(host.log).toEqual(['validate', 'validate', 'validate', 'validate', 'validate', 'instantiate imports=']);
  });

  it('threads definitions, named instances and register through a script', async () => {
    const host = new ScriptedHost([
      { instantiate: {} }, // validate $D
      { instantiate: { f: () => 1 } },
      { instantiate: { f: () => 2 } },
      { instantiate: {} },
    ]);
    const src = [
      '(component definition $D)',
      '(component instance $a $D)',
      '(component instance $b $D)',
      '(assert_return (invoke "f") (u32.const 2))',
      '(assert_return (invoke $a "f") (u32.const 1))',
      '(register "dep" $a)',
      '(component)',
      '(assert_return (invoke $nope "f") (u32.const 1))',
      '(component instance $c $Missing)',
    ].join('\n');
    const r = await runWastFile(host, 't.wast', src);
    expect(statuses(r)).toEqual(['1 passed', '2 passed', '3 passed', '4 passed', '5 passed', '6 passed', '7 passed', '8 failed', '9 failed']);
    expect(host.log).toContain('instantiate imports=dep');
    expect(r[7]!.detail).toContain('no component instance named $nope');
    expect(r[8]!.detail).toContain('no component definition named $Missing');
  });

  it('runs async components like any other, awaiting what an async export returns', async () => {
    const host = new ScriptedHost([{ instantiate: { f: () => Promise.resolve(7), g: () => Promise.reject(trap('deadlock')) } }]);
    const src = ['(component (type (stream u8)) (canon task.return (core func)))', '(assert_return (invoke "f") (u32.const 7))', '(assert_trap (invoke "g") "deadlock")'].join('\n');
    const r = await runWastFile(host, 't.wast', src);
    expect(statuses(r)).toEqual(['1 passed', '2 passed', '3 passed']);
  });

  it('fails the commands after a component that failed to instantiate, naming it', async () => {
    const host = new ScriptedHost([{ refuse: load('unsupported') }]);
    const r = await runWastFile(host, 't.wast', '(component)\n(assert_return (invoke "f"))\n');
    expect(statuses(r)).toEqual(['1 failed', '2 failed']);
    expect(r[1]!.detail).toBe(`the component at line 1 is unavailable: instantiation failed: LoadError 'unsupported': refused as unsupported`);
  });

  it('reports an unreadable script as one failed case at the error line', async () => {
    const r = await runWastFile(new ScriptedHost([]), 't.wast', '(component)\n(assert_return "x")');
    expect(r).toEqual([{ id: 't.wast:2', kind: 'script', status: 'failed', detail: expect.stringContaining('script could not be read') }]);
  });

  it('gives two commands on one line distinct ids', async () => {
    const host = new ScriptedHost([{ instantiate: {} }, { instantiate: {} }]);
    const r = await runWastFile(host, 't.wast', '(component) (component)');
    expect(r.map((c) => c.id)).toEqual(['t.wast:1', 't.wast:1#2']);
  });
});
