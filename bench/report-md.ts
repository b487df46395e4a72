/**
 * `npm run bench -- --report`: docs/performance.md from one full run (the
 * machine, Node, one table per section, the facts, the targets' tally) and
 * the SVG charts it shows, under docs/performance/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { ratioChart, unloadChart, unloadPoints } from './charts.ts';
import { repoPath } from './paths.ts';
import { tableRows, verdict, verdictLabel } from './report.ts';
import type { CaseResult, Section, SectionResults } from './suite.ts';

/** Where the report goes: docs/performance.md, its charts in docs/performance/. */
export const REPORT_PATHS = { report: repoPath('docs', 'performance.md'), chartDir: repoPath('docs', 'performance') };

export function markdownTable(rows: readonly (readonly string[])[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const [head, ...body] = rows;
  return [`| ${head!.map(cell).join(' | ')} |`, `| ${head!.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** The commit the run measured (short hash), or `unknown` outside a git checkout. */
export function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoPath(), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export interface ReportInput {
  readonly sections: readonly { section: Section; results: SectionResults }[];
  /** The load average when the run started (1, 5, 15 minutes). */
  readonly loadAtStart: readonly number[];
  readonly startedAt: Date;
  readonly unloadHandleCounts: readonly number[];
}

/** The machine the run measured on: CPU model, cores, memory, OS. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${type()} ${release()} ${arch()}`;
}

/** How many of the cases' targets are met, missed (`miss` counts every miss, `unreachable` those of them no safe host can meet), and not measurable. */
export function targetTally(cases: readonly CaseResult[]): { readonly pass: number; readonly miss: number; readonly unreachable: number; readonly na: number } {
  const kinds = cases.flatMap((r) => r.targets.map((t) => verdict(t, r.cells, r.repeats).kind));
  const count = (kind: (typeof kinds)[number]): number => kinds.filter((k) => k === kind).length;
  return { pass: count('pass'), miss: count('miss') + count('unconfirmed') + count('unreachable'), unreachable: count('unreachable'), na: count('n/a') };
}

/** The verdicts of one case's targets, as the tables print them. */
export function verdictLabels(r: CaseResult): string[] {
  return r.targets.map((t) => verdictLabel(verdict(t, r.cells, r.repeats)));
}

/** What a checked floor is and where its code lives (the report and bench/README.md say the same). */
export const CHECKED_FLOOR_NOTE =
  '`checked floor`: the raw column\'s hand-written glue plus, written by hand for that one function, exactly the checks and bookkeeping a safe host is required to do ' +
  '(typed errors naming the item, may_enter/may_leave, poisoning on trap, the handle table\'s own/lend rules, borrow checks, revocation at unload, release of undisposed handles, ' +
  'the cache-hit byte comparison): the best any generic host could do. Its code is bench/floors/ (one commented module per floor, each citing the rule behind every check), ' +
  'and bench/floors/*.test.ts feeds it the same bad inputs as ours and requires the same refusals. ' +
  'A missed target is `MISS: unreachable` when this run\'s own figures show no safe host can meet it: for `ours <= X raw`, the checked floor alone is above X times raw; ' +
  'for `jco >= X ours`, jco is below X times the checked floor or X times raw (no host beats raw). The figure that decides (the ratio of the medians) is printed beside it; ' +
  'the proof must also hold at the unfavourable edges of the spreads, and a checked floor that measured slower than ours decides nothing. ' +
  'A case so judged is measured twice more later in the run (bench/repeats.ts), and stays unreachable only if each measurement proves it alone; the figure printed is the weakest of them. ' +
  'When only some prove it, the status says so (`MISS (unreachable in 1 of 3 measurements)`): a miss the noise decided. ' +
  '`JS floor` is something else: plain JavaScript doing the same job (a `Map` for kv), for reference.';

export async function writeReport(input: ReportInput, paths: { report: string; chartDir: string } = REPORT_PATHS): Promise<string> {
  const all = input.sections.flatMap((s) => s.results.cases);
  const tally = targetTally(all);
  const lines: string[] = [
    '# Performance',
    '',
    `Written by \`npm run bench -- --report\` (bench/report-md.ts) from one run on ${input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} at commit \`${commit()}\`; do not edit by hand, run it again. How each column is measured: [bench/README.md](../bench/README.md).`,
    '',
    '| | |',
    '| --- | --- |',
    `| machine | ${machine()} |`,
    `| load average at start | ${input.loadAtStart.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min): the machine is shared, so read the ratios (columns are interleaved), not the absolute times |`,
    `| Node | ${process.version} (V8 ${process.versions.v8}) |`,
    `| targets met | ${tally.pass} PASS, ${tally.miss} MISS (${tally.unreachable} of them unreachable for a safe host), ${tally.na} n/a |`,
    '',
    'Each cell is the median time per op ± the spread (half the interquartile range, relative). `ours/<peer>` is the ratio of the medians: below 1 ours is faster. `—`: the case has no such column; `n/a`: not measured, with the reason below the table.',
    '',
    CHECKED_FLOOR_NOTE,
    '',
    '![ratio ours/peer per case](performance/ratios.svg)',
    '',
  ];
  const charts: Record<string, string> = { 'ratios.svg': ratioChart(all) };
  for (const { section, results } of input.sections) {
    lines.push(`## ${section.title}`, '', markdownTable(tableRows(results.cases)), '');
    for (const fact of results.facts ?? []) lines.push(`- ${fact.name}: ${fact.value}`);
    const notes = results.cases.flatMap((r) => Object.entries(r.cells).flatMap(([column, cell]) => (cell !== undefined && 'reason' in cell ? [`- ${r.name}, ${column}: n/a, ${cell.reason}`] : [])));
    lines.push(...notes);
    if ((results.facts ?? []).length > 0 || notes.length > 0) lines.push('');
    if (results.chart === 'unload-by-handles') {
      charts['unload.svg'] = unloadChart(unloadPoints(results.cases, input.unloadHandleCounts));
      lines.push('![unload time against live handles](performance/unload.svg)', '');
    }
  }
  await mkdir(paths.chartDir, { recursive: true });
  for (const [file, text] of Object.entries(charts)) await writeFile(join(paths.chartDir, file), text);
  await writeFile(paths.report, lines.join('\n'));
  return paths.report;
}
