/**
 * Run on the pinned current Node by pipeline-guards.test.ts (jco's async
 * output calls `WebAssembly.promising`, which Node 20 lacks): the async
 * `pipeline` example under jco's transpiled bindings, a host that ignores
 * the rdylib:abi section, so only the plugin's own guards (docs/abi.md §5)
 * stand between a conflicting call and the value a pending task holds.
 * Each scenario gets a fresh instance (a trapped one must not be entered
 * again); prints one JSON object of outcomes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PanicRecorder, RDYLIB_PANIC_IMPORT } from '../../host/rdylib/panic.ts';
import { importTranspiled } from '../../scripts/lib/jco.ts';
import { readGuest, repoRoot } from '../support/guests.ts';

interface Tally {
  consume(source: Source): Promise<bigint>;
  describe(source: Source): Promise<string>;
  add(bytes: bigint): void;
  total(): bigint;
}
interface Pipeline {
  Tally: new () => Tally;
  health(): Promise<string>;
  uppercase(input: AsyncIterable<Uint8Array>): Promise<AsyncIterable<number | Uint8Array>>;
}

/** What a scenario's probing call did: returned a value, or trapped after the plugin reported these panics. */
export type Outcome = { readonly outcome: 'returned'; readonly value: string } | { readonly outcome: 'trapped'; readonly panics: readonly string[] };

/** A host `Source` whose every call waits until the scenario opens its gate. */
class Source {
  static gates: (() => void)[] = [];
  constructor(private readonly chunks: Uint8Array[]) {}
  async nextChunk(): Promise<Uint8Array | undefined> {
    await new Promise<void>((open) => Source.gates.push(open));
    return this.chunks.shift();
  }
  async name(): Promise<string> {
    await new Promise<void>((open) => Source.gates.push(open));
    return 'gated';
  }
  static openAll(): void {
    for (const open of Source.gates.splice(0)) open();
  }
}

const dir = join(repoRoot, 'build', 'jco', 'sdk-pipeline-async');
const { instantiate } = (await importTranspiled(readGuest('pipeline'), { name: 'pipeline', outDir: dir, instantiation: 'async' })) as unknown as {
  instantiate: (core: (path: string) => Promise<WebAssembly.Module>, imports: Record<string, unknown>) => Promise<Record<string, unknown>>;
};

async function fresh(): Promise<{ api: Pipeline; panics: string[] }> {
  const panics: string[] = [];
  const recorder = new PanicRecorder();
  const exports = await instantiate((path) => WebAssembly.compile(readFileSync(join(dir, path))), {
    [RDYLIB_PANIC_IMPORT]: {
      default: (message: string, file: string, line: number, column: number) => {
        recorder.report(message, file, line, column);
        panics.push(recorder.take()!.message);
      },
    },
    'rdylib-guest:pipeline/source': { Source },
  });
  return { api: exports['rdylib-guest:pipeline/pipeline@0.1.0'] as Pipeline, panics };
}

/** Lets the plugin's pending task run up to its next await on the host. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function probe(panics: readonly string[], call: () => unknown): Outcome {
  try {
    return { outcome: 'returned', value: String(call()) };
  } catch {
    return { outcome: 'trapped', panics: [...panics] };
  }
}

/** A call on a tally while one of its async methods is pending on the host. */
async function whilePending(method: 'consume' | 'describe', call: (t: Tally) => unknown): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  void tally[method](new Source([Uint8Array.of(1, 2, 3)])).catch(() => {});
  await settle();
  return probe(panics, () => call(tally));
}

async function afterCompletion(): Promise<Outcome> {
  const { api, panics } = await fresh();
  const tally = new api.Tally();
  const pending = tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)]));
  let done = false;
  void pending.then(() => (done = true));
  while (!done) {
    await settle();
    Source.openAll();
  }
  const taken = await pending;
  return probe(panics, () => {
    tally.add(10n);
    return `${taken} ${tally.total()}`;
  });
}

async function uppercase(): Promise<Outcome> {
  const { api } = await fresh();
  const text = new TextEncoder();
  async function* input(): AsyncIterable<Uint8Array> {
    yield text.encode('hello, ');
    yield text.encode('stream');
  }
  const bytes: number[] = [];
  for await (const chunk of await api.uppercase(input())) bytes.push(...(typeof chunk === 'number' ? [chunk] : chunk));
  return { outcome: 'returned', value: new TextDecoder().decode(Uint8Array.from(bytes)) };
}

async function health(): Promise<Outcome> {
  const { api } = await fresh();
  return { outcome: 'returned', value: await api.health() };
}

const outcomes = {
  addWhileConsuming: await whilePending('consume', (t) => t.add(1n)),
  totalWhileConsuming: await whilePending('consume', (t) => t.total()),
  totalWhileDescribing: await whilePending('describe', (t) => t.total()),
  addWhileDescribing: await whilePending('describe', (t) => t.add(1n)),
  addAfterConsume: await afterCompletion(),
  uppercase: await uppercase(),
  health: await health(),
};
process.stdout.write(JSON.stringify(outcomes));
