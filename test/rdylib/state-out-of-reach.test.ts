/**
 * Where a resource object keeps what the host knows about it (rep, owned or
 * lent, its borrows): out of reach of JS. The host reads that state between
 * a check and the act the check justifies (the call plan reads a store's
 * state after `store.iter()` returns, to lend the store to the iterator). If
 * JS could put a getter or a proxy trap on that read, it could run code in
 * that window: a state once kept under a symbol-keyed own property let a
 * getter dispose the store right there, after which the iterator was made
 * anyway and read the destroyed store (a borrow outliving what it borrows).
 * So a resource object has no own property at all, and whatever JS defines
 * on it or on its prototype chain never runs during a call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { KV } from '../support/kv-call-plan.ts';

interface Iter {
  next(): [string, string] | undefined;
  [Symbol.dispose](): void;
}
interface Store {
  put(k: string, v: string): string | undefined;
  iter(): Iter;
  [Symbol.dispose](): void;
}

const loaded: Plugin[] = [];
afterEach(async () => {
  for (const p of loaded.splice(0)) await p.unload();
});

async function kvStore(): Promise<{ Store: new () => Store; store: Store }> {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  loaded.push(plugin);
  const { Store } = plugin.exports[KV] as { Store: new () => Store };
  const store = new Store();
  store.put('a', '1');
  return { Store, store };
}

describe('a resource object keeps its state out of reach of JS', () => {
  it('has no own property, string- or symbol-keyed, that JS could read or redefine', async () => {
    const { store } = await kvStore();
    const iter = store.iter();
    expect(Reflect.ownKeys(store)).toEqual([]);
    expect(Reflect.ownKeys(iter)).toEqual([]);
    iter[Symbol.dispose]();
  });

  it('runs no getter JS put on the object or its prototype chain while a call reads its state, so the iterator borrows a live store', async () => {
    const { Store, store } = await kvStore();
    const ran: string[] = [];
    // A getter in place of every own property the object has (none, if the state is out of reach) and under a
    // symbol of our own on the object and its class's prototype: each disposes the store when it runs (the attack
    // above), then answers what the property held.
    const trap = (where: object, keys: readonly (string | symbol)[]): void => {
      for (const key of keys) {
        const held: unknown = (where as Record<string | symbol, unknown>)[key];
        let inside = false;
        Object.defineProperty(where, key, {
          configurable: true,
          get() {
            if (!inside) {
              inside = true;
              ran.push(String(key));
              try {
                store[Symbol.dispose]();
              } finally {
                inside = false;
              }
            }
            return held;
          },
        });
      }
    };
    trap(store, [...Reflect.ownKeys(store), Symbol('state')]);
    trap(Store.prototype, [Symbol('state')]);
    const iter = store.iter();
    // What the call plan reads runs none of them; the store stays borrowed by the iterator as Rust requires.
    expect(ran).toEqual([]);
    expect(iter.next()).toEqual(['a', '1']);
    expect(() => store[Symbol.dispose]()).toThrow(expect.objectContaining({ name: 'BorrowError' }));
    iter[Symbol.dispose]();
    store[Symbol.dispose]();
  });
});
