/**
 * The async ABI (🔀) at instantiation: which instances run their calls as
 * tasks, which are entered through JSPI, and the core functions of the
 * async canon built-ins (host/abi/builtins.ts) made from validation's
 * resolved immediates.
 *
 * - An instance *uses tasks* when it defines an async built-in, an `async`
 *   canon lift or lower, or lifts or lowers an `async`-typed function: all
 *   its lifts then go through `canonLiftTask` and its lowers through
 *   `canonLowerTask`, so built-ins always find their task. Instances without
 *   any of this keep the synchronous compiled paths.
 * - An instance is *entered through JSPI* when something in it may block
 *   inside a core call (`blocksInCore` below, a stackful lift, a synchronous
 *   lower of a function that may block). Without JSPI such an instance still
 *   loads (`unavailable`): whether anything blocks is known only when it runs,
 *   and only a thread that really has to wait inside a core call traps, with
 *   JspiUnavailableError naming the built-in or import (host/abi/jspi.ts).
 */
import { LoadError } from '../errors.ts';
import type { FuncType, FutureType, StreamType } from '../types.ts';
import type { ResolvedBuiltin, ResolvedOptions, ValidatedComponent } from '../validate/validate.ts';
import { substValType, valTypeEquals } from '../validate/type-space.ts';
import {
  canonBackpressureDec,
  canonBackpressureInc,
  canonContextGet,
  canonContextSet,
  canonErrorContextDebugMessage,
  canonErrorContextDrop,
  canonErrorContextNew,
  canonSubtaskCancel,
  canonSubtaskDrop,
  canonTaskCancel,
  canonTaskReturn,
  canonThreadIndex,
  canonThreadNewIndirect,
  canonThreadResumeLater,
  canonThreadSuspend,
  canonThreadSwitch,
  canonThreadYield,
  canonWaitableJoin,
  canonWaitableSetDrop,
  canonWaitableSetNew,
  canonWaitableSetPoll,
  canonWaitableSetWait,
  hasJspi,
  type CanonOptions,
  type ComponentInstance,
  type CoreSuspension,
} from '../abi/index.ts';
import { trap } from '../abi/trap.ts';
import { promisingEntry, suspendingWhenBlocked, type GlueSig } from '../abi/jspi-glue.ts';
import type { CoreValType } from '../abi/layout.ts';
import { canonCancelCopy, canonDropEnd, canonFutureCopy, canonFutureNew, canonStreamCopy, canonStreamNew } from '../abi/stream-builtins.ts';

/** How one component instance runs its calls. */
export interface AsyncMode {
  /** Lifts and lowers go through tasks (host/abi/task-lift.ts, task-lower.ts). */
  readonly usesTasks: boolean;
  /** With `jspi`, core entry points are `WebAssembly.promising` and blocking imports `WebAssembly.Suspending`. */
  readonly suspension: CoreSuspension;
}

/** How an instance in which something may block inside a core call is run on this engine. */
export function suspensionFor(mayBlockInCore: boolean): CoreSuspension {
  return !mayBlockInCore ? 'not-needed' : hasJspi() ? 'jspi' : 'unavailable';
}

/** Built-ins that may block inside the core call that made them (so they suspend it, with JSPI). */
function blocksInCore(b: ResolvedBuiltin): boolean {
  switch (b.kind) {
    case 'waitable-set.wait':
    case 'thread.suspend':
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
    case 'thread.new-indirect':
      return true;
    case 'subtask.cancel':
    case 'stream.cancel-read':
    case 'stream.cancel-write':
    case 'future.cancel-read':
    case 'future.cancel-write':
      return !b.async;
    case 'stream.read':
    case 'stream.write':
    case 'future.read':
    case 'future.write':
      return !b.options.async;
    default:
      return false;
  }
}

/**
 * Decides the instance's mode from its definitions, before any of them runs.
 * Whether an imported callee returns Promises is known only when it is
 * lowered (instantiate.ts `requireModeFor` may switch tasks or JSPI on then).
 */
