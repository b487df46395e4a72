/**
 * Async work and the plugin's life cycle, on real components (the WAT
 * fixtures in test/async-js/fixtures): unload and reload refuse while async
 * calls, streams or futures are pending, naming them; `{ pending: 'cancel' }`
 * ends them (promises reject, streams error or are cancelled, with
 * UnloadedError); a host promise settling after unload changes nothing;
 * async calls into a worker-isolated plugin (its unload: worker.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LoadError, PluginInUseError, UnloadedError } from '../../host/errors.ts';
import { load, loadInWorker, type Plugin } from '../../host/index.ts';
import { byteSource, fixtureBytes } from './differential.ts';

type Fn = (...args: unknown[]) => Promise<unknown>;
const fns = (p: { exports: object }) => p.exports as Record<string, Fn>;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** The host-call fixture with a `double` whose answers the test releases: its `run` stays pending until then. */
async function loadHostCall(): Promise<{ plugin: Plugin; release(): void }> {
  const waiting: (() => void)[] = [];
  const plugin = await load(await fixtureBytes('host-call'), {
    name: 'host-call',
    unchecked: true,
    imports: {
      double: (x: unknown) => new Promise<number>((r) => waiting.push(() => r((x as number) * 2))),
      'double-sync': (x: unknown) => (x as number) * 2,
    },
  });
  return { plugin, release: () => waiting.splice(0).forEach((f) => f()) };
}

describe('async calls and unload', () => {
  it('a pending async call: unload is refused naming it, and succeeds once the call finished', async () => {
    const { plugin, release } = await loadHostCall();
    const call = fns(plugin)['run']!(5);
    await tick();
    const refusal = await plugin.unload().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(PluginInUseError);
    expect((refusal as Error).message).toBe("cannot unload host-call: `run` (call) is pending; wait for it, or pass { pending: 'cancel' }");
    expect(plugin.isUnloaded).toBe(false);
    release();
    await expect(call).resolves.toBe(11);
    await plugin.unload();
    expect(plugin.isUnloaded).toBe(true);
  });

  it("pending: 'cancel' rejects every pending call with UnloadedError; the host's late answer changes nothing", async () => {
    const { plugin, release } = await loadHostCall();
    const calls = [fns(plugin)['run']!(1), fns(plugin)['run']!(2)];
    await tick();
    await plugin.unload({ pending: 'cancel' });
    for (const c of calls) await expect(c).rejects.toBeInstanceOf(UnloadedError);
    release();
    await tick();
    await expect(fns(plugin)['run']!(3)).rejects.toBeInstanceOf(UnloadedError);
    expect(plugin.liveHandles).toBe(0);
    expect(plugin.instances).toEqual([]);
  });

  it('reload is refused the same way; with pending: cancel it ends the calls and serves from the new instance', async () => {
    const { plugin, release } = await loadHostCall();
    const call = fns(plugin)['run']!(1);
    await tick();
    await expect(plugin.reload(await fixtureBytes('host-call'))).rejects.toBeInstanceOf(PluginInUseError);
    await plugin.reload(await fixtureBytes('host-call'), { pending: 'cancel' });
    await expect(call).rejects.toBeInstanceOf(UnloadedError);
    const next = fns(plugin)['run']!(20);
    await tick();
    release();
    await expect(next).resolves.toBe(41);
    await plugin.unload();
  });

  it('an async export of a worker-isolated plugin answers through the worker', async () => {
    const w = await loadInWorker(await fixtureBytes('add'), { name: 'add', unchecked: true });
    expect(await Promise.all([fns(w)['add']!(2, 3), fns(w)['add']!(40, 2)])).toEqual([5, 42]);
    expect(await fns(w)['addSync']!(1, 1)).toBe(2);
    await w.unload();
  });
});

const streamsBytes = await fixtureBytes('streams');
/** Why these tests cannot run yet, when load still refuses the fixtures. */
const refused = await load(streamsBytes, { name: 'probe', unchecked: true }).then(
  async (p) => {
    await p.unload();
    return undefined;
  },
  (e: unknown) => (e instanceof LoadError && e.kind === 'unsupported' ? e.message : undefined),
);
const describeRuntime = refused === undefined ? describe : describe.skip;

describeRuntime(`streams, futures and unload${refused === undefined ? '' : ` (skipped: load refuses the fixtures: ${refused})`}`, () => {
  const loadStreams = (): Promise<Plugin> => load(streamsBytes, { name: 'streams', unchecked: true });

  it('a stream from the plugin still open: refused naming it; cancel errors the ReadableStream', async () => {
    const p = await loadStreams();
    const rs = (await fns(p)['produce']!(1 << 20, 4096)) as ReadableStream<Uint8Array>;
    const reader = rs.getReader();
    const first = await reader.read();
    expect(first.value).toBeInstanceOf(Uint8Array);
    await expect(p.unload()).rejects.toThrow(/stream from `produce` is pending/);
    await p.unload({ pending: 'cancel' });
    await expect(reader.read()).rejects.toBeInstanceOf(UnloadedError);
  });

  it('a stream passed to the plugin: cancel cancels it with UnloadedError; the call rejects', async () => {
    const p = await loadStreams();
    let reason: unknown;
    const endless = new ReadableStream<Uint8Array>({ pull(c) { c.enqueue(new Uint8Array(16)); }, cancel(r) { reason = r; } }, { highWaterMark: 0 });
    const call = fns(p)['consume']!(endless);
    await tick();
    await expect(p.unload()).rejects.toThrow(/`consume` \(call\)/);
    await p.unload({ pending: 'cancel' });
    await expect(call).rejects.toBeInstanceOf(UnloadedError);
    await tick();
    expect(reason).toBeInstanceOf(UnloadedError);
  });

  it('after the work finished, unload needs no option; streams read to the end hold nothing', async () => {
    const p = await loadStreams();
    const rs = (await fns(p)['produce']!(10_000, 4096)) as ReadableStream<Uint8Array>;
    let n = 0;
    for await (const c of rs as unknown as AsyncIterable<Uint8Array>) n += c.length;
    expect(n).toBe(10_000);
    expect(await fns(p)['consume']!(byteSource(10_000, 4096))).toEqual([10_000, sumMod251(10_000)]);
    expect(await fns(p)['later']!(4)).toBe(8);
    await p.unload();
  });
});

function sumMod251(total: number): number {
  let sum = 0;
  for (let i = 0; i < total; i++) sum = (sum + (i % 251)) >>> 0;
  return sum;
}
