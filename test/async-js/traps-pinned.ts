/** Run on the pinned current Node by traps.test.ts: prints the trap scenarios' outcomes as JSON. */
import { runTrapScenarios } from './trap-scenarios.ts';

process.stdout.write(JSON.stringify(await runTrapScenarios()));
