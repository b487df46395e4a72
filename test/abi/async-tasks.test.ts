/**
 * The async ABI's state machines (host/abi task, subtask, waitable set,
 * store) driven by JS functions standing in for core wasm: the callback ABI,
 * async lowering of a host function returning a Promise, backpressure,
 * cancellation delivered synchronously, and the traps the spec lists there.
 * (The reference tests, test/conformance, drive the same code with real
 * components.)
 */
import { describe, expect, it } from 'vitest';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import {
  BLOCKED,
  canonBackpressureDec,
  canonBackpressureInc,
  canonContextGet,
  canonContextSet,
  canonSubtaskCancel,
  canonSubtaskDrop,
  canonTaskCancel,
  canonTaskReturn,
  canonWaitableJoin,
  canonWaitableSetDrop,
  canonWaitableSetNew,
  canonWaitableSetPoll,
} from '../../host/abi/builtins.ts';
import { Suspended } from '../../host/abi/jspi-glue.ts';
import { Store } from '../../host/abi/store.ts';
import { SubtaskState } from '../../host/abi/subtask.ts';
import { canonLiftTask } from '../../host/abi/task-lift.ts';
import { canonLowerTask, hostFuncInst } from '../../host/abi/task-lower.ts';
import { EventCode } from '../../host/abi/waitable.ts';
import { Task } from '../../host/abi/task.ts';
import { CancelledError, TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import type { CanonOptions } from '../../host/abi/options.ts';

const u32: ValType = { kind: 'u32' };
const asyncFn = (params: ValType[], result?: ValType): FuncType => ({ async: true, params: params.map((type, i) => ({ name: `p${i}`, type })), result }) as FuncType;
const sameType = (a: ValType, b: ValType) => a.kind === b.kind;
const EXIT = 0;
const YIELD = 1;
const WAIT = (si: number) => 2 | (si << 4);

function opts(extra: Partial<CanonOptions> = {}): CanonOptions {
  return { memory: new WebAssembly.Memory({ initial: 1 }), realloc: undefined, postReturn: undefined, stringEncoding: 'utf8', ...extra };
}

/** A fresh instance on its own store, so tests do not share scheduling. */
function instance(name = 'guest'): ComponentInstance {
  return new ComponentInstance(name, undefined, new Store());
}

describe('callback-lifted async exports (no JSPI)', () => {
  it('returns a Promise resolved by task.return after a YIELD round trip', async () => {
    const inst = instance();
    const o = opts();
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const events: number[][] = [];
    const callee = (x: unknown) => {
      events.push([x as number]);
      return YIELD;
    };
    const callback = (code: number, p1: number, p2: number) => {
      events.push([code, p1, p2]);
      taskReturn(((events[0]![0]! as number) + 1) >>> 0);
      return EXIT;
    };
    const f = canonLiftTask(asyncFn([u32], u32), { ...o, async: true, callback }, inst, callee, { suspension: 'not-needed' });
    expect(f.returnsPromise).toBe(true);
    const r = f.call(41);
    expect(r).toBeInstanceOf(Promise);
    await expect(r).resolves.toBe(42);
    expect(events).toEqual([[41], [EventCode.NONE, 0, 0]]);
    expect(inst.threads.size).toBe(0);
    expect(inst.exclusiveThread).toBeUndefined();
  });

  it('waits on a waitable set for an async-lowered host call that returns a Promise', async () => {
    const inst = instance();
    const o = opts();
    const dv = () => new DataView(o.memory!.buffer);
    let release!: (v: number) => void;
    const hostCall = hostFuncInst(asyncFn([u32], u32), (x) => new Promise<number>((r) => (release = (v) => r(v + (x as number)))), '`add`');
    const lowered = canonLowerTask(asyncFn([u32], u32), { ...o, async: true }, inst, hostCall, { suspends: false, what: 'the import' });
    const wsNew = canonWaitableSetNew(inst);
    const join = canonWaitableJoin(inst);
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const drop = canonSubtaskDrop(inst);
    let subtask = 0;
    let set = 0;
    const callee = () => {
      const packed = lowered(5, 64) as number; // argument 5, result stored at 64
      expect(packed & 0xf).toBe(SubtaskState.STARTED);
      subtask = packed >>> 4;
      set = wsNew();
      join(subtask, set);
      return WAIT(set);
    };
    const seen: number[][] = [];
    const callback = (code: number, p1: number, p2: number) => {
      seen.push([code, p1, p2]);
      drop(p1);
      taskReturn(dv().getUint32(64, true));
      return EXIT;
    };
    const f = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback }, inst, callee, { suspension: 'not-needed' });
    const r = f.call();
    await Promise.resolve();
    release(100);
    await expect(r).resolves.toBe(105);
    expect(seen).toEqual([[EventCode.SUBTASK, subtask, SubtaskState.RETURNED]]);
    // The subtask is gone, the set remains until dropped.
    expect(inst.handles.size).toBe(1);
    canonWaitableSetDrop(inst)(set);
    expect(inst.handles.size).toBe(0);
  });

  it('holds a second call back while backpressure is on, and starts it when it is off', async () => {
    const inst = instance();
    const o = opts();
    const inc = canonBackpressureInc(inst);
    const dec = canonBackpressureDec(inst);
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const order: string[] = [];
    const callee = (x: unknown) => {
      order.push(`start ${x}`);
      if (x === 1) inc();
      taskReturn(x);
      return EXIT;
    };
    const f = canonLiftTask(asyncFn([u32], u32), { ...o, async: true, callback: () => EXIT }, inst, callee, { suspension: 'not-needed' });
    await expect(f.call(1)).resolves.toBe(1);
    const second = f.call(2);
    await Promise.resolve();
    expect(order).toEqual(['start 1']);
    expect(inst.numWaitingToEnter).toBe(1);
    // Backpressure can be lowered by anyone running in the instance; here a third (sync) path: the built-in itself.
    dec();
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['start 1', 'start 2']);
  });

  it('delivers cancellation to a waiting callee synchronously: subtask.cancel sees CANCELLED_BEFORE_RETURNED', async () => {
    const store = new Store();
    const callee = new ComponentInstance('callee', undefined, store);
    const caller = new ComponentInstance('caller', undefined, store);
    const co = opts();
    const cancelTask = canonTaskCancel(callee);
    const calleeSet = canonWaitableSetNew(callee);
    let calleeEvents: number[][] = [];
    const g = canonLiftTask(
      asyncFn([], u32),
      {
        ...co,
        async: true,
        callback: (code, p1, p2) => {
          calleeEvents.push([code, p1, p2]);
          cancelTask();
          return EXIT;
        },
      },
      callee,
      () => WAIT(calleeSet()),
      { suspension: 'not-needed' },
    );
    const o = opts();
    const lowered = canonLowerTask(asyncFn([], u32), { ...o, async: true }, caller, g.invoke, { suspends: false, what: 'the import' });
    const cancel = canonSubtaskCancel(caller, true);
    const taskReturn = canonTaskReturn(caller, u32, o, sameType);
    let result = 0;
    const f = canonLiftTask(
      asyncFn([], u32),
      { ...o, async: true, callback: () => EXIT },
      caller,
      () => {
        const packed = lowered(0) as number;
        expect(packed & 0xf).toBe(SubtaskState.STARTED);
        result = cancel(packed >>> 4) as number;
        taskReturn(result);
        return EXIT;
      },
      { suspension: 'not-needed' },
    );
    await expect(f.call()).resolves.toBe(SubtaskState.CANCELLED_BEFORE_RETURNED);
    expect(calleeEvents).toEqual([[EventCode.TASK_CANCELLED, 0, 0]]);
    calleeEvents = [];
  });

  it('rejects with CancelledError when a JS caller cancels and the callee acknowledges', async () => {
    const inst = instance();
    const o = opts();
    const cancelTask = canonTaskCancel(inst);
    const ws = canonWaitableSetNew(inst);
    const f = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback: (code) => (expect(code).toBe(EventCode.TASK_CANCELLED), cancelTask(), EXIT) }, inst, () => WAIT(ws()), { suspension: 'not-needed' });
    const call = f.start([]);
    call.requestCancellation();
    await expect(call.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('context slots belong to the running thread', async () => {
    const inst = instance();
    const o = opts();
    const get = canonContextGet(inst, 0);
    const set = canonContextSet(inst, 0);
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const f = canonLiftTask(
      asyncFn([u32], u32),
      { ...o, async: true, callback: () => (taskReturn(get()), EXIT) },
      inst,
      (x) => {
        expect(get()).toBe(0);
        set(x as number);
        return YIELD;
      },
      { suspension: 'not-needed' },
    );
    const [a, b] = [f.call(7), f.call(9)];
    await expect(Promise.all([a, b])).resolves.toEqual([7, 9]);
  });
});

