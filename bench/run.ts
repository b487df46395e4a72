/**
 * `npm run bench`: runs every section of the bench (see suite.ts), prints one
 * table per section (median ± spread per column, ours/peer ratios, target
 * verdicts) and writes bench/results/latest.json; with `--report` also
 * docs/performance.md. Run with node --expose-gc so garbage from one
 * measurement is collected before the next.
 *
 *   --quick        short timings, for smoke runs
 *   --only a,b     only the sections with these ids (e.g. `--only kv`)
 *   --report       also write docs/performance.md and the README's Performance block (refused with --quick or --only)
 *
 * Each section runs in a Node process of its own (section-process.ts), so
 * none is measured inside the heap another left behind.
 *
 * Nothing here asserts speed; the targets are reported, not enforced.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { asyncSection } from './async/section.ts';
import { callbacksSection } from './callbacks/section.ts';
import { extismSection } from './extism/section.ts';
import { kvSection } from './kv/section.ts';
import { loadSection } from './load/section.ts';
import { microSection } from './micro/section.ts';
import { repoPath } from './paths.ts';
import { runAsChild, runInOwnProcess, SECTION_CHILD_FLAG } from './section-process.ts';
import { writeReadmePerformance } from './readme-md.ts';
import { writeReport } from './report-md.ts';
import { formatNotes, formatTable, toJson } from './report.ts';
import type { CaseResult, Section, SectionResults } from './suite.ts';
import { LIVE_HANDLE_COUNTS, unloadSection } from './unload/section.ts';

const RESULTS = repoPath('bench', 'results', 'latest.json');

const SECTIONS: readonly Section[] = [microSection, kvSection, callbacksSection, loadSection, unloadSection, extismSection, asyncSection];

interface Args {
  readonly quick: boolean;
  readonly report: boolean;
  readonly only: readonly string[] | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt === -1 ? undefined : (argv[onlyAt + 1] ?? '').split(',').filter((s) => s !== '');
  const args = { quick: argv.includes('--quick'), report: argv.includes('--report'), only };
  const known = new Set(SECTIONS.map((s) => s.id));
  const unknown = (only ?? []).filter((id) => !known.has(id));
  if (only !== undefined && (only.length === 0 || unknown.length > 0)) {
    throw new Error(`--only takes section ids separated by commas (${[...known].join(', ')}); got ${unknown.join(', ') || 'none'}`);
  }
  if (args.report && (args.quick || only !== undefined)) throw new Error('--report needs the full run: leave out --quick and --only');
  return args;
}

/**
 * Collects garbage left by the previous measurement (1 MiB cases leave a lot)
 * so it is not billed to the next column. Needs node --expose-gc; without it
 * the bench still runs, only noisier.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  if (process.argv.includes(SECTION_CHILD_FLAG)) {
    await runAsChild(process.argv, SECTIONS, { quick: process.argv.includes('--quick'), collectGarbage });
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const sections = SECTIONS.filter((s) => args.only === undefined || args.only.includes(s.id));
  console.log(`node ${process.version}${args.quick ? '; --quick' : ''}; sections: ${sections.map((s) => s.id).join(', ')}\n`);

  const all: { section: Section; results: SectionResults }[] = [];
  let sink = 0;
  for (const section of sections) {
    const started = performance.now();
    const run = await runInOwnProcess(section, args.quick);
    const results = run.results;
    sink = (sink + run.sink) | 0;
    all.push({ section, results });
    console.log(`## ${section.title} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    console.log(formatTable(results.cases));
    for (const fact of results.facts ?? []) console.log(`${fact.name}: ${fact.value}`);
    for (const note of formatNotes(results.cases)) console.log(note);
    console.log('');
  }

  const cases: CaseResult[] = all.flatMap((a) => a.results.cases);
  if (args.only !== undefined) {
    console.log(`--only: ${RESULTS} left as it was (sink ${sink})`);
    return;
  }
  await mkdir(dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(toJson(cases), null, 2)}\n`);
  console.log(`wrote ${RESULTS} (sink ${sink})`);
  if (args.report) {
    const input = { sections: all, loadAtStart, startedAt, unloadHandleCounts: LIVE_HANDLE_COUNTS };
    console.log(`wrote ${await writeReport(input)}`);
    // The README's figures from the same run (after the report, so a failure here leaves the report written).
    console.log(`wrote ${await writeReadmePerformance(input)} (its Performance block)`);
  }
}

await main();
