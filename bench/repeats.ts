/**
 * Verdicts that hold when the bench is run again. Under load, one measurement
 * of a floor row can put the checked floor (or raw) on either side of a
 * target: last session's runs read resource create+drop's floor at 1.15x to
 * 2.58x raw against a 2x target. So a case whose first measurement proves a
 * target unreachable is measured again `VERDICT_REPEATS` times, in the columns
 * the proof rests on only, after the section's first pass (repeats of several
 * cases take turns, so each lands at another moment of the run), and
 * report.ts `verdict` keeps the verdict only when every measurement proves it
 * on its own, each at its spreads' unfavourable edges. Cases no measurement
 * judged unreachable cost nothing more.
 */
import { judge, proofColumns } from './report.ts';
import { COLUMNS, type CaseResult, type Cell, type Column, type Fact } from './suite.ts';

/** Measurements beyond the first that an unreachable verdict must survive. */
export const VERDICT_REPEATS = 2;

/** The columns to measure again for `r`: those that could prove one of its targets unreachable, when its first measurement did; none otherwise. */
export function columnsToRepeat(r: CaseResult): Column[] {
  const timed = COLUMNS.filter((c) => {
    const cell = r.cells[c];
    return cell !== undefined && 'ns' in cell;
  });
  const wanted = new Set<Column>();
  for (const t of r.targets) if (judge(t, r.cells).kind === 'unreachable') for (const c of proofColumns(t, timed)) wanted.add(c);
  return COLUMNS.filter((c) => wanted.has(c));
}

/** One more measurement of case `index` in `columns` (the section measures it as in its first pass). */
export type Remeasure = (index: number, columns: readonly Column[]) => Promise<Partial<Record<Column, Cell>>>;

/**
 * The cases with their repeats (each case `columnsToRepeat` names measured `rounds` more times,
 * round after round over the cases), and, when any case was repeated, a fact saying which and
 * what the repeats cost in time, so every run shows the rule's price.
 */
export async function withRepeats(
  cases: readonly CaseResult[],
  remeasure: Remeasure,
  rounds: number = VERDICT_REPEATS,
): Promise<{ readonly cases: CaseResult[]; readonly facts: Fact[] }> {
  const plans = cases.map(columnsToRepeat);
  const repeats: Partial<Record<Column, Cell>>[][] = cases.map(() => []);
  const start = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) if (plans[i]!.length > 0) repeats[i]!.push(await remeasure(i, plans[i]!));
  }
  const repeated = cases.filter((_, i) => plans[i]!.length > 0);
  const facts: Fact[] =
    repeated.length === 0
      ? []
      : [
          {
            section: repeated[0]!.section,
            name: 'verdict repeats (bench/repeats.ts)',
            value: `${repeated.map((c) => c.name).join('; ')}: measured ${rounds} more times in ${((performance.now() - start) / 1000).toFixed(1)} s`,
          },
        ];
  return { cases: cases.map((c, i) => (plans[i]!.length === 0 ? c : { ...c, repeats: repeats[i]! })), facts };
}
