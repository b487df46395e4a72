/**
 * `canon lift`'s flat direct path (abi/lift.ts `flatDirectPath`: parameters
 * that are scalars or records and tuples of scalars, a result that is a
 * scalar or a record or tuple of scalars, possibly read from the return
 * area) refuses exactly what the general path refuses and leaves the same
 * state. Each scenario runs twice: through a flat-direct signature and
 * through the same signature with a trailing, unused `list<u8>` parameter,
 * which takes the general path (lowering into a flat array with realloc,
 * `lift_flat_values` of the result).
 */
import { describe, expect, it } from 'vitest';
import { canonLift } from '../../host/abi/index.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { PluginInUseError, TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import type { StringEncoding } from '../../host/abi/index.ts';
import { makeMem, opts, type Mem } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const FIELDS: ValType = {
  kind: 'record',
  fields: [
    { name: 'a', type: p('u8') },
    { name: 'b', type: p('u16') },
    { name: 'c', type: p('u32') },
    { name: 'd', type: p('u64') },
    { name: 'e', type: p('f32') },
    { name: 'f', type: p('f64') },
    { name: 'g', type: p('bool') },
    { name: 'h-i', type: p('s32') },
  ],
};
/** Byte offsets of FIELDS' fields in memory (size 40, align 8). */
const AT = { a: 0, b: 2, c: 4, d: 8, e: 16, f: 24, g: 32, hI: 36 } as const;
const GOOD = { a: 200, b: 60000, c: 4_000_000_000, d: 2n ** 60n + 7n, e: 1.5, f: Math.PI, g: true, hI: -5 };

type Route = 'direct' | 'general';
const ROUTES: readonly Route[] = ['direct', 'general'];

interface Setup {
  readonly inst: ComponentInstance;
  readonly mem: Mem;
  /** `f(params...) -> result` lifted through `route`, called with the direct signature's arguments; `core` gets the direct signature's flat values. */
  lift(params: readonly ValType[], result: ValType | undefined, core: (...flat: unknown[]) => unknown, postReturn?: (...flat: unknown[]) => void): (...args: unknown[]) => unknown;
}

/** The general route's extra parameter: a list never takes the flat direct path (its elements could be handles). */
const UNUSED_LIST: ValType = { kind: 'list', element: p('u8') };

async function setup(route: Route, maxLiftBytes?: number, encoding: StringEncoding = 'utf8'): Promise<Setup> {
  const inst = new ComponentInstance('guest', maxLiftBytes === undefined ? undefined : { maxLiftBytes, maxHandles: 1000 });
  const mem = await makeMem();
  return {
    inst,
    mem,
    lift(params, result, core, postReturn) {
      const all = route === 'direct' ? params : [...params, UNUSED_LIST];
      const ft: FuncType = { async: false, params: all.map((type, i) => ({ name: `p${i}`, type })), result };
      if (route === 'direct') return canonLift(ft, opts(mem, encoding, postReturn), inst, core);
      // The general route's core function also gets the list's (ptr, len), dropped here.
      const f = canonLift(ft, opts(mem, encoding, postReturn), inst, (...flat) => core(...flat.slice(0, -2)));
      return (...args) => f(...args, []);
    },
  };
}

/** The outcome of a call: its value, or the class and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** Runs `scenario` on both routes and expects the same record of what happened. */
async function same(scenario: (s: Setup) => unknown, maxLiftBytes?: number, encoding?: StringEncoding): Promise<unknown> {
  const [direct, general] = [scenario(await setup('direct', maxLiftBytes, encoding)), scenario(await setup('general', maxLiftBytes, encoding))];
  expect(direct).toEqual(general);
  return direct;
}

/** A core echo-fields: stores its 8 flat values at `at` as FIELDS' layout and returns `at`. */
function echoInto(mem: Mem, at: number, calls: unknown[][]): (...flat: unknown[]) => number {
  return (...flat) => {
    calls.push(flat);
    const dv = new DataView(mem.memory.buffer);
    dv.setUint8(at + AT.a, flat[0] as number);
    dv.setUint16(at + AT.b, flat[1] as number, true);
    dv.setUint32(at + AT.c, flat[2] as number, true);
    dv.setBigUint64(at + AT.d, flat[3] as bigint, true);
    dv.setFloat32(at + AT.e, flat[4] as number, true);
    dv.setFloat64(at + AT.f, flat[5] as number, true);
    dv.setUint8(at + AT.g, flat[6] as number);
    dv.setInt32(at + AT.hI, flat[7] as number, true);
    return at;
  };
}

