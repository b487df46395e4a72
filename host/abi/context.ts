/**
 * definitions.py `LiftLowerContext`: the options and instance one compiled
 * lift or lower works against, plus cached views of linear memory.
 *
 * `memory.buffer` is replaced whenever the memory grows, which can only happen
 * while wasm runs (realloc, the callee) or the host grows it. So views are
 * refreshed at the start of every lift/lower and after every realloc call,
 * and stay valid in between.
 */
import type { ComponentInstance } from './component-instance.ts';
import type { BorrowScope, ResourceHandle } from './handle-table.ts';
import type { ResourceJsBinding } from './resource-type.ts';
import type { CanonOptions, Realloc, StringEncoding } from './options.ts';
import { trapped } from './guard.ts';
import { trap } from './trap.ts';

const EMPTY = new ArrayBuffer(0);
// Shared by every context until its first refresh: empty, so nothing can be read or written through them
// (and a context costs a load no typed array or DataView of its own: shapes makes 7 per load).
const EMPTY_U8 = new Uint8Array(EMPTY);
const EMPTY_DV = new DataView(EMPTY);
const EMPTY_U64 = new BigUint64Array(EMPTY);
const EMPTY_S64 = new BigInt64Array(EMPTY);

export class LiftLowerContext {
  readonly memory: WebAssembly.Memory | undefined;
  readonly realloc: Realloc | undefined;
  readonly stringEncoding: StringEncoding;
  private buffer: ArrayBuffer = EMPTY;
  /**
   * A shared memory's buffer is not detached by growth, so it must be re-read every time.
   * Known from the first buffer read (`reread`; nothing reads the views before a refresh).
   */
  private shared = false;
  u8: Uint8Array = EMPTY_U8;
  dv: DataView = EMPTY_DV;
  /**
   * `u8.length`, for the bounds checks of strings, lists and result
   * pointers: a typed array's `length` compiles to a detach test and a float
   * round trip (~12 instructions), this field to one load. Set with the views
   * (`reread`), so it is exactly as current as they are: a check against it
   * after a refresh (the start of a lift or lower, every realloc) sees the
   * memory as it is. `refresh` itself still reads `u8.length`, which is what
   * finds a grown memory's detached views; a check in the same function right
   * after it may read `u8.length` too, which V8 then takes from that read
   * (lift.ts `flatDirectLift`).
   */
  byteLength = 0;
  /**
   * The memory's whole 8-byte words (`u64[i]` is bytes 8i to 8i+7), for
   * loading u64 and s64 values (load-store.ts `scalarLoadAt`): V8 compiles
   * a typed array's element read into the calling code, where DataView's
   * getBigUint64 / getBigInt64 stay calls of a builtin (~126 instructions).
   */
  u64: BigUint64Array = EMPTY_U64;
  s64: BigInt64Array = EMPTY_S64;

  /**
   * `canon lift`: the borrow scope of the call in progress (the spec's Task):
   * borrows lowered into this instance are counted here.
   */
  borrowScope: BorrowScope | undefined = undefined;
  /**
   * `canon lower`: handles lent to calls in progress (the spec's Subtask
   * `lenders`), used as a stack so nested calls release only their own.
   */
  readonly lenders: ResourceHandle[] = [];
  /**
   * Lowering in progress (parameters of a lifted call, the result of a
   * lowered one): the owned JS values `lowerOwn` checked, moved only once
   * every value is lowered (`commitLowering`), and the handle indices put in
   * this instance's table, taken out again if a later value is refused
   * (`abandonLowering`). Parallel arrays: nothing is allocated per handle.
   */
  readonly movedBindings: ResourceJsBinding[] = [];
  readonly movedValues: unknown[] = [];
  readonly addedHandles: number[] = [];
  /**
   * `canon lower`: JS objects handed out by `liftBorrow` whose binding
   * revokes them (`endBorrow`) when their call returns, used as a stack as
   * `lenders` is. Parallel arrays, pushed only for bindings that revoke:
   * nothing is allocated per borrow.
   */
  readonly borrowEnds: ResourceJsBinding[] = [];
  readonly borrowedValues: unknown[] = [];
  /**
   * Bytes of strings and lists the call in progress may still lift (see
   * host/abi/limits.ts `maxLiftBytes`). Reset at the start of every
   * lifted and lowered call; each lifted string or list subtracts its byte
   * length, and running below zero traps (`liftBudgetExhausted`).
   */
  liftBudget: number;
  /**
   * The tagged code units (definitions.py `store_string_into_range`'s second
   * result) of the string `storeStringIntoRange` stored last; read by its
   * caller right after it returns the pointer.
   */
  storedUnits = 0;

