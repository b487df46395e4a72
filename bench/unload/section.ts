/**
 * The unload section: what `plugin.unload()` costs against the number of
 * live handles it has to revoke (1, 100, 10,000 kv stores held by JS), and
 * whether memory comes back after many load/unload cycles. Only our host has
 * an unload; the other columns do not apply.
 */
import { KV_INTERFACE, type KvApi } from '../kv/api.ts';
import { exportedInterface, loadPlugin } from '../ours.ts';
import { readGuest } from '../paths.ts';
import { message, type CaseResult, type Fact, type Section } from '../suite.ts';
import { summarise } from '../timing.ts';
import { formatNs, nsOf } from '../report.ts';

export const LIVE_HANDLE_COUNTS: readonly number[] = [1, 100, 10_000];

/** Loads kv and leaves `handles` stores alive (each with one entry); returns the plugin. */
async function loadWithLiveHandles(bytes: Uint8Array, handles: number): Promise<{ unload(): Promise<void> }> {
  const plugin = await loadPlugin(bytes, { name: 'kv' });
  const kv = exportedInterface(plugin, KV_INTERFACE) as KvApi;
  const stores = Array.from({ length: handles }, () => new kv.Store());
  stores[0]!.put('k', 'v');
  if (stores[0]!.get('k') !== 'v') throw new Error('wrong result from kv get after put');
  return plugin;
}

/** The median time of `unload()` alone, over `samples` fresh loads with `handles` live stores. */
export async function timeUnload(bytes: Uint8Array, handles: number, warmups: number, samples: number, collectGarbage: () => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < warmups + samples; i++) {
    const plugin = await loadWithLiveHandles(bytes, handles);
    collectGarbage();
    const start = performance.now();
    await plugin.unload();
    if (i >= warmups) times.push((performance.now() - start) * 1e6);
  }
  return times;
}

async function settledHeap(collectGarbage: () => void): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/**
 * The slope of unload time against live handles, between the fewest and the
 * most (the unload chart's line): what each further handle JS holds adds.
 */
export function costPerHandle(cases: readonly CaseResult[]): string | undefined {
  const first = nsOf(cases[0]?.cells.ours);
  const last = nsOf(cases[LIVE_HANDLE_COUNTS.length - 1]?.cells.ours);
  const n0 = LIVE_HANDLE_COUNTS[0]!;
  const n1 = LIVE_HANDLE_COUNTS[LIVE_HANDLE_COUNTS.length - 1]!;
  if (first === null || last === null) return undefined;
  return `${formatNs((last - first) / (n1 - n0))} per handle beyond the first (from ${n0.toLocaleString('en')} to ${n1.toLocaleString('en')} live handles)`;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export const unloadSection: Section = {
  id: 'unload',
  title: 'unload: cost against live handles, and memory after load/unload cycles (ours only)',
  async run(ctx) {
    const bytes = readGuest('kv');
    const runs = ctx.quick ? { warmups: 1, samples: 3 } : { warmups: 3, samples: 15 };
    const cases: CaseResult[] = [];
    for (const handles of LIVE_HANDLE_COUNTS) {
      let cell;
      try {
        cell = summarise(await timeUnload(bytes, handles, runs.warmups, runs.samples, () => ctx.collectGarbage()));
      } catch (error) {
        cell = { reason: message(error) };
      }
      cases.push({ section: 'unload', name: `unload kv with ${handles.toLocaleString('en')} live handle${handles === 1 ? '' : 's'}`, targets: [], cells: { ours: cell } });
    }

    // Each cycle leaves a store with an entry and a live iterator borrowing it behind.
    const cycles = ctx.quick ? 20 : 200;
    const heaps: string[] = [];
    const before = await settledHeap(() => ctx.collectGarbage());
    for (let i = 1; i <= cycles; i++) {
      const plugin = await loadPlugin(bytes, { name: 'kv' });
      const kv = exportedInterface(plugin, KV_INTERFACE) as KvApi;
      const store = new kv.Store();
      store.put('k', 'v');
      store.iter();
      await plugin.unload();
      if (i === cycles / 2 || i === cycles) {
        const now = await settledHeap(() => ctx.collectGarbage());
        heaps.push(`after ${i} cycles ${mb(now.heapUsed)} heap, ${mb(now.external)} external`);
      }
    }
    const facts: Fact[] = [
      { section: 'unload', name: `memory over ${cycles} load/unload cycles of kv`, value: `before ${mb(before.heapUsed)} heap, ${mb(before.external)} external; ${heaps.join('; ')}` },
    ];
    const perHandle = costPerHandle(cases);
    if (perHandle !== undefined) facts.unshift({ section: 'unload', name: 'unload cost per live handle', value: perHandle });
    return { cases, facts, chart: 'unload-by-handles' };
  },
};
