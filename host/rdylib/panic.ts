/**
 * The `rdylib-panic` support import (docs/abi.md §4): an SDK plugin calls it
 * with the panic message and location just before it traps. A host keeps the
 * last report per instance and, when the trap arrives, throws the typed error
 * built here instead of a bare trap.
 */

import { BorrowError, GuestPanicError } from '../errors.ts';

/** Name of the world-level function import. */
export const RDYLIB_PANIC_IMPORT = 'rdylib-panic';
/** Prefix of the messages the plugin's run-time borrow checks report. */
export const BORROW_ERROR_PREFIX = 'rdylib borrow error: ';

export interface PanicReport {
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Collects reports from one instance's `rdylib-panic` import. */
export class PanicRecorder {
  private last: PanicReport | undefined;

  /** The import's implementation: `(message, file, line, column) => void`. */
  readonly report = (message: string, file: string, line: number, column: number): void => {
    this.last = { message, file, line, column };
  };

  /** The report made since the last `take`, if any; clears it. */
  take(): PanicReport | undefined {
    const r = this.last;
    this.last = undefined;
    return r;
  }
}

/**
 * The typed error for a trap preceded by a report: a borrow violation the
 * plugin detected becomes a BorrowError, any other panic a GuestPanicError.
 * `trap` (the engine's error) is kept as the cause.
 */
export function panicError(report: PanicReport, trap?: unknown): GuestPanicError | BorrowError {
  const where = `${report.file}:${report.line}:${report.column}`;
  const options = trap === undefined ? undefined : { cause: trap };
  if (report.message.startsWith(BORROW_ERROR_PREFIX)) {
    return new BorrowError(`${report.message.slice(BORROW_ERROR_PREFIX.length)} (detected by the plugin at ${where})`, options);
  }
  return new GuestPanicError(`the plugin panicked at ${where}: ${report.message}`, options);
}
