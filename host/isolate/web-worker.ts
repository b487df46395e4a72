/**
 * Entry point of the browser Web Worker that runs one isolated plugin
 * (`new Worker(url, { type: 'module' })`). Same protocol as the Node worker.
 */
import { serveWorker } from './worker-side.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

interface WorkerScope {
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: { data: ToWorker }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
serveWorker({
  post: (msg, transfer) => scope.postMessage(msg, transfer),
  onMessage: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
});