describe('canon lift: the flat direct path keeps every rule of the general path', () => {
  it('round-trips a record of 8 scalars through the flat values and the return area, keys in order, and calls post-return with the pointer', async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const post: unknown[][] = [];
      const f = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, calls), (...r) => void post.push(r));
      const r = f(GOOD) as Record<string, unknown>;
      return { r, keys: Object.keys(r), proto: Object.getPrototypeOf(r) === Object.prototype, calls, post, mayEnter: s.inst.mayEnter };
    });
    expect(seen).toMatchObject({ r: GOOD, keys: Object.keys(GOOD), proto: true, post: [[64]], mayEnter: true });
    expect((seen as { calls: unknown[][] }).calls).toEqual([[200, 60000, 4_000_000_000 | 0, 2n ** 60n + 7n, 1.5, Math.PI, 1, -5]]);
  });

  const BAD: [string, unknown][] = [
    ['a', 256],
    ['a', -1],
    ['a', 1.5],
    ['a', '1'],
    ['b', 65536],
    ['c', 2 ** 32],
    ['c', undefined],
    ['d', 1],
    ['d', -1n],
    ['d', 2n ** 64n],
    ['e', 1n],
    ['f', null],
    ['g', 1],
    ['hI', 2 ** 31],
    ['hI', -(2 ** 31) - 1],
  ];
  for (const [field, bad] of BAD) {
    it(`refuses ${field} = ${typeof bad === 'bigint' ? `${bad}n` : String(bad)} with the same typed error naming the field, before the core runs; the instance stays usable`, async () => {
      const seen = await same((s) => {
        const calls: unknown[][] = [];
        const f = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, calls));
        const refused = outcome(() => f({ ...GOOD, [field]: bad }));
        return { refused, calls: calls.length, poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter, after: outcome(() => f(GOOD)) };
      });
      expect(seen).toMatchObject({ refused: { message: expect.stringContaining(`p0.${field}`) }, calls: 0, poisoned: false, mayEnter: true, after: { value: GOOD } });
      expect(['TypeError', 'RangeError']).toContain((seen as { refused: { threw: string } }).refused.threw);
    });
  }

  it('refuses a record argument that is not an object, and a wrong argument count', async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const f = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, calls));
      // The count's message differs by route (the general route's signature has one more parameter): its class is compared.
      const count = outcome(() => f()) as { threw: string };
      return { n: outcome(() => f(null)), str: outcome(() => f('x')), count: count.threw, calls: calls.length };
    });
    expect(seen).toMatchObject({ n: { threw: 'TypeError' }, str: { threw: 'TypeError' }, count: 'TypeError', calls: 0 });
  });

  it('traps on a misaligned and on an out-of-bounds result pointer, and the instance is poisoned', async () => {
    for (const ptr of [68, 65536 - 32, 0xfffffff8]) {
      const seen = await same((s) => {
        const f = s.lift([FIELDS], FIELDS, () => ptr);
        return { r: outcome(() => f(GOOD)), poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter, again: outcome(() => f(GOOD)) };
      });
      expect(seen).toMatchObject({ r: { threw: 'TrapError' }, poisoned: true, mayEnter: true, again: { threw: 'TrapError', message: expect.stringMatching(/poisoned/) } });
    }
  });

  it('reads the result from the grown memory when the callee grew it', async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const echo = echoInto(s.mem, 65536 + 64, calls);
      const f = s.lift([FIELDS], FIELDS, (...flat) => {
        s.mem.memory.grow(1);
        return echo(...flat);
      });
      return outcome(() => f(GOOD));
    });
    expect(seen).toEqual({ value: GOOD });
  });

  it('lifts any non-zero bool byte as true and any NaN as NaN', async () => {
    const seen = await same((s) => {
      const f = s.lift([FIELDS], FIELDS, () => {
        const dv = new DataView(s.mem.memory.buffer);
        dv.setUint8(64 + AT.g, 2);
        dv.setUint32(64 + AT.e, 0x7fc00001, true);
        dv.setBigUint64(64 + AT.f, 0x7ff0000000000001n, true);
        return 64;
      });
      const r = f(GOOD) as { g: unknown; e: number; f: number };
      return { g: r.g, e: Number.isNaN(r.e), f: Number.isNaN(r.f) };
    });
    expect(seen).toEqual({ g: true, e: true, f: true });
  });

  it('refuses a poisoned instance and a reentrant call without running the core', async () => {
    const seen = await same((s) => {
      let calls = 0;
      let inner: unknown;
      const f: (...a: unknown[]) => unknown = s.lift([FIELDS], FIELDS, () => {
        calls++;
        if (calls === 1) inner = outcome(() => f(GOOD));
        return 64;
      });
      const first = outcome(() => f(GOOD));
      s.inst.poison(new TrapError('an earlier trap'));
      const poisoned = outcome(() => f(GOOD));
      return { first: (first as { value?: unknown }).value !== undefined, inner, poisoned, calls };
    });
    expect(seen).toMatchObject({ first: true, inner: { threw: PluginInUseError.name }, poisoned: { threw: 'TrapError' }, calls: 1 });
  });

  it('a trap in the core poisons the instance and lets no result through', async () => {
    const seen = await same((s) => {
      const f = s.lift([FIELDS], FIELDS, () => {
        throw new WebAssembly.RuntimeError('unreachable');
      });
      return { r: outcome(() => f(GOOD)), poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter };
    });
    expect(seen).toMatchObject({ r: { threw: 'TrapError' }, poisoned: true, mayEnter: true });
  });

  it('reads each field of a record argument once, in order, each checked before the next is read (a Proxy logs the reads)', async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const f = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, calls));
      const log: string[] = [];
      const logged = (bad?: string) =>
        new Proxy({ ...GOOD, ...(bad === undefined ? {} : { [bad]: 'bad' }) }, {
          get: (t, k) => (log.push(String(k)), (t as Record<string | symbol, unknown>)[k]),
          has: (t, k) => (log.push(`has ${String(k)}`), k in t),
        });
      const ok = outcome(() => f(logged()));
      const okLog = log.splice(0);
      const refused = outcome(() => f(logged('c')));
      return { ok, okLog, refused, refusedLog: log, calls: calls.length };
    });
    expect(seen).toMatchObject({ ok: { value: GOOD }, okLog: Object.keys(GOOD), refused: { threw: 'TypeError' }, refusedLog: ['a', 'b', 'c'], calls: 1 });
  });

  it("a field's getter that calls the function again is refused (may_enter), one that throws is the caller's error; neither poisons", async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const f: (...a: unknown[]) => unknown = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, calls));
      let inner: unknown;
      const reentering = { ...GOOD, get e() { inner = outcome(() => f(GOOD)); return 1.5; } };
      const first = outcome(() => f(reentering));
      const throwing = { ...GOOD, get g(): boolean { throw new RangeError('from a getter'); } };
      const second = outcome(() => f(throwing));
      return { first, inner, second, calls: calls.length, poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter };
    });
    expect(seen).toMatchObject({
      first: { value: GOOD },
      inner: { threw: PluginInUseError.name },
      second: { threw: 'RangeError', message: 'from a getter' },
      calls: 1,
      poisoned: false,
      mayEnter: true,
    });
  });

  for (let n = 1; n <= 9; n++) {
    it(`passes a record argument of ${n} field(s) as exactly its ${n} core value(s), and refuses a bad last field naming it`, async () => {
      const rec: ValType = { kind: 'record', fields: Array.from({ length: n }, (_, i) => ({ name: `f-${i}`, type: p(i % 2 === 0 ? 'u32' : 's16') })) };
      const value = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i % 2 === 0 ? 4_000_000_000 + i : -i]));
      const seen = await same((s) => {
        const calls: unknown[][] = [];
        const f = s.lift([rec], p('u32'), (...flat) => (calls.push(flat), flat.length));
        const r = f(value);
        const bad = outcome(() => f({ ...value, [`f${n - 1}`]: 0.5 }));
        return { r, calls, bad };
      });
      expect(seen).toMatchObject({ r: n, bad: { threw: 'TypeError', message: expect.stringContaining(`p0.f${n - 1}`) } });
      expect((seen as { calls: unknown[][] }).calls).toEqual([Object.values(value).map((v) => (v as number) | 0)]);
    });
  }

  // recordParamLifted tries each field with its type's declining lowering (flat.ts `scalarLowerOrDecline`) and hands a
  // declined value to the checked one: every type's bounds, specials and other JS values, as the one field of a record
  // and as the last of eight (the others good), must pass the same core values or raise the same error as the general
  // path, convert no object (no valueOf runs), and leave the instance usable.
  const SCALARS = ['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char'] as const;
  const GOOD_OF: Record<(typeof SCALARS)[number], unknown> = { bool: false, u8: 7, s8: -7, u16: 7, s16: -7, u32: 7, s32: -7, u64: 7n, s64: -7n, f32: 0.25, f64: 0.1, char: 'x' };
  const HOSTILE: unknown[] = [
    0, -0, -1, 0.5, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31),
    -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 + 2, 1e300, NaN, Infinity, -Infinity, 0n, -1n, 2n ** 63n, -(2n ** 63n) - 1n,
    2n ** 64n - 1n, 2n ** 64n, true, false, null, undefined, '', '1', 'x', '\u{1F600}', '\uD800', [], {}, Symbol('s'), new Number(1),
  ];
  for (const kind of SCALARS) {
    it(`${kind} field: ${HOSTILE.length} values give the general path's core values or its error, converting nothing; the instance stays usable`, async () => {
      const eight: ValType = { kind: 'record', fields: [...SCALARS.filter((k) => k !== kind).slice(0, 7), kind].map((k, i) => ({ name: `f-${i}`, type: p(k) })) };
      const good8 = Object.fromEntries([...SCALARS.filter((k) => k !== kind).slice(0, 7), kind].map((k, i) => [`f${i}`, GOOD_OF[k]]));
      const one: ValType = { kind: 'record', fields: [{ name: 'x', type: p(kind) }] };
      let conversions = 0;
      const convertible = { valueOf: () => (conversions++, 1), toString: () => (conversions++, '1') };
      const seen = await same((s) => {
        const calls: unknown[][] = [];
        const core = (...flat: unknown[]) => (calls.push(flat), 0);
        const f1 = s.lift([one], p('u32'), core);
        const f8 = s.lift([eight], p('u32'), core);
        const results = [...HOSTILE, convertible].map((v) => [outcome(() => f1({ x: v })), outcome(() => f8({ ...good8, f7: v }))]);
        return { results, calls, after: outcome(() => f8(good8)), poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter };
      });
      // `same` compared both paths' outcomes (toEqual tells -0 from 0, as a JS callee would).
      expect(seen).toMatchObject({ after: { value: 0 }, poisoned: false, mayEnter: true });
      expect(conversions).toBe(0);
    });
  }

  it('lifts a record result as a plain object: prototype Object.prototype, constructor Object, own enumerable writable data properties in field order', async () => {
    const seen = await same((s) => {
      const f = s.lift([FIELDS], FIELDS, echoInto(s.mem, 64, []));
      const r = f(GOOD) as Record<string, unknown>;
      const d = Object.getOwnPropertyDescriptors(r);
      return {
        proto: Object.getPrototypeOf(r) === Object.prototype,
        ctor: r.constructor === Object,
        plain: Object.values(d).every((x) => x.enumerable && x.writable && x.configurable && !('get' in x)),
        keys: Reflect.ownKeys(r),
        json: JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
        clone: structuredClone(r),
      };
    });
    expect(seen).toMatchObject({ proto: true, ctor: true, plain: true, keys: Object.keys(GOOD), clone: GOOD });
  });

  it('lowers scalars and tuples around a record at their flat positions, and lifts a one-field record from the flat value', async () => {
    const tuple: ValType = { kind: 'tuple', types: [p('s8'), p('f32')] };
    const one: ValType = { kind: 'record', fields: [{ name: 'only-one', type: p('u16') }] };
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const f = s.lift([p('u32'), tuple, FIELDS, p('char')], one, (...flat) => (calls.push(flat), 0x1_0007));
      return { r: f(7, [-3, 0.1], GOOD, '😀'), calls, badTuple: outcome(() => f(7, [-3], GOOD, 'x')), badChar: outcome(() => f(7, [-3, 0.1], GOOD, 'xy')) };
    });
    expect(seen).toMatchObject({ r: { onlyOne: 7 }, badTuple: { threw: 'TypeError' }, badChar: { threw: 'TypeError' } });
    expect((seen as { calls: unknown[][] }).calls).toEqual([[7, -3, Math.fround(0.1), 200, 60000, 4_000_000_000 | 0, 2n ** 60n + 7n, 1.5, Math.PI, 1, -5, 0x1f600]]);
  });
});

