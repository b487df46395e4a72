/**
 * Starts the isolated plugin's worker as a Node worker thread. From the
 * compiled package the entry is `node-worker.js`; when the host runs from
 * TypeScript sources (tests, tsx) `ts-bootstrap.mjs` registers tsx in the
 * worker and then loads `node-worker.ts`.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { WorkerEndpoint } from './isolated-plugin.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

export function spawnNodeWorker(resourceLimits?: ResourceLimits): WorkerEndpoint {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './node-worker.ts' : './node-worker.js', import.meta.url);
  const worker = new Worker(fromSource ? new URL('./ts-bootstrap.mjs', import.meta.url) : entry, {
    workerData: { rdylibEntry: entry.href },
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
  let terminated = false;
  let exitHandler: ((reason: Error) => void) | undefined;
  const died = (reason: Error): void => {
    if (!terminated) exitHandler?.(reason);
    terminated = true;
  };
  worker.on('error', (e: Error) => died(e));
  worker.on('exit', (code) => died(new Error(`worker exited with code ${code}`)));
  return {
    post: (msg: ToWorker, transfer?: Transferable[]) => worker.postMessage(msg, transfer as import('node:worker_threads').TransferListItem[] | undefined),
    onMessage: (handler) => worker.on('message', (m: FromWorker) => handler(m)),
    onExit: (handler) => {
      exitHandler = handler;
    },
    terminate: () => {
      if (terminated) return;
      terminated = true;
      void worker.terminate();
    },
  };
}
