/**
 * Run as `node --expose-gc --allow-natives-syntax --import tsx test/abi/task-classes-gc.ts`
 * (task-classes.test.ts does): prints, as JSON, whether a task-lifted synchronous export's
 * `invoke` (task-lift.ts), optimised by V8, stays optimised after full GCs that found no Task
 * or Thread of its calls alive, only the ones task.ts keeps. Every call makes a Task and a
 * Thread and lets go of both; without a live one a full GC frees their hidden classes and V8
 * throws away the code compiled against them ("weak objects"). The same for the Subtask of each
 * lowered call (subtask.ts keeps one) and a WaitableSet a guest makes and drops per call
 * (waitable.ts keeps one): code that read fresh ones stays optimised after GCs that found none.
 */
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { Store } from '../../host/abi/store.ts';
import { Subtask } from '../../host/abi/subtask.ts';
import { canonLiftTask } from '../../host/abi/task-lift.ts';
import { WaitableSet } from '../../host/abi/waitable.ts';
import type { FuncType } from '../../host/types.ts';
import { gc, isOptimised, optimizeOnNextCall, prepareForOptimization as prepare } from '../support/v8-natives.ts';

// A synchronous export of an instance that uses the async ABI (so its lift makes tasks): u32 + 1.
const ft: FuncType = { async: false, params: [{ name: 'x', type: { kind: 'u32' } }], result: { kind: 'u32' } } as FuncType;
const inst = new ComponentInstance('guest', undefined, new Store());
const lifted = canonLiftTask(ft, { memory: undefined, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8' }, inst, (x) => ((x as number) + 1) >>> 0, { suspension: 'not-needed' });
const invoke = lifted.invoke;
let sum = 0;
// In a function, so that no Task or Thread of these calls is alive at the GCs below.
function callsThroughInvoke(n: number): void {
  for (let i = 0; i < n; i++) {
    invoke(
      () => [i],
      (r) => (sum = (sum + (r![0] as number)) >>> 0),
      undefined,
      (e) => {
        throw e;
      },
    );
  }
}

// The readers get the object as an argument, so the compiled code checks its class.
function readSubtask(s: Subtask): number {
  return s.state + (s.resolved() ? 1 : 0) + (s.hasPendingEvent() ? 1 : 0);
}
function readSet(ws: WaitableSet): number {
  return ws.numWaiting + ws.elems.length + (ws.hasPendingEvent() ? 1 : 0);
}
const store = new Store();
/** Optimises `read` on fresh objects from `make` (none kept), and says whether it is optimised. */
function optimisedOn<T>(read: (o: T) => number, make: () => T): boolean {
  prepare(read);
  for (let i = 0; i < 1000; i++) read(make());
  optimizeOnNextCall(read);
  read(make());
  return isOptimised(read);
}
const subtaskBefore = optimisedOn(readSubtask, () => new Subtask(store));
const setBefore = optimisedOn(readSet, () => new WaitableSet());

prepare(invoke);
callsThroughInvoke(1000);
optimizeOnNextCall(invoke);
callsThroughInvoke(1);
const before = isOptimised(invoke);
// A timer turn between the GCs, as between two batches of calls: nothing of the last call is left on the stack.
gc();
await new Promise((resolve) => setTimeout(resolve, 0));
gc();
const after = isOptimised(invoke);
const subtask = { before: subtaskBefore, after: isOptimised(readSubtask) };
const waitableSet = { before: setBefore, after: isOptimised(readSet) };
callsThroughInvoke(1);
console.log(JSON.stringify({ invoke: { before, after }, subtask, waitableSet, sum, result: lifted.call(41), threadsLeft: inst.threads.size }));