  constructor(
    opts: CanonOptions,
    readonly inst: ComponentInstance,
  ) {
    this.memory = opts.memory;
    this.realloc = opts.realloc;
    this.stringEncoding = opts.stringEncoding;
    this.liftBudget = inst.maxLiftBytes;
  }

  /** Starts a new call's lift budget. */
  resetLiftBudget(): void {
    this.liftBudget = this.inst.maxLiftBytes;
  }

  /** Called when a lift ran the budget below zero: traps naming the limit and the instance. */
  liftBudgetExhausted(): never {
    return trap(
      `lift budget: one call of ${this.inst.name} lifted more than ${this.inst.maxLiftBytes} bytes of strings and lists ` +
        '(maxLiftBytes); list elements may alias the same memory, so this bounds what memory size cannot',
    );
  }

  /**
   * Re-reads `memory.buffer` if the memory grew since the views were made.
   * Growing a (non-shared) memory detaches its old ArrayBuffer, which leaves
   * our views with length 0; so a non-empty view is still current and the
   * comparatively costly `memory.buffer` getter is skipped on the hot path.
   * (A memory of 0 bytes is simply re-read every time.)
   */
  refresh(): void {
    if (this.u8.length === 0 || this.shared) this.reread();
  }

  private reread(): void {
    const m = this.memory;
    if (m === undefined) return;
    const b = m.buffer;
    if (b !== this.buffer) {
      // A memory's sharedness never changes: read from its first buffer, here rather than in the
      // constructor, which would call the `memory.buffer` getter (a C++ API callback) for every
      // context an instantiation makes (shapes: 7 per load) whether or not it is ever called.
      if (this.buffer === EMPTY) this.shared = typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
      this.buffer = b;
      this.u8 = new Uint8Array(b);
      this.byteLength = this.u8.length;
      this.dv = new DataView(b);
      const words = b.byteLength >>> 3;
      this.u64 = new BigUint64Array(b, 0, words);
      this.s64 = new BigInt64Array(b, 0, words);
    }
  }

  /** definitions.py `reallocate`: calls realloc with `may_leave` cleared, then refreshes views. */
  reallocate(old: number, oldSize: number, align: number, newSize: number): number {
    const realloc = this.realloc;
    if (realloc === undefined) trap('realloc: a value needs memory allocated but the canonical options have no realloc');
    const inst = this.inst;
    inst.mayLeave = false;
    let ptr: number;
    // No `finally`: V8 compiles one into a saved pending message and a dispatch on how the block
    // was left, paid by every string and list lowered. may_leave is set again on both exits.
    try {
      ptr = Number(realloc(old, oldSize, align, newSize)) >>> 0;
    } catch (e) {
      inst.mayLeave = true;
      // realloc is the guest's core code: whatever escaped it (a wasm trap, an import refused
      // for may_leave) is a trap of the instance, also while lowering a call's arguments, where
      // the lifted call would otherwise take it for the caller's own error (lift.ts failedCall).
      throw trapped(inst, e);
    }
    inst.mayLeave = true;
    this.refresh();
    return ptr;
  }

  /** definitions.py `allocate`. */
  allocate(align: number, size: number): number {
    return this.reallocate(0, 0, align, size);
  }
}
