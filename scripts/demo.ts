/**
 * `npm run demo`: loads the hello plugin (built from Rust by build:guests)
 * through rdylib's host and prints what each of its exports returns.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'rdylib';

interface Greeter {
  greet(name: string): string;
  makeGreeting(name: string): { message: string; length: number };
  Counter: new (start: number) => { increment(by: number): number; value(): number; [Symbol.dispose](): void };
}

const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'guests', 'hello.wasm');
const plugin = await load(path, { unchecked: true, name: 'hello' });
const greeter = plugin.exports['rdylib:hello/greeter@0.1.0'] as Greeter;

console.log(`loaded ${path}`);
console.log(`greet("Ferris")        -> ${JSON.stringify(greeter.greet('Ferris'))}`);
console.log(`makeGreeting("Zoë")    -> ${JSON.stringify(greeter.makeGreeting('Zoë'))}`);
const counter = new greeter.Counter(40);
console.log(`new Counter(40).increment(2) -> ${counter.increment(2)}, value() -> ${counter.value()}`);
counter[Symbol.dispose]();
plugin.unload();
