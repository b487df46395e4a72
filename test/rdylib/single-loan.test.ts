/**
 * The call plan's single-loan path (host/rdylib/call-plan.ts): a plugin
 * with imports (`callsOut`) calling a method whose one handle is borrowed
 * (`&self`, `&mut self`) makes that one loan without collecting, when
 * nothing refuses it. It must refuse exactly what the collecting path
 * refuses and leave the same loans. Each scenario runs on the kv plugin's
 * real section entries and handles twice: called with the declared number
 * of arguments (the single-loan path) and with one more (which the plan
 * sends to the collecting path; the stand-in call ignores it).
 */
import { describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { KV, outcome, planOf } from '../support/kv-call-plan.ts';

interface Store {
  get(k: string): string | undefined;
  put(k: string, v: string): unknown;
  len(): number;
  iter(): { [Symbol.dispose](): void };
  [Symbol.dispose](): void;
}

type Route = 'single loan' | 'collecting';

/** kv's `name` with the call plan of a plugin that calls out, its call replaced by `during` (run while the call's loans are held). */
function ruled(plugin: Plugin, name: string, route: Route, during: () => unknown): (...args: unknown[]) => unknown {
  const f = planOf(plugin, name, true, () => during());
  return route === 'single loan' ? f : (...args: unknown[]) => f(...args, 'one more');
}

async function kv(): Promise<{ plugin: Plugin; store: Store }> {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
  return { plugin, store };
}

/** Every borrower of every live handle of `plugin` (`plugin.handles()`). */
function borrowersOf(plugin: Plugin): unknown[] {
  return plugin.handles().flatMap((h) => h.borrowers);
}

/** What `scenario` saw on each route; expected to be the same. */
async function same(scenario: (plugin: Plugin, store: Store, route: Route) => unknown): Promise<unknown> {
  const seen: unknown[] = [];
  for (const route of ['single loan', 'collecting'] as const) {
    const { plugin, store } = await kv();
    seen.push(await scenario(plugin, store, route));
  }
  expect(seen[0]).toEqual(seen[1]);
  return seen[0];
}

describe('call plan: the single-loan path keeps every rule of the collecting path', () => {
  it('&mut self: the handle is lent exclusively while the call runs, and only then', async () => {
    const seen = await same((plugin, store, route) => {
      const put = ruled(plugin, '[method]store.put', route, () => ({ len: outcome(() => store.len()), put: outcome(() => store.put('a', 'b')) }));
      return { during: put(store), after: outcome(() => store.len()) };
    });
    expect(seen).toMatchObject({
      during: { len: { threw: 'BorrowError', message: expect.stringMatching(/\[method\]store\.put` \(in progress\) \(exclusive\)/) }, put: { threw: 'BorrowError' } },
      after: { value: 0 },
    });
  });

  it('&self: shared uses go on while it runs, exclusive ones are refused', async () => {
    const seen = await same((plugin, store, route) => {
      const len = ruled(plugin, '[method]store.len', route, () => ({ get: outcome(() => store.get('x')), put: outcome(() => store.put('a', 'b')) }));
      return { during: len(store), after: outcome(() => store.put('a', 'b')) };
    });
    expect(seen).toMatchObject({ during: { get: { value: undefined }, put: { threw: 'BorrowError' } }, after: { value: undefined } });
  });

  it('a handle with a dependent: &self goes on beside it, &mut self is refused before the call', async () => {
    const seen = await same((plugin, store, route) => {
      const it = store.iter();
      let calls = 0;
      const len = ruled(plugin, '[method]store.len', route, () => ++calls);
      const put = ruled(plugin, '[method]store.put', route, () => ++calls);
      const r = { shared: outcome(() => len(store)), exclusive: outcome(() => put(store)), calls };
      it[Symbol.dispose]();
      return { ...r, afterDrop: outcome(() => put(store)) };
    });
    expect(seen).toMatchObject({
      shared: { value: 1 },
      exclusive: { threw: 'BorrowError', message: expect.stringMatching(/borrowed by iter #\d+ \(shared\)/) },
      calls: 1,
      afterDrop: { value: 2 },
    });
  });

  it('nested calls on one handle: shared inside shared goes on, each ends only its own loan', async () => {
    const seen = await same((plugin, store, route) => {
      const log: unknown[] = [];
      let inner: (...a: unknown[]) => unknown = () => undefined;
      const outer = ruled(plugin, '[method]store.len', route, () => {
        log.push(inner(store));
        log.push(outcome(() => store.put('a', 'b'))); // the outer loan still holds
        return 'outer';
      });
      inner = ruled(plugin, '[method]store.get', route, () => outcome(() => store.put('a', 'b')));
      return { r: outer(store), log, after: outcome(() => store.put('a', 'b')) };
    });
    expect(seen).toMatchObject({ r: 'outer', log: [{ threw: 'BorrowError' }, { threw: 'BorrowError' }], after: { value: undefined } });
  });

  // The single-loan path lends every call of one plan the same loan object: nested calls of one
  // method on one handle then hold equal entries, and each must still hold one of its own.
  it('one method nested on one handle: each call holds a loan, and ending one leaves the other', async () => {
    const seen = await same((plugin, store, route) => {
      const log: unknown[] = [];
      let depth = 0;
      const len = ruled(plugin, '[method]store.len', route, () => {
        depth++;
        if (depth === 1) log.push({ inner: len(store) });
        log.push({ depth, borrowers: borrowersOf(plugin), put: outcome(() => store.put('a', 'b')) });
        return depth--;
      });
      return { r: len(store), log, after: borrowersOf(plugin), put: outcome(() => store.put('a', 'b')) };
    });
    const call = { kind: 'call', call: '`[method]store.len` (in progress)', mode: 'shared' };
    expect(seen).toMatchObject({
      r: 1,
      log: [
        { depth: 2, borrowers: [call, call], put: { threw: 'BorrowError' } },
        { inner: 2 },
        { depth: 1, borrowers: [call], put: { threw: 'BorrowError' } },
      ],
      after: [],
      put: { value: undefined },
    });
  });

  it('one exclusive method re-entered on one handle: refused, and the outer loan holds until it returns', async () => {
    const seen = await same((plugin, store, route) => {
      const log: unknown[] = [];
      let depth = 0;
      const put = ruled(plugin, '[method]store.put', route, () => {
        depth++;
        if (depth === 1 && log.length === 0) log.push({ inner: outcome(() => put(store)), borrowers: borrowersOf(plugin) });
        return depth--;
      });
      return { r: outcome(() => put(store)), log, after: borrowersOf(plugin), again: outcome(() => put(store)) };
    });
    expect(seen).toMatchObject({
      r: { value: 1 },
      log: [{ inner: { threw: 'BorrowError', message: expect.stringMatching(/\[method\]store\.put` \(in progress\) \(exclusive\)/) }, borrowers: [{ kind: 'call', mode: 'exclusive' }] }],
      after: [],
      again: { value: 1 },
    });
  });

  it('one method nested on one handle, the inner call throwing: only its loan ends', async () => {
    const seen = await same((plugin, store, route) => {
      const log: unknown[] = [];
      let depth = 0;
      const len = ruled(plugin, '[method]store.len', route, () => {
        depth++;
        try {
          if (depth === 2) throw new Error('inner failed');
          log.push(outcome(() => len(store)));
          log.push({ borrowers: borrowersOf(plugin), put: outcome(() => store.put('a', 'b')) });
          return depth;
        } finally {
          depth--;
        }
      });
      return { r: len(store), log, after: borrowersOf(plugin) };
    });
    expect(seen).toMatchObject({
      r: 1,
      log: [{ threw: 'Error', message: 'inner failed' }, { borrowers: [{ kind: 'call', mode: 'shared' }], put: { threw: 'BorrowError' } }],
      after: [],
    });
  });

  it('a call that throws ends its loan', async () => {
    const seen = await same((plugin, store, route) => {
      const put = ruled(plugin, '[method]store.put', route, () => {
        throw new Error('guest failed');
      });
      return { r: outcome(() => put(store)), after: outcome(() => store.put('a', 'b')) };
    });
    expect(seen).toMatchObject({ r: { threw: 'Error', message: 'guest failed' }, after: { value: undefined } });
  });

  it('a disposed handle and a plain object reach the call unchecked, for lowering to refuse', async () => {
    const seen = await same((plugin, store, route) => {
      let calls = 0;
      const len = ruled(plugin, '[method]store.len', route, () => ++calls);
      store[Symbol.dispose]();
      return { disposed: outcome(() => len(store)), plain: outcome(() => len({})), calls };
    });
    expect(seen).toMatchObject({ disposed: { value: 1 }, plain: { value: 2 }, calls: 2 });
  });
});
