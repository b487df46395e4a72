/** definitions.py `ErrorContext`: an immutable debug message behind a table index. */
export class ErrorContext {
  readonly kind = 'error-context' as const;
  constructor(
    /** The host-defined transformation of the guest's message (we keep it as written). */
    readonly debugMessage: string,
  ) {}
}
