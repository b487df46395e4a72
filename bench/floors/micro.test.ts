/**
 * Honesty of the micro checked floor (floors/micro.ts): it must refuse every
 * bad input ours refuses, the same way, and answer every good one as ours
 * does. A floor that skipped a required check would be cheaper than any safe
 * host can be, and make a target look unreachable when it is not.
 */
import { describe, expect, it } from 'vitest';
import type { BenchApi, Fields } from '../micro/api.ts';
import { buildBenchGuest } from '../micro/guest.ts';
import { compileRaw } from '../micro/raw.ts';
import { oursHost } from '../ours.ts';
import { instantiateMicroFloor } from './micro.ts';
import { collectGarbage, outcome, type Outcome } from './honesty.ts';

type Side = BenchApi & { unload(): Promise<void> | void };

/** A fresh instance of each side: ours (the host) and the floor. */
async function sides(): Promise<{ ours: Side; floor: Side }> {
  const guest = await buildBenchGuest();
  const plugin = await oursHost.load(guest.component);
  const api = oursHost.api(plugin);
  return {
    ours: { add: api.add, echo: api.echo, echoBytes: api.echoBytes, echoFields: api.echoFields, Counter: api.Counter, unload: () => plugin.unload() },
    floor: instantiateMicroFloor(await compileRaw(guest)),
  };
}

/** Runs `op` on both sides; expects the same outcome and returns it. */
function same(s: { ours: Side; floor: Side }, op: (side: Side) => unknown): Outcome {
  const ours = outcome(() => op(s.ours));
  expect(outcome(() => op(s.floor))).toEqual(ours);
  return ours;
}

const GOOD: Fields = { a: 200, b: 60000, c: 4_000_000_000, d: 2n ** 60n + 7n, e: 1.5, f: Math.PI, g: true, h: -5 };
const with_ = (field: keyof Fields, v: unknown): unknown => ({ ...GOOD, [field]: v });

describe('micro checked floor: add, echo, echo-bytes', () => {
  const call = (side: Side, name: 'add' | 'echo' | 'echoBytes', args: unknown[]): unknown => (side[name] as (...a: unknown[]) => unknown)(...args);
  const refused: [string, 'add' | 'echo' | 'echoBytes', unknown[]][] = [
    ...['1', 1.5, -1, 2 ** 32, NaN, undefined, 1n, true, null, Infinity].flatMap((v): [string, 'add', unknown[]][] => [
      [`add(${String(v)}, 1)`, 'add', [v, 1]],
      [`add(1, ${String(v)})`, 'add', [1, v]],
    ]),
    ['add()', 'add', [1]],
    ['add(1, 2, 3)', 'add', [1, 2, 3]],
    ...[5, undefined, null, {}, ['a'], 1n, new String('x')].map((v): [string, 'echo', unknown[]] => [`echo(${String(v)})`, 'echo', [v]]),
    ['echo of a lone surrogate', 'echo', ['a\ud800b']],
    ['echo of a long string with a lone surrogate', 'echo', ['x'.repeat(100) + '\udc00']],
    ['echo()', 'echo', []],
    ...[5, 'x', new Uint16Array(2), new ArrayBuffer(2), new Uint8ClampedArray(2), null, undefined, new DataView(new ArrayBuffer(2)), [1, 256], [1, -1], [1, '2'], [1.5]].map(
      (v): [string, 'echoBytes', unknown[]] => [`echoBytes(${Object.prototype.toString.call(v)} ${String(v)})`, 'echoBytes', [v]],
    ),
    ['echoBytes()', 'echoBytes', []],
  ];
  it.each(refused)('refuses %s as ours does', async (_name, name, args) => {
    const s = await sides();
    expect(same(s, (side) => call(side, name, args))).toHaveProperty('error');
    // A refused call changes nothing: the instance is not poisoned.
    expect(same(s, (side) => side.add(1, 2))).toEqual({ ok: 3 });
  });

  const accepted: [string, 'add' | 'echo' | 'echoBytes', unknown[]][] = [
    ['add with u32 wrap', 'add', [0xffff_ffff, 2]],
    ['add of -0', 'add', [-0, 3]],
    ['echo of the empty string', 'echo', ['']],
    ['echo of 16 ASCII bytes', 'echo', ['0123456789abcdef']],
    ['echo of non-ASCII text (2, 3 and 4 UTF-8 bytes)', 'echo', ['héllo, wörld ✓ 🦀']],
    ['echo of a 100 KB ASCII string', 'echo', ['The quick brown fox '.repeat(5000)]],
    ['echo of a long non-ASCII string', 'echo', ['ünïcödé 🦀 '.repeat(1000)]],
    ['echoBytes of an empty list', 'echoBytes', [new Uint8Array(0)]],
    ['echoBytes of a subarray', 'echoBytes', [new Uint8Array([1, 2, 3, 4]).subarray(1, 3)]],
    ['echoBytes of a Buffer', 'echoBytes', [Buffer.from([9, 8, 7])]],
    ['echoBytes of an array of numbers', 'echoBytes', [[0, 1, 255, -0]]],
    ['echoBytes of 200 KB', 'echoBytes', [new Uint8Array(200_000).map((_, i) => i * 7)]],
  ];
  it.each(accepted)('gives the same result as ours for %s', async (_name, name, args) => {
    const s = await sides();
    expect(same(s, (side) => call(side, name, args))).toHaveProperty('ok');
  });

  it('refuses every call after unload, as ours does', async () => {
    const s = await sides();
    await s.ours.unload();
    await s.floor.unload();
    expect(same(s, (side) => side.add(1, 2))).toMatchObject({ error: 'UnloadedError' });
    expect(same(s, (side) => side.echo('x'))).toMatchObject({ error: 'UnloadedError' });
    expect(same(s, (side) => side.echoBytes(new Uint8Array(1)))).toMatchObject({ error: 'UnloadedError' });
  });
});

