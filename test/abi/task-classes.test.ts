/**
 * Tasks and Threads keep their hidden classes across full GCs (task.ts keeps one of each with
 * `keepShape`), in a child process with --expose-gc and V8's natives syntax (task-classes-gc.ts):
 * a task-lifted export's `invoke`, once optimised, stays optimised after collections that found
 * none of its calls' Tasks or Threads alive (`after` is false without task.ts's keepShape), and
 * so does code reading Subtasks and WaitableSets (subtask.ts's and waitable.ts's keepShape).
 */
import { describe, expect, it } from 'vitest';
import { nativesChildReport } from '../support/natives-child.ts';

describe('task classes survive full GCs (child process)', () => {
  it("a task-lifted export's invoke, and code reading Subtasks and WaitableSets, stay optimised after GCs that found none alive", async () => {
    const report = await nativesChildReport(new URL('./task-classes-gc.ts', import.meta.url));
    // sum of (i + 1) over i < 1000, then 0 + 1 twice: every call ran and returned through its task.
    expect(report).toEqual({
      invoke: { before: true, after: true },
      subtask: { before: true, after: true },
      waitableSet: { before: true, after: true },
      sum: (1000 * 1001) / 2 + 2, result: 42, threadsLeft: 0 });
  });
});
