/**
 * A bench entry for section-process.test.ts: three sections, run by
 * runAsChild as the compiled bench runs its real ones. `fine` returns one
 * result of every shape a section can (a timed cell, a cell with a reason, a
 * fact, a chart) and puts 42 in its sink; `throws` fails; `exits` ends its
 * process without sending anything.
 */
import { runAsChild } from './section-process.ts';
import type { Section } from './suite.ts';
import { consume } from './timing.ts';

const sections: readonly Section[] = [
  {
    id: 'fine',
    title: 'fine',
    async run(ctx) {
      consume(40);
      consume(2);
      return {
        cases: [{ section: 'fine', name: 'a case', targets: [{ kind: 'ours/raw', atMost: 1.5 }], cells: { raw: { ns: 12.5, spread: 0.05 }, jco: { reason: 'not here' } } }],
        facts: [{ section: 'fine', name: 'quick', value: String(ctx.quick) }],
        chart: 'unload-by-handles',
      };
    },
  },
  {
    id: 'throws',
    title: 'throws',
    async run() {
      throw new Error('measured nothing');
    },
  },
  {
    id: 'exits',
    title: 'exits',
    async run() {
      process.exit(0);
    },
  },
];

await runAsChild(process.argv, sections, { quick: process.argv.includes('--quick'), collectGarbage() {} });
