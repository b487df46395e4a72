/**
 * Turns measurements into the printed table (with ratios and target
 * verdicts) and into bench/results/latest.json. A value that could not be
 * measured stays `null` / `n/a` all the way through.
 */
import type { Target } from './cases.ts';

export type Column = 'ours' | 'raw' | 'jco';

/** One column's result for one case: a median ns per op, or why there is none. */
export type Cell = { readonly ns: number } | { readonly reason: string };

export interface CaseResult {
  readonly name: string;
  readonly targets: readonly Target[];
  readonly cells: Readonly<Record<Column, Cell>>;
}

export interface ResultsJson {
  readonly node: string;
  readonly cases: readonly { name: string; ours_ns: number | null; raw_ns: number | null; jco_ns: number | null }[];
}

function nsOf(cell: Cell): number | null {
  return 'ns' in cell ? cell.ns : null;
}

export function toJson(results: readonly CaseResult[]): ResultsJson {
  const round = (ns: number | null): number | null => (ns === null ? null : Math.round(ns * 10) / 10);
  return {
    node: process.version,
    cases: results.map((r) => ({
      name: r.name,
      ours_ns: round(nsOf(r.cells.ours)),
      raw_ns: round(nsOf(r.cells.raw)),
      jco_ns: round(nsOf(r.cells.jco)),
    })),
  };
}

export function formatNs(ns: number | null): string {
  if (ns === null) return 'n/a';
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

function ratio(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0 ? null : numerator / denominator;
}

function formatRatio(r: number | null): string {
  return r === null ? 'n/a' : `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x`;
}

/** `PASS`, `MISS`, or `n/a` when a column the target needs was not measured. */
export function verdict(target: Target, cells: Readonly<Record<Column, Cell>>): 'PASS' | 'MISS' | 'n/a' {
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

function describeTarget(target: Target): string {
  return target.kind === 'ours/raw' ? `ours/raw<=${target.atMost}x` : `jco/ours>=${target.atLeast}x`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

export function formatTable(results: readonly CaseResult[]): string {
  const rows: string[][] = [['case', 'raw', 'ours', 'jco', 'ours/raw', 'jco/ours', 'target', 'status']];
  for (const r of results) {
    const ours = nsOf(r.cells.ours);
    const raw = nsOf(r.cells.raw);
    const jco = nsOf(r.cells.jco);
    const targets = r.targets.length === 0 ? [undefined] : r.targets;
    targets.forEach((t, i) => {
      rows.push([
        i === 0 ? r.name : '',
        i === 0 ? formatNs(raw) : '',
        i === 0 ? formatNs(ours) : '',
        i === 0 ? formatNs(jco) : '',
        i === 0 ? formatRatio(ratio(ours, raw)) : '',
        i === 0 ? formatRatio(ratio(jco, ours)) : '',
        t === undefined ? '' : describeTarget(t),
        t === undefined ? '' : verdict(t, r.cells),
      ]);
    });
  }
  return table(rows);
}

/** The reasons behind n/a cells, one line per distinct reason. */
export function formatNotes(results: readonly CaseResult[]): string[] {
  const notes = new Map<string, string[]>();
  for (const r of results) {
    for (const column of ['ours', 'raw', 'jco'] as const) {
      const cell = r.cells[column];
      if ('reason' in cell) {
        const key = `${column}: ${cell.reason}`;
        notes.set(key, [...(notes.get(key) ?? []), r.name]);
      }
    }
  }
  return [...notes].map(([reason, cases]) => `n/a ${reason} [${cases.length === results.length ? 'all cases' : cases.join(', ')}]`);
}
