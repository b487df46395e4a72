/**
 * Timing: warm up, size a batch so one batch lasts long enough for the clock
 * to be precise, run several timed batches, report the median ns per op.
 * The median, not the mean, so one GC pause does not move the result.
 */

export interface TimingOptions {
  /** Warmup time before measuring, so the JIT has optimised the call path. */
  readonly warmupMs: number;
  /** Target duration of one timed batch. */
  readonly batchMs: number;
  /** Number of timed batches; the median of their per-op times is reported. */
  readonly batches: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 150, batchMs: 15, batches: 15 };

/**
 * Values ops return are folded in here so the JIT cannot drop the work. The
 * total lives in one box on globalThis: each column's copy of a workload
 * module (column-copy.ts) is bundled with its own copy of this module, and the
 * printed sink must count the work of every copy.
 */
const SINK_KEY = Symbol.for('rdylib.bench.sink');
const sink = ((globalThis as { [SINK_KEY]?: { total: number; kept: unknown } })[SINK_KEY] ??= { total: 0, kept: undefined });
export function consume(value: unknown): void {
  sink.total = (sink.total + (typeof value === 'number' ? value : 1)) | 0;
}
/**
 * Returns `value` after storing it in the sink (until the next `keep`), for
 * an op that consumes one field of an object a call returned: without it,
 * when the call inlines whole into the op (raw's glue and the checked floors
 * do; ours cannot, its export wrapper calls the lifted function), V8's
 * escape analysis finds the object unused but for that field and never
 * builds it, so that column alone skips the work the row measures (an
 * 8-field record: raw allocated a seventh, the checked floor a third of
 * what ours did).
 * Stored, the object escapes in every column; the store costs each the same.
 */
export function keep<T>(value: T): T {
  sink.kept = value;
  return value;
}
export function sinkValue(): number {
  return sink.total;
}

/** A measurement: the median ns per op and how far the samples spread around it. */
export interface Timed {
  readonly ns: number;
  /** Half the interquartile range of the samples, relative to the median (0.05 = ±5%). */
  readonly spread: number;
}

/** The `q`-quantile (0..1) of sorted values, interpolated linearly. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Median and spread of per-op samples (ns). */
export function summarise(samples: readonly number[]): Timed {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = quantile(sorted, 0.5);
  const halfIqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2;
  return { ns: mid, spread: mid === 0 ? 0 : halfIqr / mid };
}

function runBatch(op: () => void, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) op();
  return performance.now() - start;
}

/** The outcome of one op in an interleaved measurement: its timing, or the error it threw. */
export type Measured = Timed | { readonly error: unknown };

/**
 * Median ns per call of several ops (one per column), measured side by side:
 * every op is warmed up first, then the timed batches take turns (op 1's
 * batch, op 2's, ..., round after round, the order rotating each round).
 * Measured one after the other, a column would be billed for whatever the
 * machine or process was doing meanwhile: load from other processes, or the
 * allocator and GC still adapting to a new allocation pattern (the first
 * column to copy 1 MiB buffers paid for that, so `raw` read slower than the
 * host it bounds). `beforeBatch` (e.g. a forced GC) runs untimed before
 * every batch, so no op is billed for another's garbage, followed by an
 * untimed tenth of the batch; both are skipped for an op that takes longer
 * than `LONG_OP_MS` (its own garbage and a GC are part of what it costs, and
 * re-running it would double the run). `batches` overrides
 * `options.batches` (fewer for ops that take seconds).
 */
