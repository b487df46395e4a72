/**
 * Starts the isolated plugin's worker as a browser Web Worker: a module
 * worker running `web-worker.js`, the self-contained worker entry the
 * package ships (`rdylib/web-worker`, dist/browser/web-worker.js) and the
 * repository's bundle step writes next to the host bundle.
 */
import { LoadError } from '../errors.ts';
import type { WorkerEndpoint } from './isolated-plugin.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** The worker entry's file name, looked for next to the script the host was bundled into. */
export const WEB_WORKER_FILE = 'web-worker.js';

/**
 * The URL of the script this module runs in, read once while it first runs:
 * `import.meta.url` in an ES module; a bundler's classic-script output
 * (esbuild's default iife, where `import.meta` is empty) has it only as
 * `document.currentScript`, and only during that first run.
 */
const scriptUrl: string | undefined =
  (import.meta as { url?: string }).url ??
  ((globalThis as { document?: { currentScript?: { src?: string } | null } }).document?.currentScript?.src || undefined);

/** Where `isolate: 'worker'` looks for the worker entry unless given `workerUrl`: next to the host's script. */
export function defaultWorkerUrl(): URL {
  const base = scriptUrl ?? (globalThis as { location?: { href: string } }).location?.href;
  if (base === undefined) throw new LoadError('io', `cannot tell where ${WEB_WORKER_FILE} is (no script or page URL): pass its URL as workerUrl`);
  return new URL(`./${WEB_WORKER_FILE}`, base);
}

/**
 * Why the worker at `entry` failed before it said anything: a missing or
 * unservable entry is a LoadError naming the URL and what to serve there;
 * otherwise the error the worker reported.
 */
async function startFailure(entry: URL, event: ErrorEvent): Promise<Error> {
  let status: string | undefined;
  try {
    const res = await fetch(entry);
    if (!res.ok) status = `HTTP ${res.status}`;
  } catch (e) {
    status = e instanceof Error ? e.message : String(e);
  }
  if (status === undefined) return new Error(event.message || `the worker at ${entry.href} failed to start`);
  return new LoadError(
    'io',
    `the Web Worker entry for isolate: 'worker' is not at ${entry.href} (${status}): serve rdylib's ${WEB_WORKER_FILE} ` +
      `(the package export "rdylib/web-worker", file node_modules/rdylib/dist/browser/${WEB_WORKER_FILE}) there, or pass its URL as workerUrl`,
  );
}

export function spawnWebWorker(entry: URL = defaultWorkerUrl()): WorkerEndpoint {
  const worker = new Worker(entry, { type: 'module' });
  let terminated = false;
  /** Whether the worker has answered: until then an error may mean its script was never found. */
  let heard = false;
  let exitHandler: ((reason: Error) => void) | undefined;
  worker.addEventListener('error', (e: ErrorEvent) => {
    if (terminated) return;
    terminated = true;
    if (heard) exitHandler?.(new Error(e.message || 'the worker failed'));
    else void startFailure(entry, e).then((reason) => exitHandler?.(reason));
  });
  return {
    post: (msg: ToWorker, transfer?: Transferable[]) => worker.postMessage(msg, transfer ?? []),
    onMessage: (handler) =>
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
        heard = true;
        handler(e.data);
      }),
    onExit: (handler) => {
      exitHandler = handler;
    },
    terminate: () => {
      terminated = true;
      worker.terminate();
    },
  };
}
