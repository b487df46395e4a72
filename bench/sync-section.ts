/**
 * A section of synchronous cases written once against one API shape and
 * measured in every column that implements that shape (micro, kv, ...):
 * each case first checks a result in each column (a wrong answer is n/a with
 * the reason, never timed), then the columns' batches are timed interleaved.
 */
import { available, type Availability, type CaseResult, type Cell, type Column, type RunContext, type Section, type Target, message } from './suite.ts';
import { DEFAULT_TIMING, measureSyncInterleaved, type TimingOptions } from './timing.ts';

export interface SyncCase<A> {
  readonly name: string;
  readonly targets: readonly Target[];
  /** Fewer timed batches than usual, for an op that takes seconds in some column. */
  readonly batches?: number;
  /** Columns not run for this case, each with the reason printed as its n/a. */
  readonly skip?: Readonly<Partial<Record<Column, string>>>;
  /** Checks the implementation once (throws on a wrong result), then returns the op to time. */
  prepare(api: A): () => void;
}

export interface SyncSectionSpec<A> {
  readonly id: string;
  readonly title: string;
  /** How each column makes the API; columns left out are not applicable to this section. */
  readonly implementations: Readonly<Partial<Record<Column, () => Promise<A>>>>;
  readonly cases: readonly SyncCase<A>[];
}

export const QUICK_TIMING: TimingOptions = { warmupMs: 20, batchMs: 3, batches: 5 };

export function syncTiming(ctx: RunContext): TimingOptions {
  return ctx.quick ? QUICK_TIMING : DEFAULT_TIMING;
}

/** Checks every column of one case, then times the ones that answered right, side by side. */
export function measureSyncCase<A>(
  apis: Readonly<Partial<Record<Column, Availability<A>>>>,
  c: Pick<SyncCase<A>, 'prepare' | 'batches' | 'skip'>,
  ctx: RunContext,
): Partial<Record<Column, Cell>> {
  const cells: Partial<Record<Column, Cell>> = {};
  const timed: { column: Column; op: () => void }[] = [];
  for (const [column, api] of Object.entries(apis) as [Column, Availability<A>][]) {
    const skipped = c.skip?.[column];
    if (skipped !== undefined || !api.ok) {
      cells[column] = { reason: skipped ?? (api as { reason: string }).reason };
      continue;
    }
    try {
      timed.push({ column, op: c.prepare(api.value) });
    } catch (error) {
      cells[column] = { reason: message(error) };
    }
  }
  ctx.collectGarbage();
  const timing = syncTiming(ctx);
  const measured = measureSyncInterleaved(
    timed.map((t) => t.op),
    timing,
    () => ctx.collectGarbage(),
    Math.min(timing.batches, c.batches ?? timing.batches),
  );
  timed.forEach((t, i) => {
    const m = measured[i]!;
    cells[t.column] = 'error' in m ? { reason: message(m.error) } : m;
  });
  return cells;
}

export function syncSection<A>(spec: SyncSectionSpec<A>): Section {
  return {
    id: spec.id,
    title: spec.title,
    async run(ctx) {
      const apis: Partial<Record<Column, Availability<A>>> = {};
      for (const [column, make] of Object.entries(spec.implementations) as [Column, () => Promise<A>][]) {
        apis[column] = await available(make);
      }
      const cases: CaseResult[] = spec.cases.map((c) => ({
        section: spec.id,
        name: c.name,
        targets: c.targets,
        cells: measureSyncCase(apis, c, ctx),
      }));
      return { cases };
    },
  };
}
