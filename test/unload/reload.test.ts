/**
 * Hot reload: `plugin.reload(newBytes)` checks the new build like `load` did
 * (section verified, the same expectation), then revokes the old handles and
 * serves new calls through `plugin.exports` from the new instance. A refused
 * reload leaves the old instance serving.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AbiMismatchError, LoadError, PluginInUseError, UnloadedError } from '../../host/errors.ts';
import { load, type Plugin } from '../../host/index.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';

interface Store { get(k: string): string | undefined; put(k: string, v: string): unknown; len(): number }
interface Kv { Store: new () => Store }
const kvOf = (p: Plugin) => p.exports['rdylib-guest:kv/kv@0.1.0'] as Kv;

type MutableFn = { receiver: string | null; params: { mode: string }[]; results: { borrows?: { mode: string }[] }[] };
const stricterKv = () =>
  withForgedAbi(readGuest('kv'), (abi: RdylibAbi) => {
    const f = abi.interfaces.flatMap((i) => i.functions).find((x) => x.name === '[method]store.iter') as unknown as MutableFn;
    f.receiver = 'exclusive';
    f.params[0]!.mode = 'exclusive';
    f.results[0]!.borrows![0]!.mode = 'exclusive';
    return abi;
  });

describe('plugin.reload', () => {
  it('revokes the old handles and serves new calls from the new instance', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv', expect: guestPath('kv') });
    const oldKv = kvOf(plugin);
    const old = new oldKv.Store();
    old.put('a', '1');
    const oldMemory = plugin.memories[0];
    await plugin.reload(readGuest('kv'));
    expect(plugin.isUnloaded).toBe(false);
    expect(() => old.get('a')).toThrow(UnloadedError);
    expect(() => new oldKv.Store()).toThrow(UnloadedError);
    expect(plugin.memories[0]).not.toBe(oldMemory);
    const fresh = new (kvOf(plugin).Store)();
    expect(fresh.get('a')).toBeUndefined(); // new instance, new state
    fresh.put('a', '2');
    expect(fresh.get('a')).toBe('2');
    expect(plugin.lifetimes).toBe('checked');
  });

  it('checks the new build against the same expectation; on refusal the old instance keeps serving', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv', expect: guestPath('kv') });
    const store = new (kvOf(plugin).Store)();
    store.put('k', 'v');
    const e = await plugin.reload(stricterKv()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbiMismatchError);
    expect((e as AbiMismatchError).differences[0]).toBe('`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`');
    expect(store.get('k')).toBe('v');
    // Forged metadata is refused like at load.
    const forged = withForgedAbi(readGuest('kv'), (abi) => {
      (abi.interfaces[0] as { name: string }).name = 'rdylib-guest:kv/nope@0.1.0';
      return abi;
    });
    await expect(plugin.reload(forged)).rejects.toBeInstanceOf(LoadError);
    expect(store.len()).toBe(1);
  });

  it('is refused while other plugins are linked against it', async () => {
    class Canvas {}
    const shapes = await load(guestPath('shapes'), { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } } });
    const consumer = await load(guestPath('consumer'), { name: 'consumer', link: [shapes] });
    await expect(shapes.reload(readGuest('shapes'))).rejects.toBeInstanceOf(PluginInUseError);
    await consumer.unload();
    await shapes.reload(readGuest('shapes'));
    await expect(shapes.reload(readGuest('shapes'))).resolves.toBeUndefined();
  });

  it('after unload, reload is an UnloadedError', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    await plugin.unload();
    await expect(plugin.reload(readGuest('kv'))).rejects.toBeInstanceOf(UnloadedError);
  });

  it('takes what load takes: a file path, a file: URL, an ArrayBuffer; an unreadable path is a LoadError naming it', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv', expect: guestPath('kv') });
    await plugin.reload(guestPath('kv'));
    const byPath = new (kvOf(plugin).Store)();
    byPath.put('a', '1');
    await plugin.reload(pathToFileURL(guestPath('kv')));
    expect(() => byPath.len()).toThrow(UnloadedError);
    const bytes = readGuest('kv');
    await plugin.reload(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const store = new (kvOf(plugin).Store)();
    store.put('b', '2');
    const missing = guestPath('no-such-plugin');
    const failure = await plugin.reload(missing).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LoadError);
    expect((failure as LoadError).kind).toBe('io');
    expect((failure as LoadError).message).toContain(missing);
    expect(store.get('b')).toBe('2'); // the failed reload left the instance serving
    await plugin.unload();
  });
});
