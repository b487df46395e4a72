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

export function resetWork(): void {
  units = 0;
}

export function workDone(): number {
  return units;
}

/**
 * The value `cache` holds for `key`, computing (and counting) it the first
 * time. Validation's walks over types go through this, so each type object
 * is visited once however many times it is shared.
 */
export function memoised<K extends object, V>(cache: WeakMap<K, V>, key: K, compute: (key: K) => V): V {
  // One lookup on a hit (this is on every type walk of every load); `has` only tells a stored undefined apart.
  const known = cache.get(key);
  if (known !== undefined || cache.has(key)) return known as V;
  units++;
  const value = compute(key);
  cache.set(key, value);
  return value;
}
