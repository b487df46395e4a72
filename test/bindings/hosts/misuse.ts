/**
 * Host code that must not compile against the generated declarations: each
 * `@ts-expect-error` line below is a mistake the types catch. tsc fails on a
 * directive whose next line compiles, so a clean `tsc --noEmit` proves every
 * one of them is refused; test/bindings also compiles this file without the
 * directives to check that each error is on the line it marks. Never run.
 */
import { load, ResultError } from '../../../host/index.ts';
import type { Bindings as KvBindings, Kv } from '../../../build/bindings/kv.js';
import type { Bindings as TypesBindings, Types } from '../../../build/bindings/types.js';
import type { Bindings as ShapesBindings, Canvas, Shapes } from '../../../build/bindings/shapes.js';
import type { Registry, Static } from '../../../build/bindings/registry.js';

export function kvMisuse(kv: Kv.Exports, store: Kv.Store, iter: Kv.Iter, e: unknown): void {
  // @ts-expect-error wrong argument type: values are strings
  store.put('a', 1);
  // @ts-expect-error a 64-bit integer is a bigint, not a number
  store.batchIfUnchanged(3);
  // @ts-expect-error a method of another class: `put` is on Store, not on Iter
  iter.put('a', 'b');
  // @ts-expect-error an Iter is not a Store, though both are handles
  kv.countPrefix(iter, 'a');
  // @ts-expect-error a handle cannot be made up from a plain object
  kv.countPrefix({}, 'a');
  // @ts-expect-error Iter has no constructor: its handles come from Store.iter()
  new kv.Iter();
  // @ts-expect-error the ok value is returned directly, not wrapped in { tag, val }
  store.batchIfUnchanged(3n).tag;
  // @ts-expect-error the error payload of batchIfUnchanged is a string
  (e as ResultError<Kv.Errors['Store.batchIfUnchanged']>).payload.toFixed();
  // @ts-expect-error an option is the value or undefined
  store.get('a').length;
  // @ts-expect-error a missing argument
  kv.countPrefix(store);
}

export async function workerMisuse(path: string, inProcessStore: Kv.Store): Promise<void> {
  const plugin = await load<KvBindings>(path, { isolate: 'worker' });
  const kv = plugin.exports.kv;
  const store = await new kv.Store();
  // @ts-expect-error a forgotten await: the call returns a Promise
  const len: number = store.len();
  // @ts-expect-error a forgotten await on the constructor: a Promise has no methods of Store
  new kv.Store().put('a', 'b');
  // @ts-expect-error an in-process handle cannot be passed to a worker-isolated plugin
  await kv.countPrefix(inProcessStore, 'a');
  // @ts-expect-error exports keys are typed: there is no interface `kvv`
  plugin.exports.kvv;
  void len;
}

export async function inProcessMisuse(path: string): Promise<void> {
  const plugin = await load<KvBindings>(path);
  // @ts-expect-error an in-process plugin's calls are synchronous: awaiting is allowed, but `.then` is not a member
  plugin.exports.kv.countPrefix(new plugin.exports.kv.Store(), 'a').then(() => undefined);
}

export function typesMisuse(t: Types.Exports): void {
  // @ts-expect-error a missing record field: `y`
  t.describe('p', [{ x: 1 }], { x: 0, y: 0 });
  // @ts-expect-error a variant case that does not exist
  t.area({ tag: 'circle', val: 1 });
  // @ts-expect-error a variant payload of the wrong type
  t.area({ tag: 'dot', val: 1 });
  // @ts-expect-error an enum label that does not exist
  t.echoNested([['purple']]);
  // @ts-expect-error a record field of the wrong type: `long` is a u64
  t.echoPrimitives({ flag: true, byte: 1, short: 1, word: 1, signed: 1, long: 1, signedLong: 1n, single: 1, double: 1, letter: 'a' });
  // @ts-expect-error a nested result parameter is { tag, val }, not a bare value
  t.echoResult({ x: 1, y: 2 });
  // @ts-expect-error parse-error's payload is tagged; a string is not one of its cases
  const p: Types.ParseError = 'empty';
  void p;
}

export async function shapesMisuse(path: string, shapes: Shapes.Exports, registry: Registry.Exports, unit: Registry.Unit): Promise<void> {
  // @ts-expect-error a host-implemented Canvas lacking `lineTo` and the other methods the plugin calls
  const canvas: Canvas.Canvas = { moveTo: () => undefined };
  // @ts-expect-error imports are typed: the canvas interface takes an object, not a function
  await load<ShapesBindings>(path, { imports: { 'rdylib-guest:shapes/canvas': () => undefined } });
  // @ts-expect-error a Shape is a plugin object: a record with the same fields is not one
  shapes.describe({ name: () => 'x', area: () => 1, perimeter: () => 1 });
  const fixed: Static<Registry.UnitRegistry> = registry.registry();
  const found = fixed.find('m');
  // @ts-expect-error `rescale` needs `&mut self`, which a library-static handle does not allow
  found?.rescale(2);
  // @ts-expect-error `find` takes `&'static self`: an owned registry handle is not library-static
  ({} as Registry.UnitRegistry).find('m');
  unit.rescale(2); // fine: an owned unit may be changed
  void canvas;
}
