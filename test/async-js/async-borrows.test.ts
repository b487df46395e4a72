/**
 * A handle borrowed by a pending async call stays borrowed until the call's
 * promise settles (host/rdylib/call-plan.ts): the kv plugin's real section
 * entries and handles, with the call itself made async (an `async` func type
 * whose lifted call returns a promise the test settles), so the loans are
 * those an `async fn(&self)` / `async fn(&mut self)` export gets.
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

/** `name` of kv as an async export whose task the test finishes: `finish(value)` or `fail(error)`. */
function asAsync(plugin: Plugin, name: string) {
  const fn = described(name);
  const params = fn.params?.map((p) => ({ name: p.name, type: { kind: 'u32' } })) ?? [];
  const type = { async: true, params, result: undefined } as unknown as FuncType;
  let settle: { finish(v?: unknown): void; fail(e: unknown): void } | undefined;
  const call = () =>
    new Promise((resolve, reject) => {
      settle = { finish: resolve, fail: reject };
    });
  const ruled = withBorrowRules(fn, type, call, plugin.instances[0])!;
  return { call: ruled, get settle() { return settle!; } };
}

describe('borrows held by pending async calls', () => {
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
});
