/**
 * The general path's arguments (lift.ts `compileLowerArgs`): a lifted call of
 * up to three parameters hands them to the lowering one by one, not in an
 * array. Each arity, the spilled-to-memory form, wrong argument counts and a
 * refused or trapping argument at each position must behave exactly as
 * definitions.py `lower_flat_values` over the argument list: compared here
 * with a reference loop of the per-parameter lowerings (what the path did
 * before), and end to end through `canonLift`.
 */
import { describe, expect, it } from 'vitest';
import { canonLift } from '../../host/abi/index.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { LiftLowerContext } from '../../host/abi/context.ts';
import { compileLowerFlat } from '../../host/abi/flat.ts';
import { abandonLowering } from '../../host/abi/handles.ts';
import { flattenType, flattenTypes } from '../../host/abi/layout.ts';
import { compileLowerArgs } from '../../host/abi/lift.ts';
import { ResourceType } from '../../host/abi/resource-type.ts';
import { PluginInUseError, TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { makeMem, type Mem, opts } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const fn = (types: readonly ValType[], result?: ValType): FuncType => ({
  async: false,
  params: types.map((type, i) => ({ name: `p${i}`, type })),
  result,
});

/** What one lowering did: its flat values or its error, the realloc calls, the bytes it wrote and the handles it added. */
interface Outcome {
  flat?: unknown[];
  error?: { name: string; message: string };
  calls: Mem['calls'];
  bytes: number[];
  handles: number;
}

const host = new ComponentInstance('host');
const rt = new ResourceType('conn', host);
const obj = rt.js.liftOwn(42);
const BORROW: ValType = { kind: 'borrow', resource: rt };

async function outcome(run: (cx: LiftLowerContext) => unknown[]): Promise<Outcome> {
  const mem = await makeMem();
  const inst = new ComponentInstance('guest');
  const cx = new LiftLowerContext(opts(mem), inst);
  cx.refresh();
  cx.borrowScope = { numBorrows: 0 };
  const out: Outcome = { calls: mem.calls, bytes: [], handles: 0 };
  try {
    out.flat = [...run(cx)];
  } catch (e) {
    out.error = { name: (e as Error).constructor.name, message: (e as Error).message };
    abandonLowering(cx);
  }
  out.bytes = [...new Uint8Array(mem.memory.buffer, 1024, 256)];
  out.handles = inst.handles.size;
  return out;
}

/** The reference: each parameter's lowering in order over the argument list, into one flat array. */
function reference(ts: readonly ValType[], args: readonly unknown[]): (cx: LiftLowerContext) => unknown[] {
  const slots = flattenTypes(ts);
  const lowers: ((cx: LiftLowerContext, v: unknown, out: unknown[]) => void)[] = [];
  let off = 0;
  ts.forEach((t, i) => {
    lowers.push(compileLowerFlat(t, off, slots, `p${i}`));
    off += flattenType(t).length;
  });
  return (cx) => {
    const out = new Array<unknown>(slots.length).fill(0);
    for (let i = 0; i < ts.length; i++) lowers[i]!(cx, args[i], out);
    return out;
  };
}

/** The path under test, called as canonLift calls it: separately up to three parameters, else the array. */
function perArity(ts: readonly ValType[], args: readonly unknown[]): (cx: LiftLowerContext) => unknown[] {
  const lower = compileLowerArgs(
    ts,
    ts.map((_, i) => `p${i}`),
  );
  return (cx) => (ts.length <= 3 ? lower(cx, args[0], args[1], args[2], undefined) : lower(cx, undefined, undefined, undefined, args));
}

const OPTION_STRING: ValType = { kind: 'option', type: p('string') };
const BYTES: ValType = { kind: 'list', element: p('u8') };
const GOOD: [ValType, unknown][] = [
  [p('string'), 'key-000001'],
  [BORROW, obj],
  [p('u32'), 4_000_000_000],
  [OPTION_STRING, 'héllo'],
  [BYTES, new Uint8Array([1, 2, 3])],
];
/** Values each type refuses, and one that traps (a lone surrogate is refused before any realloc). */
const BAD: Record<string, unknown[]> = {
  string: [42, undefined, 'a\ud800b', new String('boxed')],
  borrow: [{}, null, 'conn'],
  u32: [-1, 2 ** 32, 1.5, '7'],
  option: [5, 'a\udc00'],
  list: ['bytes', [256], { length: 2 }],
};

describe('lowering arguments per position (compileLowerArgs) against the reference loop', () => {
  for (let n = 0; n <= 5; n++) {
    const picks = Array.from({ length: n }, (_, i) => GOOD[(i * 3 + n) % GOOD.length]!);
    const ts = picks.map(([t]) => t);
    const good = picks.map(([, v]) => v);
    it(`${n} parameter(s) (${ts.map((t) => t.kind).join(', ') || 'none'}): the same flat values, allocations, bytes and handles`, async () => {
      const a = await outcome(perArity(ts, good));
      const b = await outcome(reference(ts, good));
      expect(a.error).toBeUndefined();
      expect(a).toEqual(b);
    });
    for (let k = 0; k < n; k++) {
      for (const bad of BAD[ts[k]!.kind]!) {
        it(`${n} parameter(s), position ${k} given ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)}: the same refusal, after the same allocations`, async () => {
          const args = good.slice();
          args[k] = bad;
          const a = await outcome(perArity(ts, args));
          const b = await outcome(reference(ts, args));
          expect(a.error?.message).toMatch(new RegExp(`^p${k}`));
          expect(a).toEqual(b);
        });
      }
    }
  }
});

describe('the general lifted path, per arity', () => {
  /** A core function that records its flat arguments and returns nothing. */
  function recorder(): { seen: unknown[][]; callee: (...flat: unknown[]) => void } {
    const seen: unknown[][] = [];
    return { seen, callee: (...flat) => void seen.push(flat) };
  }

  for (let n = 1; n <= 4; n++) {
    it(`${n} string parameter(s): each in place; a wrong count is refused before anything is allocated, and the instance stays usable`, async () => {
      const mem = await makeMem();
      const inst = new ComponentInstance('strings');
      const { seen, callee } = recorder();
      const f = canonLift(fn(Array.from({ length: n }, () => p('string'))), opts(mem), inst, callee);
      const args = Array.from({ length: n }, (_, i) => `arg-${i}`);
      for (const wrong of [n - 1, n + 1]) {
        expect(() => f(...args.slice(0, wrong), ...(wrong > n ? ['extra'] : []))).toThrow(new TypeError(`expected ${n} argument(s), got ${wrong}`));
      }
      expect(mem.calls).toEqual([]);
      expect(seen).toEqual([]);
      expect(inst.poisoned).toBeUndefined();
      f(...args);
      expect(seen.length).toBe(1);
      const flat = seen[0]!;
      const text = (i: number) => new TextDecoder().decode(new Uint8Array(mem.memory.buffer, flat[2 * i] as number, flat[2 * i + 1] as number));
      expect(Array.from({ length: n }, (_, i) => text(i))).toEqual(args);
    });
  }

  it('parameters spilled to memory (more than 16 flat values) from one and from three arguments', async () => {
    const tuple8: ValType = { kind: 'tuple', types: Array.from({ length: 8 }, () => p('u32')) };
    const record17: ValType = { kind: 'record', fields: Array.from({ length: 17 }, (_, i) => ({ name: `f${i}`, type: p('u32') })) };
    const cases: [ValType[], unknown[], number[]][] = [
      [[record17], [Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, i + 1]))], Array.from({ length: 17 }, (_, i) => i + 1)],
      [
        [tuple8, tuple8, p('u32')],
        [Array.from({ length: 8 }, (_, i) => i), Array.from({ length: 8 }, (_, i) => 10 + i), 99],
        [...Array.from({ length: 8 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 10 + i), 99],
      ],
    ];
    for (const [ts, args, words] of cases) {
      const mem = await makeMem();
      let seen: number[] = [];
      const f = canonLift(fn(ts), opts(mem), new ComponentInstance('spill'), (ptr) => {
        seen = Array.from({ length: 17 }, (_, i) => new DataView(mem.memory.buffer).getUint32((ptr as number) + 4 * i, true));
      });
      expect(() => f(...args, 'extra')).toThrow(TypeError);
      expect(mem.calls).toEqual([]);
      f(...args);
      expect(seen).toEqual(words);
      expect(mem.calls).toEqual([[0, 0, 4, 68]]);
      // A refused last argument: refused by its own check, after the parameter block was allocated, as the spec orders it.
      const bad = args.slice();
      bad[bad.length - 1] = ts.length === 1 ? { ...(args[0] as object), f16: -1 } : -1;
      expect(() => f(...bad)).toThrow(ts.length === 1 ? /^p0\.f16: / : /^p2: /);
    }
  });

  it('a refused third argument after a borrow: the handle the borrow added is taken back, nothing is entered, nothing is poisoned', async () => {
    const mem = await makeMem();
    const inst = new ComponentInstance('guest');
    const { seen, callee } = recorder();
    const f = canonLift(fn([BORROW, p('string'), p('string')]), opts(mem), inst, callee);
    expect(() => f(obj, 'key', 'a\ud800')).toThrow(/p2: string contains a lone surrogate/);
    expect(inst.handles.size).toBe(0);
    expect(seen).toEqual([]);
    expect(inst.poisoned).toBeUndefined();
    expect(() => f(obj, 'key', 7)).toThrow(/p2: expected a string, got number 7/);
    expect(inst.handles.size).toBe(0);
  });

  it('a realloc that traps while the second argument is lowered poisons the instance; one that re-enters the function is refused (may_enter) and poisons it too', async () => {
    for (const how of ['trap', 'reenter'] as const) {
      const mem = await makeMem();
      const inst = new ComponentInstance('guest');
      const { seen, callee } = recorder();
      let count = 0;
      let f: (...a: unknown[]) => unknown = () => undefined;
      let inner: unknown;
      const realloc = (a: number, b: number, c: number, d: number): number => {
        if (++count === 2) {
          if (how === 'trap') throw new WebAssembly.RuntimeError('unreachable');
          try {
            f(obj, 'x', 'y');
          } catch (e) {
            inner = e;
            throw e;
          }
        }
        return mem.realloc(a, b, c, d);
      };
      f = canonLift(fn([BORROW, p('string'), p('string')]), { ...opts(mem), realloc }, inst, callee);
      // The error rethrown is the trap, or the refusal that unwound the realloc (guard.ts `trapped`).
      expect(() => f(obj, 'key', 'value')).toThrow(how === 'trap' ? TrapError : PluginInUseError);
      expect(inst.poisoned).toBeInstanceOf(TrapError);
      expect(inst.handles.size).toBe(0);
      expect(seen).toEqual([]);
      if (how === 'reenter') expect(inner).toBeInstanceOf(PluginInUseError);
      expect(() => f(obj, 'key', 'value')).toThrow(TrapError);
      expect(seen).toEqual([]);
    }
  });
});
