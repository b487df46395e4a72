/**
 * The sandbox options of `load` in-process: maxMemoryBytes, maxLiftBytes
 * (both directions: results lifted from the plugin, import arguments lifted
 * from it), maxHandles, and WASI grants (deny by default, merged under the
 * caller's imports, ungranted imports refused at load before guest code runs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, load } from '../../host/load.ts';
import { LoadError, TrapError } from '../../host/errors.ts';
import { DEFAULT_MAX_HANDLES, DEFAULT_MAX_LIFT_BYTES } from '../../host/abi/limits.ts';
import { ENV_COMPONENT } from '../wasi/components.ts';
import { ALLOC, bystander, component, expectTyped, type Bystander } from './support.ts';
import { HOARD, HOSTILE_CORE, LOGS_AT_START, TEXT } from './wat.ts';

/** `send(n)` passes a string of n bytes of 'a' to the host's `sink` import. */
const SEND = `(component
  (import "sink" (func $sink (param "s" string)))
  (core module $mem ${ALLOC})
  (core instance $mi (instantiate $mem))
  (core func $lsink (canon lower (func $sink) (memory (core memory $mi "mem"))))
  (core module $m
    (import "h" "sink" (func $sink (param i32 i32)))
    (import "h" "mem" (memory 1))
    (func (export "send") (param $n i32)
      (memory.fill (i32.const 2048) (i32.const 0x61) (local.get $n))
      (call $sink (i32.const 2048) (local.get $n))))
  (core instance $hi (export "sink" (func $lsink)) (export "mem" (memory $mi "mem")))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func $send (param "n" u32) (canon lift (core func $i "send")))
  (export "send" (func $send)))`;

/**
 * Imports wasi:cli/environment (always granted when `wasi` is given),
 * wasi:random (granted only with `random: true`), wasi:sockets (never) and a
 * plain `log`; its core start function calls `log`, so guest code running
 * before the refusal would show.
 */
const WANTS_WASI = `(component
  (import "wasi:cli/environment@0.2.3" (instance (export "get-arguments" (func (result (list string))))))
  (import "wasi:random/random@0.2.3" (instance (export "get-random-u64" (func (result u64)))))
  (import "wasi:sockets/tcp@0.2.3" (instance (export "drop-all" (func))))
  ${LOGS_AT_START})`;

