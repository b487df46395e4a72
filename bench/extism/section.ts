/**
 * The extism section: bytes-in/bytes-out work through Extism's JS SDK
 * (`@extism/extism`, its plugin built with Extism's Rust PDK from
 * bench/extism-plugin) against the same work through rdylib (the `types`
 * example's `echo-bytes`, the `kv` example's store put/get), in process and
 * in a worker thread (Extism's `runInWorker`, our `isolate: 'worker'`).
 *
 * Every Extism call returns a promise, in process too; so does every call
 * into a worker. Each op therefore makes `perOp` calls, awaiting each, and
 * the ns per call is reported; our in-process calls are synchronous and are
 * made the same way inside an async op.
 */
import { readFileSync } from 'node:fs';
import createPlugin, { type Plugin as ExtismPlugin } from '@extism/extism';
import { expectEqual, pseudoRandomBytes } from '../check.ts';
import { KV_INTERFACE, type KvStore } from '../kv/api.ts';
import { exportedInterface, isolatedInterface, loadIsolatedPlugin, loadPlugin } from '../ours.ts';
import { readGuest } from '../paths.ts';
import { measureAsyncCase } from '../async-case.ts';
import { available, type Availability, type CaseResult, type Column, type RunContext, type Section } from '../suite.ts';
import { consume, type AsyncRuns } from '../timing.ts';
import { EXTISM_PLUGIN } from './build-plugin.ts';

const TYPES_INTERFACE = 'rdylib-guest:types/types@0.1.0';

/** One column's way of doing the section's calls, and of releasing what it loaded. */
export interface BytesSide {
  echo(bytes: Uint8Array): Promise<Uint8Array>;
  /** Returns the previous value, undefined if none. */
  put(key: string, value: string): Promise<string | undefined>;
  /** Returns the value, undefined if none. */
  get(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export type Mode = 'in process' | 'worker';

export async function oursSide(mode: Mode): Promise<BytesSide> {
  if (mode === 'in process') {
    const types = await loadPlugin(readGuest('types'), { name: 'types' });
    const kv = await loadPlugin(readGuest('kv'), { name: 'kv' });
    const echoBytes = (exportedInterface(types, TYPES_INTERFACE) as { echoBytes(b: Uint8Array): Uint8Array }).echoBytes;
    const store: KvStore = new (exportedInterface(kv, KV_INTERFACE) as { Store: new () => KvStore }).Store();
    return {
      echo: async (bytes) => echoBytes(bytes),
      put: async (key, value) => store.put(key, value),
      get: async (key) => store.get(key),
      close: async () => {
        store[Symbol.dispose]();
        await Promise.all([types.unload(), kv.unload()]);
      },
    };
  }
  const types = await loadIsolatedPlugin(readGuest('types'), 'types');
  const kv = await loadIsolatedPlugin(readGuest('kv'), 'kv');
  const typesApi = isolatedInterface(types, TYPES_INTERFACE) as { echoBytes(b: Uint8Array): Promise<Uint8Array> };
  type RemoteStore = { put(k: string, v: string): Promise<string | undefined>; get(k: string): Promise<string | undefined> };
  const store = await new (isolatedInterface(kv, KV_INTERFACE) as { Store: new () => Promise<RemoteStore> }).Store();
  return {
    echo: (bytes) => typesApi.echoBytes(bytes),
    put: (key, value) => store.put(key, value),
    get: (key) => store.get(key),
    close: async () => {
      await Promise.all([types.unload(), kv.unload()]);
    },
  };
}

export async function extismSide(mode: Mode): Promise<BytesSide> {
  const plugin: ExtismPlugin = await createPlugin({ wasm: [{ data: readFileSync(EXTISM_PLUGIN) }] }, { useWasi: false, runInWorker: mode === 'worker' });
  const text = async (fn: string, input: string): Promise<string | undefined> => {
    const out = await plugin.call(fn, input);
    const s = out?.text() ?? '';
    return s === '' ? undefined : s;
  };
  return {
    async echo(bytes) {
      const out = await plugin.call('echo', bytes);
      if (out === null) throw new Error('extism echo returned no output');
      return out.bytes();
    },
    put: (key, value) => text('put', `${key}\0${value}`),
    get: (key) => text('get', key),
    close: () => plugin.close(),
  };
}

interface BytesCase {
  readonly name: string;
  /** Calls per timed op. */
  readonly perOp: number;
  /** Checks the side's answers, then returns the op (which makes `perOp` calls). */
  prepare(side: BytesSide): Promise<() => Promise<void>>;
}

function sizeLabel(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

function echoCase(size: number, perOp: number): BytesCase {
  const label = sizeLabel(size);
  return {
    name: `echo bytes ${label}`,
    perOp,
    async prepare(side) {
      const bytes = pseudoRandomBytes(size);
      const back = await side.echo(bytes);
      expectEqual(back instanceof Uint8Array && Buffer.compare(back, bytes) === 0, true, `echo of ${label}`);
      return async () => {
        for (let i = 0; i < perOp; i++) consume((await side.echo(bytes)).length);
      };
    },
  };
}

const KEYS = Array.from({ length: 1000 }, (_, i) => `key-${String(i).padStart(4, '0')}`);

/** The cases; `large` is the size of the large echo (1 MiB in the bench, less in bench.test.ts). */
export function bytesCases(large = 1 << 20): BytesCase[] {
  return [
    echoCase(1024, 100),
    echoCase(large, 1),
    {
      name: 'kv put + get (short strings)',
      perOp: 100,
      async prepare(side) {
        expectEqual(await side.put('probe', 'first'), undefined, 'put of a new key');
        expectEqual(await side.put('probe', 'second'), 'first', 'put over a key (the old value)');
        expectEqual(await side.get('probe'), 'second', 'get');
        let n = 0;
        return async () => {
          for (let i = 0; i < 50; i++) {
            const key = KEYS[n++ % KEYS.length]!;
            await side.put(key, `value of ${key}`);
            consume((await side.get(key))?.length);
          }
        };
      },
    },
  ];
}

function runs(quick: boolean): AsyncRuns {
  return quick ? { warmups: 2, samples: 5 } : { warmups: 3, samples: 15 };
}

/** The cases of one mode: each side checked, then the two timed interleaved. */
async function measureMode(mode: Mode, ctx: RunContext): Promise<CaseResult[]> {
  const sides: Partial<Record<Column, Availability<BytesSide>>> = {
    ours: await available(() => oursSide(mode)),
    extism: await available(() => extismSide(mode)),
  };
  const results: CaseResult[] = [];
  try {
    for (const c of bytesCases()) {
      const prepares: Partial<Record<Column, () => Promise<() => Promise<void>>>> = {};
      for (const [column, side] of Object.entries(sides) as [Column, Availability<BytesSide>][]) {
        prepares[column] = async () => {
          if (!side.ok) throw new Error(side.reason);
          return c.prepare(side.value);
        };
      }
      const cells = await measureAsyncCase(prepares, runs(ctx.quick), ctx, c.perOp);
      results.push({ section: 'extism', name: `${c.name} (${mode})`, targets: [], cells });
    }
  } finally {
    for (const side of Object.values(sides)) if (side.ok) await side.value.close();
  }
  return results;
}

export const extismSection: Section = {
  id: 'extism',
  title: 'bytes in, bytes out: Extism (JS SDK, Rust PDK) and ours, in process and in a worker',
  async run(ctx) {
    return { cases: [...(await measureMode('in process', ctx)), ...(await measureMode('worker', ctx))] };
  },
};
