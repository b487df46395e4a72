/**
 * The one value-type equality (host/value-type-equality.ts) that validation and the ABI's run-time
 * checks of stream and future element types share.
 */
import { describe, expect, it } from 'vitest';
import type { ResourceTypeRef, ValType } from '../../host/types.ts';
import { mapTypes, optionalValTypeEquals, valTypeEquals } from '../../host/value-type-equality.ts';

const u32: ValType = { kind: 'u32' };
const str: ValType = { kind: 'string' };
const resource = (name: string): ResourceTypeRef => ({ name }) as unknown as ResourceTypeRef;

describe('value type equality', () => {
  it('compares structure, not object identity', () => {
    const a: ValType = { kind: 'record', fields: [{ name: 'x', type: { kind: 'list', element: u32 } }, { name: 'y', type: { kind: 'option', type: str } }] };
    const b: ValType = { kind: 'record', fields: [{ name: 'x', type: { kind: 'list', element: { kind: 'u32' } } }, { name: 'y', type: { kind: 'option', type: { kind: 'string' } } }] };
    expect(valTypeEquals(a, b)).toBe(true);
    const renamed: ValType = { kind: 'record', fields: [{ name: 'x', type: { kind: 'list', element: u32 } }, { name: 'z', type: { kind: 'option', type: str } }] };
    expect(valTypeEquals(a, renamed)).toBe(false);
    expect(valTypeEquals({ kind: 'result', ok: u32, err: undefined }, { kind: 'result', ok: u32, err: str })).toBe(false);
    expect(valTypeEquals({ kind: 'variant', cases: [{ name: 'a', type: undefined }] }, { kind: 'variant', cases: [{ name: 'a', type: undefined }] })).toBe(true);
    expect(valTypeEquals({ kind: 'flags', labels: ['a', 'b'] }, { kind: 'flags', labels: ['b', 'a'] })).toBe(false);
  });

  it('compares resources by identity, whatever they are named', () => {
    const r = resource('r');
    expect(valTypeEquals({ kind: 'own', resource: r }, { kind: 'own', resource: r })).toBe(true);
    expect(valTypeEquals({ kind: 'own', resource: r }, { kind: 'own', resource: resource('r') })).toBe(false);
    expect(valTypeEquals({ kind: 'own', resource: r }, { kind: 'borrow', resource: r })).toBe(false);
  });

  it('tells a map from the list of pairs that represents it (definitions.py has a MapType of its own)', () => {
    const pair: ValType = { kind: 'tuple', types: [str, u32] };
    const map: ValType = { kind: 'list', element: pair };
    mapTypes.add(map);
    const pairs: ValType = { kind: 'list', element: pair };
    expect(valTypeEquals(map, pairs)).toBe(false);
    // The run-time check of a stream end's element type (`e.shared.t != t`) meets the same rule.
    expect(optionalValTypeEquals({ kind: 'stream', element: map }, { kind: 'stream', element: pairs })).toBe(false);
    const otherMap: ValType = { kind: 'list', element: { kind: 'tuple', types: [str, u32] } };
    mapTypes.add(otherMap);
    expect(valTypeEquals(map, otherMap)).toBe(true);
  });

  it('treats an absent type as equal only to an absent type (a stream or future without elements)', () => {
    expect(optionalValTypeEquals(undefined, undefined)).toBe(true);
    expect(optionalValTypeEquals(undefined, u32)).toBe(false);
    expect(optionalValTypeEquals(u32, undefined)).toBe(false);
  });

  it('calls step once per pair of distinct type objects it compares, and never for the same object', () => {
    let steps = 0;
    const step = () => void steps++;
    expect(valTypeEquals(u32, u32, step)).toBe(true);
    expect(steps).toBe(0);
    const a: ValType = { kind: 'tuple', types: [u32, { kind: 'string' }] };
    const b: ValType = { kind: 'tuple', types: [u32, { kind: 'string' }] };
    expect(valTypeEquals(a, b, step)).toBe(true);
    expect(steps).toBe(2); // the tuples, then the two string objects; the shared u32 is the same object
  });
});
