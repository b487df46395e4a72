/**
 * Host objects (resources JS implements, `&dyn T` / `&mut dyn T`) lent to a
 * pending call keep their loans (host/rdylib/call-plan.ts, records from
 * host/runtime/host-resources.ts), as a plugin's own handles do: the
 * `pipeline` example's section entries for `consume(&mut self, source: &mut
 * dyn Source)` and `describe(&self, source: &dyn Source)`, with the call
 * itself a promise the test settles. The plugin cannot guard this itself:
 * each call gives it its own borrow handle of the host's object.
 */
import { describe, expect, it } from 'vitest';
import { BorrowError } from '../../host/errors.ts';
import { withBorrowRules } from '../../host/rdylib/call-plan.ts';
import { readRdylibAbi, type AbiFunction } from '../../host/rdylib/section.ts';
import type { FuncType } from '../../host/types.ts';
import { readGuest } from '../support/guests.ts';

const PIPELINE = 'rdylib-guest:pipeline/pipeline@0.1.0';

function described(name: string): AbiFunction {
  const abi = readRdylibAbi(readGuest('pipeline'))!;
  return abi.interfaces.find((i) => i.name === PIPELINE)!.functions.find((f) => f.name === name)!;
}

/** `[method]tally.<name>` as an async export whose promise the test settles; `self` is left out (undefined). */
function pendingMethod(name: 'consume' | 'describe') {
  const fn = described(`[method]tally.${name}`);
  const type = {
    async: true,
    params: [
      { name: 'self', type: { kind: 'borrow', resource: { name: 'tally' } } },
      { name: 'source', type: { kind: 'borrow', resource: { name: 'source' } } },
    ],
    result: { kind: 'u64' },
  } as unknown as FuncType;
  const settles: { finish(v: unknown): void; fail(e: unknown): void }[] = [];
  const call = () => new Promise((finish, fail) => settles.push({ finish, fail }));
  const ruled = withBorrowRules(fn, { type, call, inst: {}, returnsPromise: true })!;
  return { call: (source: object) => ruled(undefined, source) as Promise<unknown>, settles };
}

const source = () => ({ nextChunk: async () => undefined, name: async () => 'js' });
const refusal = (call: () => unknown): string => {
  try {
    call();
  } catch (e) {
    if (e instanceof BorrowError) return e.message.replace(/host object #\d+/, 'host object #n');
    throw e;
  }
  return 'not refused';
};

describe('a host object borrowed by a pending call', () => {
  it('`&mut dyn Source` held by a pending call: a second `&mut` (E0499) and a `&` (E0502) of it are refused; another object is not', async () => {
    const consume = pendingMethod('consume');
    const describeIt = pendingMethod('describe');
    const src = source();
    const first = consume.call(src);
    expect(refusal(() => consume.call(src))).toBe(
      'cannot borrow mutably host object #n (`source` of `[method]tally.consume`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first',
    );
    expect(refusal(() => describeIt.call(src))).toBe(
      'cannot borrow host object #n (`source` of `[method]tally.describe`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first',
    );
    // Refused before any call started: only the first one is pending.
    expect(consume.settles.length + describeIt.settles.length).toBe(1);
    const other = consume.call(source());
    consume.settles[1]!.finish(0n);
    await other;
    // The loan ends when the promise settles, resolved or rejected.
    consume.settles[0]!.fail(new Error('source broke'));
    await expect(first).rejects.toThrow('source broke');
    const again = consume.call(src);
    consume.settles[2]!.finish(1n);
    await expect(again).resolves.toBe(1n);
  });

  it('`&dyn Source` held by a pending call: another `&` runs (two shared borrows), a `&mut` is refused (E0502) until it settles', async () => {
    const consume = pendingMethod('consume');
    const describeIt = pendingMethod('describe');
    const src = source();
    const first = describeIt.call(src);
    const second = describeIt.call(src);
    expect(describeIt.settles.length).toBe(2);
    expect(refusal(() => consume.call(src))).toBe(
      'cannot borrow mutably host object #n (`source` of `[method]tally.consume`): it is borrowed by `[method]tally.describe` (in progress) (shared), `[method]tally.describe` (in progress) (shared); drop them first',
    );
    describeIt.settles[0]!.finish('a');
    await first;
    expect(refusal(() => consume.call(src))).toMatch(/^cannot borrow mutably host object #n .*\(shared\); drop it first$/);
    describeIt.settles[1]!.finish('b');
    await second;
    expect(refusal(() => consume.call(src))).toBe('not refused');
  });
});
