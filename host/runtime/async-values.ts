/**
 * Converts the `stream<T>` and `future<T>` values inside a function's
 * parameters and result between their JS shapes (ReadableStream, Promise:
 * js-streams.ts, js-futures.ts) and the spec's shared objects the ABI lifts
 * and lowers (stream-seam.ts), wherever they sit in the value (records,
 * tuples, lists, options, results, variants).
 *
 * Compiled once per function type; a type without streams or futures gets
 * no converter, so its calls cost nothing here.
 */
import { ResultError } from '../errors.ts';
import { toCamelCase } from '../abi/names.ts';
import type { FuncType, FutureType, StreamType, ValType } from '../types.ts';
import { shapeSource } from '../shape-sources.ts';
import type { HostWaits } from './host-waits.ts';
import type { PendingWork } from './pending-work.ts';
import { fromJsStream, toReadableStream } from './js-streams.ts';
import { fromJsFuture, toPromise } from './js-futures.ts';
import type { SharedReadableFuture, SharedReadableStream } from './stream-seam.ts';

function asAsync(t: ValType): StreamType | FutureType | undefined {
  return t.kind === 'stream' || t.kind === 'future' ? t : undefined;
}

/**
 * Where a call's converted values are accounted: `pending` tracks what stays
 * open; `made` collects the host writers made for the arguments, so a call
 * refused before it started can forget them without touching the JS values.
 */
export interface ConversionScope {
  readonly pending: PendingWork | undefined;
  /** The Store of the plugin's instances, told when JS waits on the guest or the guest on JS. */
  readonly waits?: HostWaits;
  readonly made?: { forget(): void }[];
}

/** Converts one value; `what` names it in messages. */
type Convert = (v: unknown, scope: ConversionScope, what: string) => unknown;

/** Whether a value of `t` can hold a stream or a future. */
function holdsAsync(t: ValType | undefined): boolean {
  if (t === undefined) return false;
  if (asAsync(t) !== undefined) return true;
  switch (t.kind) {
    case 'list':
      return holdsAsync(t.element);
    case 'option':
      return holdsAsync(t.type);
    case 'result':
      return holdsAsync(t.ok) || holdsAsync(t.err);
    case 'tuple':
      return t.types.some(holdsAsync);
    case 'record':
      return t.fields.some((f) => holdsAsync(f.type));
    case 'variant':
      return t.cases.some((c) => holdsAsync(c.type));
    default:
      return false;
  }
}

/** How JS values of `t` become what the ABI lowers (`'lower'`) or lifted values become JS (`'lift'`). */
function compile(t: ValType, dir: 'lower' | 'lift'): Convert | undefined {
  if (!holdsAsync(t)) return undefined;
  const a = asAsync(t);
  if (a !== undefined) {
    if (a.kind === 'stream') {
      return dir === 'lower'
        ? (v, scope, what) => made(scope, fromJsStream(v, a.element, scope.pending, what, scope.waits))
        : (v, scope, what) => toReadableStream(v as SharedReadableStream, scope.pending, `stream from ${what}`, scope.waits);
    }
    return dir === 'lower'
      ? (v, scope, what) => made(scope, fromJsFuture(v, a.element, scope.pending, what, scope.waits))
      : (v, scope, what) => toPromise(v as SharedReadableFuture, scope.pending, `future from ${what}`, scope.waits);
  }
  switch (t.kind) {
    case 'list': {
      const e = compile(t.element, dir)!;
      return (v, scope, what) => (Array.isArray(v) ? v.map((x, i) => e(x, scope, `${what}[${i}]`)) : v);
    }
    case 'option': {
      const inner = compile(t.type, dir)!;
      if (t.type.kind === 'option') return tagged({ some: inner });
      return (v, scope, what) => (v === undefined || v === null ? v : inner(v, scope, what));
    }
    case 'result': {
      const cases: Record<string, Convert> = {};
      if (t.ok !== undefined && holdsAsync(t.ok)) cases['ok'] = compile(t.ok, dir)!;
      if (t.err !== undefined && holdsAsync(t.err)) cases['err'] = compile(t.err, dir)!;
      return tagged(cases);
    }
    case 'variant': {
      const cases: Record<string, Convert> = {};
      for (const c of t.cases) if (c.type !== undefined && holdsAsync(c.type)) cases[c.name] = compile(c.type, dir)!;
      return tagged(cases);
    }
    case 'tuple': {
      const parts = t.types.map((x) => compile(x, dir));
      return (v, scope, what) => (Array.isArray(v) ? v.map((x, i) => (parts[i] === undefined ? x : parts[i]!(x, scope, `${what}[${i}]`))) : v);
    }
    case 'record': {
      const fields = t.fields.map((f) => ({ key: toCamelCase(f.name), convert: compile(f.type, dir) })).filter((f) => f.convert !== undefined);
      return (v, scope, what) => {
        if (typeof v !== 'object' || v === null) return v;
        const out = { ...(v as Record<string, unknown>) };
        for (const f of fields) out[f.key] = f.convert!(out[f.key], scope, `${what}.${f.key}`);
        return out;
      };
    }
    default:
      return undefined;
  }
}

