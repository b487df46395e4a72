/**
 * The one place where the differential tests reconcile our runtime with
 * jco's transpiled bindings. Every difference handled here is a documented
 * JS-convention difference, not a disagreement about values; anything not
 * listed here is compared as is, and a mismatch is a bug. Import names need
 * no reconciling: tests key interface imports as jco's `instantiate` takes
 * them (`rdylib-guest:shapes/canvas`, without the version), which our
 * runtime accepts too, and give both hosts the same object.
 *
 * 1. A top-level `result` error. Both throw an error carrying the payload as
 *    `.payload`: ours a `ResultError`, jco (with its default error wrapping) a
 *    `ComponentError`. Compared as `{ kind: 'result-error', payload }`.
 *
 * 2. A trap after a plugin reported a panic through `rdylib-panic`. Ours
 *    throws the typed error (`GuestPanicError` or `BorrowError`) made by
 *    host/rdylib/panic.ts from the report; jco throws the engine's
 *    `WebAssembly.RuntimeError` and the report arrives through the
 *    `rdylib-panic` import the test supplies (test/sdk/transpiled.ts). We
 *    turn jco's report into the typed error with the same `panicError`, so
 *    the comparison is of class and full message (panic text and location).
 *    A trap without a report: ours a `TrapError`, jco a `RuntimeError`;
 *    compared as `{ kind: 'trap', error: 'trap' }` (engine messages differ).
 *
 * 3. Arguments that are not values of the parameter type (out-of-range or
 *    fractional integers, non-booleans, multi-character or empty `char`s,
 *    strings with lone surrogates, bigints for f64...). Our runtime refuses
 *    them with a TypeError/RangeError before the guest runs; jco coerces many
 *    of them (integers wrap modulo 2^n, `bool` uses JS truthiness, a `char`
 *    keeps its first code point, a lone surrogate becomes U+FFFD through
 *    TextEncoder). The canonical ABI defines lowering only for values of the
 *    type, so neither is wrong; the differential properties therefore
 *    generate only values of the parameter types, and types.test.ts checks
 *    the refusals separately, against jco's coercion rules written out in
 *    `jcoCoerce*` below.
 *
 * Not normalised, because it is a difference in behaviour rather than in JS
 * conventions, and asserted as such where it shows:
 *
 * 4. Reentrance. When a host function the plugin called (e.g. a Canvas
 *    method) calls back into the same plugin, our runtime refuses the call
 *    before entering with a PluginInUseError ("... is already running
 *    (reentrance is not allowed)"), as the Component Model's `may_enter`
 *    rule requires (a callback letting it unwind the running plugin
 *    poisons that plugin); jco does not enforce
 *    the rule and lets the call in, so the plugin itself runs, and its borrow
 *    checks may then trap with a `rdylib-panic` report (a BorrowError).
 *    See shapes.test.ts.
 *
 * 5. A string that starts with U+FEFF. jco lifts strings with a
 *    `TextDecoder` made with default options, which treats a leading U+FEFF
 *    as a byte order mark and drops it; ours decodes with `ignoreBOM: true`
 *    (host/abi/strings.ts), so the string arrives as the guest wrote it, as
 *    the Canonical ABI's strings (sequences of scalar values) require. The
 *    generated strings never start with it (arbitraries.ts `unicodeString`);
 *    types.test.ts asserts the difference itself.
 */
import { BorrowError, GuestPanicError, PluginInUseError, ResultError, TrapError } from '../../host/errors.ts';
import { panicError } from '../../host/rdylib/panic.ts';
import type { TranspiledPlugin } from '../sdk/transpiled.ts';

export type Outcome =
  | { kind: 'return'; value: unknown }
  | { kind: 'result-error'; payload: unknown }
  | { kind: 'trap'; error: 'GuestPanicError' | 'BorrowError' | 'trap'; message?: string }
  | { kind: 'refused'; error: string };

function typedTrap(e: GuestPanicError | BorrowError): Outcome {
  return { kind: 'trap', error: e instanceof BorrowError ? 'BorrowError' : 'GuestPanicError', message: e.message };
}

/** What calling `f` through our runtime did. */
export function ours(f: () => unknown): Outcome {
  try {
    return { kind: 'return', value: f() };
  } catch (e) {
    if (e instanceof ResultError) return { kind: 'result-error', payload: e.payload };
    if (e instanceof GuestPanicError || e instanceof BorrowError) return typedTrap(e);
    if (e instanceof TrapError) return { kind: 'trap', error: 'trap' };
    if (e instanceof TypeError || e instanceof RangeError || e instanceof PluginInUseError) return { kind: 'refused', error: e.constructor.name };
    throw e;
  }
}

/** What calling `f` through jco's bindings of `plugin` did. */
export function jco(plugin: TranspiledPlugin, f: () => unknown): Outcome {
  const before = plugin.panics.length;
  try {
    return { kind: 'return', value: f() };
  } catch (e) {
    // (1) jco's ComponentError is not exported by the generated module; it is recognised by name and payload.
    if (e instanceof Error && e.constructor.name === 'ComponentError' && 'payload' in e) {
      return { kind: 'result-error', payload: (e as { payload: unknown }).payload };
    }
    if (e instanceof WebAssembly.RuntimeError) {
      // (2) The report the plugin made just before trapping, if it made one.
      const report = plugin.panics[before];
      return report === undefined ? { kind: 'trap', error: 'trap' } : typedTrap(panicError(report, e));
    }
    if (e instanceof TypeError || e instanceof RangeError) return { kind: 'refused', error: e.constructor.name };
    throw e;
  }
}

/** (3) jco's lowering of a JS number to an integer type of `bits` bits: ToNumber, truncate, wrap. */
export function jcoCoerceInt(v: number, bits: 8 | 16 | 32, signed: boolean): number {
  const m = 2 ** bits;
  let n = Math.trunc(v) % m;
  if (n < 0) n += m;
  return signed && n >= m / 2 ? n - m : n;
}

/** (3) jco's lowering of a bigint to a 64-bit integer type: wrap modulo 2^64. */
export function jcoCoerceBigInt(v: bigint, signed: boolean): bigint {
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}

/** (3) jco's lowering of a string: UTF-8 through TextEncoder, so each lone surrogate becomes U+FFFD. */
export function jcoCoerceString(s: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(s));
}
