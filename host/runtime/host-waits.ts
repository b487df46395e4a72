/**
 * What the JS face of streams and futures tells the plugin's Store
 * (host/abi/store.ts) so its scheduling and deadlock detection see JS:
 *
 * - JS reading a stream or future the guest writes, and a stream JS passed
 *   that the guest still holds, are host calls waiting on the guest
 *   (`rootStarted`): a guest thread that only yielded (as wit-bindgen's
 *   runtime does after `task.return` while a spawned task goes on) runs for
 *   them, as the spec's embedder drives `tick` while it waits. Without it
 *   the guest's writer, or its clean-up after JS cancelled its output,
 *   would stay parked forever.
 * - A JS source the guest is waiting on (a chunk being pulled, a promise
 *   not settled yet), and the readable end of a guest stream that JS holds
 *   (it may read at any time), are host work (`hostWorkStarted`): until JS
 *   answers or lets go, a guest waiting only for it is not deadlocked.
 */
export interface HostWaits {
  /** A host wait on the guest starts; returns its end (idempotent). */
  rootStarted(): () => void;
  /** Host work that may wake a guest starts; returns its end (idempotent). */
  hostWorkStarted(): () => void;
  /** Something may have made a waiting thread ready. */
  eventArrived(): void;
}

/** A host wait on the guest for as long as it lasts: parked yielding threads are looked at again at once. */
export function hostWaitStarted(waits: HostWaits | undefined): () => void {
  if (waits === undefined) return () => {};
  const done = waits.rootStarted();
  waits.eventArrived();
  return done;
}
