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

/** Values ops return are folded in here so the JIT cannot drop the work. */
let sink = 0;
export function consume(value: unknown): void {
  sink = (sink + (typeof value === 'number' ? value : 1)) | 0;
}
export function sinkValue(): number {
  return sink;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runBatch(op: () => void, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) op();
  return performance.now() - start;
}

/** Median ns per call of a synchronous op. */
export function measureSync(op: () => void, options: TimingOptions = DEFAULT_TIMING): number {
  const batchSize = warmUp(op, options);
  const samples: number[] = [];
  for (let b = 0; b < options.batches; b++) {
    samples.push((runBatch(op, batchSize) * 1e6) / batchSize);
  }
  return median(samples);
}

/** The outcome of one op in `measureSyncInterleaved`: its median, or the error it threw. */
export type Measured = { readonly ns: number } | { readonly error: unknown };

/**
 * Median ns per call of several ops (one per column), measured side by side:
 * every op is warmed up first, then the timed batches take turns (op 1's
 * batch, op 2's, ..., round after round, the order rotating each round).
 * Measured one after the other, a column would be billed for whatever the
 * machine or process was doing meanwhile: load from other processes, or the
 * allocator and GC still adapting to a new allocation pattern (the first
 * column to copy 1 MiB buffers paid for that, so `raw` read slower than the
 * host it bounds). `beforeBatch` (e.g. a forced GC) runs untimed before
 * every batch, so no op is billed for another's garbage.
 */
export function measureSyncInterleaved(
  ops: readonly (() => void)[],
  options: TimingOptions = DEFAULT_TIMING,
  beforeBatch: () => void = () => {},
): Measured[] {
  const results: Measured[] = ops.map(() => ({ ns: 0 }));
  const sizes: number[] = [];
  const samples: number[][] = ops.map(() => []);
  const failed = (i: number): boolean => 'error' in results[i]!;
  ops.forEach((op, i) => {
    try {
      sizes[i] = warmUp(op, options);
    } catch (error) {
      results[i] = { error };
    }
  });
  for (let b = 0; b < options.batches; b++) {
    for (let k = 0; k < ops.length; k++) {
      const i = (b + k) % ops.length;
      if (failed(i)) continue;
      beforeBatch();
      try {
        samples[i]!.push((runBatch(ops[i]!, sizes[i]!) * 1e6) / sizes[i]!);
      } catch (error) {
        results[i] = { error };
      }
    }
  }
  return results.map((r, i) => ('error' in r ? r : { ns: median(samples[i]!) }));
}

/** Runs `op` for `options.warmupMs`; returns the batch size that lasts about `options.batchMs`. */
function warmUp(op: () => void, options: TimingOptions): number {
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
  return Math.max(1, Math.round(options.batchMs / perOpMs));
}

/**
 * Median ns per call of an asynchronous op that is slow enough (milliseconds)
 * to time one call at a time, e.g. loading a component.
 */
export async function measureAsync(op: () => Promise<void>, warmups: number, samples: number): Promise<number> {
  for (let i = 0; i < warmups; i++) await op();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await op();
    times.push((performance.now() - start) * 1e6);
  }
  return median(times);
}
