/**
 * js-exports.ts face plans: a plan is made once per plan key (a validated
 * component) from the export names and kinds, and serves a later face only
 * when its exports have exactly those names and kinds in that order. Faces
 * made with a kept plan must be the faces a fresh plan makes (keys, values'
 * kinds, the cell slots and their labels); exports that differ from the
 * kept plan in any way (names, order, kinds, count) get a plan of their own,
 * as if the key lied about what it stands for.
 */
import { describe, expect, it } from 'vitest';
import { UnloadedError } from '../../host/errors.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';
import { exportsToJs, type ExportObject } from '../../host/runtime/js-exports.ts';
import type { RuntimeFunc, RuntimeInstance, RuntimeItem } from '../../host/runtime/instantiate.ts';
import type { FuncType } from '../../host/types.ts';
import { ComponentInstance, ResourceType } from '../../host/abi/index.ts';

const U32 = { kind: 'u32' } as const;

/** A function of `arity` u32 parameters returning what it was called with, tagged with `tag`. */
function fn(tag: string, arity = 1): RuntimeFunc {
  const type: FuncType = { async: false, params: Array.from({ length: arity }, (_, i) => ({ name: `p${i}`, type: U32 })), result: undefined } as FuncType;
  return { type, call: (...args: unknown[]) => [tag, ...args] };
}

const func = (f: RuntimeFunc): RuntimeItem => ({ kind: 'func', func: f });
const instance = (entries: [string, RuntimeItem][]): RuntimeItem => ({ kind: 'instance', instance: new Map(entries) });

/** A face of `inst` made with `planKey`, with what it registered in its cell. */
function face(inst: RuntimeInstance, planKey: object) {
  const cell = new PluginCell('p');
  const slotFuncs: RuntimeFunc[] = [];
  const exports = exportsToJs(inst, { cell, wrapCall: undefined, slotFuncs, planKey });
  return { exports, cell, slotFuncs };
}

/** The face's shape: each key (recursively) with the kind of its value; functions called once to see which export they reach. */
function shape(o: ExportObject): unknown {
  return Object.fromEntries(
    Reflect.ownKeys(o).map((k) => {
      const v = o[k as string];
      if (typeof v === 'function') return [k, ['function', (v as (...a: unknown[]) => unknown)(7)]];
      if (typeof v === 'object' && v !== null) return [k, shape(v as ExportObject)];
      return [k, typeof v];
    }),
  );
}

/** The labels of a cell's slots, read off the UnloadedError each slot throws once revoked (called as the wrappers call them). */
function slotLabels(cell: PluginCell): string[] {
  cell.revoke();
  return cell.fns.map((f, slot) => {
    try {
      (f ?? cell.compile(slot))();
    } catch (e) {
      if (e instanceof UnloadedError) return e.message;
      throw e;
    }
    return 'no error';
  });
}

/** Faces of `second` made after one of `first` with the same key, and with a fresh key, must agree. */
function expectSameAsFresh(first: RuntimeInstance, second: RuntimeInstance): void {
  const key = {};
  face(first, key);
  const kept = face(second, key);
  const fresh = face(second, {});
  expect(shape(kept.exports)).toEqual(shape(fresh.exports));
  // The same function behind each slot (identity, not deep equality).
  expect(kept.slotFuncs.length).toBe(fresh.slotFuncs.length);
  kept.slotFuncs.forEach((f, slot) => expect(f).toBe(fresh.slotFuncs[slot]));
  expect(slotLabels(kept.cell)).toEqual(slotLabels(fresh.cell));
}

const world = (entries: [string, RuntimeItem][]): RuntimeInstance => new Map(entries);

