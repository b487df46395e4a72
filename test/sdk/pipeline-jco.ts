/**
 * Run on the pinned current Node by pipeline-guards.test.ts (jco's async
 * output calls `WebAssembly.promising`, which Node 20 lacks): the async
 * `pipeline` example under jco's transpiled bindings, a host that ignores
 * the rdylib:abi section, so only the plugin's own guards (docs/abi.md §5)
 * stand between a conflicting call and the value a pending task holds.
 * Each scenario gets a fresh instance (a trapped one must not be entered
 * again); prints one JSON object of outcomes. The stream pipeline under jco
 * is compared with rdylib's in pipeline-differential.ts.
 */
import { Gates, finish, settle } from './gates.ts';
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

const gates = new Gates();

/** A host `Source` (jco takes a class for an imported resource) whose every call waits until the scenario opens its gate. */
class Source {
  constructor(private readonly chunks: Uint8Array[]) {}
  async nextChunk(): Promise<Uint8Array | undefined> {
    await gates.wait();
    return this.chunks.shift();
  }
  async name(): Promise<string> {
    await gates.wait();
    return 'gated';
  }
}

/** A fresh instance: a trapped one must not be entered again. */
async function fresh(): Promise<{ api: Pipeline; panics: readonly { readonly message: string }[] }> {
  const plugin = await instantiatePlugin('pipeline', { 'rdylib-guest:pipeline/source': { Source } });
  return { api: plugin.exports['rdylib-guest:pipeline/pipeline@0.1.0'] as Pipeline, panics: plugin.panics };
}

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
  const taken = await finish(tally.consume(new Source([Uint8Array.of(1, 2), Uint8Array.of(3)])), gates);
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
