import { describe, expect, it } from 'vitest';
import { alignment, discriminantSize, elemSize, flattenFuncType, flattenType } from '../../host/abi/index.ts';
import type { ValType } from '../../host/types.ts';
import { ComponentInstance, ResourceType } from '../../host/abi/index.ts';

const p = (kind: string) => ({ kind }) as ValType;
const rt = new ResourceType('r', new ComponentInstance());

describe('alignment and elem_size (CanonicalABI.md)', () => {
  const cases: [string, ValType, number, number][] = [
    ['bool', p('bool'), 1, 1],
    ['u8', p('u8'), 1, 1],
    ['s8', p('s8'), 1, 1],
    ['u16', p('u16'), 2, 2],
    ['s16', p('s16'), 2, 2],
    ['u32', p('u32'), 4, 4],
    ['s32', p('s32'), 4, 4],
    ['u64', p('u64'), 8, 8],
    ['s64', p('s64'), 8, 8],
    ['f32', p('f32'), 4, 4],
    ['f64', p('f64'), 8, 8],
    ['char', p('char'), 4, 4],
    ['string', p('string'), 4, 8],
    ['list<u64>', { kind: 'list', element: p('u64') }, 4, 8],
    ['own', { kind: 'own', resource: rt }, 4, 4],
    ['borrow', { kind: 'borrow', resource: rt }, 4, 4],
    ['record{u8,u32,u8}', { kind: 'record', fields: [{ name: 'a', type: p('u8') }, { name: 'b', type: p('u32') }, { name: 'c', type: p('u8') }] }, 4, 12],
    ['record{u8,u16}', { kind: 'record', fields: [{ name: 'a', type: p('u8') }, { name: 'b', type: p('u16') }] }, 2, 4],
    ['tuple<u8,u64>', { kind: 'tuple', types: [p('u8'), p('u64')] }, 8, 16],
    ['tuple<u8,u8,u8>', { kind: 'tuple', types: [p('u8'), p('u8'), p('u8')] }, 1, 3],
    ['option<u8>', { kind: 'option', type: p('u8') }, 1, 2],
    ['option<u32>', { kind: 'option', type: p('u32') }, 4, 8],
    ['option<u64>', { kind: 'option', type: p('u64') }, 8, 16],
    ['option<string>', { kind: 'option', type: p('string') }, 4, 12],
    ['result<_,_>', { kind: 'result', ok: undefined, err: undefined }, 1, 1],
    ['result<u8,u64>', { kind: 'result', ok: p('u8'), err: p('u64') }, 8, 16],
    ['enum(3)', { kind: 'enum', labels: ['a', 'b', 'c'] }, 1, 1],
    ['flags(8)', { kind: 'flags', labels: Array.from({ length: 8 }, (_, i) => `f${i}`) }, 1, 1],
    ['flags(9)', { kind: 'flags', labels: Array.from({ length: 9 }, (_, i) => `f${i}`) }, 2, 2],
    ['flags(16)', { kind: 'flags', labels: Array.from({ length: 16 }, (_, i) => `f${i}`) }, 2, 2],
    ['flags(17)', { kind: 'flags', labels: Array.from({ length: 17 }, (_, i) => `f${i}`) }, 4, 4],
    ['flags(32)', { kind: 'flags', labels: Array.from({ length: 32 }, (_, i) => `f${i}`) }, 4, 4],
    ['variant(256 cases, u8)', { kind: 'variant', cases: Array.from({ length: 256 }, (_, i) => ({ name: `c${i}`, type: i === 0 ? p('u8') : undefined })) }, 1, 2],
    ['variant(257 cases, u8)', { kind: 'variant', cases: Array.from({ length: 257 }, (_, i) => ({ name: `c${i}`, type: i === 0 ? p('u8') : undefined })) }, 2, 4],
    ['variant{u8, f64}', { kind: 'variant', cases: [{ name: 'a', type: p('u8') }, { name: 'b', type: p('f64') }] }, 8, 16],
  ];
  for (const [name, t, a, s] of cases) {
    it(name, () => {
      expect(alignment(t)).toBe(a);
      expect(elemSize(t)).toBe(s);
      expect(elemSize(t) % alignment(t)).toBe(0);
    });
  }

  it('discriminant_type sizes', () => {
    expect(discriminantSize(1)).toBe(1);
    expect(discriminantSize(256)).toBe(1);
    expect(discriminantSize(257)).toBe(2);
    expect(discriminantSize(65536)).toBe(2);
    expect(discriminantSize(65537)).toBe(4);
  });
});

