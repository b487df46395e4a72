/**
 * One case whose ops are asynchronous and timed one at a time (loads, calls
 * into a worker, Extism calls), measured in several columns: each column's
 * `prepare` checks its answers and returns the op, then the ops are timed
 * interleaved. A column whose `prepare` or op throws is n/a with the reason.
 */
import { message, type Cell, type Column, type RunContext } from './suite.ts';
import { measureAsyncInterleaved, type AsyncRuns } from './timing.ts';

export async function measureAsyncCase(
  prepares: Readonly<Partial<Record<Column, () => Promise<() => Promise<void>>>>>,
  runs: AsyncRuns,
  ctx: RunContext,
  /** Calls per op: the reported time is per call. */
  perOp = 1,
): Promise<Partial<Record<Column, Cell>>> {
  const cells: Partial<Record<Column, Cell>> = {};
  const timed: { column: Column; op: () => Promise<void> }[] = [];
  for (const [column, prepare] of Object.entries(prepares) as [Column, () => Promise<() => Promise<void>>][]) {
    try {
      timed.push({ column, op: await prepare() });
    } catch (error) {
      cells[column] = { reason: message(error) };
    }
  }
  const measured = await measureAsyncInterleaved(
    timed.map((t) => t.op),
    runs,
    () => ctx.collectGarbage(),
  );
  timed.forEach((t, i) => {
    const m = measured[i]!;
    cells[t.column] = 'error' in m ? { reason: message(m.error) } : { ns: m.ns / perOp, spread: m.spread };
  });
  return cells;
}
