/**
 * The load section: how long it takes from a component's bytes to a working
 * instance, through our host, as raw core wasm (compile + instantiate the core
 * modules only), and through jco (transpile + import the generated JS +
 * compile + instantiate, all from memory).
 */
import { jcoLoad } from '../jco.ts';
import { buildBenchGuest, LOAD_CASE_PADDING } from '../micro/guest.ts';
import { compileRaw, instantiateRaw } from '../micro/raw.ts';
import type { BenchApi } from '../micro/api.ts';
import { oursHost } from '../ours.ts';
import { message, type Cell, type Column, type Section, type Target } from '../suite.ts';
import { measureAsyncInterleaved, type AsyncRuns } from '../timing.ts';

const LOAD_VS_JCO: Target = { kind: 'jco/ours', atLeast: 10 };

/** A loaded instance and how to release it (a no-op where there is nothing to release). */
interface Loaded {
  readonly api: BenchApi;
  release(): Promise<void>;
}

const keep = (api: BenchApi): Loaded => ({ api, release: async () => {} });

export function loadRuns(quick: boolean): AsyncRuns {
  return quick ? { warmups: 1, samples: 3 } : { warmups: 3, samples: 15 };
}

/** One checked load per column first (a load that yields a broken instance is not timed), then interleaved timed loads. */
async function measureLoads(loads: Partial<Record<Column, () => Promise<Loaded>>>, runs: AsyncRuns, collectGarbage: () => void): Promise<Partial<Record<Column, Cell>>> {
  const cells: Partial<Record<Column, Cell>> = {};
  const timed: { column: Column; op: () => Promise<void> }[] = [];
  for (const [column, load] of Object.entries(loads) as [Column, () => Promise<Loaded>][]) {
    try {
      const first = await load();
      const sum = first.api.add(40, 2);
      await first.release();
      if (sum !== 42) cells[column] = { reason: `loaded instance returned add(40, 2) = ${sum}` };
      else timed.push({ column, op: async () => (await load()).release() });
    } catch (error) {
      cells[column] = { reason: message(error) };
    }
  }
  const measured = await measureAsyncInterleaved(timed.map((t) => t.op), runs, collectGarbage);
  timed.forEach((t, i) => {
    const m = measured[i]!;
    cells[t.column] = 'error' in m ? { reason: message(m.error) } : m;
  });
  return cells;
}

export const loadSection: Section = {
  id: 'load',
  title: 'load: bytes to a working instance',
  async run(ctx) {
    const big = await buildBenchGuest(LOAD_CASE_PADDING);
    const cells = await measureLoads(
      {
        raw: async () => keep(await instantiateRaw(await compileRaw(big))),
        ours: async () => {
          const plugin = await oursHost.load(big.component);
          return { api: oursHost.api(plugin), release: () => oursHost.unload(plugin) };
        },
        jco: async () => keep(await jcoLoad(big.component)),
      },
      loadRuns(ctx.quick),
      () => ctx.collectGarbage(),
    );
    return { cases: [{ section: 'load', name: `load ${Math.round(big.component.length / 1000)} KB WAT component`, targets: [LOAD_VS_JCO], cells }] };
  },
};
