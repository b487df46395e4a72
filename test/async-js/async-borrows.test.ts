/**
 * A handle borrowed by a pending call stays borrowed until the call's
 * promise settles (host/rdylib/call-plan.ts): the kv plugin's real section
 * entries and handles, with the call itself made to return a promise the
 * test settles, in both shapes that return one: an `async` func type (the
 * loans an `async fn(&self)` / `async fn(&mut self)` export gets), and a
 * sync-typed function whose instance is entered through JSPI (its call
 * returns a promise, and the plugin may be suspended inside it, still
 * holding `&self` / `&mut self`, until that promise settles).
 */
import { describe, expect, it } from 'vitest';
import { BorrowError, ResultError } from '../../host/errors.ts';
import { load, type Plugin } from '../../host/index.ts';
import { withBorrowRules } from '../../host/rdylib/call-plan.ts';
import { readRdylibAbi, type AbiFunction } from '../../host/rdylib/section.ts';
import type { FuncType } from '../../host/types.ts';
import { guestPath, readGuest } from '../support/guests.ts';

interface Store { get(k: string): string | undefined; put(k: string, v: string): unknown; len(): number; [Symbol.dispose](): void }
const KV = 'rdylib-guest:kv/kv@0.1.0';

function described(name: string): AbiFunction {
  const abi = readRdylibAbi(readGuest('kv'))!;
  return abi.interfaces.find((i) => i.name === KV)!.functions.find((f) => f.name === name)!;
}

/** How a call comes to return a promise: its type is `async`, or its instance is entered through JSPI. */
type Shape = 'async func' | 'sync func entered through JSPI';
const SHAPES: readonly Shape[] = ['async func', 'sync func entered through JSPI'];

/** `name` of kv as an export returning a promise the test settles: `finish(value)` or `fail(error)`. */
function pendingCall(plugin: Plugin, name: string, shape: Shape, result?: FuncType['result']) {
  const fn = described(name);
  const params = fn.params?.map((p) => ({ name: p.name, type: { kind: 'u32' } })) ?? [];
  const type = { async: shape === 'async func', params, result } as unknown as FuncType;
  let settle: { finish(v?: unknown): void; fail(e: unknown): void } | undefined;
  const call = () =>
    new Promise((resolve, reject) => {
      settle = { finish: resolve, fail: reject };
    });
  const ruled = withBorrowRules(fn, { type, call, inst: plugin.instances[0], returnsPromise: true })!;
  return { call: ruled, get settle() { return settle!; } };
}

describe.each(SHAPES)('borrows held by pending calls (%s)', (shape) => {
  const asAsync = (plugin: Plugin, name: string) => pendingCall(plugin, name, shape);

  it('a shared borrow (&self) lasts until the promise settles: shared uses pass, exclusive ones and drops are refused', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
    const get = asAsync(plugin, '[method]store.get');
    const pending = get.call(store, 'k') as Promise<unknown>;
    expect(store.get('k')).toBeUndefined();
    expect(() => store.put('k', 'v')).toThrow(BorrowError);
    expect(() => store.put('k', 'v')).toThrow(/borrowed by `\[method\]store.get` \(in progress\) \(shared\)/);
    expect(() => store[Symbol.dispose]()).toThrow(BorrowError);
    expect(store.len()).toBe(0); // the refused calls changed nothing
    get.settle.finish('done');
    await expect(pending).resolves.toBe('done');
    expect(store.put('k', 'v')).toBeUndefined();
    expect(store.get('k')).toBe('v');
    store[Symbol.dispose]();
  });

  it('an exclusive borrow (&mut self) refuses every other use until the promise rejects', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
    const put = asAsync(plugin, '[method]store.put');
    const pending = put.call(store, 'k', 'v') as Promise<unknown>;
    expect(() => store.get('k')).toThrow(/borrowed by `\[method\]store.put` \(in progress\) \(exclusive\)/);
    const second = asAsync(plugin, '[method]store.put');
    expect(() => second.call(store, 'k', 'w')).toThrow(BorrowError); // refused before any call starts
    put.settle.fail(new ResultError('nope'));
    await expect(pending).rejects.toBeInstanceOf(ResultError);
    expect(store.get('k')).toBeUndefined();
    expect(store.put('k', 'v')).toBeUndefined();
  });

  it('a call refused before it starts takes no loan', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
    const put = asAsync(plugin, '[method]store.put');
    const holding = put.call(store, 'a', 'b') as Promise<unknown>;
    const get = asAsync(plugin, '[method]store.get');
    expect(() => get.call(store, 'a')).toThrow(BorrowError);
    put.settle.finish(undefined);
    await holding;
    expect(store.get('a')).toBeUndefined(); // the fake put stored nothing; the store is usable again
    expect(store.len()).toBe(0);
  });

  it('the result rules apply to the value the promise resolves with: a dependent result borrows its argument from then on', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const kv = plugin.exports[KV] as { Store: new () => Store };
    const store = new kv.Store();
    // `iter(&self) -> Iter<'_>`, answered with a fresh handle standing for the iterator.
    const iter = pendingCall(plugin, '[method]store.iter', shape, { kind: 'own', resource: undefined } as unknown as FuncType['result']);
    const pending = iter.call(store) as Promise<unknown>;
    const standIn = new kv.Store();
    iter.settle.finish(standIn);
    expect(await pending).toBe(standIn);
    // The stand-in borrows `store` now (E0505: cannot move out of `store` because it is borrowed).
    expect(() => store[Symbol.dispose]()).toThrow(/cannot drop store #\d+: it is still borrowed by store #\d+ \(shared\)/);
    standIn[Symbol.dispose]();
    store[Symbol.dispose]();
  });
});

it('a sync-typed call that returns its value at once ends its loans when it returns', async () => {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
  const fn = described('[method]store.put');
  const type = { async: false, params: fn.params!.map((p) => ({ name: p.name, type: { kind: 'u32' } })), result: undefined } as unknown as FuncType;
  let during: unknown;
  const ruled = withBorrowRules(fn, { type, call: () => (during = (() => { try { return store.len(); } catch (e) { return e; } })()), inst: plugin.instances[0] })!;
  expect(ruled(store, 'k', 'v')).toBe(during);
  expect(during).toBeInstanceOf(BorrowError); // while it ran, &mut self was lent to it
  expect(store.len()).toBe(0); // and no longer
});
