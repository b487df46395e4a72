import { describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { load } from '../../host/load.ts';
import { UnloadedError } from '../../host/errors.ts';

interface Greeter {
  greet(name: string): string;
  makeGreeting(name: string): { message: string; length: number };
  Counter: new (start: number) => { increment(by: number): number; value(): number; [Symbol.dispose](): void };
}

// Needs `npm run build:guests` (part of `npm test`); readGuest in test/support fails with that hint.
describe('the hello example plugin through host/load', () => {
  it('greets, builds a record and runs a resource', async () => {
    const plugin = await load(guestPath('hello'), { unchecked: true });
    const g = plugin.exports['rdylib:hello/greeter@0.1.0'] as Greeter;
    expect(g.greet('world')).toBe('Hello, world!');
    expect(g.makeGreeting('bob')).toEqual({ message: 'Hello, bob!', length: 11 });
    const c = new g.Counter(5);
    expect(c).toBeInstanceOf(g.Counter);
    expect(c.increment(3)).toBe(8);
    expect(c.value()).toBe(8);
    c[Symbol.dispose]();
    expect(() => c.value()).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-dispose' }));
    await plugin.unload();
    expect(() => g.greet('again')).toThrow(UnloadedError);
  });
});
