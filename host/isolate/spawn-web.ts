/**
 * Starts the isolated plugin's worker as a browser Web Worker (a module
 * worker running `web-worker.js`, which a bundler emits next to the host).
 */
import type { WorkerEndpoint } from './isolated-plugin.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

export function spawnWebWorker(entry: URL = new URL('./web-worker.js', import.meta.url)): WorkerEndpoint {
  const worker = new Worker(entry, { type: 'module' });
  let terminated = false;
  let exitHandler: ((reason: Error) => void) | undefined;
  worker.addEventListener('error', (e: ErrorEvent) => {
    if (!terminated) exitHandler?.(new Error(e.message || 'the worker failed'));
    terminated = true;
  });
  return {
    post: (msg: ToWorker) => worker.postMessage(msg),
    onMessage: (handler) => worker.addEventListener('message', (e: MessageEvent<FromWorker>) => handler(e.data)),
    onExit: (handler) => {
      exitHandler = handler;
    },
    terminate: () => {
      terminated = true;
      worker.terminate();
    },
  };
}
