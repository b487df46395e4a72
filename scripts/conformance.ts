/**
 * Runs the Component Model reference tests against the host.
 *
 *   node --import tsx scripts/conformance.ts [--pinned-node] [--verbose] [--write-known-failures | --json] [filter...]
 *
 * Prints the engine and the features it was found to have, one line per
 * script, every failure not expected on this engine (test/conformance/known-failures.txt),
 * every expected failure that now passes, and finally
 * `node 20.20.2: N passed, M failed, K skipped`. Exits 1 when a case fails that
 * is not expected to. `--write-known-failures` prints the list that matches the
 * current results (to redirect into the file after checking it); `--json`
 * prints the engine and every case's result instead (what
 * test/conformance/pinned-node.test.ts reads). `--pinned-node` runs all this
 * on the pinned current Node (scripts/lib/pinned-node.ts), installing it first.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watchForEarlyExit } from '../test/conformance/early-exit.ts';
import { formatEngine } from '../test/conformance/engine-features.ts';
import { classify, formatKnownFailures, staleEntries } from '../test/conformance/known-failures.ts';
import { runSuite, SuiteMissingError } from '../test/conformance/suite.ts';
import { ensurePinnedNode } from './lib/pinned-node.ts';
import { runMain } from './lib/main.ts';

const FLAGS: ReadonlySet<string> = new Set(['--pinned-node', '--verbose', '--write-known-failures', '--json']);
const USAGE = 'usage: conformance.ts [--pinned-node] [--verbose] [--write-known-failures | --json] [filter...]';

/** The same command, minus --pinned-node, in a child process on the pinned Node. */
function runOnPinnedNode(argv: readonly string[]): number {
  const node = ensurePinnedNode();
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), ...argv.filter((a) => a !== '--pinned-node')];
  const child = spawnSync(node.executable, args, { stdio: 'inherit' });
  if (child.error !== undefined) throw child.error;
  return child.status ?? 2;
}

async function main(argv: readonly string[]): Promise<number> {
  const unknownFlag = argv.find((a) => a.startsWith('--') && !FLAGS.has(a));
  if (unknownFlag !== undefined) {
    console.error(`unknown option ${unknownFlag}; ${USAGE}`);
    return 2;
  }
  if (argv.includes('--pinned-node')) return runOnPinnedNode(argv);
  const verbose = argv.includes('--verbose');
  const writeList = argv.includes('--write-known-failures');
  const json = argv.includes('--json');
  if (writeList && json) {
    console.error(`--write-known-failures and --json each print the whole output; ${USAGE}`);
    return 2;
  }
  const filters = argv.filter((a) => !a.startsWith('--'));

  let report;
  const progress = watchForEarlyExit('conformance');
  try {
    report = await runSuite({ filters, started: (id) => progress.started(id) });
  } catch (e) {
    if (e instanceof SuiteMissingError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  } finally {
    progress.finished();
  }
  if (report.files.length === 0) {
    console.error(`no .wast file matches ${filters.join(', ')}`);
    return 2;
  }

  const all = report.files.flatMap((f) => f.cases);
  const features = new Set(report.engine.features);
  if (writeList) {
    process.stdout.write(formatKnownFailures(all, report.known, features));
    return 0;
  }
  if (json) {
    process.stdout.write(JSON.stringify({ engine: report.engine, files: report.files }) + '\n');
    return 0;
  }

  console.log(`engine: ${formatEngine(report.engine)}`);

  let passed = 0, failed = 0, skipped = 0, known = 0;
  const newFailures: string[] = [];
  const fixed: string[] = [];
  for (const { file, cases } of report.files) {
    let p = 0, f = 0, k = 0, s = 0;
    for (const c of cases) {
      const cls = classify(c, report.known, features);
      if (c.status === 'passed') p++;
      else if (c.status === 'skipped') s++;
      else f++;
      if (cls === 'known-failure') k++;
      if (cls === 'new-failure') newFailures.push(`  FAIL ${c.id} [${c.kind}] ${c.detail}`);
      if (cls === 'fixed') fixed.push(`  FIXED ${c.id} now passes on ${report.engine.name}; remove it from known-failures.txt`);
      if (verbose) console.log(`  ${c.status.padEnd(7)} ${c.id} [${c.kind}]${c.detail === '' ? '' : ' ' + c.detail}`);
    }
    console.log(`${file}: ${p} passed, ${f} failed${k > 0 ? ` (${k} known)` : ''}, ${s} skipped`);
    passed += p;
    failed += f;
    skipped += s;
    known += k;
  }
  const stale = staleEntries(report.known, all, report.files.map((f) => f.file));
  if (newFailures.length > 0) console.log(`\nfailures not expected on this engine by known-failures.txt (${newFailures.length}):\n${newFailures.join('\n')}`);
  if (fixed.length > 0) console.log(`\nknown failures that now pass (${fixed.length}):\n${fixed.join('\n')}`);
  if (stale.length > 0) console.log(`\nknown-failures.txt entries with no failing case (${stale.length}):\n${stale.map((s) => `  STALE ${s}`).join('\n')}`);
  console.log(`\nfailures: ${known} known (test/conformance/known-failures.txt), ${newFailures.length} new`);
  console.log(`${report.engine.name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return newFailures.length > 0 ? 1 : 0;
}

runMain(main);
