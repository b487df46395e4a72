/**
 * Hostile use of imports: reentrance into the plugin through a host import,
 * and imports the host never granted (refused at load, before any guest code
 * runs, with every missing import named), and a guest that catches the
 * exception of a failed import (legacy `catch_all`, which every engine has)
 * to go on calling the host.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/load.ts';
import { LoadError, PluginInUseError, TrapError } from '../../host/errors.ts';
import { bystander, component, expectTyped, type Bystander } from './support.ts';
import { LOGS_AT_START } from './wat.ts';

/** `run` calls the host's `callback`; `other` is a second export the callback may try to reach. */
const REENTER = `(component
  (import "callback" (func $cb))
  (core func $lcb (canon lower (func $cb)))
  (core module $m
    (import "h" "cb" (func $cb))
    (global $n (mut i32) (i32.const 0))
    (func (export "run") (result i32) (call $cb) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
    (func (export "other") (result i32) (i32.const 7)))
  (core instance $hi (export "cb" (func $lcb)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func $run (result u32) (canon lift (core func $i "run")))
  (func $other (result u32) (canon lift (core func $i "other")))
  (export "run" (func $run))
  (export "other" (func $other)))`;

/**
 * `run` calls `ping(1)`; when that throws it catches the exception and calls
 * `ping(2)`, then `resource.new`, and returns normally: a trapped guest trying
 * to go on as if nothing happened.
 */
const CATCHES_FAILED_IMPORT = `(component
  (import "ping" (func $ping (param "n" u32) (result u32)))
  (type $r (resource (rep i32)))
  (core func $ping-core (canon lower (func $ping)))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "h" "ping" (func $ping (param i32) (result i32)))
    (import "h" "new" (func $new (param i32) (result i32)))
    (global $after (mut i32) (i32.const 0))
    (func (export "run") (param $second i32) (result i32) (local $r i32)
      try
        (local.set $r (call $ping (i32.const 1)))
      catch_all
        (global.set $after (i32.const 1))
        (if (local.get $second)
          (then (local.set $r (call $ping (i32.const 2))))
          (else (local.set $r (call $new (i32.const 9)))))
      end
      (local.get $r))
    (func (export "after") (result i32) (global.get $after)))
  (core instance $hi (export "ping" (func $ping-core)) (export "new" (func $new)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func $run (param "second" bool) (result u32) (canon lift (core func $i "run")))
  (export "run" (func $run)))`;

/**
 * Imports three things and has a core start function that calls one of them,
 * so any guest code running before the missing imports are reported would
 * show up in the host's log.
 */
const GREEDY = `(component
  (import "wasi:filesystem/preopens@0.2.0" (instance $fs (export "get-directories" (func (result u32)))))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp (export "connect" (func (param "port" u32)))))
  ${LOGS_AT_START})`;

