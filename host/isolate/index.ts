/**
 * `load(bytes, { isolate: 'worker' })`: the plugin runs in a worker thread
 * (Node) or Web Worker (browser) behind the same exports shape, with every
 * call async, a per-call time limit, a linear-memory cap, and `unload()`
 * terminating the worker.
 */
import type { ImportObject } from '../load.ts';
import { sandboxLimits, type SandboxOptions } from '../plugin/sandbox.ts';
import { checkIsolateOptions, IsolatedPlugin, type IsolateOptions, type WorkerEndpoint } from './isolated-plugin.ts';
// Static, so it runs while the host's script first runs and can note that script's URL (spawn-web.ts).
import { spawnWebWorker } from './spawn-web.ts';

export { IsolatedPlugin, type IsolateOptions, type WorkerEndpoint } from './isolated-plugin.ts';

export interface WorkerIsolateOptions extends IsolateOptions {
  /** Node only: limits of the worker's JS heap (lifted strings and lists live there). */
  readonly resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
  /**
   * Browser only: where the worker entry is served (the package's
   * `rdylib/web-worker`); by default `web-worker.js` next to the script the
   * host runs in. Not found: LoadError('io') naming the URL.
   */
  readonly workerUrl?: URL;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Starts a worker and loads `bytes` in it. Rejects with LoadError, TrapError or TimeoutError as the load fails. */
export async function loadInWorker(bytes: Uint8Array | ArrayBuffer, options: WorkerIsolateOptions = {}): Promise<IsolatedPlugin> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  checkIsolateOptions(options);
  let endpoint: WorkerEndpoint;
  if (isNode()) {
    const { spawnNodeWorker } = await import('./spawn-node.ts');
    endpoint = spawnNodeWorker(options.resourceLimits);
  } else {
    endpoint = spawnWebWorker(options.workerUrl);
  }
  return IsolatedPlugin.start(endpoint, u8, options);
}

/** The options of `load(source, { isolate: 'worker', ... })`. */
export interface IsolatedLoadOptions extends SandboxOptions, Omit<WorkerIsolateOptions, keyof SandboxOptions> {
  readonly isolate: 'worker';
  /**
   * Must be empty or omitted: host functions cannot cross into the worker
   * (use `importsModule`). Accepted in the type only to be refused clearly.
   */
  readonly imports?: ImportObject;
}

/** `load` with `isolate` set: checks the options, then starts the worker. */
export function loadIsolated(bytes: Uint8Array, options: IsolatedLoadOptions): Promise<IsolatedPlugin> {
  if (options.isolate !== 'worker') {
    throw new TypeError(`isolate must be 'worker' or omitted, got ${JSON.stringify(options.isolate)}`);
  }
  const { imports, isolate: _isolate, ...rest } = options;
  // An import object is functions and classes (or objects of them): none of it can cross.
  if (imports !== undefined && Object.keys(imports).length > 0) {
    throw new TypeError(
      "imports holding functions cannot be used with isolate: 'worker' (they would have to run on this thread); " +
        'put them in a module and pass its URL as importsModule, so they run inside the worker',
    );
  }
  sandboxLimits(rest);
  return loadInWorker(bytes, rest);
}