describe('face plans', () => {
  it('a kept plan builds the face a fresh one does, for every load of the same exports', () => {
    const exports = () =>
      world([
        ['add-one', func(fn('add-one'))],
        ['ns:pkg/api@1.0.0', instance([['get-it', func(fn('get-it', 2))], ['nested', instance([['deep-fn', func(fn('deep-fn', 0))]])]])],
      ]);
    const key = {};
    const first = face(exports(), key);
    const second = face(exports(), key);
    expect(shape(second.exports)).toEqual(shape(first.exports));
    expect(Object.keys(second.exports)).toEqual(['add-one', 'addOne', 'ns:pkg/api@1.0.0']);
    expect(shape(second.exports)).toEqual({
      'add-one': ['function', ['add-one', 7]],
      addOne: ['function', ['add-one', 7]],
      'ns:pkg/api@1.0.0': { getIt: ['function', ['get-it', 7]], nested: { deepFn: ['function', ['deep-fn', 7]] } },
    });
    expect(slotLabels(second.cell)).toEqual(slotLabels(first.cell));
    expectSameAsFresh(exports(), exports());
  });

  it('exports with other names get their own plan', () => {
    const first = world([['add-one', func(fn('a'))]]);
    const second = world([['sub-one', func(fn('s'))]]);
    expectSameAsFresh(first, second);
    const key = {};
    face(first, key);
    expect(Object.keys(face(second, key).exports)).toEqual(['sub-one', 'subOne']);
  });

  it('the same names in another order get their own plan', () => {
    expectSameAsFresh(world([['a', func(fn('a'))], ['b', func(fn('b'))]]), world([['b', func(fn('b'))], ['a', func(fn('a'))]]));
  });

  it('the same names with other kinds get their own plan', () => {
    const first = world([['api', instance([['f', func(fn('f'))]])], ['g', func(fn('g'))]]);
    const second = world([['api', func(fn('api'))], ['g', instance([['h', func(fn('h'))]])]]);
    expectSameAsFresh(first, second);
    const key = {};
    face(first, key);
    const s = face(second, key).exports;
    expect(typeof s.api).toBe('function');
    expect(typeof (s.g as ExportObject).h).toBe('function');
  });

  it('fewer or more exports than the plan get their own plan', () => {
    const two = world([['a', func(fn('a'))], ['b', func(fn('b'))]]);
    const one = world([['a', func(fn('a'))]]);
    expectSameAsFresh(two, one);
    expectSameAsFresh(one, two);
  });

  it('a kept plan with other arities (a key that lied) still passes every argument, exactly as given', () => {
    // The plan keeps each function's arity, which its wrapper (and a method) is specialised on; a
    // wrong one may cost the fast path, never an argument: any other count is passed through.
    const resourceFace = (arities: readonly number[]) =>
      world([
        ...arities.map((n, i): [string, RuntimeItem] => [`f${i}`, func(fn(`f${i}`, n))]),
        ['cell', { kind: 'type', entry: { kind: 'resource', ref: new ResourceType('cell', new ComponentInstance('guest'), () => {}) } }],
        ...arities.map((n, i): [string, RuntimeItem] => [`[method]cell.m${i}`, func(fn(`m${i}`, n + 1))]),
        ...arities.map((n, i): [string, RuntimeItem] => [`[static]cell.s${i}`, func(fn(`s${i}`, n))]),
      ]);
    const key = {};
    const planned = [0, 1, 2, 3, 5];
    face(resourceFace(planned), key);
    const actual = [3, 0, 5, 1, 2];
    const kept = face(resourceFace(actual), key).exports;
    const Cell = kept.Cell as (new () => object) & Record<string, (...a: unknown[]) => unknown>;
    const self = {};
    for (const [i, n] of actual.entries()) {
      for (const count of new Set([0, 1, 2, 3, 4, 6, n, planned[i]!])) {
        const args = Array.from({ length: count }, (_, k) => k * 10 + i);
        // Twice: a one-parameter function and a self-only method replace themselves at their first call.
        for (let round = 0; round < 2; round++) {
          expect((kept[`f${i}`] as (...a: unknown[]) => unknown)(...args)).toEqual([`f${i}`, ...args]);
          expect((Cell.prototype as Record<string, (...a: unknown[]) => unknown>)[`m${i}`]!.call(self, ...args)).toEqual([`m${i}`, self, ...args]);
          expect(Cell[`s${i}`]!(...args)).toEqual([`s${i}`, ...args]);
        }
      }
    }
  });

  it('a nested instance that differs gets its own plan, its siblings keep theirs', () => {
    const outer = (inner: [string, RuntimeItem][]) => world([['ns:pkg/api', instance([['f', func(fn('f'))], ['inner', instance(inner)]])]]);
    expectSameAsFresh(outer([['x', func(fn('x'))]]), outer([['y', func(fn('y'))]]));
  });
});
