/**
 * The JS shape of the kv example's store and iterator, in jco's value
 * conventions (option as value-or-undefined, tuples as arrays, resources as
 * classes with `[Symbol.dispose]`). Every kv column (ours, raw, jco and the
 * JS `Map` floor) presents it, so each workload is written once.
 */

export const KV_INTERFACE = 'rdylib-guest:kv/kv@0.1.0';

export interface KvIter {
  next(): [string, string] | undefined;
  [Symbol.dispose](): void;
}

export interface KvStore {
  put(key: string, value: string): string | undefined;
  get(key: string): string | undefined;
  len(): number;
  /** Borrows the store (shared) until the iterator is disposed. */
  iter(): KvIter;
  [Symbol.dispose](): void;
}

export interface KvApi {
  Store: new () => KvStore;
}

/** Checks at runtime that a value loaded from elsewhere has the kv shape. */
export function asKvApi(value: unknown, where: string): KvApi {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where}: expected the ${KV_INTERFACE} interface object, got ${String(value)}`);
  const Store = (value as Record<string, unknown>)['Store'];
  if (typeof Store !== 'function') throw new TypeError(`${where}: export Store is missing or not a class`);
  for (const method of ['put', 'get', 'len', 'iter']) {
    if (typeof (Store.prototype as Record<string, unknown>)[method] !== 'function') throw new TypeError(`${where}: Store.${method} is missing`);
  }
  return value as KvApi;
}
