/**
 * `future<T>` as JS sees it: a Promise both ways.
 *
 * - Guest to host (`toPromise`): the host reads the future as soon as it is
 *   lifted (a future is one value, so there is nothing to hold back) and the
 *   promise settles when the guest writes it. Until then it is pending work
 *   of the cell: unload names it, or rejects it with the unload's error.
 * - Host to guest (`fromJsFuture`): any PromiseLike (or a plain value) is the
 *   writer; the guest's read completes when it settles. A rejected promise
 *   cannot be written into a `future<T>`: the guest sees the writer dropped.
 *
 * Either side tells the plugin's Store (`waits`, host-waits.ts): JS waiting
 * for the guest's value is a host wait, a JS promise the guest waits for is
 * host work until it settles.
 *
 * A promise made here is marked handled, so a rejection the application
 * never looks at (an ignored future when its plugin unloads) cannot end the
 * process; awaiting it still sees the rejection.
 */
import type { ValType } from '../types.ts';
import { hostWaitStarted, type HostWaits } from './host-waits.ts';
import type { PendingWork } from './pending-work.ts';
import { HostWritableBuffer } from './js-streams.ts';
import { CopyResult, type OnCopyDone, type SharedReadableFuture, type WritableBuffer } from './stream-seam.ts';

/** A Promise of the value the guest writes into `shared`. */
export function toPromise(shared: SharedReadableFuture, pending: PendingWork | undefined, label: string, waits?: HostWaits): Promise<unknown> {
  const p = new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let reading = true;
    const buf = new HostWritableBuffer(shared.t, 1);
    const waitDone = hostWaitStarted(waits);
    const untrack = pending?.add({
      kind: 'future',
      label,
      abort(reason) {
        if (settled) return;
        settled = true;
        if (reading) shared.cancel();
        waitDone();
        shared.drop();
        reject(reason);
      },
    });
    shared.read(undefined, buf, (result) => {
      reading = false;
      waitDone();
      if (settled) return;
      settled = true;
      untrack?.();
      shared.drop();
      if (result === CopyResult.COMPLETED) resolve(buf.takeValues()[0]);
      else reject(new TypeError(`${label}: the future ended without a value (copy result ${result})`));
    });
  });
  p.catch(() => {});
  return p;
}

/** The host's writer side of a future the guest reads, over a PromiseLike or a plain value. */
export function fromJsFuture(value: unknown, t: ValType | undefined, pending: PendingWork | undefined, what: string, waits?: HostWaits): HostFutureWriter {
  return new HostFutureWriter(value, t, pending, what, waits);
}

type Outcome = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'failed'; readonly error: unknown };

export class HostFutureWriter implements SharedReadableFuture {
  #outcome: Outcome | undefined = undefined;
  #waiting: { readonly dst: WritableBuffer; readonly onCopyDone: OnCopyDone } | undefined = undefined;
  #done = false;
  readonly #untrack: (() => void) | undefined;
  /** Until the value settles (or the guest drops its end), the guest may be waiting on JS. */
  readonly #workDone: (() => void) | undefined;

  constructor(
    value: unknown,
    readonly t: ValType | undefined,
    pending: PendingWork | undefined,
    readonly what: string,
    waits?: HostWaits,
  ) {
    this.#untrack = pending?.add({ kind: 'future', label: `future passed as ${what}`, abort: () => this.#finish({ kind: 'failed', error: undefined }) });
    this.#workDone = waits?.hostWorkStarted();
    Promise.resolve(value).then(
      (v) => this.#settle({ kind: 'value', value: v }),
      (e: unknown) => this.#settle({ kind: 'failed', error: e }),
    );
  }

  read(_inst: object | undefined, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.#outcome !== undefined) this.#deliver(dst, onCopyDone);
    else this.#waiting = { dst, onCopyDone };
  }

  cancel(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.onCopyDone(CopyResult.CANCELLED);
  }

  /** The call this writer was made for was refused before it started. */
  forget(): void {
    this.drop();
  }

  drop(): void {
    this.#waiting = undefined;
    this.#done = true;
    this.#untrack?.();
    this.#workDone?.();
  }

  #settle(outcome: Outcome): void {
    if (this.#done || this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#workDone?.();
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w !== undefined) this.#deliver(w.dst, w.onCopyDone);
  }

  #finish(outcome: Outcome): void {
    this.#settle(outcome);
    this.#done = true;
  }

  #deliver(dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    const o = this.#outcome!;
    this.#untrack?.();
    if (o.kind === 'failed') {
      onCopyDone(CopyResult.DROPPED);
      return;
    }
    try {
      dst.write([o.value]);
    } catch {
      // A value the element type cannot take (the lowering names it): to the guest the writer is gone.
      onCopyDone(CopyResult.DROPPED);
      return;
    }
    onCopyDone(CopyResult.COMPLETED);
  }
}
