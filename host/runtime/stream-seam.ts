/**
 * The seam between the Canonical ABI's stream and future state and the host,
 * named as in definitions.py (`Buffer`, `ReadableBuffer`, `WritableBuffer`,
 * `CopyResult`, the shared `ReadableStream` / `ReadableFuture`; "Shared" is
 * added to the last two so they are not mistaken for WHATWG streams).
 *
 * Lifting a `stream<T>` or `future<T>` out of a component gives the shared
 * object (`lift_stream` returns `e.shared`): whoever holds it reads from it
 * with a buffer of its own. Lowering one into a component takes any object
 * with the shared interface (`lower_stream` puts it in a readable end), so the
 * host can be the writer. host/abi implements these for guest-to-guest
 * streams (streams.ts, buffers.ts) and defines them; host/runtime's
 * js-streams.ts and js-futures.ts implement the host side (buffers in JS, a
 * WHATWG ReadableStream or a Promise as the source). The host passes
 * `undefined` where the spec passes the reading or writing component instance.
 */
export { CopyResult, type Buffer, type OnCopy, type OnCopyDone, type ReadableBuffer, type WritableBuffer } from '../abi/buffers.ts';
export type { SharedReadableFuture, SharedReadableStream, SharedWritableFuture, SharedWritableStream } from '../abi/streams.ts';
