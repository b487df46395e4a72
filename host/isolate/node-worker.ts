/** Entry point of the Node worker thread that runs one isolated plugin. */
import { parentPort } from 'node:worker_threads';
import { serveWorker } from './worker-side.ts';
import type { ToWorker } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('host/isolate/node-worker must run in a worker thread');
serveWorker({
  post: (msg, transfer) => port.postMessage(msg, transfer as import('node:worker_threads').TransferListItem[] | undefined),
  onMessage: (handler) => port.on('message', (m: ToWorker) => handler(m)),
});