/** option<tuple<string, string>>, as kv's iter.next() returns: a flat direct function whose result is read from memory. */
const ENTRY: ValType = { kind: 'option', type: { kind: 'tuple', types: [p('string'), p('string')] } };

/** Writes ENTRY's value at 64 (discriminant byte, then two (ptr, len) pairs) with the strings' bytes at 256; returns 64. */
function entryInto(mem: Mem, entry: [string, string] | undefined, discriminant = entry === undefined ? 0 : 1, raw?: Uint8Array): number {
  const dv = new DataView(mem.memory.buffer);
  dv.setUint8(64, discriminant);
  if (entry !== undefined) {
    const [k, v] = entry.map((x) => new TextEncoder().encode(x));
    const bytes = raw ?? k!;
    new Uint8Array(mem.memory.buffer).set(bytes, 256);
    new Uint8Array(mem.memory.buffer).set(v!, 512);
    dv.setUint32(68, 256, true);
    dv.setUint32(72, bytes.length, true);
    dv.setUint32(76, 512, true);
    dv.setUint32(80, v!.length, true);
  }
  return 64;
}

describe('canon lift: a flat direct function whose result is read from memory keeps every rule of the general path', () => {
  it('lifts some and none, calls post-return with the pointer (may_leave false during it), and lifts from a memory the callee grew', async () => {
    const seen = await same((s) => {
      const post: unknown[] = [];
      const entries: ([string, string] | undefined)[] = [['key-000001', 'value 1 of the kv workload'], ['héllo ✓ 🦀', ''], undefined];
      let k = 0;
      const f = s.lift([p('u32')], ENTRY, () => entryInto(s.mem, entries[k++]), (ret) => void post.push([ret, s.inst.mayLeave]));
      const out = [f(1), f(2), f(3)];
      const grows = s.lift([p('u32')], ENTRY, () => {
        s.mem.memory.grow(1);
        return entryInto(s.mem, ['after', 'growing']);
      });
      return { out, post, grown: grows(0), mayLeave: s.inst.mayLeave, mayEnter: s.inst.mayEnter };
    });
    expect(seen).toEqual({
      out: [['key-000001', 'value 1 of the kv workload'], ['héllo ✓ 🦀', ''], undefined],
      post: [[64, false], [64, false], [64, false]],
      grown: ['after', 'growing'],
      mayLeave: true,
      mayEnter: true,
    });
  });

  const TRAPS: [string, (s: Setup) => number][] = [
    ['a discriminant out of range', (s) => entryInto(s.mem, ['a', 'b'], 2)],
    ['invalid UTF-8', (s) => entryInto(s.mem, ['a', 'b'], 1, new Uint8Array([0x61, 0xff, 0x62]))],
    ['a string out of bounds', (s) => (entryInto(s.mem, ['a', 'b']), new DataView(s.mem.memory.buffer).setUint32(72, 65536, true), 64)],
    ['a return pointer out of bounds', () => 65536 - 8],
    ['a misaligned return pointer', () => 66],
  ];
  for (const [what, core] of TRAPS) {
    it(`traps on ${what}: the instance is poisoned, no post-return runs, and the next call is refused`, async () => {
      const seen = await same((s) => {
        const post: unknown[] = [];
        const f = s.lift([p('u32')], ENTRY, () => core(s), (ret) => void post.push(ret));
        const r = outcome(() => f(1)) as { threw?: string; message?: string };
        return { threw: r.threw, message: r.message, post, poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter, again: (outcome(() => f(1)) as { threw?: string }).threw };
      });
      expect(seen).toMatchObject({ threw: 'TrapError', post: [], poisoned: true, mayEnter: true, again: 'TrapError' });
    });
  }

  it('charges the strings to the call\'s lift budget, reset for every call', async () => {
    const seen = await same((s) => {
      const f = s.lift([p('u32')], ENTRY, () => entryInto(s.mem, ['0123456789', 'abcdefghij']));
      const ok = [outcome(() => f(1)), outcome(() => f(2))];
      const g = s.lift([p('u32')], ENTRY, () => entryInto(s.mem, ['0123456789', 'abcdefghijk']));
      const over = outcome(() => g(1)) as { threw?: string };
      return { ok, over: over.threw, poisoned: s.inst.poisoned !== undefined };
    }, 20);
    expect(seen).toEqual({ ok: [{ value: ['0123456789', 'abcdefghij'] }, { value: ['0123456789', 'abcdefghij'] }], over: 'TrapError', poisoned: true });
  });

  it('a top-level result keeps the general path: its err case is thrown as a ResultError after the call ended, without poisoning', async () => {
    const res: ValType = { kind: 'result', ok: p('string'), err: p('u32') };
    const seen = await same((s) => {
      const f = s.lift([p('u32')], res, () => {
        const dv = new DataView(s.mem.memory.buffer);
        dv.setUint8(64, 1);
        dv.setUint32(68, 7, true);
        return 64;
      });
      const r = outcome(() => f(1)) as { threw?: string };
      return { threw: r.threw, poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter, again: (outcome(() => f(1)) as { threw?: string }).threw };
    });
    expect(seen).toEqual({ threw: 'ResultError', poisoned: false, mayEnter: true, again: 'ResultError' });
  });

  it('refuses a bad argument before the core runs, and a reentrant call, without poisoning', async () => {
    const seen = await same((s) => {
      let calls = 0;
      let inner: unknown;
      const f: (...a: unknown[]) => unknown = s.lift([p('u32')], ENTRY, () => {
        calls++;
        inner = outcome(() => f(1));
        return entryInto(s.mem, undefined);
      });
      const bad = (outcome(() => f(-1)) as { threw?: string }).threw;
      const ok = outcome(() => f(1));
      return { bad, ok, inner: (inner as { threw?: string }).threw, calls, poisoned: s.inst.poisoned !== undefined, mayEnter: s.inst.mayEnter };
    });
    expect(seen).toEqual({ bad: 'RangeError', ok: { value: undefined }, inner: PluginInUseError.name, calls: 1, poisoned: false, mayEnter: true });
  });
});

