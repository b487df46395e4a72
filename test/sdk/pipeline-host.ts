/**
 * Run on the pinned current Node by pipeline-host.test.ts: the async
 * `pipeline` example on rdylib's own host, which enforces the rdylib:abi
 * section (docs/abi.md §3.4, §7.1): a call that conflicts with a pending
 * task's borrow is refused with a BorrowError before the plugin is entered.
 * The host-implemented `Source` is a plain object whose async methods wait
 * until the scenario opens their gate. Prints one JSON object of outcomes.
 */
import { BorrowError, LoadError, load } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { Gates, finish, settle } from './gates.ts';

/** What a probing call did: returned (its value as text), or was refused (the error's class and message). */
export type HostOutcome = { readonly outcome: 'returned'; readonly value: string } | { readonly outcome: 'refused'; readonly error: string; readonly message: string };

interface Tally {
  consume(source: object): Promise<bigint>;
  describe(source: object): Promise<string>;
  add(bytes: bigint): unknown;
  total(): unknown;
}

const gates = new Gates();
const source = (chunks: Uint8Array[]) => ({
  async nextChunk(): Promise<Uint8Array | undefined> {
    await gates.wait();
    return chunks.shift();
  },
  async name(): Promise<string> {
    await gates.wait();
    return 'gated';
  },
});

let plugin: Awaited<ReturnType<typeof load>>;
try {
  plugin = await load(process.argv[2] ?? guestPath('pipeline'), { name: 'pipeline', imports: { 'rdylib-guest:pipeline/source': {} } });
} catch (e) {
  // A runtime still without a built-in the plugin imports: said, so the test can say why it cannot run.
  if (e instanceof LoadError && e.kind === 'unsupported') {
    process.stdout.write(JSON.stringify({ unsupported: e.message }), () => process.exit(0));
    await new Promise(() => {});
  }
  throw e;
}
const api = (plugin.exports as Record<string, unknown>)['rdylib-guest:pipeline/pipeline@0.1.0'] as { Tally: new () => Tally; health(): Promise<string> };

async function probe(call: () => unknown): Promise<HostOutcome> {
  try {
    // On an engine with JSPI, the instance's every export returns a promise.
    return { outcome: 'returned', value: String(await call()) };
  } catch (e) {
    return { outcome: 'refused', error: e instanceof BorrowError ? 'BorrowError' : (e as Error).constructor.name, message: (e as Error).message };
  }
}

const tally = await new api.Tally();
const consuming = tally.consume(source([Uint8Array.of(1, 2), Uint8Array.of(3)]));
await settle();
const addWhileConsuming = await probe(() => tally.add(1n));
const totalWhileConsuming = await probe(() => tally.total());
const consumed = await finish(consuming, gates);
const addAfterConsume = await probe(async () => {
  await tally.add(10n);
  return `${consumed} ${await tally.total()}`;
});
const describing = tally.describe(source([]));
await settle();
const totalWhileDescribing = await probe(() => tally.total());
const addWhileDescribing = await probe(() => tally.add(1n));
const described = await finish(describing, gates);
const health = await probe(() => api.health());

const outcomes = { addWhileConsuming, totalWhileConsuming, addAfterConsume, totalWhileDescribing, addWhileDescribing, described, health };
await plugin.unload();
process.stdout.write(JSON.stringify(outcomes), () => process.exit(0));
