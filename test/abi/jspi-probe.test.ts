/**
 * The JSPI probe (host/abi/jspi.ts `jspiApiOf`) takes only the standard shape
 * of the API. Node 22 (V8 12.4) with `--experimental-wasm-jspi` exposes the
 * earlier shape instead — `WebAssembly.Suspender` and a `WebAssembly.Function`
 * that takes `{ suspending: 'first' }` / `{ promising: 'first' }` and passes
 * the suspender as an explicit externref parameter — which our glue would
 * misuse: the probe must refuse it, so such an engine runs as one without
 * JSPI (measured: the same 1399 passed / 26 listed with and without the flag).
 */
import { describe, expect, it } from 'vitest';
import { jspiApiOf } from '../../host/abi/jspi.ts';

/** A stand-in for a function of the namespace: only its type matters to the probe. */
function native(): void {}
class NativeClass {}

describe('jspiApiOf', () => {
  it('refuses the earlier shape of V8 12.4 (Suspender, WebAssembly.Function with suspending/promising options)', () => {
    expect(jspiApiOf({ Suspender: NativeClass, Function: NativeClass, validate: native })).toBeUndefined();
  });

  it('refuses half of the standard API', () => {
    expect(jspiApiOf({ Suspending: NativeClass })).toBeUndefined();
    expect(jspiApiOf({ promising: native })).toBeUndefined();
    expect(jspiApiOf({ Suspending: NativeClass, promising: {} })).toBeUndefined();
  });

  it('refuses an engine without any JSPI (Node 20)', () => {
    expect(jspiApiOf({ validate: native, Module: NativeClass })).toBeUndefined();
  });

  it('takes the standard shape (Suspending and promising)', () => {
    const ns = { Suspending: NativeClass, promising: native, Suspender: NativeClass };
    expect(jspiApiOf(ns)).toBe(ns);
  });
});
