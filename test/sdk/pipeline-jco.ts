/**
 * Run on the pinned current Node by pipeline-guards.test.ts (jco's async
 * output calls `WebAssembly.promising`, which Node 20 lacks): the async
 * `pipeline` example under jco's transpiled bindings, a host that ignores
 * the rdylib:abi section, so only the plugin's own guards (docs/abi.md §5)
 * stand between a conflicting call and the value a pending task holds.
 * Each scenario gets a fresh instance (a trapped one must not be entered
 * again); prints one JSON object of outcomes. The stream pipeline is not run
 * here: jco 0.15.0's streams lose a dropped end under some interleavings
 * (async-js's differential lists it), which can leave a read waiting forever.
 */
import { instantiatePlugin } from './transpiled.ts';

interface Tally {
  consume(source: Source): Promise<bigint>;
  describe(source: Source): Promise<string>;
  add(bytes: bigint): void;
  total(): bigint;
}
interface Pipeline {
  Tally: new () => Tally;
  health(): Promise<string>;
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

/** A fresh instance: a trapped one must not be entered again. */
async function fresh(): Promise<{ api: Pipeline; panics: readonly { readonly message: string }[] }> {
  const plugin = await instantiatePlugin('pipeline', { 'rdylib-guest:pipeline/source': { Source } });
  return { api: plugin.exports['rdylib-guest:pipeline/pipeline@0.1.0'] as Pipeline, panics: plugin.panics };
}

/** Lets the plugin's pending task run up to its next await on the host. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function probe(panics: readonly { readonly message: string }[], call: () => unknown): Outcome {
  try {
    return { outcome: 'returned', value: String(call()) };
  } catch {
    return { outcome: 'trapped', panics: panics.map((p) => p.message) };
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
  void pending.then(
    () => (done = true),
    () => (done = true),
  );
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
  health: await health(),
};
// Exit once written: a task left pending on purpose (above) must not keep the process waiting.
process.stdout.write(JSON.stringify(outcomes), () => process.exit(0));