export function asyncModeOf(vc: ValidatedComponent): AsyncMode {
  let needs = asyncNeeds.get(vc);
  if (needs === undefined) asyncNeeds.set(vc, (needs = asyncNeedsOf(vc)));
  // Without JSPI a yield returns at once (one of the outcomes the spec allows): no reason to need it.
  const mayBlockInCore = needs.mayBlockInCore || (needs.yields && hasJspi());
  return { usesTasks: needs.usesTasks, suspension: suspensionFor(mayBlockInCore) };
}

/** What a component's definitions need of the async runtime. */
interface AsyncNeeds {
  readonly usesTasks: boolean;
  /** Apart from `thread.yield`, which blocks only where there is JSPI. */
  readonly mayBlockInCore: boolean;
  readonly yields: boolean;
}

/** Per component, read once (the compile cache keeps components; the engine's JSPI is asked at each instantiation). */
const asyncNeeds = new WeakMap<ValidatedComponent, AsyncNeeds>();

function asyncNeedsOf(vc: ValidatedComponent): AsyncNeeds {
  let usesTasks = false;
  let mayBlockInCore = false;
  let yields = false;
  const defs = vc.ast.definitions;
  for (let i = 0; i < defs.length; i++) {
    const info = vc.info[i]!;
    if (info.kind === 'builtin') {
      usesTasks = true;
      if (blocksInCore(info.builtin)) mayBlockInCore = true;
      if (info.builtin.kind === 'thread.yield') yields = true;
    } else if (info.kind === 'lift' || info.kind === 'lower') {
      if (info.options.async || info.type.async) usesTasks = true;
      // A stackful lift: its core function may block.
      if (info.kind === 'lift' && info.options.async && info.options.callback === undefined) mayBlockInCore = true;
      // A synchronous lower of an async function waits for it inside the core call.
      if (info.kind === 'lower' && !info.options.async && info.type.async) mayBlockInCore = true;
    }
  }
  return { usesTasks, mayBlockInCore, yields };
}

/** What building a built-in needs from the instance being instantiated. */
export interface BuiltinScope {
  readonly inst: ComponentInstance;
  readonly mode: AsyncMode;
  readonly memory: (index: number) => WebAssembly.Memory;
  readonly table: (index: number) => WebAssembly.Table;
  readonly canonOptions: (o: ResolvedOptions) => CanonOptions;
  readonly subst: Parameters<typeof substValType>[1];
}

/** A built-in's core signature (validation gives only numeric types to the async built-ins). */
function glueSig(sig: ResolvedBuiltin['sig']): GlueSig {
  const numeric = (t: (typeof sig.params)[number]): CoreValType => {
    if (typeof t !== 'string' || t === 'v128') throw new Error(`internal: an async built-in with the non-numeric core type ${JSON.stringify(t)}`);
    return t;
  };
  return { params: sig.params.map(numeric), results: sig.results.map(numeric) };
}

/** The core type of a thread's start function (thread.new-indirect). */
const THREAD_START_SIG = { params: ['i32'], results: [] } as const;