function made<T extends { forget(): void }>(scope: ConversionScope, w: T): T {
  scope.made?.push(w);
  return w;
}

/** `{ tag, val }` values whose payload is converted for the listed cases; anything else passes as it is. */
function tagged(cases: Record<string, Convert>): Convert {
  return (v, scope, what) => {
    if (typeof v !== 'object' || v === null) return v;
    const { tag, val } = v as { tag?: unknown; val?: unknown };
    const c = typeof tag === 'string' ? cases[tag] : undefined;
    return c === undefined ? v : { ...(v as object), val: c(val, scope, `${what}<${tag as string}>`) };
  };
}

/**
 * The conversions of one function's values at the JS boundary, or undefined
 * when its type holds no stream or future. `side` is where JS stands: for an
 * `export` JS passes the arguments (lowered) and receives the result (lifted);
 * for an `import` (a host function the guest calls) the reverse.
 */
export interface AsyncValueConversions {
  /** The arguments, converted in place. */
  readonly args: (args: unknown[], scope: ConversionScope, fn: string) => void;
  /** The result (a top-level `result`'s ok value; its err payload travels as a thrown ResultError: see `error`). */
  readonly result: (v: unknown, scope: ConversionScope, fn: string) => unknown;
  /** A thrown ResultError with its payload converted; anything else unchanged. */
  readonly error: (e: unknown, scope: ConversionScope, fn: string) => unknown;
}

/**
 * Function types known to hold no stream or future, by `shapeSource`: whether a type holds one does
 * not depend on which resources its handles name, so a type made per instance (one that mentions
 * resources) is answered from the one it was made from, which the compile cache keeps.
 */
const withoutAsyncValues = new WeakSet<FuncType>();

export function compileAsyncValues(ft: FuncType, side: 'export' | 'import'): AsyncValueConversions | undefined {
  const source = shapeSource(ft);
  if (withoutAsyncValues.has(source)) return undefined;
  const argDir = side === 'export' ? 'lower' : 'lift';
  const resultDir = side === 'export' ? 'lift' : 'lower';
  const params = ft.params.map((p) => ({ name: p.name, convert: compile(p.type, argDir) }));
  const r = ft.result;
  // A function's top-level result: the ok value is returned, the err payload thrown as ResultError (jco's shape).
  const ok = r === undefined ? undefined : r.kind === 'result' ? (r.ok === undefined ? undefined : compile(r.ok, resultDir)) : compile(r, resultDir);
  const err = r !== undefined && r.kind === 'result' && r.err !== undefined ? compile(r.err, resultDir) : undefined;
  if (params.every((p) => p.convert === undefined) && ok === undefined && err === undefined) {
    withoutAsyncValues.add(source);
    return undefined;
  }
  return {
    args(args, scope, fn) {
      for (let i = 0; i < params.length && i < args.length; i++) {
        const c = params[i]!.convert;
        if (c !== undefined) args[i] = c(args[i], scope, `\`${fn}\` argument \`${params[i]!.name}\``);
      }
    },
    result: ok === undefined ? (v) => v : (v, scope, fn) => ok(v, scope, `\`${fn}\``),
    error: err === undefined ? (e) => e : (e, scope, fn) => (e instanceof ResultError ? new ResultError(err(e.payload, scope, `\`${fn}\` error`)) : e),
  };
}