describe('the Store', () => {
  it('fails a call whose task waits for an event nothing can deliver (deadlock)', async () => {
    const inst = instance();
    const ws = canonWaitableSetNew(inst);
    const f = canonLiftTask(asyncFn([], u32), { ...opts(), async: true, callback: () => EXIT }, inst, () => WAIT(ws()), { suspension: 'not-needed' });
    await expect(f.call()).rejects.toThrow(/deadlock detected/);
    expect(inst.poisoned).toBeInstanceOf(TrapError);
  });

  it('does not declare a deadlock while a host Promise may still wake the caller', async () => {
    const inst = instance();
    const o = opts();
    let release!: () => void;
    const lowered = canonLowerTask(asyncFn([]), { ...o, async: true }, inst, hostFuncInst(asyncFn([]), () => new Promise<void>((r) => (release = r)), 'the import'), { suspends: false, what: 'the import' });
    const wsNew = canonWaitableSetNew(inst);
    const join = canonWaitableJoin(inst);
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const f = canonLiftTask(
      asyncFn([], u32),
      { ...o, async: true, callback: (code) => (taskReturn(code), EXIT) },
      inst,
      () => {
        const set = wsNew();
        join((lowered() as number) >>> 4, set);
        return WAIT(set);
      },
      { suspension: 'not-needed' },
    );
    const r = f.call();
    // Several macrotasks pass with the caller waiting; the pending host work keeps it alive.
    for (let i = 0; i < 3; i++) await new Promise((done) => setTimeout(done, 0));
    release();
    await expect(r).resolves.toBe(EventCode.SUBTASK);
  });

  it('parks a thread that only yields once no host call waits, instead of spinning', async () => {
    const inst = instance();
    const o = opts();
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    let callbacks = 0;
    const f = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback: () => (callbacks++, YIELD) }, inst, () => (taskReturn(7), YIELD), { suspension: 'not-needed' });
    await expect(f.call()).resolves.toBe(7);
    const seen = callbacks;
    for (let i = 0; i < 3; i++) await new Promise((done) => setTimeout(done, 0));
    expect(callbacks).toBe(seen);
    expect(inst.threads.size).toBe(1);
  });
});

