/**
 * A plugin's JS face (its exports object, classes, call plans and the
 * lifted functions behind them) is made at its first use, not at load
 * (host/plugin/plugin.ts `#faceOf`, host/runtime/instantiate.ts
 * `LiftedOnFirstUse`). What JS sees must not depend on when that is: the
 * same object every time, the same shape after unload whether or not JS
 * had asked for the exports before, the same refusals.
 */
import { describe, expect, it } from 'vitest';
import { UnloadedError } from '../../host/errors.ts';
import { load, type Plugin } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';

const KV = 'rdylib-guest:kv/kv@0.1.0';
type Store = { put(k: string, v: string): unknown; len(): number; iter(): { next(): unknown } };
type Kv = { Store: { new (): Store; fromPairs(p: [string, string][]): Store }; countPrefix(s: Store, p: string): number };

/** Every key of `v` down to functions, with what each is: the shape JS sees. */
function shapeOf(v: unknown, depth = 0): unknown {
  if (typeof v === 'function') {
    const proto = (v as { prototype?: object }).prototype;
    const methods = proto === undefined ? [] : Object.getOwnPropertyNames(proto).filter((k) => k !== 'constructor').sort();
    const statics = Object.keys(v).sort();
    return { function: v.length, methods, statics, dispose: proto !== undefined && Symbol.dispose in proto };
  }
  if (typeof v !== 'object' || v === null || depth > 3) return typeof v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shapeOf((v as Record<string, unknown>)[k], depth + 1)]));
}

/** The message of the UnloadedError `f` throws. */
function unloadedMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UnloadedError);
    return (e as Error).message;
  }
  throw new Error('expected an UnloadedError, but the call succeeded');
}

/** Every use of the kv face that unload must refuse, with what each says. */
function refusals(p: Plugin): string[] {
  const kv = p.exports[KV] as Kv;
  return [
    unloadedMessage(() => new kv.Store()),
    unloadedMessage(() => kv.Store.fromPairs([['a', 'b']])),
    unloadedMessage(() => kv.countPrefix({} as Store, 'a')),
    unloadedMessage(() => (kv.Store.prototype.len as () => number).call({})),
  ];
}

describe('the JS face is made at first use', () => {
  it('gives the same exports object every time, working, and the same shape as a face made at once', async () => {
    const p = await load(readGuest('kv'), { name: 'kv' });
    const first = p.exports;
    expect(p.exports).toBe(first);
    const kv = first[KV] as Kv;
    const s = new kv.Store();
    s.put('a', '1');
    expect(s.len()).toBe(1);
    expect(kv.countPrefix(s, 'a')).toBe(1);
    // An alias key (export-keys.ts) reaches the same interface object.
    expect(p.exportKeys.size).toBeGreaterThan(0);
    for (const key of p.exportKeys.keys()) {
      const meaning = p.exportKeys.get(key)!;
      if (meaning.kind === 'alias') expect(p.exports[key]).toBe(p.exports[meaning.target]);
    }
    await p.unload();
  });

  it('after unload the exports have the same shape and refusals whether or not JS had asked for them before', async () => {
    const used = await load(readGuest('kv'), { name: 'kv' });
    const usedShape = shapeOf(used.exports);
    await used.unload();
    const unused = await load(readGuest('kv'), { name: 'kv' });
    await unused.unload();
    expect(shapeOf(unused.exports)).toEqual(usedShape);
    expect(unused.exports).toBe(unused.exports);
    expect(refusals(unused)).toEqual(refusals(used));
    expect(refusals(unused)[0]).toMatch(/^kv was unloaded: /);
    expect(unused.exportKeys.size).toBe(0);
  });

  it('a reload before any use serves the new build; the old generation is never built', async () => {
    const p = await load(readGuest('kv'), { name: 'kv' });
    await p.reload(readGuest('kv'));
    const kv = p.exports[KV] as Kv;
    const s = new kv.Store();
    s.put('k', 'v');
    expect(s.len()).toBe(1);
    await p.unload();
    expect(() => s.len()).toThrow(UnloadedError);
  });
});
