/**
 * `npm run bench`: measures, in one run and side by side, the bench guest
 * called through our host (ours), as plain core wasm with hand-written
 * lowering (raw, the limit), and through jco's transpiled bindings (jco).
 * Prints a table with ratios and target verdicts and writes
 * bench/results/latest.json. `--quick` shortens every timing, for smoke runs. Run with
 * node --expose-gc so garbage from one measurement is collected before the next.
 *
 * Nothing here asserts speed; the targets are reported, not enforced.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Availability, BenchApi } from './api.ts';
import { CALL_CASES, LOAD_CASE_NAME, LOAD_VS_JCO } from './cases.ts';
import { buildBenchGuest, LOAD_CASE_PADDING, type BenchGuest } from './guest.ts';
import { jcoLoad, transpileToDir } from './jco.ts';
import { oursHost } from './ours.ts';
import { compileRaw, instantiateRaw } from './raw.ts';
import { formatNotes, formatTable, toJson, type CaseResult, type Cell, type Column } from './report.ts';
import { DEFAULT_TIMING, measureAsync, measureSyncInterleaved, sinkValue, type TimingOptions } from './timing.ts';

const ROOT = new URL('../', import.meta.url);
const JCO_DIR = fileURLToPath(new URL('build/bench/jco/', ROOT));
const RESULTS = new URL('bench/results/latest.json', ROOT);

const quick = process.argv.includes('--quick');
const timing: TimingOptions = quick ? { warmupMs: 20, batchMs: 3, batches: 5 } : DEFAULT_TIMING;
const loadRuns = quick ? { warmups: 1, samples: 3 } : { warmups: 3, samples: 15 };

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

async function available<T>(make: () => Promise<T>): Promise<Availability<T>> {
  try {
    return { ok: true, value: await make() };
  } catch (error) {
    return { ok: false, reason: message(error) };
  }
}

async function oursApi(guest: BenchGuest): Promise<Availability<BenchApi>> {
  return available(async () => oursHost.api(await oursHost.load(guest.component)));
}

/**
 * Collects garbage left by the previous measurement (1 MiB cases leave a lot)
 * so it is not billed to the next column. Needs node --expose-gc; without
 * it the bench still runs, only noisier.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const COLUMNS: readonly Column[] = ['raw', 'ours', 'jco'];

/**
 * Measures one case in every available column, with the columns' timed
 * batches interleaved (see `measureSyncInterleaved`) and a GC before each.
 */
function measureCase(apis: Record<Column, Availability<BenchApi>>, prepare: (api: BenchApi) => () => void): Record<Column, Cell> {
  const cells = {} as Record<Column, Cell>;
  const timed: { column: Column; op: () => void }[] = [];
  for (const column of COLUMNS) {
    const api = apis[column];
    if (!api.ok) {
      cells[column] = { reason: api.reason };
      continue;
    }
    try {
      timed.push({ column, op: prepare(api.value) }); // checks a result first; throws when wrong
    } catch (error) {
      cells[column] = { reason: message(error) };
    }
  }
  collectGarbage();
  const measured = measureSyncInterleaved(
    timed.map((t) => t.op),
    timing,
    collectGarbage,
  );
  timed.forEach((t, i) => {
    const m = measured[i]!;
    cells[t.column] = 'ns' in m ? { ns: m.ns } : { reason: message(m.error) };
  });
  return cells;
}

/** A loaded instance and how to release it (a no-op where there is nothing to release). */
interface Loaded {
  readonly api: BenchApi;
  release(): Promise<void>;
}

const keep = (api: BenchApi): Loaded => ({ api, release: async () => {} });

async function measureLoad(load: () => Promise<Loaded>): Promise<Cell> {
  collectGarbage();
  try {
    // One checked load first: a load that yields a broken instance is not timed.
    const first = await load();
    const sum = first.api.add(40, 2);
    await first.release();
    if (sum !== 42) return { reason: `loaded instance returned add(40, 2) = ${sum}` };
    return { ns: await measureAsync(async () => (await load()).release(), loadRuns.warmups, loadRuns.samples) };
  } catch (error) {
    return { reason: message(error) };
  }
}

async function main(): Promise<void> {
  const [guest, bigGuest] = await Promise.all([buildBenchGuest(), buildBenchGuest(LOAD_CASE_PADDING)]);
  console.log(`node ${process.version}; bench component ${guest.component.length} B, load-case component ${bigGuest.component.length} B${quick ? '; --quick' : ''}`);

  const apis: Record<Column, Availability<BenchApi>> = {
    raw: await available(async () => instantiateRaw(await compileRaw(guest))),
    jco: await available(() => transpileToDir(guest.component, JCO_DIR)),
    ours: await oursApi(guest),
  };

  const results: CaseResult[] = [];
  for (const c of CALL_CASES) {
    const cells = measureCase(apis, c.prepare);
    results.push({ name: c.name, targets: c.targets, cells });
    process.stdout.write('.');
  }

  const loadCells: Record<Column, Cell> = {
    raw: await measureLoad(async () => keep(await instantiateRaw(await compileRaw(bigGuest)))),
    ours: await measureLoad(async () => {
      const plugin = await oursHost.load(bigGuest.component);
      return { api: oursHost.api(plugin), release: () => oursHost.unload(plugin) };
    }),
    jco: await measureLoad(async () => keep(await jcoLoad(bigGuest.component))),
  };
  results.push({ name: LOAD_CASE_NAME, targets: [LOAD_VS_JCO], cells: loadCells });
  process.stdout.write('\n\n');

  console.log(formatTable(results));
  for (const note of formatNotes(results)) console.log(note);

  await mkdir(new URL('./', RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(toJson(results), null, 2)}\n`);
  console.log(`\nwrote ${fileURLToPath(RESULTS)} (sink ${sinkValue()})`);
}

await main();
