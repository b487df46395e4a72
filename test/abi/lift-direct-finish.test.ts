/**
 * The end of a call on `canon lift`'s direct path (abi/lift.ts
 * `directFinish`: one test for its two rare cases, an instance poisoned
 * during the call and a post-return, both out of line) does what the general
 * path does, in the same order: the poison check, the result lifted, the
 * post-return (with may_leave cleared) called with the core result. Each
 * scenario runs through a direct signature and through the same signature
 * with a trailing, unused `list<u8>` parameter, which takes the general path.
 */
import { describe, expect, it } from 'vitest';
import { canonLift } from '../../host/abi/index.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { makeMem, opts } from './helpers.ts';

const U32: ValType = { kind: 'u32' };
const UNUSED_LIST: ValType = { kind: 'list', element: { kind: 'u8' } };

interface Scenario {
  /** Whether the function returns a u32 (or nothing). */
  readonly result: boolean;
  /** Whether the function has a post-return, and what it does. */
  readonly postReturn: 'none' | 'returns' | 'traps';
  /** Whether the core function poisons the instance (a failed import whose exception it caught) before returning. */
  readonly poisons: boolean;
}

/** Everything observable about two calls of `f(u32) -> u32` (or `-> ()`) lifted through `route`. */
async function run(route: 'direct' | 'general', s: Scenario): Promise<unknown> {
  const inst = new ComponentInstance('guest');
  const mem = await makeMem();
  const events: unknown[] = [];
  const post =
    s.postReturn === 'none'
      ? undefined
      : (...flat: unknown[]) => {
          events.push({ postReturn: flat, mayLeave: inst.mayLeave, mayEnter: inst.mayEnter });
          if (s.postReturn === 'traps') throw new TrapError('post-return trapped');
        };
  const params = route === 'direct' ? [U32] : [U32, UNUSED_LIST];
  const ft: FuncType = { async: false, params: params.map((type, i) => ({ name: `p${i}`, type })), result: s.result ? U32 : undefined };
  const core = (x: unknown): unknown => {
    events.push({ core: x });
    if (s.poisons) inst.poison(new TrapError('caught inside'));
    // A u32 result above 2^31 comes back from the core as a negative i32.
    return s.result ? (x as number) | 0 : undefined;
  };
  const lifted = canonLift(ft, opts(mem, 'utf8', post), inst, route === 'direct' ? core : (x: unknown) => core(x));
  const f = route === 'direct' ? lifted : (x: unknown) => lifted(x, []);
  const call = (x: unknown): unknown => {
    try {
      return { value: f(x) };
    } catch (e) {
      return { threw: (e as Error).constructor.name, message: (e as Error).message };
    }
  };
  const first = call(3_000_000_000);
  const second = call(7);
  return { first, second, events, poisoned: inst.poisoned?.message, mayEnter: inst.mayEnter, mayLeave: inst.mayLeave };
}

describe("canon lift: a direct call's end keeps the general path's order and rules", () => {
  for (const result of [true, false]) {
    for (const postReturn of ['none', 'returns', 'traps'] as const) {
      for (const poisons of [false, true]) {
        const s: Scenario = { result, postReturn, poisons };
        it(`${result ? 'a u32 result' : 'no result'}, post-return ${postReturn}, ${poisons ? 'poisoned during the call' : 'not poisoned'}: same outcome on both paths`, async () => {
          const direct = await run('direct', s);
          expect(direct).toEqual(await run('general', s));
          const seen = direct as { first: { value?: unknown; threw?: string }; events: unknown[]; mayEnter: boolean; mayLeave: boolean };
          // Either exit lets the instance be entered again, and may_leave is set again after the post-return.
          expect(seen.mayEnter).toBe(true);
          expect(seen.mayLeave).toBe(true);
          if (poisons) {
            // A trap, not a result: the post-return is not called, and every later call traps first.
            expect(seen.first).toMatchObject({ threw: 'TrapError', message: expect.stringContaining('caught inside') });
            expect(seen.events).toEqual([{ core: 3_000_000_000 | 0 }]);
          } else if (postReturn === 'traps') {
            expect(seen.first).toMatchObject({ threw: 'TrapError', message: expect.stringContaining('post-return trapped') });
          } else {
            expect(seen.first).toEqual({ value: result ? 3_000_000_000 : undefined });
            if (postReturn === 'returns') {
              // Called after the result was lifted, with the core result, may_leave cleared, the call still in progress.
              expect(seen.events).toEqual([
                { core: 3_000_000_000 | 0 },
                { postReturn: result ? [3_000_000_000 | 0] : [], mayLeave: false, mayEnter: false },
                { core: 7 },
                { postReturn: result ? [7] : [], mayLeave: false, mayEnter: false },
              ]);
            }
          }
        });
      }
    }
  }
});
