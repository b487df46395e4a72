/**
 * Turns measurements into the printed tables (median ± spread per column,
 * the ratio ours/peer per case, each target's verdict) and into
 * bench/results/latest.json. A value that could not be measured stays
 * `null` / `n/a` all the way through; a column a case does not have is `—`.
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
    /** Plain JavaScript doing the same job (kv: a `Map`), for reference. */
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

/** `PASS`, `MISS`, or `n/a` when a column the target needs was not measured. */
export function verdict(target: Target, cells: CaseResult['cells']): 'PASS' | 'MISS' | 'n/a' {
  const ours = nsOf(cells.ours);
  switch (target.kind) {
    case 'ours/raw': {
      const r = ratio(ours, nsOf(cells.raw));
      return r === null ? 'n/a' : r <= target.atMost ? 'PASS' : 'MISS';
    }
    case 'jco/ours': {
      const r = ratio(nsOf(cells.jco), ours);
      return r === null ? 'n/a' : r >= target.atLeast ? 'PASS' : 'MISS';
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

const COLUMN_TITLE: Record<Column, string> = { raw: 'raw', ours: 'ours', jco: 'jco', extism: 'extism', floor: 'JS floor' };

/** The rows of one section's table (header first), as plain strings. */
export function tableRows(results: readonly CaseResult[]): string[][] {
  const columns = columnsOf(results);
  const peers = PEERS.filter((p) => columns.includes(p));
  const rows: string[][] = [['case', ...columns.map((c) => COLUMN_TITLE[c]), ...peers.map((p) => `ours/${COLUMN_TITLE[p]}`), 'target', 'status']];
  for (const r of results) {
    const targets = r.targets.length === 0 ? [undefined] : r.targets;
    targets.forEach((t, i) => {
      const first = i === 0;
      rows.push([
        first ? r.name : '',
        ...columns.map((c) => (first ? formatCell(r.cells[c]) : '')),
        ...peers.map((p) => (first ? (r.cells[p] === undefined ? '—' : formatRatio(oursOver(r, p))) : '')),
        t === undefined ? '' : describeTarget(t),
        t === undefined ? '' : verdict(t, r.cells),
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
