/**
 * An untagged option's load from memory (load-store.ts `untaggedOptionLoad`)
 * against the general variant load of the same two cases, `variant { none,
 * some(T) }`, on the same bytes: every discriminant byte (0-255) under
 * payloads that are fine, lying (a string or list pointer or length out of
 * bounds, an invalid UTF-8 payload) or over the lift budget. Both give the
 * same value (undefined for none, the payload for some) or the same trap
 * (the message naming the kind), and charge the lift budget the same.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { compileLoad } from '../../host/abi/load-store.ts';
import { TrapError } from '../../host/errors.ts';
import type { ValType } from '../../host/types.ts';
import { context, makeMem, type Mem } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const PAGE = 65536;

type Outcome = { value: unknown } | { trap: string; type: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    return { trap: (e as Error).message, type: (e as Error).constructor.name };
  }
}

/** The variant's outcome, as the option is expected to give it: the payload of `some`, undefined for `none`, its trap named for an option. */
function asOption(o: Outcome): Outcome {
  if ('trap' in o) return { trap: o.trap.replace(/^variant:/, 'option:'), type: o.type };
  const v = o.value as { tag: string; val?: unknown };
  return { value: v.tag === 'none' ? undefined : v.val };
}

const PAYLOADS: [string, ValType, (dv: DataView, at: number) => void][] = [
  ['u32', p('u32'), (dv, at) => dv.setUint32(at, 0xdeadbeef, true)],
  ['u64', p('u64'), (dv, at) => dv.setBigUint64(at, 2n ** 63n + 5n, true)],
  ['string', p('string'), (dv, at) => {
    dv.setUint32(at, 3000, true);
    dv.setUint32(at + 4, 5, true);
    new Uint8Array(dv.buffer).set([104, 101, 108, 108, 111], 3000);
  }],
  ['string out of bounds', p('string'), (dv, at) => {
    dv.setUint32(at, PAGE - 2, true);
    dv.setUint32(at + 4, 3, true);
  }],
  ['string with a lying length', p('string'), (dv, at) => {
    dv.setUint32(at, 3000, true);
    dv.setUint32(at + 4, 0xffffffff, true);
  }],
  ['string of invalid UTF-8', p('string'), (dv, at) => {
    dv.setUint32(at, 3000, true);
    dv.setUint32(at + 4, 2, true);
    new Uint8Array(dv.buffer).set([0xc3, 0x28], 3000);
  }],
  ['list<u8> out of bounds', { kind: 'list', element: p('u8') }, (dv, at) => {
    dv.setUint32(at, PAGE - 1, true);
    dv.setUint32(at + 4, 2, true);
  }],
  ['record { a: u8, b: string }', { kind: 'record', fields: [{ name: 'a', type: p('u8') }, { name: 'b', type: p('string') }] }, (dv, at) => {
    dv.setUint8(at, 9);
    dv.setUint32(at + 4, 3000, true);
    dv.setUint32(at + 8, 1, true);
    dv.setUint8(3000, 122);
  }],
];

describe('untagged option load = the variant load of { none, some(T) }', () => {
  let mem: Mem;
  beforeEach(async () => {
    mem = await makeMem();
  });

  for (const [name, payload, write] of PAYLOADS) {
    it(`option<${name}>: every discriminant byte`, () => {
      const option = compileLoad({ kind: 'option', type: payload });
      const variant = compileLoad({ kind: 'variant', cases: [{ name: 'none', type: undefined }, { name: 'some', type: payload }] });
      const cx = context(mem);
      const dv = cx.dv;
      for (let disc = 0; disc < 256; disc++) {
        new Uint8Array(dv.buffer).fill(0, 0, 4096);
        dv.setUint8(1024, disc);
        write(dv, 1024 + 8);
        const budget = cx.liftBudget;
        const got = outcome(() => option(cx, 1024));
        const optionSpent = budget - cx.liftBudget;
        cx.liftBudget = budget;
        const want = asOption(outcome(() => variant(cx, 1024)));
        const variantSpent = budget - cx.liftBudget;
        cx.liftBudget = budget;
        expect(got, `discriminant ${disc}`).toEqual(want);
        expect(optionSpent).toBe(variantSpent);
        if (disc >= 2) expect(got).toEqual({ trap: `option: discriminant ${disc} is out of range (2 cases)`, type: TrapError.name });
      }
    });
  }

  it('over the lift budget: the same trap from both', () => {
    const option = compileLoad({ kind: 'option', type: p('string') });
    const variant = compileLoad({ kind: 'variant', cases: [{ name: 'none', type: undefined }, { name: 'some', type: p('string') }] });
    const cx = context(mem);
    cx.dv.setUint8(1024, 1);
    cx.dv.setUint32(1032, 3000, true);
    cx.dv.setUint32(1036, 100, true);
    cx.liftBudget = 99;
    const got = outcome(() => option(cx, 1024));
    cx.liftBudget = 99;
    expect(got).toEqual(asOption(outcome(() => variant(cx, 1024))));
    expect('trap' in got && got.trap).toMatch(/lift budget/);
  });

  it('an option of an option stays tagged (the variant load), so none and some(none) stay apart', () => {
    const load = compileLoad({ kind: 'option', type: { kind: 'option', type: p('u32') } });
    const cx = context(mem);
    cx.dv.setUint8(1024, 1);
    cx.dv.setUint8(1028, 0);
    expect(load(cx, 1024)).toEqual({ tag: 'some', val: undefined });
    cx.dv.setUint8(1024, 0);
    expect(load(cx, 1024)).toEqual({ tag: 'none' });
  });
});
