/**
 * Each export's call (its call plan and the lifted function behind it) is
 * made at the export's first call, not when the JS face is built
 * (host/plugin/plugin-cell.ts `compile`). What JS sees must not depend on
 * which call is the first: a first call that is refused refuses as any
 * other would and leaves the function working; a first call made while the
 * plugin is running is refused by may_enter; two loads of one component
 * make their calls apart; after unload a function never called throws
 * UnloadedError like one that was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PluginInUseError, UnloadedError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';
import { Canvas } from '../support/canvas.ts';
import type { Shape, Shapes } from '../support/example-apis.ts';

const KV = 'rdylib-guest:kv/kv@0.1.0';
type Store = { put(k: string, v: string): unknown; get(k: string): string | undefined; len(): number };
type Kv = { Store: { new (): Store; fromPairs(p: [string, string][]): Store }; countPrefix(s: Store, p: string): number };
const SHAPES = 'rdylib-guest:shapes/shapes@0.1.0';
const CANVAS = { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } };

afterEach(() => {
  Canvas.onLine = undefined;
});

/** Two loads of the kv component, `a` and `b`, and their kv interfaces. */
async function twoKvLoads() {
  const bytes = readGuest('kv');
  const a = await load(bytes, { name: 'a' });
  const b = await load(bytes, { name: 'b' });
  return { a, b, kvA: a.exports[KV] as Kv, kvB: b.exports[KV] as Kv };
}

describe('an export is compiled at its first call', () => {
  it('two loads of one component make their calls apart: each works alone, and unloading one leaves the other working', async () => {
    const { a, b, kvA, kvB } = await twoKvLoads();
    // Interleaved first calls of the same functions in both instances.
    const sa = new kvA.Store();
    const sb = new kvB.Store();
    sa.put('x', '1');
    sb.put('y', '2');
    sb.put('z', '3');
    expect([sa.len(), sb.len()]).toEqual([1, 2]);
    expect([sa.get('x'), sb.get('x')]).toEqual(['1', undefined]);
    // A store of one instance is not a store of the other.
    expect(() => kvB.countPrefix(sa as never, 'x')).toThrow();
    await a.unload();
    expect(() => sa.len()).toThrow(UnloadedError);
    expect(kvB.countPrefix(sb, 'y')).toBe(1);
    expect(sb.len()).toBe(2);
    await b.unload();
  });

  it('a first call refused for a bad argument refuses as a later one would, and the function then works', async () => {
    const p = await load(readGuest('kv'), { name: 'kv' });
    const kv = p.exports[KV] as Kv;
    const s = new kv.Store();
    expect(() => s.put(1 as never, 'v')).toThrow(TypeError);
    expect(() => s.put(1 as never, 'v')).toThrow(TypeError);
    expect(s.len()).toBe(0);
    s.put('k', 'v');
    expect(s.get('k')).toBe('v');
    await p.unload();
  });

  it('a first call made while the plugin runs (from a host import) is refused by may_enter, and works after', async () => {
    const p = await load(readGuest('shapes'), { name: 'shapes', imports: CANVAS });
    const shapes = p.exports[SHAPES] as Shapes;
    const square = shapes.rect(1, 1);
    const refused: unknown[] = [];
    // `describe` has not been called yet: its first call comes from inside `render`.
    Canvas.onLine = () => {
      try {
        shapes.describe(square);
      } catch (e) {
        refused.push(e);
      }
    };
    expect(shapes.render(square, new Canvas())).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) expect(e).toBeInstanceOf(PluginInUseError);
    Canvas.onLine = undefined;
    expect(typeof shapes.describe(square)).toBe('string');
    await p.unload();
  });

  it('after unload, functions never called throw UnloadedError naming the item, as called ones do', async () => {
    const p = await load(readGuest('shapes'), { name: 'shapes', imports: CANVAS });
    const shapes = p.exports[SHAPES] as Shapes;
    const circle: Shape = shapes.circle(1);
    expect(circle.area()).toBeCloseTo(Math.PI, 12);
    await p.unload();
    expect(() => shapes.circle(1)).toThrow(UnloadedError);
    expect(() => circle.area()).toThrow(UnloadedError);
    expect(() => shapes.rect(1, 2)).toThrow(/^shapes was unloaded: `rdylib-guest:shapes\/shapes@0\.1\.0#rect` can no longer be called$/);
  });
});

