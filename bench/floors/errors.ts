/**
 * The typed errors the checked floors throw, and the out-of-line refusals
 * that build their messages. Each error class carries the same `name` as the
 * host's (host/errors.ts) so the honesty tests (bench/floors/*.test.ts) can
 * require a floor to refuse exactly where ours refuses, with the same kind of
 * error naming the same item; the floors never import the host.
 *
 * Everything here runs only when a floor refuses something: no floor's timed
 * path calls into this module, so sharing it between floors shares no type
 * feedback that matters (bench/column-copy.ts says why that would).
 */

/** The spec's trap (and our poisoning of the instance that trapped). */
export class TrapError extends Error {
  override readonly name = 'TrapError';
}
/** A disposed (or otherwise unusable) resource object used. */
export class HandleError extends Error {
  override readonly name = 'HandleError';
}
/** Anything of a plugin used after its unload. */
export class UnloadedError extends Error {
  override readonly name = 'UnloadedError';
}
/** A call or drop while the instance is inside a call (the spec's may_enter is false). */
export class PluginInUseError extends Error {
  override readonly name = 'PluginInUseError';
}
/** A resource dropped while something still borrows it. */
export class BorrowError extends Error {
  override readonly name = 'BorrowError';
}

/** How a refused JS value is named in a message: `number 1.5`, `string "1"`, `undefined`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** The spec's integer lowering refuses what is not an integer of the type, naming the item (our rule: typed errors). */
export function refuseInteger(path: string, type: string, v: unknown, lo: number | bigint, hi: number | bigint): never {
  if (type === 'u64' || type === 's64') {
    if (typeof v !== 'bigint') throw new TypeError(`${path}: expected a bigint (${type}), got ${describeValue(v)}`);
    throw new RangeError(`${path}: ${v} is out of range for ${type}`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${path}: expected an integer (${type}), got ${describeValue(v)}`);
  throw new RangeError(`${path}: ${v} is out of range for ${type} [${lo}, ${hi}]`);
}

export function refuseType(path: string, expected: string, v: unknown): never {
  throw new TypeError(`${path}: expected ${expected}, got ${describeValue(v)}`);
}

export function refuseArity(expected: number, got: number): never {
  throw new TypeError(`expected ${expected} argument(s), got ${got}`);
}

/** Bytes that are not a component the floor can load (ours: LoadError with a kind). */
export class LoadError extends Error {
  override readonly name = 'LoadError';
}
/** The guest panicked (it reported the message through `rdylib-panic` just before its trap). */
export class GuestPanicError extends Error {
  override readonly name = 'GuestPanicError';
}
