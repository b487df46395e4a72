/**
 * A typed host for the kv plugin, written against the declarations generated
 * from it (build/bindings/kv.d.ts). test/bindings type-checks it with tsc,
 * then runs it against the real plugin, in process and in a worker: the
 * values it gets back are the ones the declarations promise.
 */
import { load, ResultError } from '../../../host/index.ts';
import type { Bindings, Kv } from '../../../build/bindings/kv.js';

export interface KvRun {
  readonly writes: bigint;
  readonly first: [string, string] | undefined;
  readonly value: string | undefined;
  readonly batchError: string | undefined;
  readonly pairs: Array<[string, string]>;
  readonly counted: number;
}

/** `reference`: the build the declarations were generated from; `source` may be a later one `expect` accepts. */
export async function runKvInProcess(source: Uint8Array | string, reference: string): Promise<KvRun> {
  const plugin = await load<Bindings>(source, { name: 'kv', expect: reference });
  const kv: Kv.Exports = plugin.exports.kv;
  const store = new kv.Store();
  store.put('apple', '1');
  store.put('avocado', '2');
  const writes: bigint = store.writes();
  const iter: Kv.Iter = store.iter();
  const first = iter.next();
  iter[Symbol.dispose]();
  const entry = store.entry('apple');
  const value = entry?.value();
  entry?.[Symbol.dispose]();
  let batchError: string | undefined;
  try {
    store.batchIfUnchanged(writes + 1n)[Symbol.dispose]();
  } catch (e) {
    if (!(e instanceof ResultError)) throw e;
    batchError = (e as ResultError<Kv.Errors['Store.batchIfUnchanged']>).payload;
  }
  const other = kv.Store.fromPairs([['apricot', '3']]);
  const counted = kv.countPrefix(other, 'a') + kv.countPrefix(store, 'a');
  other[Symbol.dispose]();
  const pairs = kv.Store.intoPairs(store);
  await plugin.unload();
  return { writes, first, value, batchError, pairs, counted };
}

export async function runKvInWorker(path: string): Promise<KvRun> {
  const plugin = await load<Bindings>(path, { name: 'kv', isolate: 'worker' });
  const kv: Kv.Isolated.Exports = plugin.exports['rdylib-guest:kv/kv'];
  const store = await new kv.Store();
  await store.put('apple', '1');
  await store.put('avocado', '2');
  const writes = await store.writes();
  const iter: Kv.Isolated.Iter = await store.iter();
  const first = await iter.next();
  await iter[Symbol.asyncDispose]();
  const entry = await store.entry('apple');
  const value = await entry?.value();
  await entry?.[Symbol.asyncDispose]();
  let batchError: string | undefined;
  try {
    await (await store.batchIfUnchanged(writes + 1n))[Symbol.asyncDispose]();
  } catch (e) {
    if (!(e instanceof ResultError)) throw e;
    batchError = (e as ResultError<Kv.Errors['Store.batchIfUnchanged']>).payload;
  }
  const other = await kv.Store.fromPairs([['apricot', '3']]);
  const counted = (await kv.countPrefix(other, 'a')) + (await kv.countPrefix(store, 'a'));
  await other[Symbol.asyncDispose]();
  const pairs = await kv.Store.intoPairs(store);
  plugin.unload();
  return { writes, first, value, batchError, pairs, counted };
}
