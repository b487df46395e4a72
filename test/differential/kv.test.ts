/**
 * Differential: the `kv` example driven by the same fast-check sequences of
 * operations through our runtime and through jco. Every step's observable
 * result is logged; the logs, and the final contents of the store, must be
 * equal. Borrow violations the plugin detects are compared separately, one
 * fresh pair of instances per violation (a trapped instance is not reused).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unicodeString } from './arbitraries.ts';
import { expectSameReturns, pair } from './hosts.ts';
import type { Outcome } from './normalise.ts';

interface Disposable {
  [Symbol.dispose](): void;
}
interface Iter extends Disposable {
  next(): [string, string] | undefined;
  remaining(): number;
}
interface Guard extends Disposable {
  get(key: string): string | undefined;
  put(key: string, value: string): void;
  remove(key: string): string | undefined;
}
interface Batch extends Disposable {
  put(key: string, value: string): void;
}
interface Entry extends Disposable {
  key(): string;
  value(): string;
  valueLen(): number;
}
interface Entries extends Disposable {
  nextKey(): string | undefined;
}
interface Store extends Disposable {
  get(key: string): string | undefined;
  put(key: string, value: string): string | undefined;
  len(): number;
  isEmpty(): boolean;
  writes(): bigint;
  iter(): Iter;
  lock(): Guard;
  batchIfUnchanged(writes: bigint): Batch;
  entry(key: string): Entry | undefined;
}
interface Kv {
  Store: { new (): Store; intoPairs(s: Store): [string, string][]; fromPairs(p: [string, string][]): Store };
  Guard: { commit(g: Guard): number };
  Batch: { apply(b: Batch): number };
  countPrefix(store: Store, prefix: string): number;
  entriesFrom(store: Store, start: string): Entries;
  fail(message: string): number;
}

const IFACE = 'rdylib-guest:kv/kv@0.1.0';

// Few distinct keys, so puts overwrite and lookups hit; values any Unicode.
const key = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '🦀'), maxLength: 3 });
const value = unicodeString(12);

type GuardOp = { op: 'put'; k: string; v: string } | { op: 'get'; k: string } | { op: 'remove'; k: string };
type Step =
  | { op: 'put'; k: string; v: string }
  | { op: 'get'; k: string }
  | { op: 'len' }
  | { op: 'is-empty' }
  | { op: 'writes' }
  | { op: 'count-prefix'; p: string }
  | { op: 'iter'; take: number }
  | { op: 'entry'; k: string }
  | { op: 'lock'; ops: GuardOp[]; commit: boolean }
  | { op: 'batch'; stale: boolean; puts: [string, string][]; apply: boolean }
  | { op: 'entries-from'; start: string; take: number }
  | { op: 'into-and-from-pairs' };

const guardOp: fc.Arbitrary<GuardOp> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), k: key, v: value }),
  fc.record({ op: fc.constant('get' as const), k: key }),
  fc.record({ op: fc.constant('remove' as const), k: key }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), k: key, v: value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), k: key }) },
  fc.constant({ op: 'len' as const }),
  fc.constant({ op: 'is-empty' as const }),
  fc.constant({ op: 'writes' as const }),
  fc.record({ op: fc.constant('count-prefix' as const), p: key }),
  fc.record({ op: fc.constant('iter' as const), take: fc.nat(6) }),
  fc.record({ op: fc.constant('entry' as const), k: key }),
  fc.record({ op: fc.constant('lock' as const), ops: fc.array(guardOp, { maxLength: 5 }), commit: fc.boolean() }),
  fc.record({ op: fc.constant('batch' as const), stale: fc.boolean(), puts: fc.array(fc.tuple(key, value), { maxLength: 4 }), apply: fc.boolean() }),
  fc.record({ op: fc.constant('entries-from' as const), start: key, take: fc.nat(6) }),
  fc.constant({ op: 'into-and-from-pairs' as const }),
);

/**
 * Runs `steps` on one host's store; returns every observable result in
 * order. Handles made by a step are dropped (or consumed) within it, so no
 * step leaves a borrow behind.
 */
