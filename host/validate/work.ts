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

/**
 * Results computed per type object, dropped when the next validation starts
 * (`resetWork`). A result is never `undefined`, so one lookup tells a hit.
 */
export class MemoTable<K extends object, V extends {} | null> {
  #entries = new WeakMap<K, V>();

  /**
   * The value held for `key`, computing (and counting) it the first time.
   * Validation's walks over types go through this, so each type object is
   * visited once however many times it is shared. A method reaching the map
   * itself: cold loads run this mostly unoptimised, where each call through
   * `get`, `has` and `set` cost as much as the lookup.
   */
  memo<T extends K>(key: T, compute: (key: T) => V): V {
    const known = this.#entries.get(key);
    if (known !== undefined) return known;
    units++;
    const value = compute(key);
    this.#entries.set(key, value);
    return value;
  }

  /** A fresh table rather than deletes: the old one goes with its types. */
  clear(): void {
    this.#entries = new WeakMap();
  }
}

const tables: MemoTable<object, {} | null>[] = [];

/** A memo table, emptied whenever a validation starts. */
export function memoTable<K extends object, V extends {} | null>(): MemoTable<K, V> {
  const table = new MemoTable<K, V>();
  tables.push(table as unknown as MemoTable<object, {} | null>);
  return table;
}