describe('flatten_type', () => {
  it('scalars', () => {
    expect(flattenType(p('bool'))).toEqual(['i32']);
    expect(flattenType(p('char'))).toEqual(['i32']);
    expect(flattenType(p('u64'))).toEqual(['i64']);
    expect(flattenType(p('s64'))).toEqual(['i64']);
    expect(flattenType(p('f32'))).toEqual(['f32']);
    expect(flattenType(p('f64'))).toEqual(['f64']);
    expect(flattenType(p('string'))).toEqual(['i32', 'i32']);
    expect(flattenType({ kind: 'list', element: p('string') })).toEqual(['i32', 'i32']);
    expect(flattenType({ kind: 'flags', labels: ['a', 'b'] })).toEqual(['i32']);
    expect(flattenType({ kind: 'own', resource: rt })).toEqual(['i32']);
  });
  it('records concatenate their fields', () => {
    expect(flattenType({ kind: 'tuple', types: [p('u8'), p('f64'), p('string')] })).toEqual(['i32', 'f64', 'i32', 'i32']);
  });
  it('variants join payload slots (join rules)', () => {
    expect(flattenType({ kind: 'option', type: p('f32') })).toEqual(['i32', 'f32']);
    expect(flattenType({ kind: 'result', ok: p('f32'), err: p('u32') })).toEqual(['i32', 'i32']);
    expect(flattenType({ kind: 'result', ok: p('f32'), err: p('f64') })).toEqual(['i32', 'i64']);
    expect(flattenType({ kind: 'result', ok: p('u32'), err: p('u64') })).toEqual(['i32', 'i64']);
    expect(flattenType({ kind: 'result', ok: p('f64'), err: p('f64') })).toEqual(['i32', 'f64']);
    expect(
      flattenType({ kind: 'variant', cases: [{ name: 'a', type: { kind: 'tuple', types: [p('f32'), p('u8')] } }, { name: 'b', type: p('string') }, { name: 'c', type: undefined }] }),
    ).toEqual(['i32', 'i32', 'i32']);
    expect(flattenType({ kind: 'enum', labels: ['x'] })).toEqual(['i32']);
  });
});

describe('flatten_functype (MAX_FLAT_PARAMS=16, MAX_FLAT_RESULTS=1)', () => {
  const params = (n: number, t: ValType = p('u32')) => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, type: t }));
  it('16 flat params stay flat, 17 spill to one pointer', () => {
    expect(flattenFuncType({ async: false, params: params(16), result: undefined }, 'lift').params).toHaveLength(16);
    expect(flattenFuncType({ async: false, params: params(17), result: undefined }, 'lift').params).toEqual(['i32']);
    expect(flattenFuncType({ async: false, params: params(9, p('string')), result: undefined }, 'lower').params).toEqual(['i32']);
  });
  it('one flat result is returned; more go through memory', () => {
    expect(flattenFuncType({ async: false, params: [], result: p('u64') }, 'lift')).toEqual({ params: [], results: ['i64'] });
    expect(flattenFuncType({ async: false, params: params(1), result: p('string') }, 'lift')).toEqual({ params: ['i32'], results: ['i32'] });
    expect(flattenFuncType({ async: false, params: params(1), result: p('string') }, 'lower')).toEqual({ params: ['i32', 'i32'], results: [] });
    expect(flattenFuncType({ async: false, params: params(17), result: p('string') }, 'lower')).toEqual({ params: ['i32', 'i32'], results: [] });
  });
});
