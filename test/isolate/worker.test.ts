/**
 * Worker isolation: the same plugins behind async calls, a per-call time
 * limit that stops an infinite loop (TimeoutError, plugin poisoned, host and
 * other plugins fine), the linear-memory cap, and unload terminating the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInWorker, type IsolatedPlugin } from '../../host/isolate/index.ts';
import { LoadError, PluginInUseError, type RdylibError, TimeoutError, TrapError, UnloadedError } from '../../host/errors.ts';
import { readGuest } from '../support/guests.ts';
import { ALLOC, bystander, component, type Bystander } from '../hostile/support.ts';
import { HOSTILE_CORE } from '../hostile/wat.ts';

interface AsyncCounter {
  increment(by: number): Promise<number>;
  value(): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}
interface AsyncGreeter {
  greet(name: string): Promise<string>;
  makeGreeting(name: string): Promise<{ message: string; length: number }>;
  Counter: new (start: number) => Promise<AsyncCounter>;
}
interface AsyncCore {
  recurse(n: number): Promise<number>;
  bomb(): Promise<number>;
  spin(): Promise<number>;
  ok(): Promise<number>;
  grab(): Promise<number>;
}

describe('worker isolation', () => {
  let by: Bystander;
  let core: Uint8Array;
  const started: IsolatedPlugin[] = [];
  // Every plugin here but kv is a fixture without an rdylib:abi section.
  const start = async (bytes: Uint8Array, opts: Parameters<typeof loadInWorker>[1] = {}): Promise<IsolatedPlugin> => {
    const p = await loadInWorker(bytes, { unchecked: true, ...opts });
    started.push(p);
    return p;
  };
  beforeAll(async () => {
    by = await bystander();
    core = await component(HOSTILE_CORE);
  });
  afterAll(() => {
    for (const p of started) p.unload();
  });

  it('the lift budget stops the same amplifier inside the worker before the heap fills: TrapError naming the limit', async () => {
    const amplifier = await component(`(component
      (core module $m ${ALLOC}
        (func (export "f") (result i32) (local $i i32)
          (memory.fill (i32.const 20000) (i32.const 0x61) (i32.const 44000))
          (loop $l
            (i32.store (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 3))) (i32.const 20000))
            (i32.store (i32.add (i32.const 2052) (i32.shl (local.get $i) (i32.const 3))) (i32.const 44000))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 2000))))
          (i32.store (i32.const 8) (i32.const 2048)) (i32.store (i32.const 12) (i32.const 2000)) (i32.const 8)))
      (core instance $i (instantiate $m))
      (func $f (result (list string)) (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
      (export "f" (func $f)))`);
    const p = await start(amplifier, { name: 'amplifier-budget', maxLiftBytes: 1_000_000 });
    const e = await (p.exports.f as () => Promise<unknown>)().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as Error).message).toMatch(/lift budget: .*amplifier-budget.* 1000000 bytes/);
    by.check();
  });

  it('runs the hello plugin with async calls, records and resources', async () => {
    const p = await start(readGuest('hello'), { name: 'hello' });
    const g = p.exports['rdylib:hello/greeter@0.1.0'] as AsyncGreeter;
    expect(await g.greet('worker')).toBe('Hello, worker!');
    expect(await g.makeGreeting('bob')).toEqual({ message: 'Hello, bob!', length: 11 });
    const c = await new g.Counter(5);
    expect(c).toBeInstanceOf(g.Counter);
    expect(await c.increment(3)).toBe(8);
    expect(await c.value()).toBe(8);
    await c[Symbol.asyncDispose]();
    await expect(c.value()).rejects.toMatchObject({ code: 'HANDLE', kind: 'use-after-dispose' });
    p.unload();
    await expect(g.greet('again')).rejects.toBeInstanceOf(UnloadedError);
    by.check();
  });

  it('an infinite loop is stopped by timeoutMs: TimeoutError, plugin poisoned, host and others fine', async () => {
    const p = await start(core, { name: 'spinner', timeoutMs: 300 });
    const other = await start(readGuest('hello'), { name: 'neighbour', timeoutMs: 5000 });
    const g = other.exports['rdylib:hello/greeter@0.1.0'] as AsyncGreeter;
    const c = await new g.Counter(1);
    const ex = p.exports as unknown as AsyncCore;
    expect(await ex.ok()).toBe(42);
    await expect(ex.spin()).rejects.toBeInstanceOf(TimeoutError);
    const later = await ex.ok().catch((e: unknown) => e);
    expect(later).toBeInstanceOf(TrapError);
    expect((later as TrapError).cause).toBeInstanceOf(TimeoutError);
    // The other worker plugin and the in-process bystander keep their state.
    expect(await c.increment(1)).toBe(2);
    by.check();
  });

  it('calls queued behind a runaway call fail with the poisoning TrapError', async () => {
    const p = await start(core, { name: 'spinner2', timeoutMs: 300 });
    const ex = p.exports as unknown as AsyncCore;
    const spin = ex.spin();
    const queued = ex.ok();
    await expect(spin).rejects.toBeInstanceOf(TimeoutError);
    await expect(queued).rejects.toBeInstanceOf(TrapError);
  });

  it("unload() of a worker stuck in a loop is refused naming the call; { pending: 'cancel' } terminates it", async () => {
    const p = await start(core, { name: 'stuck' });
    const ex = p.exports as unknown as AsyncCore;
    const spin = ex.spin();
    const refusal = await p.unload().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(PluginInUseError);
    expect((refusal as Error).message).toBe("cannot unload stuck while `stuck: spin` is running in its worker; wait for it, or pass { pending: 'cancel' } to terminate the worker");
    expect(p.isUnloaded).toBe(false);
    await p.unload({ pending: 'cancel' });
    await expect(spin).rejects.toBeInstanceOf(UnloadedError);
    await expect(ex.ok()).rejects.toBeInstanceOf(UnloadedError);
    by.check();
  });

  it('deep recursion in the worker is a TrapError, and the worker plugin is poisoned', async () => {
    const p = await start(core, { name: 'recurser', timeoutMs: 10_000 });
    const ex = p.exports as unknown as AsyncCore;
    await expect(ex.recurse(0)).rejects.toBeInstanceOf(TrapError);
    await expect(ex.ok()).rejects.toThrow(/poisoned/);
  });

  it('maxMemoryBytes caps linear memory in the worker', async () => {
    const p = await start(core, { name: 'bomber', maxMemoryBytes: 5 * 65536 });
    const ex = p.exports as unknown as AsyncCore;
    expect(await ex.grab()).toBe(5);
    await expect(ex.bomb()).rejects.toBeInstanceOf(TrapError);
  });

  it('load failures come back as LoadError and stop the worker', async () => {
    const e = await loadInWorker(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).kind).toBe('malformed');
    const e2 = await loadInWorker(core, { maxMemoryBytes: 100 }).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(LoadError);
  });

  it('imports run inside the worker from importsModule; a guest panic comes back typed', async () => {
    const p = await start(readGuest('kv'), { name: 'kv', importsModule: new URL('./fixtures/kv-imports.ts', import.meta.url) });
    const kv = p.exports['rdylib-guest:kv/kv@0.1.0'] as {
      Store: new () => Promise<{ put(k: string, v: string): Promise<string | undefined>; get(k: string): Promise<string | undefined>; len(): Promise<number> }>;
      countPrefix(s: object, prefix: string): Promise<number>;
      fail(message: string): Promise<number>;
    };
    const s = await new kv.Store();
    expect(await s.put('a', '1')).toBeUndefined();
    expect(await s.put('ab', '2')).toBeUndefined();
    expect(await s.get('a')).toBe('1');
    expect(await kv.countPrefix(s, 'a')).toBe(2);
    // A panic traps (or, once the host reads rdylib-panic, is a GuestPanicError): typed either way.
    const e = await kv.fail('nope').catch((x: unknown) => x);
    expect(['TRAP', 'GUEST_PANIC']).toContain((e as RdylibError).code);
    await expect(s.len()).rejects.toThrow(/poisoned/);
  });

  it('a start function that never returns is stopped by loadTimeoutMs', async () => {
    const looping = await component(`(component (core module $m (func $s (loop $l (br $l))) (start $s)) (core instance (instantiate $m)))`);
    await expect(loadInWorker(looping, { name: 'stuck-start', loadTimeoutMs: 1000, unchecked: true })).rejects.toBeInstanceOf(TimeoutError);
    by.check();
  });

  it('WASI grants apply inside the worker, per plugin', async () => {
    const { ENV_COMPONENT } = await import('../wasi/components.ts');
    const env = await component(ENV_COMPONENT);
    const a = await start(env, { name: 'env-a', wasi: { env: { WHO: 'a' } } });
    const b = await start(env, { name: 'env-b', wasi: {} });
    expect(await (a.exports.env as () => Promise<unknown>)()).toEqual([['WHO', 'a']]);
    expect(await (b.exports.env as () => Promise<unknown>)()).toEqual([]);
    await expect((a.exports.bye as () => Promise<void>)()).rejects.toThrow(/wasi:cli\/exit/);
    expect(await (b.exports.env as () => Promise<unknown>)()).toEqual([]);
    await expect(loadInWorker(env, { wasi: { stdout: () => undefined } })).rejects.toBeInstanceOf(TypeError);
  });

  it('a lift that would exhaust the JS heap kills only the worker (resourceLimits): TrapError, host fine', async () => {
    // 8000 list elements all pointing at the same 44000 bytes: 352 MB of strings from 3 pages of memory.
    const amplifier = await component(`(component
      (core module $m ${ALLOC}
        (func (export "f") (result i32) (local $i i32)
          (drop (memory.grow (i32.const 2)))
          (memory.fill (i32.const 20000) (i32.const 0x61) (i32.const 44000))
          (loop $l
            (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 3))) (i32.const 20000))
            (i32.store (i32.add (i32.const 65540) (i32.shl (local.get $i) (i32.const 3))) (i32.const 44000))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 8000))))
          (i32.store (i32.const 8) (i32.const 65536)) (i32.store (i32.const 12) (i32.const 8000)) (i32.const 8)))
      (core instance $i (instantiate $m))
      (func $f (result (list string)) (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
      (export "f" (func $f)))`);
    // maxLiftBytes raised past what the heap holds, so the heap limit (not the lift budget) is what stops it.
    const p = await start(amplifier, { name: 'amplifier', maxLiftBytes: 2 ** 30, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const e = await (p.exports.f as () => Promise<unknown>)().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as Error).message).toMatch(/worker died/);
    by.check();
  });
});
