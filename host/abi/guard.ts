/**
 * Turning failures inside an instance into traps that poison it.
 */
import { JspiUnavailableError, TrapError } from '../errors.ts';
import type { ComponentInstance } from './component-instance.ts';

/**
 * Called when `e` escaped while `inst` was running or being called into
 * (a core wasm trap, an ABI trap, or an exception that unwound its frames).
 * Poisons `inst` and returns the error to rethrow: the TrapError itself; a
 * TrapError wrapping a `WebAssembly.RuntimeError` (or a stack overflow);
 * any other error unchanged (e.g. a host import's own exception), with the
 * instance poisoned by a TrapError whose `cause` is that error.
 */
export function trapped(inst: ComponentInstance, e: unknown): unknown {
  let t: TrapError;
  let rethrow: unknown;
  if (e instanceof TrapError) {
    t = e;
    rethrow = e;
  } else if (e instanceof JspiUnavailableError) {
    // A thread had to wait where its core wasm cannot be suspended: a trap the caller sees as this error.
    t = new TrapError(e.message, { cause: e });
    rethrow = e;
  } else if (isSuspendError(e)) {
    // JSPI refused to suspend: core wasm was entered without `promising` (a start function) and tried to block.
    t = new TrapError(`${inst.name}: cannot block a synchronous task before returning (${(e as Error).message})`, { cause: e });
    rethrow = t;
  } else if (e instanceof WebAssembly.RuntimeError || isStackOverflow(e)) {
    const plain = new TrapError(`wasm trap in ${inst.name}: ${e.message}`, { cause: e });
    const explained = inst.explainTrap?.(plain);
    // Later calls report the explained cause (a panic message) rather than `unreachable`.
    t = explained === undefined ? plain : new TrapError(`${inst.name} trapped: ${explained.message}`, { cause: explained });
    rethrow = explained ?? t;
  } else {
    t = new TrapError(`${inst.name} was unwound by an exception: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    rethrow = e;
  }
  inst.poison(t);
  return rethrow;
}

/** Runs `f`, poisoning `inst` if it throws (see `trapped`). For rarely called core functions. */
export function guardTrap<R>(inst: ComponentInstance, f: () => R): R {
  try {
    return f();
  } catch (e) {
    throw trapped(inst, e);
  }
}

/**
 * Whether `e` is the engine's stack overflow (V8: `RangeError: Maximum call
 * stack size exceeded`), which wasm code hits as a trap (call stack
 * exhausted) but JS engines throw as a RangeError: read from the message,
 * since a RangeError is also what JS code (an import) throws for a bad value.
 */
export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** JSPI's `WebAssembly.SuspendError` (absent on engines without JSPI). */
export function isSuspendError(e: unknown): boolean {
  const ctor = (WebAssembly as unknown as { SuspendError?: new () => Error }).SuspendError;
  return ctor !== undefined && e instanceof ctor;
}