describe('a poisoned instance and the Store', () => {
  it('ends the turn of its thread still suspended inside core wasm, so threads of other instances run again', async () => {
    const store = new Store();
    const stuck = new ComponentInstance('stuck', undefined, store);
    const other = new ComponentInstance('other', undefined, store);
    // Entered through JSPI: a core call that suspended and whose stack never resumes.
    const suspended = canonLiftTask(asyncFn([], u32), { ...opts(), async: true }, stuck, () => new Suspended(new Promise(() => {})), { suspension: 'jspi' });
    // Poisoning its instance rejects this call with the trap.
    const stuckCall = expect(suspended.call()).rejects.toThrow('stuck trapped');
    const o = opts();
    const taskReturn = canonTaskReturn(other, u32, o, sameType);
    const yielding = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback: () => (taskReturn(7), EXIT) }, other, () => YIELD, { suspension: 'not-needed' });
    const r = yielding.call() as Promise<unknown>;
    // One turn at a time: while the stuck turn lasts, the other call cannot go on.
    for (let i = 0; i < 3; i++) await new Promise((done) => setTimeout(done, 0));
    let settled = false;
    void r.finally(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    stuck.poison(new TrapError('stuck trapped'));
    await expect(r).resolves.toBe(7);
    await stuckCall;
  });
});

