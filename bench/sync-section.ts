/**
 * A section of synchronous cases written once against one API shape and
 * measured in every column that implements that shape (micro, kv, ...):
 * each case first checks a result in each column (a wrong answer is n/a with
 * the reason, never timed), then the columns' batches are timed interleaved;
 * a case judged unreachable is measured again (repeats.ts).
 */
import { available, type Availability, type CaseResult, type Cell, type Column, type RunContext, type Section, type Target, message } from './suite.ts';
import { withRepeats } from './repeats.ts';
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
  /**
   * Columns that implement only some of the cases (the checked floors, bench/floors/): the names
   * of the cases each covers. The other cases lack the column (`—`, not applicable, never n/a).
   * A name that matches no case is refused, so a renamed case cannot silently lose its floor.
   */
  readonly partial?: Readonly<Partial<Record<Column, readonly string[]>>>;
  /**
   * Each column's own copy of the cases (column-copy.ts), the same cases in the same order in
   * every column: a case's op is then a closure only that column ever calls.
   */
  readonly cases: (column: Column) => Promise<readonly SyncCase<A>[]>;
}

/** One column's API and its own copy of the case being measured. */
export interface ColumnCase<A> {
  readonly api: Availability<A>;
  readonly case: Pick<SyncCase<A>, 'prepare' | 'batches' | 'skip'>;
}

export const QUICK_TIMING: TimingOptions = { warmupMs: 20, batchMs: 3, batches: 5 };

export function syncTiming(ctx: RunContext): TimingOptions {
  return ctx.quick ? QUICK_TIMING : DEFAULT_TIMING;
}

/**
 * Timed batches of a repeat (repeats.ts) of a case judged unreachable: about half the first pass's,
 * to keep the bench's time; fewer samples only widen the spreads, which makes a proof harder.
 */
export const REPEAT_BATCHES = 8;

/** Checks every column of one case (each column with its own copy of it), then times the ones that answered right, side by side; `maxBatches` caps the timed batches. */
export function measureSyncCase<A>(columns: Readonly<Partial<Record<Column, ColumnCase<A>>>>, ctx: RunContext, maxBatches = Infinity): Partial<Record<Column, Cell>> {
  const cells: Partial<Record<Column, Cell>> = {};
  const timed: { column: Column; op: () => void }[] = [];
  let batches: number | undefined;
  for (const [column, { api, case: c }] of Object.entries(columns) as [Column, ColumnCase<A>][]) {
    batches ??= c.batches;
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
    Math.min(timing.batches, batches ?? timing.batches, maxBatches),
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
      const columns: { column: Column; api: Availability<A>; cases: readonly SyncCase<A>[] }[] = [];
      for (const [column, make] of Object.entries(spec.implementations) as [Column, () => Promise<A>][]) {
        columns.push({ column, api: await available(make), cases: await spec.cases(column) });
      }
      const names = (cases: readonly SyncCase<A>[]): string => cases.map((c) => c.name).join('\n');
      const reference = columns[0]?.cases ?? [];
      for (const { column, cases } of columns) {
        if (names(cases) !== names(reference)) throw new Error(`${spec.id}: column ${column}'s copy of the cases differs from column ${columns[0]!.column}'s`);
      }
      const covers = coverage(spec, reference);
      /** Case `i` measured in the columns that run it, limited to `only` when given. */
      const measure = (i: number, only?: readonly Column[]): Partial<Record<Column, Cell>> => {
        const name = reference[i]!.name;
        const chosen = columns.filter(({ column }) => covers(column, name) && (only === undefined || only.includes(column)));
        return measureSyncCase(Object.fromEntries(chosen.map(({ column, api, cases }) => [column, { api, case: cases[i]! }])), ctx, only === undefined ? Infinity : REPEAT_BATCHES);
      };
      const cases: CaseResult[] = reference.map((c, i) => ({ section: spec.id, name: c.name, targets: c.targets, cells: measure(i) }));
      return withRepeats(cases, async (i, only) => measure(i, only));
    },
  };
}

/** Whether `column` runs the case named `name` (every column does, but those `spec.partial` limits); throws on a partial name that matches no case. */
export function coverage<A>(spec: Pick<SyncSectionSpec<A>, 'id' | 'partial'>, cases: readonly Pick<SyncCase<A>, 'name'>[]): (column: Column, name: string) => boolean {
  const known = new Set(cases.map((c) => c.name));
  for (const [column, names] of Object.entries(spec.partial ?? {}) as [Column, readonly string[]][]) {
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) throw new Error(`${spec.id}: column ${column} covers cases that do not exist: ${unknown.join(', ')}`);
  }
  return (column, name) => spec.partial?.[column]?.includes(name) ?? true;
}

/**
 * A partial column's API (a checked floor's: some members, or classes with some methods) as the
 * section's API type, unchecked: the section prepares only
 * the cases `partial` names with it, and a case reaching for a member it lacks fails its check
 * (a TypeError, shown as n/a with the reason), so nothing is ever timed against a missing member.
 */
export function coveringOnly<A>(api: object): A {
  return api as A;
}
