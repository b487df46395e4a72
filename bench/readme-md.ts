/**
 * `npm run bench -- --report` also rewrites the README's Performance figures,
 * between two markers, from the same run as docs/performance.md: the run's
 * commit, Node, machine and load average, how many of issue 15's targets
 * are met, and the headline rows below, so the README never carries a figure
 * the report does not.
 *
 * The headline rows are picked by section and case name. A pattern that
 * matches no case (a case renamed or removed) stops the rewrite with an
 * error naming it, rather than leaving the README silently short.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { repoPath } from './paths.ts';
import { commit, machine, markdownTable, targetTally, verdictLabels, type ReportInput } from './report-md.ts';
import { formatNs, formatRatio, nsOf, oursOver, ratio } from './report.ts';
import type { CaseResult } from './suite.ts';

export const README_PATH = repoPath('README.md');

/** The lines between which the generated block sits; everything outside them is left alone. */
export const README_MARKERS = {
  start: '<!-- performance:start — written by `npm run bench -- --report` (bench/readme-md.ts); do not edit by hand -->',
  end: '<!-- performance:end -->',
} as const;

/** The rows the README shows, in order: a section id and a pattern for case names (every match is shown). */
export const HEADLINES: readonly { readonly section: string; readonly name: RegExp }[] = [
  { section: 'micro', name: /^add\(u32,u32\)/ },
  { section: 'micro', name: /^echo string 16 B$/ },
  { section: 'micro', name: /^echo record of 8 fields$/ },
  { section: 'micro', name: /^resource method call$/ },
  { section: 'micro', name: /^resource create\+drop$/ },
  { section: 'kv', name: /^kv: [\d,]+ puts$/ },
  { section: 'kv', name: /^kv: iterate / },
  { section: 'kv', name: /^kv: len\(\)/ },
  { section: 'callbacks', name: /^plugin -> host trait: 1,000,000 / },
  { section: 'callbacks', name: /^plugin -> plugin \(linked\)/ },
  { section: 'load', name: /^load kv\b/ },
  { section: 'load', name: /^load [\d.]+ MB WAT component/ },
  { section: 'unload', name: /^unload kv with / },
  { section: 'extism', name: /^echo bytes 1 MiB / },
  { section: 'extism', name: /^kv put \+ get / },
];

/** `243x` for jco/ours, the way the README reads (how many times slower the peer is). */
function timesFaster(r: CaseResult, peer: 'jco'): string {
  const cell = r.cells[peer];
  if (cell === undefined) return '';
  const times = ratio(nsOf(cell), nsOf(r.cells.ours));
  return times !== null && times >= 10 ? `${Math.round(times)}x` : formatRatio(times);
}

function oursOverCell(r: CaseResult, peer: 'raw' | 'extism'): string {
  return r.cells[peer] === undefined ? '' : formatRatio(oursOver(r, peer));
}

/** The headline cases of a run, in HEADLINES order; throws naming every pattern that matched nothing. */
export function headlineCases(cases: readonly CaseResult[]): CaseResult[] {
  const missing: string[] = [];
  const rows = HEADLINES.flatMap((h) => {
    const found = cases.filter((c) => c.section === h.section && h.name.test(c.name));
    if (found.length === 0) missing.push(`${h.section}: ${h.name}`);
    return found;
  });
  if (missing.length > 0) throw new Error(`README headline rows match no case of this run (rename them in bench/readme-md.ts): ${missing.join('; ')}`);
  return rows;
}

/** The generated block (without the markers). */
export function readmePerformance(input: ReportInput, at = commit()): string {
  const all = input.sections.flatMap((s) => s.results.cases);
  const tally = targetTally(all);
  const targets = tally.pass + tally.miss + tally.na;
  const load = input.loadAtStart.map((l) => l.toFixed(2)).join(', ');
  const rows = headlineCases(all).map((r) => [
    r.name,
    formatNs(nsOf(r.cells.ours)),
    oursOverCell(r, 'raw'),
    timesFaster(r, 'jco'),
    oursOverCell(r, 'extism'),
    verdictLabels(r).join(', '),
  ]);
  const facts = input.sections.flatMap((s) => s.results.facts ?? []);
  const lines = [
    `Figures from one run of \`npm run bench -- --report\` at commit \`${at}\` on ${input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}: ` +
      `Node ${process.version}, ${machine()}, load average ${load} (1, 5, 15 min) at the start. ` +
      `**${tally.pass} of ${targets} targets met** (${tally.miss} missed${tally.unreachable > 0 ? `, ${tally.unreachable} of them unreachable for any safe host, by this run's own figures` : ''}${tally.na > 0 ? `, ${tally.na} not measurable` : ''}). ` +
      'Columns are interleaved, so read the ratios rather than the absolute times; every case, its spread and the charts are in ' +
      '[docs/performance.md](docs/performance.md), how each column is measured in [bench/README.md](bench/README.md). ' +
      'The raw column is the plugin\'s own core module called with hand-written glue: the limit any host can approach.',
    '',
    markdownTable([['case', 'ours', 'ours/raw', 'jco/ours', 'ours/Extism', 'targets'], ...rows]),
    '',
    ...facts.map((f) => `- ${f.name}: ${f.value}`),
  ];
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by `block`; throws when the markers are not there once each, in order. */
export function withPerformanceBlock(readme: string, block: string): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start || readme.indexOf(README_MARKERS.start, start + 1) >= 0 || readme.indexOf(README_MARKERS.end, end + 1) >= 0) {
    throw new Error(`README.md must hold the performance markers once each, in order:\n${README_MARKERS.start}\n${README_MARKERS.end}`);
  }
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n${block}\n${readme.slice(end)}`;
}

/** Rewrites the README's block from the run; returns the path. */
export async function writeReadmePerformance(input: ReportInput, path = README_PATH): Promise<string> {
  const block = readmePerformance(input);
  await writeFile(path, withPerformanceBlock(await readFile(path, 'utf8'), block));
  return path;
}
