/** Run on the pinned current Node by worker.test.ts: prints the worker scenarios' outcomes as JSON. */
import { runWorkerScenarios } from './worker-scenarios.ts';

process.stdout.write(JSON.stringify(await runWorkerScenarios()));
