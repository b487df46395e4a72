/**
 * Shared pieces of the hostile suite: WAT → component bytes, a bump allocator
 * for guest modules, and the well-behaved bystander plugin every test checks
 * after the attack (it must keep working and keep its state).
 */
import { expect } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { load, type Plugin } from '../../host/load.ts';
import { RdylibError } from '../../host/errors.ts';
import { readGuest } from '../support/guests.ts';

export async function component(wat: string): Promise<Uint8Array> {
  return (await parse(wat)) as Uint8Array;
}

/** A core-module body fragment: memory "mem" and a bump `realloc` that copies old bytes. */
export const ALLOC = `(memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $oldSize i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (global.set $bump (i32.add (local.get $p) (local.get $size)))
      (if (local.get $old)
        (then (memory.copy (local.get $p) (local.get $old)
          (select (local.get $oldSize) (local.get $size) (i32.lt_u (local.get $oldSize) (local.get $size))))))
      (local.get $p))`;

interface Greeter {
  greet(name: string): string;
  Counter: new (start: number) => { increment(by: number): number; value(): number; [Symbol.dispose](): void };
}

/**
 * The built hello plugin holding a Counter with known state. `check()` proves
 * it still answers and its counter kept every increment made before.
 */
export interface Bystander {
  readonly plugin: Plugin;
  check(): void;
}

export async function bystander(): Promise<Bystander> {
  const plugin = await load(readGuest('hello'), { unchecked: true, name: 'bystander' });
  const g = plugin.exports['rdylib:hello/greeter@0.1.0'] as Greeter;
  const counter = new g.Counter(100);
  let expected = 100;
  const check = (): void => {
    expect(g.greet('still here')).toBe('Hello, still here!');
    expected += 1;
    expect(counter.increment(1)).toBe(expected);
    expect(counter.value()).toBe(expected);
  };
  check();
  return { plugin, check };
}

/**
 * Runs `f`, expecting it to throw an error of class `cls` (a typed host error);
 * returns the error so callers can look at its message or cause.
 */
export function expectTyped<E extends RdylibError>(f: () => unknown, cls: abstract new (...a: never[]) => E, message?: RegExp): E {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected the call to throw').toBeInstanceOf(cls);
  if (message !== undefined) expect((caught as Error).message).toMatch(message);
  return caught as E;
}
