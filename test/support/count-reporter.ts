/**
 * Ends a vitest run with one plain line, `vitest: N passed, N failed, N skipped`,
 * the form CI reads to count a run (vitest's own summary is not in that form).
 * An `it.fails` test that fails as expected counts as passed, as vitest reports it.
 * A test file that failed outside its tests (to load, or in a hook) counts as one failure, so a
 * broken file cannot vanish.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      let failedInModule = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedInModule++;
        else skipped++;
      }
      // A file that failed outside its tests (an import, a beforeAll) leaves them skipped:
      // count the file itself, so the line never says 0 failed for a red run.
      if (module.state() === 'failed' && failedInModule === 0) failedInModule = 1;
      failed += failedInModule;
    }
    process.stdout.write(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
