/**
 * The kv workloads (issue 15), written once against `KvApi`: what a user of
 * the kv example plugin does, rather than one call in isolation. Each checks
 * its results in full before it is timed.
 */
import { expectEqual } from '../check.ts';
import type { Target } from '../suite.ts';
import type { SyncCase } from '../sync-section.ts';
import { consume } from '../timing.ts';
import type { KvApi, KvStore } from './api.ts';

/** The workloads' size in the bench (bench.test.ts checks smaller ones). */
export const KV_ENTRIES = 10_000;

const VS_RAW: Target = { kind: 'ours/raw', atMost: 1.5 };
const VS_JCO: Target = { kind: 'jco/ours', atLeast: 10 };
const TARGETS: readonly Target[] = [VS_RAW, VS_JCO];

/** Iterates a store through its borrowed iterator; returns the number of entries seen. */
function iterate(store: KvStore): number {
  const iter = store.iter();
  let n = 0;
  while (iter.next() !== undefined) n++;
  iter[Symbol.dispose]();
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` as a string decoded from bytes, as an application's keys and values
 * read from a file or a request are: one flat sequence in V8. A template
 * literal of 13 or more characters makes a concatenation (a ConsString)
 * instead; the first read flattens it, yet each later read of its
 * characters takes one more hop until a garbage collection shortcuts it, so
 * the cost of storing it moved with the collector's timing, not the code:
 * up to ~700 instructions per put+get (~5% of raw) between runs of
 * identical code (callgrind: 300 KiB of garbage allocated first moved one
 * build's string store from 2,389 to 3,122 instructions per put+get).
 * `%DebugPrint` (node --allow-natives-syntax) shows the two types:
 * CONS_ONE_BYTE_STRING_TYPE for the literal, ONE_BYTE_STRING_TYPE decoded.
 */
function asRead(text: string): string {
  return decoder.decode(encoder.encode(text));
}

/** The five kv workloads over `entries` entries. */
export function kvCases(entries: number): SyncCase<KvApi>[] {
  // Zero-padded so that key order, insertion order and the BTreeMap's order agree.
  const keys: readonly string[] = Array.from({ length: entries }, (_, i) => asRead(`key-${String(i).padStart(6, '0')}`));
  const values: readonly string[] = Array.from({ length: entries }, (_, i) => asRead(`value ${i} of the kv workload`));
  const count = entries.toLocaleString('en');

  const putAll = (store: KvStore): void => {
    for (let i = 0; i < entries; i++) store.put(keys[i]!, values[i]!);
  };
  const filled = (api: KvApi): KvStore => {
    const store = new api.Store();
    putAll(store);
    return store;
  };

  return [
    {
      name: `kv: ${count} puts`,
      targets: TARGETS,
      prepare(api) {
        const store = filled(api);
        expectEqual(store.len(), entries, `len() after ${entries} puts`);
        for (let i = 0; i < entries; i += 97) expectEqual(store.get(keys[i]!), values[i], `get(${keys[i]})`);
        expectEqual(store.get('absent'), undefined, 'get of an absent key');
        expectEqual(store.put(keys[7]!, 'new'), values[7], 'put over an existing key (returns the old value)');
        store[Symbol.dispose]();
        return () => {
          const s = new api.Store();
          putAll(s);
          s[Symbol.dispose]();
        };
      },
    },
    {
      name: `kv: ${count} puts + ${count} gets`,
      targets: TARGETS,
      prepare(api) {
        const store = filled(api);
        for (let i = 0; i < entries; i++) expectEqual(store.get(keys[i]!), values[i], `get(${keys[i]})`);
        store[Symbol.dispose]();
        return () => {
          const s = new api.Store();
          putAll(s);
          let length = 0;
          for (let i = 0; i < entries; i++) length += s.get(keys[i]!)!.length;
          consume(length);
          s[Symbol.dispose]();
        };
      },
    },
    {
      name: `kv: iterate ${count} entries`,
      targets: TARGETS,
      prepare(api) {
        const store = filled(api);
        const iter = store.iter();
        for (let i = 0; i < entries; i++) expectEqual(iter.next(), [keys[i], values[i]], `iter.next() #${i}`);
        expectEqual(iter.next(), undefined, 'iter.next() past the end');
        iter[Symbol.dispose]();
        expectEqual(iterate(store), entries, 'a full iteration');
        // The store lives as long as the timed op.
        return () => consume(iterate(store));
      },
    },
    {
      name: 'kv: store create+drop',
      targets: TARGETS,
      prepare(api) {
        const probe = new api.Store();
        expectEqual(probe.len(), 0, 'len() of a new store');
        probe[Symbol.dispose]();
        return () => new api.Store()[Symbol.dispose]();
      },
    },
    {
      name: `kv: len() of ${count} entries`,
      targets: TARGETS,
      prepare(api) {
        const store = filled(api);
        expectEqual(store.len(), entries, 'len()');
        return () => consume(store.len());
      },
    },
  ];
}

export const KV_CASES: readonly SyncCase<KvApi>[] = kvCases(KV_ENTRIES);
