/**
 * Counts the steps validation takes over types (nodes sized, substituted,
 * compared, walked), so tests can hold validation cost to the input's size
 * without timing anything. Validation is synchronous, so one counter serves
 * the component being validated; `validateComponent` resets it and records
 * the total on its result.
 */
let units = 0;

export function countWork(n = 1): void {
  units += n;
}

/**
 * Starts a validation: the counter from 0 and every memo table empty. A
 * table holds one validation's types (and what the runtime asks of them
 * until the next validation starts): module-lifetime WeakMaps kept every
 * load's entries until a major GC, and a set into such an ephemeron table
 * cost ~1.4 µs, 10% of a cold kv load, plus the GC's work on the table.
 */
export function resetWork(): void {
  units = 0;
  for (const t of tables) t.clear();
}

export function workDone(): number {
  return units;
}

/** Results computed per type object, dropped when the next validation starts (`resetWork`). */
export class MemoTable<K extends object, V> {
  #entries = new WeakMap<K, V>();

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    this.#entries.set(key, value);
  }

  /** A fresh table rather than deletes: the old one goes with its types. */
  clear(): void {
    this.#entries = new WeakMap();
  }
}

const tables: MemoTable<object, unknown>[] = [];

/** A memo table for `memoised`, emptied whenever a validation starts. */
export function memoTable<K extends object, V>(): MemoTable<K, V> {
  const table = new MemoTable<K, V>();
  tables.push(table as MemoTable<object, unknown>);
  return table;
}

/**
 * The value `cache` holds for `key`, computing (and counting) it the first
 * time. Validation's walks over types go through this, so each type object
 * is visited once however many times it is shared.
 */
export function memoised<K extends object, V>(cache: MemoTable<K, V>, key: K, compute: (key: K) => V): V {
  // One lookup on a hit (this is on every type walk of every load); `has` only tells a stored undefined apart.
  const known = cache.get(key);
  if (known !== undefined || cache.has(key)) return known as V;
  units++;
  const value = compute(key);
  cache.set(key, value);
  return value;
}
