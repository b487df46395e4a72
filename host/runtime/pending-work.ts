/**
 * The asynchronous work of one instantiation that JS is waiting on: calls of
 * async exports whose promise has not settled, streams and futures that
 * cross between JS and the plugin and are still open. Every one of them
 * enters or leaves through the cell's JS face, so the cell can name them
 * when unload or reload is refused (PluginInUseError), or end them all with
 * one error when the caller asks to cancel them (UnloadedError).
 */
export interface PendingEntry {
  /** A call of an async export, or a stream or future crossing between JS and the plugin. */
  readonly kind: 'call' | 'stream' | 'future';
  /** For messages: `` `fetch` (call) ``, `` stream from `produce` ``. */
  readonly label: string;
  /** Ends the work now with `reason`: rejects its promise, errors or cancels its stream. Never throws. */
  abort(reason: Error): void;
}

export class PendingWork {
  readonly #entries = new Set<PendingEntry>();

  /** Registers `entry`; the returned function removes it (idempotent). */
  add(entry: PendingEntry): () => void {
    this.#entries.add(entry);
    return () => {
      this.#entries.delete(entry);
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What is pending, oldest first. */
  labels(): string[] {
    return [...this.#entries].map((e) => e.label);
  }

  /** Ends every entry with `reason` (each removes itself, or is removed here). */
  abortAll(reason: Error): void {
    const entries = [...this.#entries];
    this.#entries.clear();
    for (const e of entries) e.abort(reason);
  }

  /**
   * Ends the streams and futures with `reason` (the plugin trapped): their
   * other end is gone. Calls are left to reject with their own error (the
   * trapping call with its own, the others with the trap: task-lift.ts).
   */
  endStreams(reason: Error): void {
    // Run once per instance of the store a trap or unload ends, almost always with nothing pending.
    if (this.#entries.size === 0) return;
    for (const e of [...this.#entries]) {
      if (e.kind === 'call') continue;
      this.#entries.delete(e);
      e.abort(reason);
    }
  }
}
