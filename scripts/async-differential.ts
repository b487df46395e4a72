/**
 * Runs the async differential scenarios (test/async-js/differential.ts) on
 * the Node running it: jco's transpiled output and rdylib on the same WAT
 * fixtures. jco's async output needs JSPI, so this runs on the pinned current
 * Node (test/async-js/jco-differential.test.ts starts it there).
 * `--json` prints the results as JSON; otherwise one line per scenario.
 */
import { runDifferential } from '../test/async-js/differential.ts';

const results = await runDifferential();
if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify({ node: process.version, results }));
} else {
  for (const r of results) console.log(`${r.name}\n  jco:    ${JSON.stringify(r.jco)}\n  rdylib: ${JSON.stringify(r.rdylib)}`);
}