describe('a method taking only self is made at its first call', () => {
  it('the first call puts the made method on the prototype; a method read before keeps working, per load', async () => {
    const { a, b, kvA, kvB } = await twoKvLoads();
    const firstA = kvA.Store.prototype.len;
    const firstB = kvB.Store.prototype.len;
    const sa = new kvA.Store();
    const sb = new kvB.Store();
    sb.put('y', '2');
    // A refused first call (self is not a store of this plugin) leaves the method working.
    expect(() => firstA.call({})).toThrow(TypeError);
    expect(() => firstA.call(sb)).toThrow();
    expect(sa.len()).toBe(0);
    expect(kvA.Store.prototype.len).not.toBe(firstA);
    // The other load's method is its own: still the first one until its own first call.
    expect(kvB.Store.prototype.len).toBe(firstB);
    expect(firstA.call(sa)).toBe(0);
    sa.put('x', '1');
    expect([sa.len(), firstA.call(sa), sb.len()]).toEqual([1, 1, 1]);
    expect(kvB.Store.prototype.len).not.toBe(firstB);
    await a.unload();
    expect(() => sa.len()).toThrow(UnloadedError);
    expect(() => firstA.call(sa)).toThrow(UnloadedError);
    expect(sb.len()).toBe(1);
    await b.unload();
  });

  it('on a prototype frozen before the first call, the method works and stays as it was', async () => {
    const p = await load(readGuest('kv'), { name: 'kv' });
    const kv = p.exports[KV] as Kv;
    const first = kv.Store.prototype.len;
    Object.freeze(kv.Store.prototype);
    const s = new kv.Store();
    s.put('k', 'v');
    expect(s.len()).toBe(1);
    expect(kv.Store.prototype.len).toBe(first);
    await p.unload();
    expect(() => s.len()).toThrow(UnloadedError);
  });

  it('a method replaced before its first call stays replaced; one never called throws UnloadedError naming it after unload', async () => {
    const p = await load(readGuest('kv'), { name: 'kv' });
    const kv = p.exports[KV] as Kv;
    const s = new kv.Store();
    const first = kv.Store.prototype.len;
    const replaced = function (this: Store): number {
      return first.call(this) + 100;
    };
    kv.Store.prototype.len = replaced;
    expect(s.len()).toBe(100);
    expect(kv.Store.prototype.len).toBe(replaced);
    const t = new kv.Store();
    await p.unload();
    kv.Store.prototype.len = first;
    expect(() => t.len()).toThrow(/^kv was unloaded: `rdylib-guest:kv\/kv@0\.1\.0#\[method\]store\.len` can no longer be called$/);
  });
});

const TYPES = 'rdylib-guest:types/types@0.1.0';
type Primitives = { flag: boolean; byte: number; short: number; word: number; signed: number; long: bigint; signedLong: bigint; single: number; double: number; letter: string };
type TypesApi = { echoPrimitives(p: Primitives): Primitives; echoBytes(b: Uint8Array): Uint8Array };
const PRIMS: Primitives = { flag: true, byte: 200, short: -300, word: 4_000_000_000, signed: -5, long: 2n ** 60n, signedLong: -(2n ** 40n), single: 1.5, double: Math.PI, letter: 'é' };

