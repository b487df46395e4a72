/**
 * The call plan's no-loan check (host/rdylib/call-plan.ts `checkSingle`): a
 * plugin without imports (nothing can run during its calls, so no loans are
 * made) calling a function whose one handle sits at the top level. A handle
 * whose record cannot refuse the use is passed without building a use; the
 * refusals must be exactly those of the collecting path (the plan of a
 * plugin that calls out, given one argument more), message included.
 */
import { describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { KV, outcome, planOf } from '../support/kv-call-plan.ts';

interface Store {
  put(k: string, v: string): unknown;
  iter(): { [Symbol.dispose](): void };
  [Symbol.dispose](): void;
}

type Route = 'no loan' | 'collecting';

/** kv's `name` with its call plan (no loans, or the collecting path of a plugin that calls out), its call replaced by a counter. */
function ruled(plugin: Plugin, name: string, route: Route, calls: { n: number }): (...args: unknown[]) => unknown {
  const f = planOf(plugin, name, route === 'collecting', () => ++calls.n);
  return route === 'no loan' ? f : (...args: unknown[]) => f(...args, 'one more');
}

async function same(scenario: (plugin: Plugin, store: Store, route: Route) => unknown): Promise<unknown> {
  const seen: unknown[] = [];
  for (const route of ['no loan', 'collecting'] as const) {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const store = new ((plugin.exports[KV] as { Store: new () => Store }).Store)();
    seen.push(scenario(plugin, store, route));
    await plugin.unload();
  }
  expect(seen[0]).toEqual(seen[1]);
  return seen[0];
}

describe('call plan: the no-loan check refuses exactly what the collecting path refuses', () => {
  it('a handle with a dependent: &self goes on, &mut self and a move are refused before the call, and go on once it is dropped', async () => {
    const seen = await same((plugin, store, route) => {
      const calls = { n: 0 };
      const len = ruled(plugin, '[method]store.len', route, calls);
      const put = ruled(plugin, '[method]store.put', route, calls);
      const intoPairs = ruled(plugin, '[static]store.into-pairs', route, calls);
      const it = store.iter();
      const during = { shared: outcome(() => len(store)), exclusive: outcome(() => put(store)), move: outcome(() => intoPairs(store)), calls: calls.n };
      it[Symbol.dispose]();
      return { during, after: { exclusive: outcome(() => put(store)), move: outcome(() => intoPairs(store)) } };
    });
    expect(seen).toMatchObject({
      during: {
        shared: { value: 1 },
        exclusive: { threw: 'BorrowError', message: expect.stringMatching(/^cannot borrow mutably store #\d+ \(self of `\[method\]store\.put`\): it is borrowed by iter #\d+ \(shared\)/) },
        move: { threw: 'BorrowError', message: expect.stringMatching(/^cannot move store #\d+ .*borrowed by iter #\d+ \(shared\)/) },
        calls: 1,
      },
      after: { exclusive: { value: 2 }, move: { value: 3 } },
    });
  });

  it('the dependent itself (a record with parents but no loans) is used freely, and a lent-out store still refuses', async () => {
    const seen = await same((plugin, store, route) => {
      const calls = { n: 0 };
      const next = ruled(plugin, '[method]iter.next', route, calls);
      const put = ruled(plugin, '[method]store.put', route, calls);
      const a = store.iter();
      const b = store.iter();
      const r = { next: [outcome(() => next(a)), outcome(() => next(b)), outcome(() => next(a))], put: outcome(() => put(store)) };
      a[Symbol.dispose]();
      const stillB = outcome(() => put(store));
      b[Symbol.dispose]();
      return { ...r, stillB, free: outcome(() => put(store)) };
    });
    expect(seen).toMatchObject({
      next: [{ value: 1 }, { value: 2 }, { value: 3 }],
      put: { threw: 'BorrowError' },
      stillB: { threw: 'BorrowError', message: expect.stringMatching(/borrowed by iter #\d+ \(shared\)/) },
      free: { value: 4 },
    });
  });
});
