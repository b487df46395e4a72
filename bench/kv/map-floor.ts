/**
 * The floor for the kv workloads: the same store shape over a JS `Map`, no
 * plugin and no boundary. Keys are kept in insertion order, not sorted as the
 * plugin's BTreeMap keeps them; the workloads insert keys in sorted order, so
 * iteration visits them in the same order.
 */
import type { KvApi, KvIter, KvStore } from './api.ts';

class MapIter implements KvIter {
  #entries: MapIterator<[string, string]> | undefined;
  constructor(map: Map<string, string>) {
    this.#entries = map.entries();
  }
  next(): [string, string] | undefined {
    const step = this.#entries?.next();
    return step === undefined || step.done === true ? undefined : step.value;
  }
  [Symbol.dispose](): void {
    this.#entries = undefined;
  }
}

class MapStore implements KvStore {
  #map = new Map<string, string>();
  put(key: string, value: string): string | undefined {
    const old = this.#map.get(key);
    this.#map.set(key, value);
    return old;
  }
  get(key: string): string | undefined {
    return this.#map.get(key);
  }
  len(): number {
    return this.#map.size;
  }
  iter(): KvIter {
    return new MapIter(this.#map);
  }
  [Symbol.dispose](): void {
    this.#map.clear();
  }
}

export const mapFloor: KvApi = { Store: MapStore };