/** What calling `f` gives: its value, or the class and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe('a one-parameter function is made at its first call', () => {
  // Each of the three families of js-exports.ts unaryFor: a record result read from memory (echo-primitives,
  // unchecked), a list (echo-bytes), an own result of scalars (shapes' circle); checked and unchecked.
  for (const unchecked of [false, true]) {
    it(`the first call puts the made function on the face; one read before gives the same outcomes and refusals${unchecked ? ' (unchecked)' : ''}`, async () => {
      const p = await load(readGuest('types'), { name: 'types', unchecked });
      const api = p.exports[TYPES] as TypesApi;
      const firstPrims = api.echoPrimitives;
      const firstBytes = api.echoBytes;
      // A refused first call (a field of the wrong type) refuses as later calls do, and the function then works.
      const wrong = { ...PRIMS, word: 'x' };
      const refusedFirst = outcome(() => firstPrims(wrong as never));
      expect(refusedFirst).toMatchObject({ threw: 'TypeError' });
      expect(api.echoPrimitives).not.toBe(firstPrims);
      expect(outcome(() => api.echoPrimitives(wrong as never))).toEqual(refusedFirst);
      expect(api.echoPrimitives(PRIMS)).toEqual(PRIMS);
      expect(firstPrims(PRIMS)).toEqual(PRIMS);
      expect(new Uint8Array(api.echoBytes(new Uint8Array([1, 2, 3])))).toEqual(new Uint8Array([1, 2, 3]));
      expect(api.echoBytes).not.toBe(firstBytes);
      // Wrong argument counts and types: the same outcome through the first function and the made one.
      for (const args of [[], [PRIMS, 1], [undefined], [null], [{}]] as unknown[][]) {
        expect(outcome(() => (api.echoPrimitives as (...a: unknown[]) => unknown)(...args))).toEqual(outcome(() => (firstPrims as (...a: unknown[]) => unknown)(...args)));
        expect(outcome(() => (api.echoBytes as (...a: unknown[]) => unknown)(...args))).toEqual(outcome(() => (firstBytes as (...a: unknown[]) => unknown)(...args)));
      }
      await p.unload();
      for (const f of [api.echoPrimitives, firstPrims]) expect(() => f(PRIMS)).toThrow(/^types was unloaded: `rdylib-guest:types\/types@0\.1\.0#echo-primitives` can no longer be called$/);
      for (const f of [api.echoBytes, firstBytes]) expect(() => f(new Uint8Array(1))).toThrow(UnloadedError);
    });
  }

  it('a function whose result is an own handle: made at its first call, re-entrance refused by may_enter through both', async () => {
    const p = await load(readGuest('shapes'), { name: 'shapes', imports: CANVAS, unchecked: true });
    const shapes = p.exports[SHAPES] as Shapes;
    const firstCircle = shapes.circle;
    expect(firstCircle(1).area()).toBeCloseTo(Math.PI, 12);
    expect(shapes.circle).not.toBe(firstCircle);
    const refused: unknown[] = [];
    Canvas.onLine = () => {
      for (const f of [shapes.circle, firstCircle]) {
        try {
          f(2);
        } catch (e) {
          refused.push(e);
        }
      }
    };
    expect(shapes.render(shapes.circle(1), new Canvas())).toBeGreaterThan(0);
    Canvas.onLine = undefined;
    expect(refused.length).toBeGreaterThan(1);
    for (const e of refused) expect(e).toBeInstanceOf(PluginInUseError);
    expect(shapes.circle(2).area()).toBeCloseTo(4 * Math.PI, 12);
    await p.unload();
    expect(() => shapes.circle(1)).toThrow(UnloadedError);
    expect(() => firstCircle(1)).toThrow(UnloadedError);
  });

  it('on a face frozen or sealed before the first call, the function works and stays as it was', async () => {
    const p = await load(readGuest('types'), { name: 'types', unchecked: true });
    const api = p.exports[TYPES] as TypesApi;
    const prims = api.echoPrimitives;
    const bytes = api.echoBytes;
    Object.seal(api);
    expect(api.echoPrimitives(PRIMS)).toEqual(PRIMS);
    expect(api.echoPrimitives).toBe(prims);
    Object.freeze(api);
    expect(new Uint8Array(api.echoBytes(new Uint8Array([7])))).toEqual(new Uint8Array([7]));
    expect(api.echoBytes).toBe(bytes);
    await p.unload();
    expect(() => api.echoPrimitives(PRIMS)).toThrow(UnloadedError);
  });

  it('a function replaced before its first call stays replaced; never called, it throws UnloadedError naming it after unload', async () => {
    const p = await load(readGuest('types'), { name: 'types' });
    const api = p.exports[TYPES] as TypesApi;
    const first = api.echoPrimitives;
    const replaced = (q: Primitives): Primitives => ({ ...first(q), byte: 1 });
    api.echoPrimitives = replaced;
    expect(api.echoPrimitives(PRIMS)).toEqual({ ...PRIMS, byte: 1 });
    expect(api.echoPrimitives).toBe(replaced);
    const bytes = api.echoBytes;
    await p.unload();
    expect(() => bytes(new Uint8Array(1))).toThrow(/^types was unloaded: `rdylib-guest:types\/types@0\.1\.0#echo-bytes` can no longer be called$/);
  });
});