describe('blocking inside a synchronous call (the dynamic scope of during-sync-call-*.wast)', () => {
  const taskOf = (inst: ComponentInstance, async: boolean, callback: boolean) =>
    new Task({ ...asyncFn([]), async } as FuncType, { async: callback, callback, memory: undefined, stringEncoding: 'utf8' }, inst, () => [], () => undefined, () => undefined);

  it('allows blocking only when another thread of that instance, able to use its stack, is ready', () => {
    const inst = instance();
    const store = inst.store;
    const syncTask = taskOf(inst, false, false);
    const blocker = syncTask.newThread(() => undefined);
    syncTask.registerThread(blocker);
    // Outside any synchronous call: only async-typed tasks may block.
    expect(store.mayBlock(blocker)).toBe(false);
    const leave = store.enterSyncScope(inst);
    expect(store.mayBlock(blocker)).toBe(false);
    // A suspended explicit thread of another (async, stackful) task, made ready.
    const other = taskOf(inst, true, false);
    const helper = other.newThread(() => undefined);
    other.registerThread(helper);
    expect(store.mayBlock(blocker, helper)).toBe(true);
    helper.resumeLater();
    expect(store.mayBlock(blocker)).toBe(true);
    // The ready implicit thread of a callback task needs the stack to itself: it does not count.
    const excl = taskOf(inst, true, true);
    const implicit = excl.newThread(() => undefined);
    excl.implicitThread = implicit;
    excl.registerThread(implicit);
    helper.stopWaiting();
    implicit.resumeLater();
    expect(store.mayBlock(blocker)).toBe(false);
    // Nor does a ready thread of another instance.
    const sibling = new ComponentInstance('sibling', undefined, store);
    const st = taskOf(sibling, true, false);
    const sth = st.newThread(() => undefined);
    st.registerThread(sth);
    sth.resumeLater();
    expect(store.mayBlock(blocker)).toBe(false);
    leave();
    expect(store.mayBlock(helper)).toBe(true);
  });
});

describe('traps of the async built-ins', () => {
  it('an unsupported callback code traps and poisons the instance', async () => {
    const inst = instance();
    const f = canonLiftTask(asyncFn([]), { ...opts(), async: true, callback: () => EXIT }, inst, () => 3, { suspension: 'not-needed' });
    await expect(f.call()).rejects.toThrow(/unsupported callback code 3/);
    expect(inst.poisoned).toBeInstanceOf(TrapError);
  });

  it('returning EXIT before task.return traps', async () => {
    const inst = instance();
    const f = canonLiftTask(asyncFn([], u32), { ...opts(), async: true, callback: () => EXIT }, inst, () => EXIT, { suspension: 'not-needed' });
    await expect(f.call()).rejects.toThrow(/last thread exited before the task returned/);
  });

  it('task.return twice traps', async () => {
    const inst = instance();
    const o = opts();
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const f = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback: () => EXIT }, inst, () => (taskReturn(1), taskReturn(2), EXIT), { suspension: 'not-needed' });
    await expect(f.call()).rejects.toThrow(/already returned/);
  });

  it('waitable-set.drop of a set with members traps; WAIT on a non-set traps; poll of an empty set is NONE', async () => {
    const inst = instance();
    const o = opts();
    const wsNew = canonWaitableSetNew(inst);
    const poll = canonWaitableSetPoll(inst, false, o.memory!);
    const taskReturn = canonTaskReturn(inst, u32, o, sameType);
    const ok = canonLiftTask(asyncFn([], u32), { ...o, async: true, callback: () => EXIT }, inst, () => (taskReturn(poll(wsNew(), 0)), EXIT), { suspension: 'not-needed' });
    await expect(ok.call()).resolves.toBe(EventCode.NONE);

    const bad = instance();
    const set = canonWaitableSetNew(bad);
    const f = canonLiftTask(asyncFn([]), { ...o, async: true, callback: () => EXIT }, bad, () => WAIT(set() + 1), { suspension: 'not-needed' });
    await expect(f.call()).rejects.toThrow(/handle index 2 out of range/);
  });

  it('subtask.cancel of an unknown index and cancel after delivery trap', () => {
    const inst = instance();
    const cancel = canonSubtaskCancel(inst, true);
    expect(BLOCKED).toBe(0xffffffff);
    // No task runs: built-ins that need the current thread trap.
    expect(() => cancel(1)).toThrow(/no task of guest is running/);
  });
});