export function measureSyncInterleaved(
  ops: readonly (() => void)[],
  options: TimingOptions = DEFAULT_TIMING,
  beforeBatch: () => void = () => {},
  batches: number = options.batches,
): Measured[] {
  const results: Measured[] = ops.map(() => ({ ns: 0, spread: 0 }));
  const sizes: number[] = [];
  const long: boolean[] = [];
  const samples: number[][] = ops.map(() => []);
  const failed = (i: number): boolean => 'error' in results[i]!;
  ops.forEach((op, i) => {
    try {
      const { batchSize, perOpMs } = warmUp(op, options);
      sizes[i] = batchSize;
      long[i] = perOpMs > LONG_OP_MS;
    } catch (error) {
      results[i] = { error };
    }
  });
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < ops.length; k++) {
      const i = (b + k) % ops.length;
      if (failed(i)) continue;
      try {
        if (!long[i]) {
          beforeBatch();
          // A forced full GC leaves the next calls slow for a while (measured
          // here: 10,000 kv puts took 2-3x longer right after one, in every
          // column), so a tenth of a batch runs untimed before the timed one.
          runBatch(ops[i]!, Math.ceil(sizes[i]! / 10));
        }
        samples[i]!.push((runBatch(ops[i]!, sizes[i]!) * 1e6) / sizes[i]!);
      } catch (error) {
        results[i] = { error };
      }
    }
  }
  return results.map((r, i) => ('error' in r ? r : summarise(samples[i]!)));
}

/** Ops longer than this are timed without a GC and re-warm before each batch. */
export const LONG_OP_MS = 100;

/** Runs `op` for `options.warmupMs`; returns the batch size that lasts about `options.batchMs`, and the time per op. */
function warmUp(op: () => void, options: TimingOptions): { batchSize: number; perOpMs: number } {
  // Warmup, doubling the batch so a slow op does not overshoot by much.
  let n = 1;
  let spent = 0;
  let lastMs = 0;
  while (spent < options.warmupMs) {
    lastMs = runBatch(op, n);
    spent += lastMs;
    if (lastMs < options.warmupMs / 4) n *= 2;
  }
  // Size the batch from the last warmup batch's per-op time.
  const perOpMs = Math.max(lastMs / n, 1e-6);
  return { batchSize: Math.max(1, Math.round(options.batchMs / perOpMs)), perOpMs };
}

/** How many single runs an asynchronous measurement makes. */
export interface AsyncRuns {
  readonly warmups: number;
  readonly samples: number;
}

/**
 * How long a run of an asynchronous op waits, untimed, after `beforeRun`
 * (the forced GC). A full GC leaves work behind: V8 sweeps concurrently on
 * another thread and posts tasks to this one, which run at the next turn of
 * the event loop, that is inside the first `await` of whichever op is timed
 * next. Measured on the load section alone (`--only load`, idle machine, 3
 * runs without the wait, 2 with): raw cold loads spread ±4% to ±90%
 * (registry ±28-55%) without, ±4% to ±16% with 10 ms, and their medians
 * fell (types 1.77-2.13 ms to 1.37-1.45 ms). Every column waits the same, so no op is billed for the
 * GC of garbage another left.
 */
export const SETTLE_AFTER_GC_MS = 10;

/**
 * Timing of an asynchronous op that is slow enough (tens of microseconds
 * and up: a load, a call into a worker) to time one run at a time. Several
 * ops are measured side by side, their runs taking turns as in
 * `measureSyncInterleaved`; `beforeRun` runs untimed before each run, then
 * the run waits `SETTLE_AFTER_GC_MS`, untimed too.
 */
export async function measureAsyncInterleaved(
  ops: readonly (() => Promise<void>)[],
  runs: AsyncRuns,
  beforeRun: () => void = () => {},
): Promise<Measured[]> {
  const errors: (unknown[] | undefined)[] = ops.map(() => undefined);
  const samples: number[][] = ops.map(() => []);
  const run = async (i: number, timed: boolean): Promise<void> => {
    if (errors[i] !== undefined) return;
    beforeRun();
    await new Promise((settled) => setTimeout(settled, SETTLE_AFTER_GC_MS));
    try {
      const start = performance.now();
      await ops[i]!();
      if (timed) samples[i]!.push((performance.now() - start) * 1e6);
    } catch (error) {
      errors[i] = [error];
    }
  };
  for (let w = 0; w < runs.warmups; w++) for (let i = 0; i < ops.length; i++) await run(i, false);
  for (let s = 0; s < runs.samples; s++) {
    for (let k = 0; k < ops.length; k++) await run((s + k) % ops.length, true);
  }
  return ops.map((_, i) => (errors[i] !== undefined ? { error: errors[i]![0] } : summarise(samples[i]!)));
}
