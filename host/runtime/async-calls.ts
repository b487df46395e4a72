/**
 * The JS face of an export whose calls are asynchronous or carry streams and
 * futures (the rest of js-exports.ts does not change for them):
 *
 * - an `async` export returns a Promise and never throws: a refusal before
 *   the call starts (a BorrowError, a value lowering refuses, an unloaded
 *   plugin) rejects it. It takes one optional argument after its declared
 *   parameters, `AsyncCallOptions`: `{ signal }` requests the task's
 *   cancellation when the signal fires (the plugin may still return a value;
 *   if it acknowledges, the promise rejects with CancelledError), and a
 *   signal that fired before the call refuses it with CancelledError without
 *   entering the plugin. The options are passed on to the lifted call, which
 *   owns the task (host/abi).
 * - while its promise is pending the call is pending work of the cell
 *   (pending-work.ts): unload names it, or rejects it with UnloadedError.
 * - streams and futures among the arguments and in the result are converted
 *   (async-values.ts); a call refused before it started forgets the writers
 *   made for its arguments, leaving the JS values untouched.
 */
import { CancelledError } from '../errors.ts';
import type { FuncType } from '../types.ts';
import { describe } from '../abi/strings.ts';
import { compileAsyncValues, type ConversionScope } from './async-values.ts';
import type { ExportCell, JsFunction } from './export-cell.ts';
import type { HostWaits } from './host-waits.ts';

/** The optional last argument of an async export call. */
export interface AsyncCallOptions {
  /** Requests cancellation of the call's task when it fires. */
  readonly signal?: AbortSignal;
}

/**
 * Whether an export's JS function returns a Promise: an `async` function
 * type, or a function the runtime lifted to return one (`returnsPromise`:
 * an instance entered through JSPI).
 */
export function returnsPromise(f: { readonly type: FuncType; readonly returnsPromise?: boolean }): boolean {
  return f.returnsPromise ?? f.type.async;
}

/** Reads the options argument; TypeError naming the function for anything but `{ signal?: AbortSignal }`. */
export function asyncCallOptions(v: unknown, fn: string): AsyncCallOptions {
  if (typeof v !== 'object' || v === null) throw new TypeError(`\`${fn}\`: the argument after the parameters must be the call options { signal }, got ${describe(v)}`);
  const signal = (v as { signal?: unknown }).signal;
  if (signal !== undefined && !(typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal)) {
    throw new TypeError(`\`${fn}\`: options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  for (const k of Object.keys(v)) if (k !== 'signal') throw new TypeError(`\`${fn}\`: unknown call option \`${k}\` (the options are { signal })`);
  return v as AsyncCallOptions;
}

/**
 * Wraps `call` (the export's lifted function, with its borrow rules) for
 * JS, or returns undefined when the export needs nothing of this module
 * (a synchronous function without streams or futures). `async`: its call
 * returns a Promise (`returnsPromise`). `waits`: the Store of the instance
 * the call runs in, for the streams and futures it passes (host-waits.ts).
 */
export function exportCall(ft: FuncType, async: boolean, call: JsFunction, cell: ExportCell, fn: string, waits?: HostWaits): JsFunction | undefined {
  const conv = compileAsyncValues(ft, 'export');
  if (conv === undefined && !async) return undefined;
  const arity = ft.params.length;
  const pending = cell.pending;

  if (!async) {
    // A synchronous call: its streams and futures stay open past it, tracked by the cell.
    return (...args: unknown[]): unknown => {
      const made: { forget(): void }[] = [];
      const scope: ConversionScope = { pending, made, waits };
      conv!.args(args, scope, fn);
      let value: unknown;
      try {
        value = call(...args);
      } catch (e) {
        // Lowering is all or nothing: a refused call took none of the writers.
        for (const w of made) w.forget();
        throw conv!.error(e, scope, fn);
      }
      return conv!.result(value, scope, fn);
    };
  }

  const label = `\`${fn}\` (call)`;
  return (...args: unknown[]): Promise<unknown> => {
    let made: { forget(): void }[] | undefined;
    let started: unknown;
    let scope: ConversionScope = { pending, waits };
    try {
      if (args.length === arity + 1) {
        const options = asyncCallOptions(args[arity], fn);
        if (options.signal?.aborted === true) {
          throw new CancelledError(`\`${fn}\` was cancelled before it started`, { cause: options.signal.reason });
        }
      }
      if (conv !== undefined) {
        made = [];
        scope = { pending, made, waits };
        conv.args(args, scope, fn);
      }
      started = call(...args);
    } catch (e) {
      if (made !== undefined) for (const w of made) w.forget();
      return Promise.reject(conv === undefined ? e : conv.error(e, scope, fn));
    }
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const untrack = pending.add({
        kind: 'call',
        label,
        abort(reason) {
          if (settled) return;
          settled = true;
          reject(reason);
        },
      });
      Promise.resolve(started).then(
        (value) => {
          if (settled) return;
          settled = true;
          untrack();
          try {
            resolve(conv === undefined ? value : conv.result(value, scope, fn));
          } catch (e) {
            reject(e);
          }
        },
        (e: unknown) => {
          if (settled) return;
          settled = true;
          untrack();
          reject(conv === undefined ? e : conv.error(e, scope, fn));
        },
      );
    });
  };
}

/**
 * A host function the plugin imports, as the runtime calls it: unchanged
 * unless its type carries streams or futures, which it then receives as
 * ReadableStreams and Promises and may return as a ReadableStream (or
 * AsyncIterable, Iterable) and a PromiseLike.
 */
export function hostImportCall(ft: FuncType, fn: JsFunction, path: string): JsFunction {
  const conv = compileAsyncValues(ft, 'import');
  if (conv === undefined) return fn;
  const scope: ConversionScope = { pending: undefined };
  const toShared = (v: unknown): unknown => conv.result(v, scope, path);
  return (...args: unknown[]): unknown => {
    conv.args(args, scope, path);
    let r: unknown;
    try {
      r = fn(...args);
    } catch (e) {
      throw conv.error(e, scope, path);
    }
    if (r instanceof Promise) {
      return r.then(toShared, (e: unknown) => {
        throw conv.error(e, scope, path);
      });
    }
    return toShared(r);
  };
}
