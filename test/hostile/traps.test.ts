/**
 * Hostile control flow and resource use inside one plugin: a plain trap, deep
 * recursion, a memory bomb (stopped by the linear-memory cap), a trapping
 * start function. Each ends in a TrapError for that plugin only.
 * (An infinite loop cannot be stopped in-process: test/isolate covers it.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../host/load.ts';
import { LoadError, TrapError } from '../../host/errors.ts';
import { capLinearMemory, WASM_PAGE_SIZE } from '../../host/plugin/memory-cap.ts';
import { bystander, component, expectTyped, type Bystander } from './support.ts';
import { HOSTILE_CORE } from './wat.ts';

interface Core {
  recurse(n: number): number;
  bomb(): number;
  boom(): number;
  ok(): number;
  pages(): number;
  grab(): number;
}

describe('hostile control flow', () => {
  let by: Bystander;
  let bytes: Uint8Array;
  beforeAll(async () => {
    by = await bystander();
    bytes = await component(HOSTILE_CORE);
  });

  it('a trap (unreachable) poisons only its plugin', async () => {
    const p = (await load(bytes, { unchecked: true, name: 'trapper' })).exports as unknown as Core;
    expect(p.ok()).toBe(42);
    expectTyped(() => p.boom(), TrapError, /unreachable/);
    expectTyped(() => p.ok(), TrapError, /poisoned/);
    by.check();
  });

  it('unbounded recursion is a TrapError (stack overflow), and the host stack is fine afterwards', async () => {
    const p = (await load(bytes, { unchecked: true, name: 'recurser' })).exports as unknown as Core;
    expectTyped(() => p.recurse(0), TrapError, /stack/i);
    expectTyped(() => p.ok(), TrapError, /poisoned/);
    by.check();
  });

  it('a memory bomb stops at the linear-memory cap', async () => {
    const cap = 4 * 1024 * 1024;
    const p = await load(capLinearMemory(bytes, cap), { unchecked: true, name: 'bomber' });
    const ex = p.exports as unknown as Core;
    expectTyped(() => ex.bomb(), TrapError, /unreachable/);
    by.check();
  });

  it('the cap is the memory limit the guest sees', async () => {
    const cap = 3 * WASM_PAGE_SIZE + 100;
    const ex = (await load(capLinearMemory(bytes, cap), { unchecked: true, name: 'capped' })).exports as unknown as Core;
    expect(ex.pages()).toBe(1);
    // memory.grow succeeds up to exactly 3 pages, then fails inside the guest.
    expect(ex.grab()).toBe(3);
    expect(ex.grab()).toBe(3);
    by.check();
  });

  it('a cap below the initial memory is refused at load', async () => {
    expect(() => capLinearMemory(bytes, 1000)).toThrow(LoadError);
    expect(() => capLinearMemory(bytes, 1000)).toThrow(/above maxMemoryBytes/);
  });

  it('capping keeps an honest plugin working (hello)', async () => {
    const { readGuest } = await import('../support/guests.ts');
    const p = await load(capLinearMemory(readGuest('hello'), 2 * 1024 * 1024), { unchecked: true });
    const g = p.exports['rdylib:hello/greeter@0.1.0'] as { greet(s: string): string };
    expect(g.greet('cap')).toBe('Hello, cap!');
  });

  it('a core start function that traps fails the load with a TrapError', async () => {
    const b = await component(`(component (core module $m (func $s unreachable) (start $s)) (core instance (instantiate $m)))`);
    await expect(load(b, { unchecked: true })).rejects.toBeInstanceOf(TrapError);
    by.check();
  });

  it('a data segment past the end of memory fails the load with a TrapError that says instantiation trapped', async () => {
    const b = await component(`(component (core module $m (memory 1) (data (i32.const 65535) "ab")) (core instance (instantiate $m)))`);
    const e = await load(b, { unchecked: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrapError);
    expect((e as Error).message).toMatch(/^core instantiation trapped/);
    by.check();
  });
});
