/**
 * `npm run demo`: loads the hello plugin (built from Rust by build:guests)
 * through rdylib's host and prints what each of its exports returns.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'rdylib';
// Declarations generated from hello.wasm (`rdylib types`; test/bindings checks they are current).
import type { Bindings } from './demo-hello.js';

const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'guests', 'hello.wasm');
const plugin = await load<Bindings>(path, { unchecked: true, name: 'hello' });
const greeter = plugin.exports.greeter;

console.log(`loaded ${path}`);
console.log(`greet("Ferris")        -> ${JSON.stringify(greeter.greet('Ferris'))}`);
console.log(`makeGreeting("Zoë")    -> ${JSON.stringify(greeter.makeGreeting('Zoë'))}`);
const counter = new greeter.Counter(40);
console.log(`new Counter(40).increment(2) -> ${counter.increment(2)}, value() -> ${counter.value()}`);
counter[Symbol.dispose]();
plugin.unload();