describe('load sandbox options (in-process)', () => {
  let by: Bystander;
  beforeAll(async () => {
    by = await bystander();
  });

  it('maxMemoryBytes caps every linear memory: growth past it fails inside the guest', async () => {
    const bytes = await component(HOSTILE_CORE);
    const capped = await load(bytes, { unchecked: true, name: 'capped', maxMemoryBytes: 3 * 65536 });
    expect((capped.exports.grab as () => number)()).toBe(3);
    expectTyped(() => (capped.exports.bomb as () => number)(), TrapError);
    const roomy = await load(bytes, { unchecked: true, name: 'roomy', maxMemoryBytes: 8 * 65536 });
    expect((roomy.exports.grab as () => number)()).toBe(8);
    await expect(load(bytes, { unchecked: true, maxMemoryBytes: 100 })).rejects.toBeInstanceOf(LoadError);
    by.check();
  });

  it('maxLiftBytes bounds what one call may return; the default is 64 MiB', async () => {
    const bytes = await component(TEXT);
    const p = await load(bytes, { unchecked: true, name: 'texter', maxLiftBytes: 1000 });
    expect((p.exports.text as (n: number) => string)(1000)).toBe('a'.repeat(1000));
    // The budget is per call, not per plugin.
    expect((p.exports.text as (n: number) => string)(1000)).toHaveLength(1000);
    expectTyped(() => (p.exports.text as (n: number) => string)(1001), TrapError, /lift budget: .*texter.* 1000 bytes .*maxLiftBytes/);
    expectTyped(() => (p.exports.text as (n: number) => string)(1), TrapError, /poisoned/);
    const d = await load(bytes, { unchecked: true, name: 'default' });
    expect(d.instances[0]!.maxLiftBytes).toBe(DEFAULT_MAX_LIFT_BYTES);
    expect(d.instances[0]!.handles.maxLive).toBe(DEFAULT_MAX_HANDLES);
    expect((d.exports.text as (n: number) => string)(60000)).toHaveLength(60000);
    by.check();
  });

  it('maxLiftBytes also bounds what a plugin passes to a host import', async () => {
    const got: string[] = [];
    const p = await load(await component(SEND), { unchecked: true, name: 'sender', maxLiftBytes: 100, imports: { sink: (s: string) => got.push(s) } });
    (p.exports.send as (n: number) => void)(100);
    expect(got).toEqual(['a'.repeat(100)]);
    expectTyped(() => (p.exports.send as (n: number) => void)(101), TrapError, /lift budget: .*sender/);
    // The host import never saw the oversized string.
    expect(got).toHaveLength(1);
    by.check();
  });

  it('maxHandles bounds the live handles of each instance', async () => {
    const bytes = await component(HOARD);
    const p = await load(bytes, { unchecked: true, name: 'hoarder', maxHandles: 50 });
    expect((p.exports.hoard as (n: number) => number)(50)).toBe(50);
    expectTyped(() => (p.exports.hoard as (n: number) => number)(1), TrapError, /hoarder already holds 50 live handles.*maxHandles/);
    const q = await load(bytes, { unchecked: true, name: 'hoarder2', maxHandles: 50 });
    expectTyped(() => (q.exports.hoard as (n: number) => number)(51), TrapError, /maxHandles/);
    by.check();
  });

  it('reload keeps the memory cap and the limits the plugin was loaded with', async () => {
    const core = await component(HOSTILE_CORE);
    const capped = await load(core, { unchecked: true, name: 'capped', maxMemoryBytes: 3 * 65536 });
    await capped.reload(core);
    // The new build's memory is capped too: it cannot grow past 3 pages.
    expect((capped.exports.grab as () => number)()).toBe(3);
    expectTyped(() => (capped.exports.bomb as () => number)(), TrapError);
    const hoard = await component(HOARD);
    const p = await load(hoard, { unchecked: true, name: 'hoarder', maxHandles: 50, maxLiftBytes: 1000 });
    await p.reload(hoard);
    expect(p.instances[0]!.maxLiftBytes).toBe(1000);
    expect((p.exports.hoard as (n: number) => number)(50)).toBe(50);
    expectTyped(() => (p.exports.hoard as (n: number) => number)(1), TrapError, /hoarder already holds 50 live handles.*maxHandles/);
    by.check();
  });

  it('compile(...).instantiate takes the limits as options', async () => {
    const compiled = compile(await component(HOARD));
    const p = compiled.instantiate({}, 'hoarder', { maxHandles: 50, maxLiftBytes: 1000 });
    expect(p.instances[0]!.maxLiftBytes).toBe(1000);
    expect((p.exports.hoard as (n: number) => number)(50)).toBe(50);
    expectTyped(() => (p.exports.hoard as (n: number) => number)(1), TrapError, /hoarder already holds 50 live handles.*maxHandles/);
    const d = compiled.instantiate({}, 'default');
    expect(d.instances[0]!.maxLiftBytes).toBe(DEFAULT_MAX_LIFT_BYTES);
    expect(d.instances[0]!.handles.maxLive).toBe(DEFAULT_MAX_HANDLES);
    expect(() => compiled.instantiate({}, 'bad', { maxHandles: 0 })).toThrow(/maxHandles must be a positive integer/);
    by.check();
  });

  it('limits that cannot work are a RangeError before anything loads', async () => {
    const bytes = await component(TEXT);
    await expect(load(bytes, { unchecked: true, maxLiftBytes: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(load(bytes, { unchecked: true, maxHandles: 1.5 })).rejects.toThrow(/maxHandles must be a positive integer/);
    await expect(load(bytes, { unchecked: true, maxMemoryBytes: -1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('wasi grants reach the plugin through load; without `wasi` nothing WASI is provided', async () => {
    const env = await component(ENV_COMPONENT);
    const p = await load(env, { unchecked: true, name: 'env', wasi: { env: { WHO: 'me' } } });
    expect((p.exports.env as () => unknown)()).toEqual([['WHO', 'me']]);
    // The caller's imports win over the grants.
    const q = await load(env, { unchecked: true,
      wasi: { env: { WHO: 'me' } },
      imports: { 'wasi:cli/environment@0.2.3': { getEnvironment: () => [['FROM', 'caller']] } },
    });
    expect((q.exports.env as () => unknown)()).toEqual([['FROM', 'caller']]);
    const e = (await load(env, { unchecked: true }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.kind).toBe('unlinkable');
    expect(e.message).toContain('missing import `wasi:cli/environment@0.2.3`');
    expect(e.message).toContain('missing import `wasi:cli/exit@0.2.3`');
    by.check();
  });

  it('imports not granted (WASI and others) fail the load with every one named, before guest code runs', async () => {
    const bytes = await component(WANTS_WASI);
    const calls: number[] = [];
    const e = (await load(bytes, { unchecked: true, name: 'wants', wasi: { env: {} }, imports: {} }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.kind).toBe('unlinkable');
    for (const name of ['wasi:random/random@0.2.3', 'wasi:sockets/tcp@0.2.3', 'log']) expect(e.message).toContain(`missing import \`${name}\``);
    // wasi:cli/environment was granted, so it is not listed.
    expect(e.message).not.toContain('wasi:cli/environment');
    const e2 = (await load(bytes, { unchecked: true, wasi: { random: true }, imports: { log: (n: number) => calls.push(n) } }).catch((x: unknown) => x)) as LoadError;
    expect(e2).toBeInstanceOf(LoadError);
    expect(e2.message).toBe('missing import `wasi:sockets/tcp@0.2.3`');
    expect(calls).toEqual([]);
    // Granting the rest lets the start function run, so the refusals above came first.
    await load(bytes, { unchecked: true,
      wasi: { random: true },
      imports: { log: (n: number) => calls.push(n), 'wasi:sockets/tcp@0.2.3': { dropAll: () => undefined } },
    });
    expect(calls).toEqual([1]);
    by.check();
  });
});
