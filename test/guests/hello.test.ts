import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../host/index.ts';
import { componentWit } from '../../scripts/lib/jco.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { importTranspiled } from '../support/jco-transpiled.ts';

interface Greeter {
  greet(name: string): string;
  makeGreeting(name: string): { message: string; length: number };
  Counter: new (start: number) => { increment(by: number): number; value(): number };
}

const GREETER = 'rdylib:hello/greeter@0.1.0';

describe('hello example, built from Rust source', () => {
  it('exports one interface and imports nothing (wasm32-unknown-unknown, no I/O)', async () => {
    const wit = await componentWit(readGuest('hello'));
    expect(wit).toContain(`export ${GREETER};`);
    expect(wit).not.toMatch(/\bimport\b/);
  });

  it('answers all three kinds of export through the host runtime', async () => {
    const plugin = await load(guestPath('hello'), { unchecked: true });
    const greeter = plugin.exports[GREETER] as Greeter;
    expect(greeter.greet('Ferris')).toBe('Hello, Ferris!');
    expect(greeter.makeGreeting('Zoë')).toEqual({ message: 'Hello, Zoë!', length: 11 });
    const counter = new greeter.Counter(40);
    expect(counter.increment(1)).toBe(41);
    expect(counter.increment(1)).toBe(42);
    expect(counter.value()).toBe(42);
  });
});

// Differential: the same inputs through our runtime and through jco's
// transpiled bindings (the reference) must give the same answers.
describe('hello: host runtime agrees with jco on random inputs', () => {
  let ours: Greeter;
  let jco: Greeter;
  beforeAll(async () => {
    ours = (await load(guestPath('hello'), { unchecked: true })).exports[GREETER] as Greeter;
    jco = (await importTranspiled('hello', readGuest('hello')))['greeter'] as Greeter;
  });

  it('greet and makeGreeting on arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (name) => {
        expect(ours.greet(name)).toBe(jco.greet(name));
        expect(ours.makeGreeting(name)).toEqual(jco.makeGreeting(name));
      }),
      { numRuns: 300 },
    );
  });

  it('a counter driven by the same increments, wrapping at 2^32', () => {
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(
      fc.property(u32, fc.array(u32, { maxLength: 20 }), (start, steps) => {
        const a = new ours.Counter(start);
        const b = new jco.Counter(start);
        for (const by of steps) expect(a.increment(by)).toBe(b.increment(by));
        expect(a.value()).toBe(b.value());
      }),
      { numRuns: 200 },
    );
  });
});
