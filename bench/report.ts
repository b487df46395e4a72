/**
 * Turns measurements into the printed tables (median ± spread per column,
 * the ratio ours/peer per case, each target's verdict) and into
 * bench/results/latest.json. A value that could not be measured stays
 * `null` / `n/a` all the way through; a column a case does not have is `—`.
 * A missed target is judged unreachable only from the same run's figures:
 * the checked floor (bench/floors/) or raw already on the wrong side of it.
 */
import { COLUMNS, PEERS, type CaseResult, type Cell, type Column, type Target } from './suite.ts';

export interface ResultsJson {
  readonly node: string;
  readonly cases: readonly {
    name: string;
    ours_ns: number | null;
    raw_ns: number | null;
    jco_ns: number | null;
    extism_ns: number | null;
    /** The checked floor (bench/floors/): raw's glue plus the checks a safe host must make; null where a case has none. */
    checked_ns: number | null;
    /** Plain JavaScript doing the same job (kv: a `Map`), for reference (not the checked floor). */
    floor_ns: number | null;
  }[];
}

export function nsOf(cell: Cell | undefined): number | null {
  return cell !== undefined && 'ns' in cell ? cell.ns : null;
}

export function toJson(results: readonly CaseResult[]): ResultsJson {
  const round = (ns: number | null): number | null => (ns === null ? null : Math.round(ns * 10) / 10);
  const ns = (r: CaseResult, column: Column): number | null => round(nsOf(r.cells[column]));
  return {
    node: process.version,
    cases: results.map((r) => ({
      name: r.name,
      ours_ns: ns(r, 'ours'),
      raw_ns: ns(r, 'raw'),
      jco_ns: ns(r, 'jco'),
      extism_ns: ns(r, 'extism'),
      checked_ns: ns(r, 'checked'),
      floor_ns: ns(r, 'floor'),
    })),
  };
}