describe('micro checked floor: echo record of 8 fields', () => {
  const refused: [string, unknown][] = [
    ...[null, undefined, 5, 'x', true, 1n, Symbol('s')].map((v): [string, unknown] => [`non-object ${String(v)}`, v]),
    ...(['a', 'b', 'c', 'h'] as const).flatMap((f) => ['1', 1n, undefined, null, true, NaN, 1.5, Infinity, {}].map((v): [string, unknown] => [`${f} = ${String(v)}`, with_(f, v)])),
    ['a = -1', with_('a', -1)],
    ['a = 256', with_('a', 256)],
    ['b = -1', with_('b', -1)],
    ['b = 65536', with_('b', 65536)],
    ['c = -1', with_('c', -1)],
    ['c = 2^32', with_('c', 2 ** 32)],
    ['h = 2^31', with_('h', 2 ** 31)],
    ['h = -2^31-1', with_('h', -(2 ** 31) - 1)],
    ...[5, '1', undefined, null, true, -1n, 2n ** 64n].map((v): [string, unknown] => [`d = ${String(v)}`, with_('d', v)]),
    ...(['e', 'f'] as const).flatMap((f) => ['1', 1n, undefined, null, true, {}].map((v): [string, unknown] => [`${f} = ${String(v)}`, with_(f, v)])),
    ...[0, 1, 'true', undefined, null, 1n].map((v): [string, unknown] => [`g = ${String(v)}`, with_('g', v)]),
    ['an array', [1, 2, 3]],
  ];

  it.each(refused)('refuses %s as ours does', async (_name, value) => {
    const s = await sides();
    const o = same(s, (side) => (side.echoFields as (r: unknown) => unknown)(value));
    expect(o).toHaveProperty('error');
    expect(same(s, (side) => side.echoFields(GOOD))).toHaveProperty('ok');
  });

  it('refuses a wrong argument count as ours does', async () => {
    const s = await sides();
    for (const args of [[], [GOOD, 1]]) expect(same(s, (side) => (side.echoFields as (...a: unknown[]) => unknown)(...args))).toHaveProperty('error');
  });

  const accepted: [string, Fields][] = [
    ['the bench record', GOOD],
    ['the largest values', { a: 255, b: 65535, c: 2 ** 32 - 1, d: 2n ** 64n - 1n, e: 3.4028234663852886e38, f: Number.MAX_VALUE, g: false, h: 2 ** 31 - 1 }],
    ['the smallest values', { a: 0, b: 0, c: 0, d: 0n, e: -Infinity, f: -0, g: false, h: -(2 ** 31) }],
    ['NaNs and -0', { ...GOOD, a: -0, e: NaN, f: NaN, h: -0 }],
    ['an f32 out of range (rounded, not refused)', { ...GOOD, e: 1e300 }],
    ['extra fields and inherited ones', Object.assign(Object.create({ ...GOOD }) as Fields, { z: 1 })],
  ];

  it.each(accepted)('gives the same result as ours for %s', async (_name, value) => {
    const s = await sides();
    const o = same(s, (side) => side.echoFields(value));
    expect(o).toHaveProperty('ok');
  });

  it('refuses every call after unload, as ours does', async () => {
    const s = await sides();
    await s.ours.unload();
    await s.floor.unload();
    expect(same(s, (side) => side.echoFields(GOOD))).toMatchObject({ error: 'UnloadedError' });
  });
});

