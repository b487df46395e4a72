/**
 * The Canonical ABI (CanonicalABI.md, definitions.py): the synchronous ABI, and the async ABI (🔀) with tasks.
 *
 * JS value conventions (jco's):
 * - bool: boolean; s8..u32, f32, f64: number; s64/u64: bigint; char: a one-code-point string.
 * - string: string (lowering rejects lone surrogates with a TypeError).
 * - list<T>: Array; for T in u8, s8, u16, s16, u32, s32, u64, s64, f32, f64 a typed array
 *   (Uint8Array, Int8Array, ..., Float64Array) is returned, and either a typed array of
 *   that exact kind (copied in bulk) or an Array is accepted.
 * - record: object with camelCase keys (kebab-case WIT name -> camelCase).
 * - tuple: Array of exact length.
 * - variant: `{ tag: 'case-name', val }`, the tag keeping the WIT case name (kebab-case),
 *   `val` undefined for cases without payload.
 * - enum: the case name string (kebab-case, as written in WIT).
 * - option<T>: the value or `undefined` (`null` also accepted when lowering); when T is
 *   itself an option, the outer option is `{ tag: 'none' | 'some', val }`.
 * - result<T, E>: as a function's top-level result, the ok value is returned and err is
 *   thrown as `ResultError(payload)`; a host import returning `result` does the same
 *   (throw `ResultError` for err; any other exception is not an err value). Nested:
 *   `{ tag: 'ok' | 'err', val }`.
 * - flags: object of booleans keyed by camelCase label (missing keys lower as false;
 *   bits beyond the labels are ignored when lifting, as the spec does).
 * - own<R> / borrow<R>: whatever `ResourceType.js` (resource-type.ts)
 *   makes of a rep; see `ResourceJsBinding`.
 *
 * Lowering validates JS values and throws TypeError / RangeError naming the parameter
 * or field path (`point.x`, `items[3].name`, `shape<circle>`); such errors, when found
 * before the guest runs, do not poison the instance, and lowering is all or nothing:
 * owned handles move out of JS only once every value of the call was lowered
 * (`ResourceJsBinding.commitOwn`), and handles it put in the callee's table are
 * removed again when a later value is refused. Entering an instance that is already
 * running is refused with a TrapError before anything happens, without poisoning it
 * (the spec's `may_enter`). Every other Canonical ABI trap throws TrapError and
 * poisons the instance.
 */
export type { CanonOptions, StringEncoding, Realloc } from './options.ts';
export { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';
export { canonLift } from './lift.ts';
export { canonLower } from './lower.ts';
export { canonResourceNew, canonResourceDrop, canonResourceRep, runDestructor } from './resources.ts';
export { ComponentInstance } from './component-instance.ts';
export { ResourceType, type ResourceJsBinding } from './resource-type.ts';
export { HandleTable, Table, describeElement, type ResourceHandle, type BorrowScope, type TableElement } from './handle-table.ts';
export { Store, defaultStore } from './store.ts';
export { Thread, Cancelled } from './thread.ts';
export { Task, isAsyncFuncType, type FuncInst, type OnStart, type OnResolve, type OnCancel, type OnFail } from './task.ts';
export { Subtask, SubtaskState } from './subtask.ts';
export { Waitable, WaitableSet, EventCode, type EventTuple, type WaitableKind } from './waitable.ts';
export { ErrorContext } from './error-context.ts';
export { canonLiftTask, CallbackCode, type TaskLifted } from './task-lift.ts';
export { canonLowerTask, hostFuncInst } from './task-lower.ts';
export { hasJspi, suspending, promising, jspiUnavailable, type CoreSuspension } from './jspi.ts';
export { promisingEntry, suspendingWhenBlocked, Suspended, type GlueSig } from './jspi-glue.ts';
export * from './builtins.ts';
export { DEFAULT_LIMITS, type InstanceLimits } from './limits.ts';
export {
  alignment,
  elemSize,
  flattenType,
  flattenFuncType,
  discriminantSize,
  type CoreValType,
  type CoreFuncType,
} from './layout.ts';
