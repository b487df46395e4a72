/** Run on the pinned current Node by blocking.test.ts: prints the blocking scenarios' outcomes as JSON. */
import { runScenarios } from './blocking-scenarios.ts';

process.stdout.write(JSON.stringify(await runScenarios()));
