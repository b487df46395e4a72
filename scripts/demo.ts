/**
 * `npm run demo`: loads the hello plugin (built from Rust by build:guests)
 * and prints what each of its exports returns.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importTranspiled } from '../test/support/jco-transpiled.ts';

interface Greeter {
  greet(name: string): string;
  makeGreeting(name: string): { message: string; length: number };
  Counter: new (start: number) => { increment(by: number): number; value(): number };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bytes = readFileSync(join(root, 'build', 'guests', 'hello.wasm'));
// Scaffolding: through jco's bindings until the host runtime (host/) lands.
const { greeter } = (await importTranspiled('hello', bytes)) as { greeter: Greeter };

console.log(`loaded hello.wasm (${bytes.length} bytes)`);
console.log(`greet("Ferris")        -> ${JSON.stringify(greeter.greet('Ferris'))}`);
console.log(`makeGreeting("Zoë")    -> ${JSON.stringify(greeter.makeGreeting('Zoë'))}`);
const counter = new greeter.Counter(40);
console.log(`new Counter(40).increment(2) -> ${counter.increment(2)}, value() -> ${counter.value()}`);
