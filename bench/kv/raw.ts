/**
 * The raw column for kv: the kv component's own core module (the Rust code
 * with its wit-bindgen glue and the rdylib slot guards) instantiated alone and
 * called with hand-written glue specialised to the five calls the workloads
 * make. This is the limit a component host can approach: the guest's own
 * work plus the minimum the canonical ABI asks of any host.
 *
 * How the component wires its main core module, and what is done here instead:
 * - imports `[export]rdylib-guest:kv/kv@0.1.0` `[resource-new|rep|drop]<r>`:
 *   one array from handle to rep with a free list (the smallest handle table
 *   that keeps own-handle semantics); a drop runs the resource's `[dtor]`;
 * - imports `$root` `rdylib-panic` (the SDK reports a panic or a borrow
 *   violation there, then traps): decoded and thrown;
 * - a `borrow<store>` argument is lowered as the rep (the callee defines the
 *   resource), strings are copied in through `cabi_realloc` with exact sizes,
 *   `option<...>` results are read from the return area and the export's
 *   `cabi_post_*` is called after, as the canonical ABI requires.
 * The component's two small shim modules only route the lowered imports
 * through a table so they can be bound after the main module exists; calling
 * the imports directly needs no such indirection.
 */
import { coreModuleExporting } from '../core-modules.ts';
import { HandleTable, mapAnchor } from '../raw-handles.ts';
import { loadUtf8, MemoryViews, panicImport, type Realloc1, storeUtf8 } from '../raw-strings.ts';
import type { KvApi, KvIter, KvStore } from './api.ts';

const I = 'rdylib-guest:kv/kv@0.1.0';

interface KvCore {
  memory: WebAssembly.Memory;
  cabi_realloc(orig: number, origSize: number, align: number, size: number): number;
  [name: string]: unknown;
}

type Fn<P extends number[], R> = (...args: P) => R;

export function kvCoreModule(component: Uint8Array): WebAssembly.Module {
  return coreModuleExporting(component, `${I}#[constructor]store`);
}

export async function instantiateRawKv(module: WebAssembly.Module): Promise<KvApi> {
  const reps = new HandleTable<number>();
  const dtors = new Map<string, (rep: number) => void>();
  const newHandle = (rep: number): number => reps.add(rep);
  const takeHandle = (handle: number): number => reps.take(handle);

  let memory: WebAssembly.Memory | undefined;
  const resourceImports: Record<string, (n: number) => number | void> = {};
  for (const r of ['store', 'iter', 'entry', 'entries', 'batch', 'guard']) {
    resourceImports[`[resource-new]${r}`] = newHandle;
    resourceImports[`[resource-rep]${r}`] = (handle) => reps.get(handle);
    resourceImports[`[resource-drop]${r}`] = (handle) => dtors.get(r)!(takeHandle(handle));
  }
  const instance = await WebAssembly.instantiate(module, {
    $root: panicImport(() => memory!),
    [`[export]${I}`]: resourceImports,
  });
  const core = instance.exports as unknown as KvCore;
  memory = core.memory;
  const mem = core.memory;
  const fn = <P extends number[], R>(name: string): Fn<P, R> => {
    const f = core[name];
    if (typeof f !== 'function') throw new Error(`the kv core module does not export ${name}`);
    return f as Fn<P, R>;
  };
  for (const r of ['store', 'iter', 'entry', 'entries', 'batch', 'guard']) dtors.set(r, fn(`${I}#[dtor]${r}`));

  const storeNew = fn<[], number>(`${I}#[constructor]store`);
  const storePut = fn<[number, number, number, number, number], number>(`${I}#[method]store.put`);
  const storePutPost = fn<[number], void>(`cabi_post_${I}#[method]store.put`);
  const storeGet = fn<[number, number, number], number>(`${I}#[method]store.get`);
  const storeGetPost = fn<[number], void>(`cabi_post_${I}#[method]store.get`);
  const storeLen = fn<[number], number>(`${I}#[method]store.len`);
  const storeIter = fn<[number], number>(`${I}#[method]store.iter`);
  const iterNext = fn<[number], number>(`${I}#[method]iter.next`);
  const iterNextPost = fn<[number], void>(`cabi_post_${I}#[method]iter.next`);
  const dropStore = dtors.get('store')!;
  const dropIter = dtors.get('iter')!;

  const realloc: Realloc1 = (orig, origSize, newSize) => core.cabi_realloc(orig, origSize, 1, newSize);
  const views = new MemoryViews(mem);

  /** option<string> in a return area: discriminant byte, then (ptr, len). */
  const liftOptionString = (ret: number): string | undefined => {
    const dv = views.dataView();
    return dv.getUint8(ret) === 0 ? undefined : loadUtf8(views, dv.getUint32(ret + 4, true), dv.getUint32(ret + 8, true));
  };

  class RawIter implements KvIter {
    static readonly #mapAnchor = mapAnchor(new RawIter(0));
    #handle: number;
    constructor(handle: number) {
      this.#handle = handle;
    }
    next(): [string, string] | undefined {
      const ret = iterNext(reps.get(this.#handle));
      const dv = views.dataView();
      // option<tuple<string, string>>: discriminant byte, then two (ptr, len) pairs.
      const entry: [string, string] | undefined =
        dv.getUint8(ret) === 0
          ? undefined
          : [loadUtf8(views, dv.getUint32(ret + 4, true), dv.getUint32(ret + 8, true)), loadUtf8(views, dv.getUint32(ret + 12, true), dv.getUint32(ret + 16, true))];
      iterNextPost(ret);
      return entry;
    }
    [Symbol.dispose](): void {
      if (this.#handle === 0) return;
      const handle = this.#handle;
      this.#handle = 0;
      dropIter(takeHandle(handle));
    }
  }

  class RawStore implements KvStore {
    static readonly #mapAnchor = mapAnchor(new RawStore());
    #handle: number;
    constructor() {
      this.#handle = storeNew();
    }
    put(key: string, value: string): string | undefined {
      const rep = reps.get(this.#handle);
      const [kp, kl] = storeUtf8(views, realloc, key);
      const [vp, vl] = storeUtf8(views, realloc, value);
      const ret = storePut(rep, kp, kl, vp, vl);
      const old = liftOptionString(ret);
      storePutPost(ret);
      return old;
    }
    get(key: string): string | undefined {
      const rep = reps.get(this.#handle);
      const [kp, kl] = storeUtf8(views, realloc, key);
      const ret = storeGet(rep, kp, kl);
      const value = liftOptionString(ret);
      storeGetPost(ret);
      return value;
    }
    len(): number {
      return storeLen(reps.get(this.#handle)) >>> 0;
    }
    iter(): KvIter {
      return new RawIter(storeIter(reps.get(this.#handle)));
    }
    [Symbol.dispose](): void {
      if (this.#handle === 0) return;
      const handle = this.#handle;
      this.#handle = 0;
      dropStore(takeHandle(handle));
    }
  }

  return { Store: RawStore };
}
