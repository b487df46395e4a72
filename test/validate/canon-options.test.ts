import { describe, expect, it } from 'vitest';
import type { FuncType, ValType } from '../../host/types.ts';
import { flattenType, MAX_FLAT_PARAMS } from '../../host/abi/layout.ts';
import { checkOptionsFor, flatCount, hasIndirect, type ResolvedOptions } from '../../host/validate/canon-options.ts';
import { AbstractResource } from '../../host/validate/type-space.ts';
import { LoadError } from '../../host/errors.ts';

// What `canon lift` / `canon lower` require of their options follows from how many flat values a
// function's types take (definitions.py `flatten_type`, the ABI's one implementation in
// abi/layout.ts) and whether they hold strings or lists. Validation counts them on its own
// (canon-options.ts `flatCount`, `hasIndirect`): these hold it to the ABI's flattening and to the
// spill limits at their edges, with the widest case of a variant deciding its width.
const r = new AbstractResource('r');
const u32: ValType = { kind: 'u32' };
const str: ValType = { kind: 'string' };
const pair: ValType = { kind: 'tuple', types: [u32, { kind: 'u64' }] };
/** Three flat values: the discriminant and its widest case (two). */
const wide: ValType = { kind: 'variant', cases: [{ name: 'a', type: u32 }, { name: 'b', type: pair }, { name: 'c', type: undefined }] };

const TYPES: readonly ValType[] = [
  ...(['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string', 'error-context'] as const).map((kind) => ({ kind })),
  { kind: 'enum', labels: ['a', 'b'] },
  // Flags have 1 to 32 labels (empty flags do not validate): one i32.
  { kind: 'flags', labels: ['a'] },
  { kind: 'flags', labels: Array.from({ length: 32 }, (_, i) => `f${i}`) },
  { kind: 'list', element: u32 },
  { kind: 'record', fields: [{ name: 'a', type: u32 }, { name: 'b', type: pair }, { name: 'c', type: str }] },
  { kind: 'tuple', types: [] },
  pair,
  wide,
  { kind: 'variant', cases: [{ name: 'a', type: undefined }] },
  { kind: 'variant', cases: [{ name: 'a', type: wide }, { name: 'b', type: { kind: 'record', fields: [{ name: 'x', type: wide }, { name: 'y', type: wide }] } }] },
  { kind: 'option', type: wide },
  { kind: 'option', type: str },
  { kind: 'result', ok: undefined, err: undefined },
  { kind: 'result', ok: pair, err: undefined },
  { kind: 'result', ok: u32, err: wide },
  { kind: 'own', resource: r },
  { kind: 'borrow', resource: r },
  { kind: 'stream', element: str },
  { kind: 'future', element: undefined },
];

const indirect = (t: ValType): boolean => JSON.stringify(t).includes('"string"') || JSON.stringify(t).includes('"list"');

const options = (memory: boolean, realloc: boolean, async = false): ResolvedOptions => ({
  memory: memory ? 0 : undefined,
  realloc: realloc ? 0 : undefined,
  postReturn: undefined,
  stringEncoding: 'utf8',
  async,
  callback: undefined,
});

const func = (params: readonly ValType[], result?: ValType): FuncType => ({ async: false, params: params.map((type, i) => ({ name: `p${i}`, type })), result });

/** What `checkOptionsFor` refuses with `o`, or undefined. */
function refusal(ft: FuncType, o: ResolvedOptions, context: 'lift' | 'lower'): string | undefined {
  try {
    checkOptionsFor(ft, o, context, 0);
    return undefined;
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    return e.message.replace(/ \(at byte offset \d+\)$/, '');
  }
}

describe('what canon lift and lower require of their options', () => {
  it('counts each type\'s flat values as the ABI flattens it', () => {
    for (const t of TYPES) expect([t, flatCount(t)]).toEqual([t, flattenType(t).length]);
  });

  it('finds strings and lists wherever a value holds them, but not in a stream\'s or future\'s elements', () => {
    for (const t of TYPES) {
      const expected = t.kind !== 'stream' && t.kind !== 'future' && indirect(t);
      expect([t, hasIndirect(t)]).toEqual([t, expected]);
    }
  });

  it('needs `memory` (and, lifting, `realloc`) once the parameters spill, counting a variant\'s discriminant', () => {
    // 5 x 3 + 1 = 16 flat parameters fit; 6 x 3 = 18 spill.
    const fits = func([wide, wide, wide, wide, wide, u32]);
    const spills = func([wide, wide, wide, wide, wide, wide]);
    expect(fits.params.reduce((n, p) => n + flattenType(p.type).length, 0)).toBe(MAX_FLAT_PARAMS);
    for (const context of ['lift', 'lower'] as const) expect(refusal(fits, options(false, false), context)).toBeUndefined();
    expect(refusal(spills, options(false, false), 'lift')).toBe('canonical option `memory` is required');
    expect(refusal(spills, options(true, false), 'lift')).toBe('canonical option `realloc` is required');
    expect(refusal(spills, options(true, true), 'lift')).toBeUndefined();
    // A lower passes spilled parameters from its own memory: it needs `memory`, not `realloc`.
    expect(refusal(spills, options(false, false), 'lower')).toBe('canonical option `memory` is required');
    expect(refusal(spills, options(true, false), 'lower')).toBeUndefined();
  });

  it('needs `memory` for a result of more than one flat value, and `realloc` on the side receiving strings', () => {
    expect(refusal(func([], u32), options(false, false), 'lift')).toBeUndefined();
    expect(refusal(func([], wide), options(false, false), 'lift')).toBe('canonical option `memory` is required');
    expect(refusal(func([], wide), options(true, false), 'lift')).toBeUndefined();
    // A string parameter: the lift receives it, the lower sends it.
    expect(refusal(func([str]), options(true, false), 'lift')).toBe('canonical option `realloc` is required');
    expect(refusal(func([str]), options(true, false), 'lower')).toBeUndefined();
    expect(refusal(func([str]), options(false, false), 'lower')).toBe('canonical option `memory` is required');
    // A string inside a result: the lower receives it.
    const withString: ValType = { kind: 'result', ok: { kind: 'option', type: str }, err: undefined };
    expect(refusal(func([], withString), options(true, false), 'lower')).toBe('canonical option `realloc` is required');
    expect(refusal(func([], withString), options(true, false), 'lift')).toBeUndefined();
    // A stream's elements move by the stream's built-ins: the handle alone is passed.
    expect(refusal(func([{ kind: 'stream', element: str }]), options(false, false), 'lift')).toBeUndefined();
  });
});
