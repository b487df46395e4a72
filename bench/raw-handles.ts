/**
 * The smallest handle table that keeps own-handle semantics, for the raw
 * columns: handle -> rep (or a host object), 0 never used, freed handles reused.
 */
export class HandleTable<T> {
  readonly #entries: (T | undefined)[] = [undefined];
  readonly #free: number[] = [];

  add(value: T): number {
    const handle = this.#free.pop() ?? this.#entries.length;
    this.#entries[handle] = value;
    return handle;
  }

  get(handle: number): T {
    return this.#entries[handle]!;
  }

  /** Frees the handle; returns what it held. */
  take(handle: number): T {
    const value = this.#entries[handle]!;
    this.#entries[handle] = undefined;
    this.#free.push(handle);
    return value;
  }
}
