/** Run on the pinned current Node by sync-signal.test.ts: prints the scenarios' outcomes as JSON. */
import { runSyncSignalScenarios } from './sync-signal-scenarios.ts';

process.stdout.write(JSON.stringify(await runSyncSignalScenarios()));
