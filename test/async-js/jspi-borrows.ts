/**
 * Run on the pinned current Node by jspi-borrows.test.ts (JSPI is needed to
 * enter fixtures/jspi-counter.wat): a plugin entered through JSPI, whose
 * sync-typed exports therefore return Promises, with the rdylib:abi section
 * a Rust `Counter` would carry. Each scenario starts calls without awaiting
 * them and records what a conflicting call did meanwhile. Prints one JSON
 * object of outcomes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import { BorrowError, load, type Plugin } from '../../host/index.ts';
import { RDYLIB_ABI_SECTION } from '../../host/rdylib/section.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { encodeAbiPayload } from '../support/abi-section.ts';
import { repoRoot } from '../support/guests.ts';

export const COUNTER = 'test:jspi/counter@0.1.0';

const self = (mode: 'shared' | 'exclusive') => [{ param: 0, name: 'self', path: [], mode }];
const fn = (name: string, rust: string, receiver: 'shared' | 'exclusive' | null, results: unknown[] = []) => ({
  name,
  rust,
  receiver,
  async: false,
  staticParams: [],
  params: receiver === null ? [] : self(receiver),
  results,
});

/** What the Rust crate behind the fixture would declare (docs/abi.md). */
const ABI = {
  formatVersion: 1,
  crate: { name: 'jspi-counter', version: '0.1.0' },
  package: 'test:jspi',
  interfaceVersion: '0.1.0',
  world: 'plugin',
  interfaces: [
    {
      name: COUNTER,
      direction: 'export',
      resources: [
        { name: 'counter', dependent: false },
        { name: 'view', dependent: true },
      ],
      functions: [
        fn('[constructor]counter', 'Counter::new', null, [{ path: [], resource: 'counter', lifetime: 'owned' }]),
        fn('[method]counter.bump', 'Counter::bump', 'exclusive'),
        fn('[method]counter.peek', 'Counter::peek', 'shared'),
        fn('[method]counter.view', 'Counter::view', 'shared', [
          { path: [], resource: 'view', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'shared' }] },
        ]),
        fn('[method]view.read', 'View::read', 'shared'),
      ],
    },
  ],
};

export async function counterPluginBytes(): Promise<Uint8Array> {
  const component = await parse(readFileSync(join(repoRoot, 'test', 'async-js', 'fixtures', 'jspi-counter.wat'), 'utf8'));
  return appendCustomSection(component, { name: RDYLIB_ABI_SECTION, data: encodeAbiPayload(ABI) });
}

/** What a probing call did: returned (its value as text, after awaiting it), or was refused (the error's class and message). */
export type Outcome = { readonly outcome: 'returned'; readonly value: string } | { readonly outcome: 'refused'; readonly error: string; readonly message: string };

interface Counter {
  bump(): Promise<number>;
  peek(): Promise<number>;
  view(): Promise<View>;
  [Symbol.dispose](): void;
}
interface View {
  read(): Promise<number>;
  [Symbol.dispose](): void;
}

/** Starts `call` now; the outcome once it settled (a refusal before the call started rejects its promise). */
function probe(call: () => unknown): Promise<Outcome> {
  let started: unknown;
  try {
    started = call();
  } catch (e) {
    return Promise.resolve(refusal(e));
  }
  return Promise.resolve(started).then(
    (v) => ({ outcome: 'returned', value: String(v) }),
    (e: unknown) => refusal(e),
  );
}

function refusal(e: unknown): Outcome {
  return { outcome: 'refused', error: e instanceof BorrowError ? 'BorrowError' : (e as Error).constructor.name, message: (e as Error).message };
}

async function scenarios(plugin: Plugin): Promise<Record<string, unknown>> {
  const api = plugin.exports[COUNTER] as { Counter: new () => Promise<Counter> };
  const out: Record<string, unknown> = {};
  out['jspiEntered'] = typeof (WebAssembly as { promising?: unknown }).promising === 'function';

  const c = await new api.Counter();
  // bump(&mut self) pending: every other use of `c` is refused until it settles.
  const bumping = probe(() => c.bump());
  const peekWhileBumping = probe(() => c.peek());
  const bumpWhileBumping = probe(() => c.bump());
  const dropWhileBumping = probe(() => c[Symbol.dispose]());
  out['bumped'] = await bumping;
  out['peekWhileBumping'] = await peekWhileBumping;
  out['bumpWhileBumping'] = await bumpWhileBumping;
  out['dropWhileBumping'] = await dropWhileBumping;
  out['peekAfterBump'] = await probe(() => c.peek());

  // peek(&self) pending: another shared use runs, an exclusive one is refused.
  const peeking = probe(() => c.peek());
  const peekWhilePeeking = probe(() => c.peek());
  const bumpWhilePeeking = probe(() => c.bump());
  out['peeked'] = await peeking;
  out['peekWhilePeeking'] = await peekWhilePeeking;
  out['bumpWhilePeeking'] = await bumpWhilePeeking;

  // view(&self) -> View<'_>: once it resolved, the view borrows `c` until it is dropped.
  const view = await c.view();
  out['readView'] = await probe(() => view.read());
  out['bumpWhileViewLives'] = await probe(() => c.bump());
  out['dropWhileViewLives'] = await probe(() => c[Symbol.dispose]());
  view[Symbol.dispose]();
  out['bumpAfterViewDropped'] = await probe(() => c.bump());
  c[Symbol.dispose]();
  return out;
}

const plugin = await load(await counterPluginBytes(), { name: 'jspi-counter' });
const report = await scenarios(plugin);
await plugin.unload();
process.stdout.write(JSON.stringify(report), () => process.exit(0));
