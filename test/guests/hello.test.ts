import { describe, expect, it } from 'vitest';
import { readGuest } from '../support/guests.ts';
import { importTranspiled } from '../support/jco-transpiled.ts';

interface Greeter {
  greet(name: string): string;
  makeGreeting(name: string): { message: string; length: number };
  Counter: new (start: number) => { increment(by: number): number; value(): number };
}

describe('hello example, built from Rust source', () => {
  it('exports one interface and imports nothing (wasm32-unknown-unknown, no I/O)', async () => {
    const { componentWit } = await import('../../scripts/lib/jco.ts');
    const wit = await componentWit(readGuest('hello'));
    expect(wit).toContain('export rdylib:hello/greeter@0.1.0;');
    expect(wit).not.toMatch(/\bimport\b/);
  });

  // Scaffolding: called through jco's transpiled bindings until host/ can load components.
  it('answers a string function, a record function and a resource', async () => {
    const module = await importTranspiled('hello', readGuest('hello'));
    const greeter = module['greeter'] as Greeter;
    expect(greeter.greet('Ferris')).toBe('Hello, Ferris!');
    expect(greeter.makeGreeting('Zoë')).toEqual({ message: 'Hello, Zoë!', length: 11 });
    const counter = new greeter.Counter(40);
    expect(counter.increment(1)).toBe(41);
    expect(counter.increment(1)).toBe(42);
    expect(counter.value()).toBe(42);
  });
});
