/**
 * host/abi/jspi-glue.ts on an engine with JSPI (run on the pinned Node by
 * jspi-glue.test.ts; prints one JSON report). A core module calls its import
 * `f` and adds 1; its export is entered through `promisingEntry`, the import
 * is `suspendingWhenBlocked(f)`. What each call gave back, at once or after
 * it suspended, is recorded.
 */
import { parse } from '../../scripts/lib/jco.ts';
import { promisingEntry, Suspended, suspendingWhenBlocked } from '../../host/abi/jspi-glue.ts';

const wat = (t: 'i32' | 'i64', one: string) => `(module
  (import "" "f" (func $f (param ${t}) (result ${t})))
  (func (export "run") (param $x ${t}) (result ${t}) (${t}.add (call $f (local.get $x)) (${one}))))`;

type Outcome = { readonly at: 'once' | 'after-suspending'; readonly value: unknown } | { readonly at: 'failed'; readonly error: string };

async function callThrough(t: 'i32' | 'i64', f: (x: never) => unknown, arg: unknown): Promise<Outcome> {
  const bytes = await parse(wat(t, t === 'i32' ? 'i32.const 1' : 'i64.const 1'));
  const sig = { params: [t], results: [t] } as const;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { '': { f: suspendingWhenBlocked(f, sig) } } as WebAssembly.Imports);
  const run = promisingEntry(inst.exports['run'] as (x: never) => unknown, sig);
  try {
    const r = run(arg);
    if (r instanceof Suspended) return { at: 'after-suspending', value: String(await r.result) };
    return { at: 'once', value: String(r) };
  } catch (e) {
    return { at: 'failed', error: String(e) };
  }
}

const report = {
  plainI32: await callThrough('i32', (x: number) => x * 2, 20),
  promiseI32: await callThrough('i32', (x: number) => Promise.resolve(x * 3), 20),
  plainI64: await callThrough('i64', (x: bigint) => x * 2n, 2n ** 40n),
  promiseI64: await callThrough('i64', (x: bigint) => new Promise((r) => setTimeout(() => r(x + 5n), 1)), 2n ** 40n),
  rejected: await callThrough('i32', () => Promise.reject(new Error('host said no')), 1),
};
process.stdout.write(JSON.stringify(report));
