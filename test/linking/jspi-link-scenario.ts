/**
 * A plugin linked to a plugin whose instance is entered through JSPI
 * (jspi-link.test.ts runs this in process and on the pinned Node). `b`'s
 * instance defines `waitable-set.wait`, so something may block inside its core
 * calls: where the engine has JSPI its sync-typed export `get` returns a
 * Promise. `a` imports `get` with a synchronous `canon lower` and adds 1. The
 * link must tell `a`'s instantiation that the callee returns a Promise, so
 * that `a` lowers it as a call that may block (and is itself entered through
 * JSPI) instead of lowering the Promise as the u32 result.
 */
import { parse } from '../../scripts/lib/jco.ts';
import { hasJspi } from '../../host/abi/jspi.ts';
import { load } from '../../host/index.ts';

const B = `(component
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $ws.new (canon waitable-set.new))
  (core func $ws.wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
  (core module $M
    (import "" "ws.new" (func (result i32)))
    (import "" "ws.wait" (func (param i32 i32) (result i32)))
    (func (export "get") (result i32) (i32.const 41)))
  (core instance $m (instantiate $M (with "" (instance (export "ws.new" (func $ws.new)) (export "ws.wait" (func $ws.wait))))))
  (func $get (result u32) (canon lift (core func $m "get")))
  (instance $api (export "get" (func $get)))
  (export "test:b/api" (instance $api))
)`;

const A = `(component
  (import "test:b/api" (instance $api (export "get" (func (result u32)))))
  (core func $get (canon lower (func $api "get")))
  (core module $M
    (import "" "get" (func $get (result i32)))
    (func (export "run") (result i32) (i32.add (call $get) (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance (export "get" (func $get))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
)`;

export interface CallShape {
  readonly promise: boolean;
  readonly value: unknown;
}

async function shapeOf(r: unknown): Promise<CallShape> {
  return r instanceof Promise ? { promise: true, value: await r } : { promise: false, value: r };
}

export interface JspiLinkReport {
  readonly jspi: boolean;
  readonly bGet: CallShape;
  readonly aRun: CallShape;
}

export async function runJspiLink(): Promise<JspiLinkReport> {
  const b = await load(await parse(B), { name: 'b', unchecked: true });
  const a = await load(await parse(A), { name: 'a', unchecked: true, link: [b] });
  try {
    const bGet = await shapeOf((b.exports as { 'test:b/api': { get(): unknown } })['test:b/api'].get());
    const aRun = await shapeOf((a.exports as { run(): unknown }).run());
    return { jspi: hasJspi(), bGet, aRun };
  } finally {
    await a.unload();
    await b.unload();
  }
}