describe('hostile imports', () => {
  let by: Bystander;
  beforeAll(async () => {
    by = await bystander();
  });

  /** A REENTER plugin whose callback calls back into `target` of the same plugin, catching (and maybe rethrowing) what it gets. */
  async function reentering(name: string, target: 'run' | 'other', rethrow: boolean): Promise<{ p: Plugin; refusal: () => unknown }> {
    let refusal: unknown;
    const p: Plugin = await load(await component(REENTER), {
      unchecked: true,
      name,
      imports: {
        callback: () => {
          try {
            (p.exports[target] as () => number)();
          } catch (e) {
            refusal = e;
            if (rethrow) throw e;
          }
        },
      },
    });
    return { p, refusal: () => refusal };
  }

  it('reentrance into the same export through an import is refused (PluginInUseError); let through, it unwinds and poisons the plugin', async () => {
    const { p, refusal } = await reentering('reenter', 'run', true);
    expectTyped(() => (p.exports.run as () => number)(), PluginInUseError);
    expect(refusal()).toBeInstanceOf(PluginInUseError);
    expect((refusal() as Error).message).toMatch(/reentrance/);
    expectTyped(() => (p.exports.other as () => number)(), TrapError, /poisoned/);
    by.check();
  });

  it('reentrance into another export of the same plugin is refused too; a callback that catches the refusal leaves the plugin usable', async () => {
    const thrown = await reentering('reenter', 'other', true);
    expectTyped(() => (thrown.p.exports.run as () => number)(), PluginInUseError);
    const caught = await reentering('reenter-caught', 'other', false);
    (caught.p.exports.run as () => number)();
    expect(caught.refusal()).toBeInstanceOf(PluginInUseError);
    expect(caught.p.instances.every((i) => i.poisoned === undefined)).toBe(true);
    expect(typeof (caught.p.exports.other as () => number)()).toBe('number');
    by.check();
  });

  for (const [what, second] of [['a second import call', true], ['a built-in (resource.new)', false]] as const) {
    it(`a guest that catches a failed import's exception is trapped: ${what} from it is refused and its call ends in a TrapError`, async () => {
      const calls: number[] = [];
      const ping = (n: number): number => {
        calls.push(n);
        if (n === 1) throw new Error('host says no');
        return 7;
      };
      const p = await load(await component(CATCHES_FAILED_IMPORT), { unchecked: true, name: 'catcher', imports: { ping } });
      // Rust's equivalent is a host panic inside the call: nothing of the plugin runs on as if it had returned.
      expectTyped(() => (p.exports.run as (second: boolean) => number)(second), TrapError, /catcher is poisoned by an earlier trap: .*host says no/);
      expect(calls).toEqual([1]);
      expectTyped(() => (p.exports.run as (second: boolean) => number)(second), TrapError, /poisoned/);
      expect(calls).toEqual([1]);
      by.check();
    });
  }

  it('an import may call into a different plugin (not reentrance)', async () => {
    const p = await load(await component(REENTER), { unchecked: true, name: 'calls-bystander', imports: { callback: () => by.check() } });
    expect((p.exports.run as () => number)()).toBe(1);
    expect((p.exports.run as () => number)()).toBe(2);
    by.check();
  });

  it('an import that was not granted fails at load, before any guest code runs', async () => {
    const calls: number[] = [];
    const bytes = await component(GREEDY);
    const e = await load(bytes, { unchecked: true, imports: { log: (n: number) => calls.push(n) } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).kind).toBe('unlinkable');
    expect((e as LoadError).message).toMatch(/wasi:filesystem\/preopens@0\.2\.0/);
    expect(calls).toEqual([]);
    by.check();
  });

  it('granting everything lets the start function run (the test above is meaningful)', async () => {
    const calls: number[] = [];
    await load(await component(GREEDY), { unchecked: true,
      imports: {
        log: (n: number) => calls.push(n),
        'wasi:filesystem/preopens@0.2.0': { getDirectories: () => 0 },
        'wasi:sockets/tcp@0.2.0': { connect: () => undefined },
      },
    });
    expect(calls).toEqual([1]);
  });

  it('the LoadError for ungranted imports lists every missing import', async () => {
    const e = (await load(await component(GREEDY), { unchecked: true }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.kind).toBe('unlinkable');
    for (const name of ['wasi:filesystem/preopens@0.2.0', 'wasi:sockets/tcp@0.2.0', 'log']) expect(e.message).toContain(`missing import \`${name}\``);
    expect(e.message).toMatch(/^3 imports cannot be linked/);
  });

  it('members missing from granted interfaces are listed too, with the missing top-level imports', async () => {
    const calls: number[] = [];
    const e = (await load(await component(GREEDY), { unchecked: true,
      imports: { 'wasi:filesystem/preopens@0.2.0': {}, log: (n: number) => calls.push(n) },
    }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.message).toContain('import `wasi:filesystem/preopens@0.2.0/get-directories` must be a function, got nothing');
    expect(e.message).toContain('missing import `wasi:sockets/tcp@0.2.0`');
    expect(e.message).not.toMatch(/`log`/);
    expect(calls).toEqual([]);
  });
});
