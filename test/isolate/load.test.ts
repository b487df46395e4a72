/**
 * `load(source, { isolate: 'worker', ... })`: the public entry to worker
 * isolation returns an IsolatedPlugin, passes the sandbox options on to the
 * worker, and refuses host functions as imports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbiMismatchError, load, IsolatedPlugin, LoadError, TimeoutError, TrapError } from '../../host/index.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { ALLOC, component } from '../hostile/support.ts';
import { HOSTILE_CORE, TEXT } from '../hostile/wat.ts';

interface AsyncCore {
  spin(): Promise<number>;
  ok(): Promise<number>;
  grab(): Promise<number>;
}

describe("load with isolate: 'worker'", () => {
  let core: Uint8Array;
  const started: IsolatedPlugin[] = [];
  beforeAll(async () => {
    core = await component(HOSTILE_CORE);
  });
  afterAll(() => {
    for (const p of started) p.unload();
  });

  it('returns an IsolatedPlugin whose calls are async; timeoutMs stops a runaway call', async () => {
    const p = await load(core, { unchecked: true, isolate: 'worker', name: 'spinner', timeoutMs: 300, maxMemoryBytes: 4 * 65536 });
    started.push(p);
    expect(p).toBeInstanceOf(IsolatedPlugin);
    const ex = p.exports as unknown as AsyncCore;
    expect(await ex.ok()).toBe(42);
    // maxMemoryBytes reached the worker.
    expect(await ex.grab()).toBe(4);
    await expect(ex.spin()).rejects.toBeInstanceOf(TimeoutError);
    await expect(ex.ok()).rejects.toBeInstanceOf(TrapError);
  });

  it('reads a file path like the in-process load, and runs the hello plugin', async () => {
    const { fileURLToPath } = await import('node:url');
    readGuest('hello'); // fails with a clear message when the guests are not built
    const path = fileURLToPath(new URL('../../build/guests/hello.wasm', import.meta.url));
    const p = await load(path, { unchecked: true, isolate: 'worker', name: 'hello' });
    started.push(p);
    const g = p.exports['rdylib:hello/greeter@0.1.0'] as { greet(s: string): Promise<string> };
    expect(await g.greet('worker')).toBe('Hello, worker!');
  });

  it('maxLiftBytes applies inside the worker', async () => {
    const p = await load(await component(TEXT), { unchecked: true, isolate: 'worker', name: 'texter', maxLiftBytes: 500 });
    started.push(p);
    const text = p.exports.text as (n: number) => Promise<string>;
    expect(await text(500)).toHaveLength(500);
    await expect(text(501)).rejects.toThrow(/lift budget: .*texter/);
  });

  it('applies the same rdylib checks inside the worker: section required unless unchecked, expect compared', async () => {
    const bare = (await load(core, { isolate: 'worker', name: 'bare' }).catch((x: unknown) => x)) as LoadError;
    expect(bare).toBeInstanceOf(LoadError);
    expect(bare.kind).toBe('missing-lifetimes');
    // A reference build in which `get` took `&mut self`: the real kv (taking `&self`) provides it.
    const reference = withForgedAbi(readGuest('kv'), (abi) => {
      const get = abi.interfaces[0]!.functions.find((f) => f.name === '[method]store.get')! as unknown as { receiver: string; params: { mode: string }[] };
      get.receiver = 'exclusive';
      get.params[0]!.mode = 'exclusive';
      return abi;
    });
    const kv = await load(guestPath('kv'), { isolate: 'worker', name: 'kv', expect: reference });
    started.push(kv);
    // The reverse is refused in the worker, and the error crosses back with its differences.
    const e = (await load(reference, { isolate: 'worker', name: 'stricter-kv', expect: readGuest('kv') }).catch((x: unknown) => x)) as AbiMismatchError;
    expect(e).toBeInstanceOf(AbiMismatchError);
    expect(e.differences).toEqual(['`rdylib-guest:kv/kv@0.1.0` `[method]store.get` receiver: expected `&self`, found `&mut self`']);
  });

  it('imports holding functions are a TypeError (they cannot cross into the worker)', async () => {
    const e = await load(core, { unchecked: true, isolate: 'worker', imports: { log: () => undefined } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toMatch(/importsModule/);
    const e2 = await load(core, { unchecked: true, isolate: 'worker', imports: { 'a:b/c': { f: () => 1 } } }).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(TypeError);
  });

  it('bad options are refused before a worker starts; load failures are LoadErrors', async () => {
    await expect(load(core, { unchecked: true, isolate: 'worker', maxHandles: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(load(core, { unchecked: true, isolate: 'worker', timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(load(core, { unchecked: true, isolate: 'thread' as 'worker' })).rejects.toBeInstanceOf(TypeError);
    const wantsLog = await component(`(component (import "log" (func (param "n" u32))) (import "wasi:random/random@0.2.3" (instance (export "get-random-u64" (func (result u64))))))`);
    const e = (await load(wantsLog, { unchecked: true, isolate: 'worker', wasi: {} }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.kind).toBe('unlinkable');
    expect(e.message).toContain('missing import `log`');
    expect(e.message).toContain('missing import `wasi:random/random@0.2.3`');
  });
});
