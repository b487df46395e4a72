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

/**
 * Disposes `obj` and returns it, for a raw glue class to keep for as long as it lives (a static
 * field), never handed out: the class's hidden class then survives every forced GC. When JS holds
 * no object of a class, a full GC collects its map and V8 deoptimises the code compiled against it
 * ("weak objects"); the next calls run unoptimised. Our host keeps such an object per resource
 * class (GuestClassBinding in host/runtime/guest-resources.ts), so raw must too, or the bench would
 * bill raw a cost ours does not pay (bench/README.md, Method).
 */
export function mapAnchor<T extends Disposable>(obj: T): T {
  obj[Symbol.dispose]();
  return obj;
}
