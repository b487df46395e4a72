/**
 * The raw baseline: the bench guest's core modules instantiated directly and
 * called with hand-written lowering and lifting specialised to each export.
 * No type checks, no generality: the floor any component host can approach.
 */
import type { BenchApi, Counter, Fields } from './api.ts';
import type { BenchGuest } from './guest.ts';
import { mapAnchor } from '../raw-handles.ts';
import { loadUtf8, MemoryViews, type Realloc1, storeUtf8 } from '../raw-strings.ts';

interface MemExports {
  memory: WebAssembly.Memory;
  realloc(orig: number, origSize: number, align: number, size: number): number;
  'drop-counter'(slot: number): void;
}

/** The bench guest's main core module's exports (the checked floor, floors/micro.ts, calls the same ones). */
export interface MainExports {
  add(a: number, b: number): number;
  echo(ptr: number, len: number): number;
  'echo-bytes'(ptr: number, len: number): number;
  'post-echo'(retptr: number): void;
  'echo-fields'(a: number, b: number, c: number, d: bigint, e: number, f: number, g: number, h: number): number;
  'counter-new'(start: number): number;
  'counter-increment'(slot: number, by: number): number;
  'counter-value'(slot: number): number;
}

export interface RawModules {
  readonly mem: WebAssembly.Module;
  readonly main: WebAssembly.Module;
}

/**
 * Compiled with the synchronous engine call our host uses too (`new
 * WebAssembly.Module`), so the load section's raw column is the limit: the
 * asynchronous API adds a task hop that a busy machine stretches far beyond
 * the compile itself.
 */
export async function compileRaw(guest: Pick<BenchGuest, 'memCore' | 'mainCore'>): Promise<RawModules> {
  return { mem: new WebAssembly.Module(guest.memCore), main: new WebAssembly.Module(guest.mainCore) };
}

/** Instantiated synchronously (`new WebAssembly.Instance`), as our host does; see compileRaw. */
export async function instantiateRaw(modules: RawModules): Promise<BenchApi> {
  const memInstance = new WebAssembly.Instance(modules.mem, {});
  const mem = memInstance.exports as unknown as MemExports;

  // The smallest handle table that keeps own-handle semantics: index -> rep.
  const reps: number[] = [0];
  const freeHandles: number[] = [];
  const counterNew = (rep: number): number => {
    const handle = freeHandles.pop() ?? reps.length;
    reps[handle] = rep;
    return handle;
  };

  const mainInstance = new WebAssembly.Instance(modules.main, {
    mem: { memory: mem.memory, 'reset-heap': memInstance.exports['reset-heap']!, 'alloc-slot': memInstance.exports['alloc-slot']! },
    res: { 'counter-new': counterNew },
  });
  const core = mainInstance.exports as unknown as MainExports;
  const memory = mem.memory;

  const views = new MemoryViews(memory);
  const realloc: Realloc1 = (orig, origSize, newSize) => mem.realloc(orig, origSize, 1, newSize);

  class RawCounter implements Counter {
    static readonly #mapAnchor = mapAnchor(new RawCounter(0));
    #handle: number;
    constructor(start: number) {
      this.#handle = core['counter-new'](start >>> 0);
    }
    increment(by: number): number {
      return core['counter-increment'](reps[this.#handle]!, by >>> 0) >>> 0;
    }
    value(): number {
      return core['counter-value'](reps[this.#handle]!) >>> 0;
    }
    [Symbol.dispose](): void {
      const handle = this.#handle;
      if (handle === 0) return;
      this.#handle = 0;
      const rep = reps[handle]!;
      freeHandles.push(handle);
      mem['drop-counter'](rep);
    }
  }

  return {
    add: (a, b) => core.add(a >>> 0, b >>> 0) >>> 0,

    echo(s: string): string {
      // Exact size, as definitions.py store_string_to_utf8 allocates (raw-strings.ts storeUtf8: one pass).
      const [ptr, len] = storeUtf8(views, realloc, s);
      const ret = core.echo(ptr, len);
      const dv = views.dataView();
      // Short ASCII by hand, as the encoding above: cheaper than a call into TextDecoder.
      const out = loadUtf8(views, dv.getUint32(ret, true), dv.getUint32(ret + 4, true));
      core['post-echo'](ret);
      return out;
    },

    echoBytes(b: Uint8Array): Uint8Array {
      const ptr = mem.realloc(0, 0, 1, b.length);
      views.bytes().set(b, ptr);
      const ret = core['echo-bytes'](ptr, b.length);
      const dv = views.dataView();
      const start = dv.getUint32(ret, true);
      const out = views.bytes().slice(start, start + dv.getUint32(ret + 4, true));
      core['post-echo'](ret);
      return out;
    },

    echoFields(r: Fields): Fields {
      const p = core['echo-fields'](r.a, r.b, r.c, r.d, r.e, r.f, r.g ? 1 : 0, r.h);
      const dv = views.dataView();
      return {
        a: dv.getUint8(p),
        b: dv.getUint16(p + 2, true),
        c: dv.getUint32(p + 4, true),
        d: dv.getBigUint64(p + 8, true),
        e: dv.getFloat32(p + 16, true),
        f: dv.getFloat64(p + 24, true),
        g: dv.getUint8(p + 32) !== 0,
        h: dv.getInt32(p + 36, true),
      };
    },

    Counter: RawCounter,
  };
}