export function formatNs(ns: number | null): string {
  if (ns === null) return 'n/a';
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

export function ratio(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
}

export function formatRatio(r: number | null): string {
  if (r === null) return 'n/a';
  if (r < 0.01) return `${r.toPrecision(2)}x`;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x`;
}

/** `12.3 µs ±4%`, `n/a`, or `—` for a column the case does not have. */
export function formatCell(cell: Cell | undefined): string {
  if (cell === undefined) return '—';
  if (!('ns' in cell)) return 'n/a';
  return `${formatNs(cell.ns)} ±${Math.round(cell.spread * 100)}%`;
}

/** `ours/<peer>` of a case, when both were measured. */
export function oursOver(r: CaseResult, peer: Column): number | null {
  return ratio(nsOf(r.cells.ours), nsOf(r.cells[peer]));
}

/**
 * Why a missed target cannot be met by any safe host, from the same run:
 * for `ours <= X raw`, the checked floor alone is above X times raw; for
 * `jco >= X ours`, jco is less than X times the checked floor, or than raw
 * (no host is faster than raw, so none can be X times faster than jco).
 * The checked floor counts only when it measured no slower than ours, and
 * every proof must hold at the spreads' unfavourable edges (`edge`).
 */
export type Bound =
  | { readonly kind: 'checked/raw'; readonly ratio: number }
  | { readonly kind: 'jco/checked'; readonly ratio: number }
  | { readonly kind: 'jco/raw'; readonly ratio: number };

/**
 * A target's verdict: met, missed (nothing in this run says a safe host could
 * not meet it), missed and unreachable (with the figure that decides), missed
 * and proved unreachable by some of the case's measurements but not by all
 * (`unconfirmed`: a miss, with how many proved it, so a reader sees a verdict
 * the noise decided), or not measurable (a column it needs has no time).
 * `ratio` is the target's own ratio.
 */
export type Verdict =
  | { readonly kind: 'pass'; readonly ratio: number }
  | { readonly kind: 'miss'; readonly ratio: number }
  | { readonly kind: 'unreachable'; readonly ratio: number; readonly bound: Bound }
  | { readonly kind: 'unconfirmed'; readonly ratio: number; readonly proved: number; readonly measurements: number }
  | { readonly kind: 'n/a' };

/**
 * A cell's time at one edge of its spread (median less or plus half the interquartile range): a
 * bound proves a target unreachable only when it does so from the edges least favourable to the
 * proof, so one noisy median cannot make a target unreachable.
 */
function edge(cell: Cell | undefined, side: 'low' | 'high'): number | null {
  if (cell === undefined || !('ns' in cell)) return null;
  // A spread of 100% or more puts the low edge at 0 (a time is never negative): nothing divided by it proves anything.
  return side === 'low' ? Math.max(0, cell.ns * (1 - cell.spread)) : cell.ns * (1 + cell.spread);
}

/** A candidate proof: the median ratio it prints, and the ratio taken at the spreads' unfavourable edges, which decides. */
interface Candidate {
  readonly bound: Bound;
  readonly cautious: number;
}

function candidate(kind: Bound['kind'], median: number | null, cautious: number | null): Candidate[] {
  return median === null || cautious === null ? [] : [{ bound: { kind, ratio: median }, cautious }];
}

/** The strongest candidate whose cautious ratio fails the target, or undefined. */
function decidingBound(candidates: readonly Candidate[], fails: (ratio: number) => boolean, stronger: (a: number, b: number) => boolean): Bound | undefined {
  let found: Candidate | undefined;
  for (const c of candidates) if (fails(c.cautious) && (found === undefined || stronger(c.cautious, found.cautious))) found = c;
  return found?.bound;
}

/**
 * A target's verdict from a case's first measurement and its repeats (repeats.ts): unreachable only
 * when every measurement proves it on its own (`proof`, each at its spreads' edges); the printed
 * figure is then the weakest of their deciding ratios. When only some prove it, `unconfirmed`, with
 * how many. Anything else is the first measurement's.
 */
export function verdict(target: Target, cells: CaseResult['cells'], repeats: CaseResult['repeats'] = []): Verdict {
  const first = judge(target, cells);
  if (first.kind !== 'unreachable' || repeats.length === 0) return first;
  let weakest = first.bound;
  let proved = 1;
  for (const again of repeats) {
    const bound = proof(target, again);
    if (bound === undefined) continue;
    proved++;
    if (target.kind === 'ours/raw' ? bound.ratio < weakest.ratio : bound.ratio > weakest.ratio) weakest = bound;
  }
  const measurements = repeats.length + 1;
  return proved === measurements ? { ...first, bound: weakest } : { kind: 'unconfirmed', ratio: first.ratio, proved, measurements };
}

/**
 * The columns `proof` can use for `target` among those the case has (ours only beside a checked
 * floor, which must not measure slower than it): what a repeat re-measures.
 */
export function proofColumns(target: Target, has: readonly Column[]): Column[] {
  const needed: Column[] = target.kind === 'ours/raw' ? ['raw'] : ['raw', 'jco'];
  if (has.includes('checked')) needed.push('checked', 'ours');
  return needed.filter((c) => has.includes(c));
}

/** One measurement's verdict (see `verdict` for a case's, over its repeats too). */
export function judge(target: Target, cells: CaseResult['cells']): Verdict {
  const r = target.kind === 'ours/raw' ? ratio(nsOf(cells.ours), nsOf(cells.raw)) : ratio(nsOf(cells.jco), nsOf(cells.ours));
  if (r === null) return { kind: 'n/a' };
  if (target.kind === 'ours/raw' ? r <= target.atMost : r >= target.atLeast) return { kind: 'pass', ratio: r };
  const bound = proof(target, cells);
  return bound === undefined ? { kind: 'miss', ratio: r } : { kind: 'unreachable', ratio: r, bound };
}

/**
 * The figure that proves `target` unreachable in one measurement, or undefined: for `ours <= X
 * raw` the checked floor above X times raw, for `jco >= X ours` jco below X times the checked floor
 * or raw, each at the spreads' unfavourable edges. A checked floor counts only when ours was
 * measured and is no faster. Ours's own time is not part of a proof (a repeat may leave it out).
 */
export function proof(target: Target, cells: CaseResult['cells']): Bound | undefined {
  const ours = nsOf(cells.ours);
  const raw = nsOf(cells.raw);
  // A checked floor measured slower than ours is no floor (it does work a host can avoid, or the run
  // was too noisy to tell): it decides nothing. Raw still bounds every host.
  const measuredFloor = nsOf(cells.checked);
  const floorCell = measuredFloor !== null && ours !== null && measuredFloor <= ours ? cells.checked : undefined;
  const checked = nsOf(floorCell);
  if (target.kind === 'ours/raw') {
    const candidates = candidate('checked/raw', ratio(checked, raw), ratio(edge(floorCell, 'low'), edge(cells.raw, 'high')));
    return decidingBound(candidates, (b) => b > target.atMost, (a, b) => a > b);
  }
  const jco = nsOf(cells.jco);
  const jcoHigh = edge(cells.jco, 'high');
  const candidates = [
    ...candidate('jco/checked', ratio(jco, checked), ratio(jcoHigh, edge(floorCell, 'low'))),
    ...candidate('jco/raw', ratio(jco, raw), ratio(jcoHigh, edge(cells.raw, 'low'))),
  ];
  return decidingBound(candidates, (b) => b < target.atLeast, (a, b) => a < b);
}

/** `PASS`, `MISS`, `MISS: unreachable, checked floor 2.31x raw` (the figure that decides), `MISS (unreachable in 1 of 3 measurements)`, or `n/a`. */
export function verdictLabel(v: Verdict): string {
  switch (v.kind) {
    case 'pass':
      return 'PASS';
    case 'miss':
      return 'MISS';
    case 'unconfirmed':
      return `MISS (unreachable in ${v.proved} of ${v.measurements} measurements)`;
    case 'n/a':
      return 'n/a';
    case 'unreachable': {
      const figure = formatRatio(v.bound.ratio);
      const decides = v.bound.kind === 'checked/raw' ? `checked floor ${figure} raw` : v.bound.kind === 'jco/checked' ? `jco ${figure} checked floor` : `jco ${figure} raw`;
      return `MISS: unreachable, ${decides}`;
    }
  }
}

export function describeTarget(target: Target): string {
  return target.kind === 'ours/raw' ? `ours <= ${target.atMost}x raw` : `jco >= ${target.atLeast}x ours`;
}

/** The columns any of these results has, in table order. */
export function columnsOf(results: readonly CaseResult[]): Column[] {
  return COLUMNS.filter((c) => results.some((r) => r.cells[c] !== undefined));
}

const COLUMN_TITLE: Record<Column, string> = { raw: 'raw', checked: 'checked floor', ours: 'ours', jco: 'jco', extism: 'extism', floor: 'JS floor' };

/** The rows of one section's table (header first), as plain strings. */
export function tableRows(results: readonly CaseResult[]): string[][] {
  const columns = columnsOf(results);
  const peers = PEERS.filter((p) => columns.includes(p));
  // The checked floor's own distance from raw: what decides whether an ours/raw target is reachable at all.
  const floorOverRaw = columns.includes('checked') && columns.includes('raw');
  const rows: string[][] = [
    ['case', ...columns.map((c) => COLUMN_TITLE[c]), ...peers.map((p) => `ours/${COLUMN_TITLE[p]}`), ...(floorOverRaw ? [`${COLUMN_TITLE.checked}/raw`] : []), 'target', 'status'],
  ];
  for (const r of results) {
    const targets = r.targets.length === 0 ? [undefined] : r.targets;
    targets.forEach((t, i) => {
      const first = i === 0;
      rows.push([
        first ? r.name : '',
        ...columns.map((c) => (first ? formatCell(r.cells[c]) : '')),
        ...peers.map((p) => (first ? (r.cells[p] === undefined ? '—' : formatRatio(oursOver(r, p))) : '')),
        ...(floorOverRaw ? [first ? (r.cells.checked === undefined ? '—' : formatRatio(ratio(nsOf(r.cells.checked), nsOf(r.cells.raw)))) : ''] : []),
        t === undefined ? '' : describeTarget(t),
        t === undefined ? '' : verdictLabel(verdict(t, r.cells, r.repeats)),
      ]);
    });
  }
  return rows;
}

export function formatTable(results: readonly CaseResult[]): string {
  const rows = tableRows(results);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** The reasons behind n/a cells, one line per distinct reason. */
export function formatNotes(results: readonly CaseResult[]): string[] {
  const notes = new Map<string, string[]>();
  for (const r of results) {
    for (const column of COLUMNS) {
      const cell = r.cells[column];
      if (cell !== undefined && 'reason' in cell) {
        const key = `${column}: ${cell.reason}`;
        notes.set(key, [...(notes.get(key) ?? []), r.name]);
      }
    }
  }
  return [...notes].map(([reason, cases]) => `n/a ${reason} [${cases.length === results.length ? 'all cases' : cases.join(', ')}]`);
}