// String parameters take the general path on both routes (lift.ts flatDirectPath says why); these
// scenarios keep checking that the routes agree, and realloc's rules, should that change.
describe('canon lift: string parameters, with and without a trailing list, keep the same rules', () => {
  /** A core that copies the string at (ptr, len) to 512 and returns ENTRY-like option<string> at 64 (some, ptr 512, len). */
  const echoOption = (s: Setup, calls: unknown[][], encoding: StringEncoding = 'utf8') => (...flat: unknown[]): number => {
    calls.push(flat);
    const [ptr, signedLen] = flat.slice(-2) as [number, number];
    const len = signedLen >>> 0; // an i32: latin1+utf16's tag bit makes it negative
    // The string's bytes: its code units (utf8, latin1), or two per unit (utf16, and latin1+utf16's tagged length).
    const tagged = encoding === 'latin1+utf16' && len >= 2 ** 31;
    const bytes = encoding === 'utf16' ? 2 * len : tagged ? 2 * (len - 2 ** 31) : len;
    const u8 = new Uint8Array(s.mem.memory.buffer);
    u8.copyWithin(1024 * 8, ptr, ptr + bytes);
    u8.copyWithin(512, 1024 * 8, 1024 * 8 + bytes);
    const dv = new DataView(s.mem.memory.buffer);
    dv.setUint8(64, 1);
    dv.setUint32(68, 512, true);
    dv.setUint32(72, len, true);
    return 64;
  };
  const OPT_STRING: ValType = { kind: 'option', type: p('string') };
  const STRINGS = ['', 'key-000001', 'héllo, wörld ✓ 🦀', 'x'.repeat(100), 'ÿ latin-1 only'];

  for (const encoding of ['utf8', 'utf16', 'latin1+utf16'] as const) {
    it(`${encoding}: lowers strings (same realloc calls, same core values) and lifts the result, for 1, 2 and 3 parameters`, async () => {
      const seen = await same((s) => {
        const calls: unknown[][] = [];
        const one = s.lift([p('string')], OPT_STRING, echoOption(s, calls, encoding));
        const two = s.lift([p('u32'), p('string')], OPT_STRING, echoOption(s, calls, encoding));
        const three = s.lift([p('string'), p('u16'), p('string')], OPT_STRING, echoOption(s, calls, encoding));
        const out = STRINGS.map((x) => [one(x), two(7, x), three('first', 9, x)]);
        // The general route's empty list adds realloc calls of 0 bytes: the others must agree.
        return { out, calls, reallocs: s.mem.calls.filter((c) => c[3] !== 0), mayLeave: s.inst.mayLeave, mayEnter: s.inst.mayEnter };
      }, undefined, encoding);
      expect((seen as { out: unknown[][] }).out).toEqual(STRINGS.map((x) => [x, x, x]));
      expect(seen).toMatchObject({ mayLeave: true, mayEnter: true });
    });
  }

  it('refuses a lone surrogate and a non-string naming the parameter, before the core runs and without poisoning', async () => {
    const seen = await same((s) => {
      const calls: unknown[][] = [];
      const f = s.lift([p('u32'), p('string')], OPT_STRING, echoOption(s, calls));
      const g = s.lift([p('string'), p('string'), p('u8')], OPT_STRING, echoOption(s, calls));
      return {
        lone: outcome(() => f(1, 'a\ud800b')),
        num: outcome(() => f(1, 5)),
        second: outcome(() => g('ok', '\udc00', 1)),
        third: outcome(() => g('ok', 'ok', 256)),
        calls: calls.length,
        poisoned: s.inst.poisoned !== undefined,
        after: outcome(() => f(1, 'fine')),
      };
    });
    expect(seen).toMatchObject({
      lone: { threw: 'TypeError', message: expect.stringContaining('p1') },
      num: { threw: 'TypeError', message: expect.stringContaining('p1') },
      second: { threw: 'TypeError', message: expect.stringContaining('p1') },
      third: { threw: 'RangeError', message: expect.stringContaining('p2') },
      calls: 0,
      poisoned: false,
      after: { value: 'fine' },
    });
  });

  it('traps when realloc traps or returns memory out of bounds (the instance is poisoned), and realloc runs with may_leave false', async () => {
    for (const bad of ['throws', 'out of bounds'] as const) {
      const seen = await same((s) => {
        const real = s.mem.realloc;
        const leave: boolean[] = [];
        let fail = false;
        s.mem.realloc = (a, b, c, d) => {
          leave.push(s.inst.mayLeave);
          if (!fail) return real(a, b, c, d);
          if (bad === 'throws') throw new WebAssembly.RuntimeError('unreachable');
          return 65536 - 2;
        };
        const f = s.lift([p('string')], OPT_STRING, echoOption(s, []));
        const ok = outcome(() => f('before'));
        fail = true;
        const r = outcome(() => f('0123456789')) as { threw?: string };
        return { ok, threw: r.threw, leave: leave.every((x) => !x), poisoned: s.inst.poisoned !== undefined, mayLeave: s.inst.mayLeave, mayEnter: s.inst.mayEnter };
      });
      expect(seen).toEqual({ ok: { value: 'before' }, threw: 'TrapError', leave: true, poisoned: true, mayLeave: true, mayEnter: true });
    }
  });
});
