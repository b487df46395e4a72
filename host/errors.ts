/**
 * Every error the host throws on purpose. Each has a stable `code` so callers
 * can branch without string matching, and a message that names the item at
 * fault and what was expected.
 */

export type RdylibErrorCode =
  | 'LOAD'
  | 'TRAP'
  | 'ABI_MISMATCH'
  | 'BORROW'
  | 'HANDLE'
  | 'UNLOADED'
  | 'TIMEOUT'
  | 'GUEST_PANIC'
  | 'RESULT_ERR'
  | 'IN_USE'
  | 'MISSING_METHOD'
  | 'AMBIGUOUS_EXPORT'
  | 'CANCELLED'
  | 'NEEDS_JSPI';

export abstract class RdylibError extends Error {
  abstract readonly code: RdylibErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Why a component was refused at load, mirroring the conformance suite's
 * categories so tests can tell them apart:
 * - `malformed`: the bytes are not a well-formed component binary;
 * - `invalid`: well-formed, but breaks a validation rule (types, indices, names, options);
 * - `unsupported`: uses a feature this host does not implement (async, streams, GC ...);
 * - `unlinkable`: an import is missing or has the wrong type;
 * - `missing-lifetimes`: no rdylib:abi section, and the caller did not ask to load it `unchecked`;
 * - `io`: the source could not be read.
 */
export type LoadErrorKind = 'malformed' | 'invalid' | 'unsupported' | 'unlinkable' | 'missing-lifetimes' | 'io';

export class LoadError extends RdylibError {
  readonly code = 'LOAD' as const;
  constructor(
    readonly kind: LoadErrorKind,
    message: string,
    /** Byte offset in the component binary, when the error is tied to one. */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(offset === undefined ? message : `${message} (at byte offset ${offset})`, options);
  }
}

/**
 * A trap: the Canonical ABI's `trap()` or a core wasm trap. After a trap the
 * instance is poisoned; later calls throw a TrapError whose `cause` is the
 * original trap.
 */
export class TrapError extends RdylibError {
  readonly code = 'TRAP' as const;
}

/** A plugin does not provide what the host expects (types, names or lifetimes). */
export class AbiMismatchError extends RdylibError {
  readonly code = 'ABI_MISMATCH' as const;
  constructor(
    message: string,
    /** One line per difference: item path, expected, found. */
    readonly differences: readonly string[] = [],
  ) {
    super(differences.length === 0 ? message : `${message}\n  ${differences.join('\n  ')}`);
  }
}

/** A call would break Rust's borrow rules on live handles; nothing was changed. */
export class BorrowError extends RdylibError {
  readonly code = 'BORROW' as const;
}

/**
 * What was wrong with a handle object passed to (or called on) a plugin,
 * beyond its borrow state (BorrowError) or its plugin being unloaded
 * (UnloadedError):
 * - `use-after-dispose`: it was disposed (`[Symbol.dispose]`) before;
 * - `use-after-move`: it was moved into an earlier call (a consuming method,
 *   an owned parameter), or earlier in the same call;
 * - `borrow-ended`: it was lent to a host callback for one call, which returned;
 * - `stale-generation`: it belongs to the plugin's build before `reload`;
 * - `foreign-instance`: it belongs to another plugin, or is a handle of another
 *   resource type than the one expected.
 * Nothing was changed and no plugin code ran.
 */
export type HandleErrorKind = 'use-after-dispose' | 'use-after-move' | 'borrow-ended' | 'stale-generation' | 'foreign-instance';

export class HandleError extends RdylibError {
  readonly code = 'HANDLE' as const;
  constructor(
    readonly kind: HandleErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** An object of a plugin was used after the plugin was unloaded. */
export class UnloadedError extends RdylibError {
  readonly code = 'UNLOADED' as const;
}

/**
 * A plugin cannot be unloaded or reloaded now: a call into it is in progress,
 * or other plugins linked against it still depend on it (named in the message).
 */
export class PluginInUseError extends RdylibError {
  readonly code = 'IN_USE' as const;
}

/**
 * An object the host passed for a resource the host implements (a Rust trait
 * the plugin imports, such as `&mut dyn Canvas`) lacks methods the plugin may
 * call. Any object with the methods will do; nothing was passed to the plugin.
 */
export class MissingMethodError extends RdylibError {
  readonly code = 'MISSING_METHOD' as const;
  constructor(
    message: string,
    /** The resource's WIT name, e.g. `canvas`. */
    readonly resource: string,
    /** The JS (camelCase) names of the methods the object lacks. */
    readonly missing: readonly string[],
  ) {
    super(message);
  }
}

/**
 * An exports key that would name more than one export: the unversioned name
 * of an interface the plugin exports in two versions, or a short name two
 * interfaces share (docs/abi.md §6.1). `candidates` are the exact names.
 */
export class AmbiguousExportError extends RdylibError {
  readonly code = 'AMBIGUOUS_EXPORT' as const;
  constructor(
    pluginName: string,
    readonly key: string,
    readonly candidates: readonly string[],
  ) {
    super(`\`${key}\` could mean ${candidates.map((c) => `\`${c}\``).join(' or ')} in ${pluginName}; read the export by its full name`);
  }
}

/**
 * An async call ended by cancellation: its AbortSignal fired and the plugin
 * acknowledged it (the spec's `task.cancel`), or the signal had fired before
 * the call started, which then never entered the plugin. `cause` is the
 * signal's reason.
 */
export class CancelledError extends RdylibError {
  readonly code = 'CANCELLED' as const;
}

/**
 * A plugin had to wait inside a core wasm call — a synchronous built-in such
 * as `subtask.cancel` or `waitable-set.wait` with nothing ready yet, a
 * synchronous call of an import that did not return at once, a thread
 * switch — and waiting there needs JSPI (`WebAssembly.Suspending` and
 * `promising`), which this engine lacks. Such a plugin loads on every engine
 * and runs while nothing has to wait; the message names the built-in or
 * import. It is a trap: the call rejects (or throws) with this error and
 * the instance is poisoned (later calls: TrapError, whose cause is this).
 */
export class JspiUnavailableError extends RdylibError {
  readonly code = 'NEEDS_JSPI' as const;
}

/** A call into an isolated plugin ran past its time limit. */
export class TimeoutError extends RdylibError {
  readonly code = 'TIMEOUT' as const;
}

/** The guest panicked and reported its message and location before trapping. */
export class GuestPanicError extends RdylibError {
  readonly code = 'GUEST_PANIC' as const;
}

/**
 * The `err` case of a `result` returned by an export, thrown as jco does.
 * `payload` is the lifted error value.
 */
export class ResultError<E = unknown> extends RdylibError {
  readonly code = 'RESULT_ERR' as const;
  /** `E`: the result's error type, as generated declarations name it (their `Errors`). */
  constructor(readonly payload: E) {
    super(`the call returned an error: ${describePayload(payload)}`);
  }
}

function describePayload(payload: unknown): string {
  if (typeof payload === 'string') return JSON.stringify(payload);
  try {
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(payload);
  } catch {
    return String(payload);
  }
}
