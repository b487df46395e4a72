/**
 * Runs wasm-tools' component-model validation scripts against the host.
 *
 *   node --import tsx scripts/peer-suites.ts [--verbose] [filter...]
 *
 * Prints one line per script, every difference not in
 * test/peer-suites/known-differences.txt, every false accept, every problem
 * with the list, and the totals. Exits 1 when any of those is found. The
 * lenient-index scripts run in a child process (the text parser reads
 * WAST_STRICT_COMPONENT_INDICES once per process).
 */

import { spawnSync } from 'node:child_process';
import { listProblems, reasonFor } from '../test/peer-suites/known-differences.ts';
import { runPeerSuite } from '../test/peer-suites/suite.ts';
import { runMain } from './lib/main.ts';

async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const lenientChild = process.env.WAST_STRICT_COMPONENT_INDICES === '0';
  const filters = argv.filter((a) => !a.startsWith('--'));
  const report = await runPeerSuite({ filters, indices: lenientChild ? 'lenient' : 'strict' });
  const all = report.scripts.flatMap((s) => s.cases);
  const totals = { passed: 0, difference: 0, 'false-accept': 0, failed: 0, skipped: 0 };
  const problems: string[] = [];
  for (const { file, run, cases } of report.scripts) {
    const counts = { passed: 0, difference: 0, 'false-accept': 0, failed: 0, skipped: 0 };
    for (const c of cases) {
      counts[c.status]++;
      totals[c.status]++;
      if (c.status === 'false-accept' || c.status === 'failed') problems.push(`  ${c.status.toUpperCase()} ${c.id} [${c.kind}] ${c.detail}`);
      if (c.status === 'difference' && reasonFor(report.known, c.id) === undefined) problems.push(`  NEW DIFFERENCE ${c.id} [${c.kind}] ${c.detail}`);
      if (verbose) console.log(`  ${c.status.padEnd(12)} ${c.id} [${c.kind}]${c.detail === '' ? '' : ' ' + c.detail}`);
    }
    const features = run.features.kind === 'default' ? 'default features' : run.features.kind === 'extended' ? `+${run.features.added.join(',')}` : `-${run.features.removed.join(',')}`;
    console.log(`${file} (${features}): ${counts.passed} passed, ${counts.difference} known differences, ${counts['false-accept']} false accepts, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
  problems.push(...listProblems(report.known, all, report.scripts.map((s) => s.file)).map((p) => `  LIST ${p}`));
  if (problems.length > 0) console.log(`\nproblems (${problems.length}):\n${problems.join('\n')}`);
  console.log(`${totals.passed} passed, ${totals.difference} differences, ${totals['false-accept']} false accepts, ${totals.failed} failed, ${totals.skipped} skipped`);
  let code = problems.length > 0 ? 1 : 0;
  if (!lenientChild) {
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...process.env, WAST_STRICT_COMPONENT_INDICES: '0' },
      stdio: 'inherit',
    });
    if (child.status !== 0) code = 1;
  }
  return code;
}

runMain(main);