describe('micro checked floor: resource create+drop', () => {
  it('refuses bad constructor arguments as ours does', async () => {
    const s = await sides();
    for (const args of [[-1], [2 ** 32], [1.5], ['1'], [undefined], [NaN], [1n], [null], [], [1, 2]]) {
      const o = same(s, (side) => new (side.Counter as new (...a: unknown[]) => unknown)(...args));
      expect(o, `new Counter(${args.map(String).join(', ')})`).toHaveProperty('error');
    }
  });

  it('refuses bad method arguments as ours does', async () => {
    const s = await sides();
    const made = { ours: new s.ours.Counter(1), floor: new s.floor.Counter(1) };
    const on = (side: Side) => (side === s.ours ? made.ours : made.floor);
    for (const args of [[-1], [2 ** 32], [1.5], ['1'], [undefined], [], [1, 2]]) {
      expect(same(s, (side) => (on(side).increment as (...a: unknown[]) => unknown)(...args)), `increment(${args.map(String).join(', ')})`).toHaveProperty('error');
    }
    expect(same(s, (side) => (on(side).value as (...a: unknown[]) => unknown)(1))).toHaveProperty('error');
  });

  it('gives the same results as ours for create, method calls (u32 wrap) and drop', async () => {
    const s = await sides();
    same(s, (side) => {
      const c = new side.Counter(5);
      const results = [c.increment(2), c.value(), c.increment(0xffff_fffe), c.value()];
      c[Symbol.dispose]();
      return results;
    });
  });

  it('refuses use after dispose, ignores a second dispose, and refuses a method on a foreign object, as ours does', async () => {
    const s = await sides();
    const made = { ours: new s.ours.Counter(1), floor: new s.floor.Counter(1) };
    const on = (side: Side) => (side === s.ours ? made.ours : made.floor);
    expect(same(s, (side) => on(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    expect(same(s, (side) => on(side).increment(1))).toMatchObject({ error: 'HandleError' });
    expect(same(s, (side) => on(side).value())).toMatchObject({ error: 'HandleError' });
    expect(same(s, (side) => on(side)[Symbol.dispose]())).toEqual({ ok: undefined });
    for (const foreign of [{}, null, undefined, 5]) {
      expect(same(s, (side) => side.Counter.prototype.increment.call(foreign, 1))).toHaveProperty('error');
      expect(same(s, (side) => side.Counter.prototype[Symbol.dispose].call(foreign))).toEqual({ ok: undefined });
    }
  });

  it('a trap poisons the instance, as in ours: every later call refuses, a dispose only ends the object', async () => {
    const s = await sides();
    // The guest has 8,064 counter slots; the next counter-new traps (unreachable).
    const made = { ours: [] as Disposable[], floor: [] as Disposable[] };
    const fill = (side: Side): number => {
      const list = side === s.ours ? made.ours : made.floor;
      for (;;) list.push(new side.Counter(1));
    };
    expect(same(s, fill)).toMatchObject({ error: 'TrapError' });
    expect(made.floor.length).toBe(made.ours.length);
    expect(same(s, (side) => side.echoFields(GOOD))).toMatchObject({ error: 'TrapError' });
    expect(same(s, (side) => side.add(1, 2))).toMatchObject({ error: 'TrapError' });
    expect(same(s, (side) => side.echo('x'))).toMatchObject({ error: 'TrapError' });
    expect(same(s, (side) => side.echoBytes(new Uint8Array(1)))).toMatchObject({ error: 'TrapError' });
    expect(same(s, (side) => new side.Counter(1))).toMatchObject({ error: 'TrapError' });
    expect(same(s, (side) => (side === s.ours ? made.ours : made.floor)[0]![Symbol.dispose]())).toEqual({ ok: undefined });
  });

  it('unload revokes every live object, as ours does: methods refuse, dispose does nothing, no new object', async () => {
    const s = await sides();
    const live = { ours: [1, 2, 3].map((n) => new s.ours.Counter(n)), floor: [1, 2, 3].map((n) => new s.floor.Counter(n)) };
    await s.ours.unload();
    await s.floor.unload();
    const of = (side: Side) => (side === s.ours ? live.ours : live.floor);
    for (let i = 0; i < 3; i++) {
      expect(same(s, (side) => of(side)[i]!.increment(1))).toMatchObject({ error: 'UnloadedError' });
      expect(same(s, (side) => of(side)[i]!.value())).toMatchObject({ error: 'UnloadedError' });
      expect(same(s, (side) => of(side)[i]![Symbol.dispose]())).toEqual({ ok: undefined });
    }
    expect(same(s, (side) => new side.Counter(1))).toMatchObject({ error: 'UnloadedError' });
  });

  it('releases counters JS lets go of without disposing (more than the guest has slots), as ours does', async () => {
    const s = await sides();
    for (const side of [s.ours, s.floor]) {
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 4000; i++) new side.Counter(i);
        await collectGarbage();
      }
      const c = new side.Counter(1);
      expect(c.increment(1)).toBe(2);
    }
  });
});