/** The core function of one async built-in. */
export function canonBuiltin(b: ResolvedBuiltin, s: BuiltinScope, offset: number): unknown {
  const inst = s.inst;
  const jspi = s.mode.suspension === 'jspi';
  // Without JSPI a blocking built-in is imported as it is: where it has to wait it throws JspiUnavailableError.
  const blocking = <F extends (...a: never[]) => unknown>(f: F): unknown => (jspi ? suspendingWhenBlocked(f, glueSig(b.sig)) : f);
  switch (b.kind) {
    case 'backpressure.inc':
      return canonBackpressureInc(inst);
    case 'backpressure.dec':
      return canonBackpressureDec(inst);
    case 'task.return':
      return canonTaskReturn(inst, b.result === undefined ? undefined : substValType(b.result, s.subst), s.canonOptions(b.options), valTypeEquals);
    case 'task.cancel':
      return canonTaskCancel(inst);
    case 'context.get':
      return canonContextGet(inst, b.slot);
    case 'context.set':
      return canonContextSet(inst, b.slot);
    case 'waitable-set.new':
      return canonWaitableSetNew(inst);
    case 'waitable-set.wait':
      return blocking(canonWaitableSetWait(inst, b.cancellable, s.memory(b.memory)));
    case 'waitable-set.poll':
      return canonWaitableSetPoll(inst, b.cancellable, s.memory(b.memory));
    case 'waitable-set.drop':
      return canonWaitableSetDrop(inst);
    case 'waitable.join':
      return canonWaitableJoin(inst);
    case 'subtask.cancel':
      // Even the async cancel may suspend (JSPI): it waits for the turn of a callee it resumed on a JSPI stack.
      return blocking(canonSubtaskCancel(inst, b.async));
    case 'subtask.drop':
      return canonSubtaskDrop(inst);
    case 'thread.index':
      return canonThreadIndex(inst);
    case 'thread.yield':
      return jspi ? suspendingWhenBlocked(canonThreadYield(inst, b.cancellable, true), glueSig(b.sig)) : canonThreadYield(inst, b.cancellable, false);
    case 'thread.suspend':
      return blocking(canonThreadSuspend(inst, b.cancellable));
    case 'thread.resume-later':
      return canonThreadResumeLater(inst);
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
      return blocking(canonThreadSwitch(inst, b.kind.slice('thread.'.length) as Parameters<typeof canonThreadSwitch>[1], b.cancellable));
    case 'thread.new-indirect': {
      const table = s.table(b.table);
      return canonThreadNewIndirect(inst, (fi) => {
        if (fi >= table.length) trap(`thread.new-indirect: index ${fi} is out of bounds of the table (${table.length} entries)`);
        const f = table.get(fi) as ((c: number) => unknown) | null;
        if (f === null) trap(`thread.new-indirect: table entry ${fi} is null`);
        // A wasm function's length is its parameter count: the spec requires (func (param i32)).
        if (f.length !== 1) trap(`thread.new-indirect: table entry ${fi} does not have the type (func (param i32))`);
        return jspi ? promisingEntry(f, THREAD_START_SIG) : f;
      });
    }
    case 'stream.new':
      return canonStreamNew(inst, substValType(b.type, s.subst) as StreamType);
    case 'future.new':
      return canonFutureNew(inst, substValType(b.type, s.subst) as FutureType);
    case 'stream.read':
    case 'stream.write': {
      const copy = canonStreamCopy(inst, b.kind === 'stream.read' ? 'read' : 'write', substValType(b.type, s.subst) as StreamType, s.canonOptions(b.options));
      return b.options.async ? copy : blocking(copy);
    }
    case 'future.read':
    case 'future.write': {
      const copy = canonFutureCopy(inst, b.kind === 'future.read' ? 'read' : 'write', substValType(b.type, s.subst) as FutureType, s.canonOptions(b.options));
      return b.options.async ? copy : blocking(copy);
    }
    case 'stream.cancel-read':
    case 'stream.cancel-write':
    case 'future.cancel-read':
    case 'future.cancel-write': {
      const [which, op] = b.kind.split('.') as ['stream' | 'future', 'cancel-read' | 'cancel-write'];
      const cancel = canonCancelCopy(inst, which, op === 'cancel-read' ? 'read' : 'write', substValType(b.type, s.subst) as StreamType | FutureType, b.async);
      return b.async ? cancel : blocking(cancel);
    }
    case 'stream.drop-readable':
    case 'stream.drop-writable':
    case 'future.drop-readable':
    case 'future.drop-writable': {
      const [which, op] = b.kind.split('.') as ['stream' | 'future', 'drop-readable' | 'drop-writable'];
      return canonDropEnd(inst, which, op === 'drop-readable' ? 'readable' : 'writable', substValType(b.type, s.subst) as StreamType | FutureType);
    }
    case 'error-context.new':
      return canonErrorContextNew(inst, s.canonOptions(b.options));
    case 'error-context.debug-message':
      return canonErrorContextDebugMessage(inst, s.canonOptions(b.options));
    case 'error-context.drop':
      return canonErrorContextDrop(inst);
  }
}

/** Whether a synchronous lower of `ft` whose callee is `callee` may have to wait (then it suspends, with JSPI). */
export function calleeMayBlock(ft: FuncType, callee: { readonly returnsPromise?: boolean }): boolean {
  return ft.async || callee.returnsPromise === true;
}
