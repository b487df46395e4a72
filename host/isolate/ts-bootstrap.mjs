// Development only: when the host runs from its TypeScript sources (tests,
// tsx), a worker thread cannot load .ts files by itself (Node 20 does not
// apply `--import tsx` to a worker's entry), so this plain module registers
// tsx in the worker first, then loads the real entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.rdylibEntry);