function run(kv: Kv, steps: readonly Step[]): unknown[] {
  const log: unknown[] = [];
  let store = new kv.Store();
  for (const s of steps) {
    switch (s.op) {
      case 'put':
        log.push(store.put(s.k, s.v));
        break;
      case 'get':
        log.push(store.get(s.k));
        break;
      case 'len':
        log.push(store.len());
        break;
      case 'is-empty':
        log.push(store.isEmpty());
        break;
      case 'writes':
        log.push(store.writes());
        break;
      case 'count-prefix':
        log.push(kv.countPrefix(store, s.p));
        break;
      case 'iter': {
        const it = store.iter();
        log.push(it.remaining());
        for (let i = 0; i < s.take; i++) log.push(it.next());
        log.push(it.remaining());
        it[Symbol.dispose]();
        break;
      }
      case 'entry': {
        const e = store.entry(s.k);
        log.push(e === undefined ? 'none' : [e.key(), e.value(), e.valueLen()]);
        e?.[Symbol.dispose]();
        break;
      }
      case 'lock': {
        const g = store.lock();
        for (const o of s.ops) {
          if (o.op === 'put') log.push(g.put(o.k, o.v));
          else if (o.op === 'get') log.push(g.get(o.k));
          else log.push(g.remove(o.k));
        }
        if (s.commit) log.push(kv.Guard.commit(g));
        else g[Symbol.dispose]();
        break;
      }
      case 'batch': {
        const expected = store.writes() + (s.stale ? 1n : 0n);
        let b: Batch;
        try {
          b = store.batchIfUnchanged(expected);
        } catch (e) {
          // A result error: ours a ResultError, jco a ComponentError, both with `.payload`.
          log.push({ err: (e as { payload?: unknown }).payload });
          break;
        }
        for (const [k, v] of s.puts) log.push(b.put(k, v));
        if (s.apply) log.push(kv.Batch.apply(b));
        else b[Symbol.dispose]();
        break;
      }
      case 'entries-from': {
        const e = kv.entriesFrom(store, s.start);
        for (let i = 0; i < s.take; i++) log.push(e.nextKey());
        e[Symbol.dispose]();
        break;
      }
      case 'into-and-from-pairs': {
        const pairs = kv.Store.intoPairs(store);
        log.push(pairs);
        store = kv.Store.fromPairs(pairs);
        break;
      }
    }
  }
  log.push({ final: kv.Store.intoPairs(store) });
  return log;
}

describe('kv: our runtime agrees with jco on sequences of operations', () => {
  it('the same steps give the same results and the same final store', async () => {
    const p = await pair<Kv>('kv', IFACE);
    // No step misuses a borrow, so neither host may trap.
    expectSameReturns(fc.array(step, { maxLength: 25 }), 150, p.jcoPlugin, (steps) => run(p.ours, steps), (steps) => run(p.jco, steps));
  });

  it('from-pairs with arbitrary (also duplicate) keys, then iteration and into-pairs', async () => {
    const p = await pair<Kv>('kv', IFACE);
    const drain = (kv: Kv, pairs: [string, string][]) => {
      const store = kv.Store.fromPairs(pairs);
      const it = store.iter();
      const seen: unknown[] = [store.len(), store.writes()];
      for (let e = it.next(); e; e = it.next()) seen.push(e);
      it[Symbol.dispose]();
      seen.push(kv.Store.intoPairs(store));
      return seen;
    };
    expectSameReturns(fc.array(fc.tuple(unicodeString(6), unicodeString(6)), { maxLength: 20 }), 150, p.jcoPlugin, (pairs) => drain(p.ours, pairs), (pairs) => drain(p.jco, pairs));
  });
});

/** A borrow the plugin refuses: `act` sets it up and makes the refused call. */
interface Violation {
  name: string;
  act: (kv: Kv) => unknown;
}
const violations: Violation[] = [
  { name: 'put while an iterator borrows the store', act: (kv) => { const s = new kv.Store(); s.iter(); return s.put('a', 'b'); } },
  { name: 'get while a guard holds the store', act: (kv) => { const s = new kv.Store(); s.lock(); return s.get('a'); } },
  { name: 'a second lock', act: (kv) => { const s = new kv.Store(); s.lock(); return s.lock(); } },
  { name: 'into-pairs while an iterator borrows the store', act: (kv) => { const s = new kv.Store(); s.iter(); return kv.Store.intoPairs(s); } },
  { name: 'put while an entry borrows the store', act: (kv) => { const s = kv.Store.fromPairs([['k', 'v']]); s.entry('k'); return s.put('k', 'w'); } },
  { name: 'get while a batch holds the store', act: (kv) => { const s = new kv.Store(); s.batchIfUnchanged(0n); return s.get('c'); } },
  { name: 'put while entries-from borrows the store', act: (kv) => { const s = new kv.Store(); kv.entriesFrom(s, ''); return s.put('z', 'z'); } },
];

describe('kv: both hosts report the same plugin-detected errors', () => {
  for (const v of violations) {
    it(`${v.name}: the same BorrowError`, async () => {
      const p = await pair<Kv>('kv', IFACE);
      const [o, j] = p.both(v.act);
      expect(o).toMatchObject({ kind: 'trap', error: 'BorrowError' });
      expect(o).toEqual(j);
    });
  }

  it('a panic with an arbitrary message: the same GuestPanicError (message and location)', async () => {
    await fc.assert(
      fc.asyncProperty(unicodeString(30), async (message) => {
        const p = await pair<Kv>('kv', IFACE);
        const [o, j]: [Outcome, Outcome] = p.both((kv) => kv.fail(message));
        expect(o).toMatchObject({ kind: 'trap', error: 'GuestPanicError' });
        expect(o).toEqual(j);
      }),
      { numRuns: 15 },
    );
  });
});
