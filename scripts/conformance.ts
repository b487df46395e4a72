/**
 * Runs the Component Model reference tests against the host.
 *
 *   node --import tsx scripts/conformance.ts [--verbose] [--write-known-failures] [filter...]
 *
 * Prints one line per script, every failure not in
 * test/conformance/known-failures.txt, every listed case that now passes, and
 * finally `N passed, M failed, K skipped`. Exits 1 when a case fails that is
 * not on the list. `--write-known-failures` prints the list that matches the
 * current results (to redirect into the file after checking it).
 */

import { classify, formatKnownFailures, staleEntries } from '../test/conformance/known-failures.ts';
import { runSuite, SuiteMissingError } from '../test/conformance/suite.ts';
import { runMain } from './lib/main.ts';

async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const writeList = argv.includes('--write-known-failures');
  const unknownFlag = argv.find((a) => a.startsWith('--') && a !== '--verbose' && a !== '--write-known-failures');
  if (unknownFlag !== undefined) {
    console.error(`unknown option ${unknownFlag}; usage: conformance.ts [--verbose] [--write-known-failures] [filter...]`);
    return 2;
  }
  const filters = argv.filter((a) => !a.startsWith('--'));

  let report;
  try {
    report = await runSuite({ filters });
  } catch (e) {
    if (e instanceof SuiteMissingError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  if (report.files.length === 0) {
    console.error(`no .wast file matches ${filters.join(', ')}`);
    return 2;
  }

  const all = report.files.flatMap((f) => f.cases);
  if (writeList) {
    process.stdout.write(formatKnownFailures(all));
    return 0;
  }

  let passed = 0, failed = 0, skipped = 0, known = 0;
  const newFailures: string[] = [];
  const fixed: string[] = [];
  for (const { file, cases } of report.files) {
    let p = 0, f = 0, k = 0, s = 0;
    for (const c of cases) {
      const cls = classify(c, report.known);
      if (c.status === 'passed') p++;
      else if (c.status === 'skipped') s++;
      else f++;
      if (cls === 'known-failure') k++;
      if (cls === 'new-failure') newFailures.push(`  FAIL ${c.id} [${c.kind}] ${c.detail}`);
      if (cls === 'fixed') fixed.push(`  FIXED ${c.id} now passes; remove it from known-failures.txt`);
      if (verbose) console.log(`  ${c.status.padEnd(7)} ${c.id} [${c.kind}]${c.detail === '' ? '' : ' ' + c.detail}`);
    }
    console.log(`${file}: ${p} passed, ${f} failed${k > 0 ? ` (${k} known)` : ''}, ${s} skipped`);
    passed += p;
    failed += f;
    skipped += s;
    known += k;
  }
  const stale = staleEntries(report.known, all, report.files.map((f) => f.file));
  if (newFailures.length > 0) console.log(`\nfailures not in known-failures.txt (${newFailures.length}):\n${newFailures.join('\n')}`);
  if (fixed.length > 0) console.log(`\nknown failures that now pass (${fixed.length}):\n${fixed.join('\n')}`);
  if (stale.length > 0) console.log(`\nknown-failures.txt entries with no failing case (${stale.length}):\n${stale.map((s) => `  STALE ${s}`).join('\n')}`);
  console.log(`\nfailures: ${known} known (test/conformance/known-failures.txt), ${newFailures.length} new`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return newFailures.length > 0 ? 1 : 0;
}

runMain(main);
