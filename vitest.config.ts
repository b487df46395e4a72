import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'bench/**/*.test.ts'],
    // Guest builds and browser launches are slow on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // The count line last: it is what CI reads to count the run.
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
