/**
 * The bench's model: columns (who runs a case), targets (the ratio
 * goals), cases and the sections that group them, and a case's measured
 * result. Every section of the bench (micro, kv, callbacks, load, unload,
 * extism, ...) is a `Section`; run.ts only runs sections and prints results.
 */
import type { Timed } from './timing.ts';

/**
 * Who runs a case: `raw` is the limit (core wasm with hand-written glue),
 * `checked` the checked floor (raw's glue plus, written by hand for that one
 * function, exactly the checks and bookkeeping a safe host is required to do:
 * bench/floors/; only some cases have one), `ours` the rdylib host, `jco` and
 * `extism` the peers, `floor` plain JavaScript doing the same job (a `Map`
 * for kv), for reference only.
 */
export type Column = 'raw' | 'checked' | 'ours' | 'jco' | 'extism' | 'floor';

/** Table order. */
export const COLUMNS: readonly Column[] = ['raw', 'checked', 'ours', 'jco', 'extism', 'floor'];

/** The peers a case's `ours` is compared with, in table order. */
export const PEERS: readonly Exclude<Column, 'ours'>[] = ['raw', 'checked', 'jco', 'extism', 'floor'];

/** A performance target, stated as a ratio between two columns' medians. */
export type Target =
  | { readonly kind: 'ours/raw'; readonly atMost: number }
  | { readonly kind: 'jco/ours'; readonly atLeast: number };

/** One column's result for one case: its timing, or why there is none. */
export type Cell = Timed | { readonly reason: string };

export interface CaseResult {
  /** The section's id (see `Section`). */
  readonly section: string;
  readonly name: string;
  readonly targets: readonly Target[];
  /** Only the columns the case is defined for; a missing column is not applicable (`—`), a reason is n/a. */
  readonly cells: Readonly<Partial<Record<Column, Cell>>>;
  /**
   * Later measurements of the columns an unreachable verdict rests on (repeats.ts), made only for
   * cases the first measurement judged so: the verdict stands only if every one proves it too.
   */
  readonly repeats?: readonly Readonly<Partial<Record<Column, Cell>>>[];
}

/** A fact measured beside the timings (heap after load/unload cycles), printed and reported as is. */
export interface Fact {
  readonly section: string;
  readonly name: string;
  readonly value: string;
}

/** How long to measure: the full run or `--quick`. */
export interface RunContext {
  readonly quick: boolean;
  /** Collects garbage (node --expose-gc), so no measurement is billed for another's garbage. */
  collectGarbage(): void;
}

export interface SectionResults {
  readonly cases: readonly CaseResult[];
  readonly facts?: readonly Fact[];
  /** A chart this section asks the report for (see report-md.ts). */
  readonly chart?: 'unload-by-handles';
}

/** A group of cases run together (`npm run bench -- --only <id>` runs some sections only). */
export interface Section {
  readonly id: string;
  readonly title: string;
  run(ctx: RunContext): Promise<SectionResults>;
}

/** An implementation's API, or why it cannot be measured (printed as n/a). */
export type Availability<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export async function available<T>(make: () => Promise<T>): Promise<Availability<T>> {
  try {
    return { ok: true, value: await make() };
  } catch (error) {
    return { ok: false, reason: message(error) };
  }
}
