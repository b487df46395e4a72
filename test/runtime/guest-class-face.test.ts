/**
 * The classes a face makes for a guest's resource types (js-exports.ts
 * `classFor`, guest-resources.ts `makeGuestClass`), as JS sees them: every
 * load of the same bytes gets classes, prototypes and methods of its own,
 * named and shaped alike, and nothing done to one load's (a patched
 * prototype, an unload) reaches another's.
 */
import { describe, expect, it } from 'vitest';
import { HandleError, UnloadedError } from '../../host/errors.ts';
import { compile } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';

const KV = 'rdylib-guest:kv/kv@0.1.0';
type Store = { put(k: string, v: string): unknown; get(k: string): unknown; len(): number; [Symbol.dispose](): void };
type StoreClass = { new (): Store; fromPairs(p: [string, string][]): Store; prototype: Store } & Record<string, unknown>;
type Kv = { Store: StoreClass; Iter: new () => unknown; Guard: { prototype: object } };

const kvBytes = readGuest('kv');
const twoLoads = () => {
  const c = compile(kvBytes);
  const a = c.instantiate({}, 'kv-a');
  const b = c.instantiate({}, 'kv-b');
  return { a, b, A: a.exports[KV] as Kv, B: b.exports[KV] as Kv };
};

/** Every own property of `o` with its attributes (values left out: functions differ per load). */
function attributes(o: object): [string, { writable?: boolean; enumerable: boolean; configurable: boolean; kind: string }][] {
  return Reflect.ownKeys(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k)!;
    return [String(k), { writable: d.writable, enumerable: d.enumerable!, configurable: d.configurable!, kind: d.get === undefined ? typeof d.value : 'accessor' }];
  });
}

describe('guest resource classes of a face', () => {
  it('are named after the WIT type by a non-writable, non-enumerable, configurable own `name`, before `prototype` and the statics', async () => {
    const { a, b, A } = twoLoads();
    expect(Object.getOwnPropertyDescriptor(A.Store, 'name')).toEqual({ value: 'Store', writable: false, enumerable: false, configurable: true });
    expect(Object.getOwnPropertyNames(A.Store)).toEqual(['length', 'name', 'prototype', 'intoPairs', 'fromPairs']);
    expect(Object.getOwnPropertyNames(A.Iter)).toEqual(['length', 'name', 'prototype']);
    // Statics are assigned ([[Set]]): enumerable data properties.
    expect(Object.getOwnPropertyDescriptor(A.Store, 'fromPairs')).toMatchObject({ writable: true, enumerable: true, configurable: true });
    expect(String(A.Store).startsWith('class extends')).toBe(true);
    expect(() => new A.Iter()).toThrow(new TypeError('Iter has no exported constructor'));
    await a.unload();
    await b.unload();
  });

  it('have methods as own, non-enumerable, writable, configurable properties of their own prototype, with Symbol.dispose', async () => {
    const { a, b, A, B } = twoLoads();
    const expected = [
      ['constructor', { writable: true, enumerable: false, configurable: true, kind: 'function' }],
      ...['get', 'put', 'len', 'isEmpty', 'writes', 'iter', 'lock', 'batchIfUnchanged', 'entry', 'merge'].map((k) => [k, { writable: true, enumerable: false, configurable: true, kind: 'function' }]),
      ['Symbol(nodejs.dispose)', { writable: true, enumerable: false, configurable: true, kind: 'function' }],
    ];
    expect(attributes(A.Store.prototype)).toEqual(expected);
    expect(attributes(B.Store.prototype)).toEqual(expected);
    expect(A.Store.prototype.constructor).toBe(A.Store);
    await a.unload();
    await b.unload();
  });

  it('are per load: classes, prototypes and methods of two loads of the same bytes are distinct, and a patch of one reaches only it', async () => {
    const { a, b, A, B } = twoLoads();
    expect(A.Store).not.toBe(B.Store);
    expect(A.Store.prototype).not.toBe(B.Store.prototype);
    expect(Object.getPrototypeOf(A.Store.prototype)).toBe(Object.getPrototypeOf(B.Store.prototype));
    expect(A.Store.prototype.len).not.toBe(B.Store.prototype.len);
    expect(A.Store.prototype[Symbol.dispose]).not.toBe(B.Store.prototype[Symbol.dispose]);
    const sa = new A.Store();
    const sb = new B.Store();
    expect(sa).toBeInstanceOf(A.Store);
    expect(sa).not.toBeInstanceOf(B.Store);
    expect(sb).not.toBeInstanceOf(A.Store);
    sa.put('k', 'v');
    // Patching one load's prototype (replacing a method, adding one) changes nothing in the other's.
    const len = A.Store.prototype.len;
    (A.Store.prototype as unknown as Record<string, unknown>).len = () => -1;
    (A.Store.prototype as unknown as Record<string, unknown>).extra = () => 'a only';
    expect(sa.len()).toBe(-1);
    expect(sb.len()).toBe(0);
    expect('extra' in sb).toBe(false);
    expect(len.call(sa)).toBe(1);
    // A method of one load with the other's object is refused: its binding is another plugin's.
    expect(() => B.Store.prototype.len.call(sa)).toThrow(HandleError);
    expect(() => len.call(sb)).toThrow(expect.objectContaining({ kind: 'foreign-instance' }));
    // Nor does a static of one build the other's objects.
    expect(A.Store.fromPairs([['x', 'y']])).toBeInstanceOf(A.Store);
    await a.unload();
    await b.unload();
  });

  it('unload revokes one load: its methods, taken off or not, throw UnloadedError with any receiver; the other load and a new one work', async () => {
    const c = compile(kvBytes);
    const { a, b, A, B } = twoLoads();
    const sa = new A.Store();
    const sb = new B.Store();
    const len = A.Store.prototype.len;
    const get = A.Store.prototype.get;
    await a.unload();
    expect(() => len.call(sa)).toThrow(UnloadedError);
    expect(() => len.call({})).toThrow(UnloadedError);
    expect(() => len.call(sb)).toThrow(UnloadedError);
    expect(() => get.call(sa, 'k')).toThrow(new UnloadedError('kv-a was unloaded: `rdylib-guest:kv/kv@0.1.0#[method]store.get` can no longer be called'));
    expect(() => new A.Store()).toThrow(UnloadedError);
    sb.put('k', 'v');
    expect(sb.len()).toBe(1);
    const d = c.instantiate({}, 'kv-d');
    const D = d.exports[KV] as Kv;
    expect(D.Store).not.toBe(A.Store);
    expect(D.Store.name).toBe('Store');
    const sd = new D.Store();
    expect(sd.len()).toBe(0);
    expect(() => D.Store.prototype.len.call(sa)).toThrow(HandleError);
    sd[Symbol.dispose]();
    await b.unload();
    await d.unload();
  });
});
