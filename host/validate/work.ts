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
