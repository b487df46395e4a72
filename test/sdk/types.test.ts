import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { componentWit } from '../../scripts/lib/jco.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { instantiatePlugin } from './transpiled.ts';

type Fn = (...args: unknown[]) => unknown;

async function loadTypes(): Promise<Record<string, Fn>> {
  const plugin = await instantiatePlugin('types');
  return plugin.exports['types'] as Record<string, Fn>;
}

const point = (x: number, y: number) => ({ x, y });

describe('types: WIT derived from Rust signatures', () => {
  it('maps structs to records, fieldless enums to enums, enums with data to variants', () => {
    // The derived WIT the build writes next to the component, for review.
    const wit = readFileSync(guestPath('types').replace(/\.wasm$/, '.wit'), 'utf8');
    expect(wit).toMatch(/record point \{\s*x: f64,\s*y: f64,\s*\}/);
    expect(wit).toMatch(/enum color \{\s*red,\s*green,\s*blue,?\s*\}/);
    expect(wit).toMatch(/variant shape \{\s*empty,\s*dot\(point\),\s*segment\(tuple<point, point>\),\s*poly\(polygon\),\s*tagged\(option<string>\),?\s*\}/);
    expect(wit).toContain('echo-tuple: func(t: tuple<u8, string, tuple<bool, option<s64>>>) -> tuple<u8, string, tuple<bool, option<s64>>>;');
    expect(wit).toContain('check: func(ok: bool) -> result<_, string>;');
  });

  it('imports nothing but the rdylib panic report (no I/O on wasm32-unknown-unknown)', async () => {
    const wit = await componentWit(readGuest('types'));
    expect(wit.match(/^\s*import .*$/gm)).toEqual(['  import rdylib-panic: func(message: string, file: string, line: u32, column: u32);']);
    expect(wit).toContain('export rdylib-guest:types/types@0.1.0;');
  });

  it('has a section with no handles in any result', () => {
    const abi = readRdylibAbi(readGuest('types'))!;
    expect(abi.crate.name).toBe('types');
    const fns = abi.interfaces[0]!.functions;
    expect(fns.map((f) => f.name)).toContain('echo-primitives');
    expect(fns.every((f) => f.receiver === null && f.results.length === 0)).toBe(true);
  });
});

describe('types through jco transpile', () => {
  it('round-trips a record of every primitive', async () => {
    const t = await loadTypes();
    const p = {
      flag: true,
      byte: 255,
      short: -32768,
      word: 4294967295,
      signed: -2147483648,
      long: 18446744073709551615n,
      signedLong: -9223372036854775808n,
      single: 1.5,
      double: Math.PI,
      letter: '🦀',
    };
    expect(t.echoPrimitives!(p)).toEqual(p);
  });

  it('round-trips nested records with lists, options and tuples', async () => {
    const t = await loadTypes();
    const poly = { name: 'tri', points: [point(0, 0), point(1, 0), point(0, 1)], color: 'blue', label: ['apex', point(0, 1)] };
    expect(t.echoPolygon!(poly)).toEqual(poly);
    const unlabeled = { ...poly, label: undefined };
    expect(t.echoPolygon!(unlabeled)).toEqual(unlabeled);
  });

  it('round-trips variants, including multi-field cases as tuples', async () => {
    const t = await loadTypes();
    const shapes = [
      { tag: 'empty' },
      { tag: 'dot', val: point(1, 2) },
      { tag: 'segment', val: [point(0, 0), point(3, 4)] },
      { tag: 'poly', val: { name: 'p', points: [], color: 'red', label: undefined } },
      { tag: 'tagged', val: 'x' },
      { tag: 'tagged', val: undefined },
    ];
    expect(t.echoShapes!(shapes)).toEqual(shapes);
  });

  it('round-trips tuples, nested lists of options of enums, and bytes', async () => {
    const t = await loadTypes();
    expect(t.echoTuple!([7, 'seven', [true, -7n]])).toEqual([7, 'seven', [true, -7n]]);
    expect(t.echoTuple!([0, '', [false, undefined]])).toEqual([0, '', [false, undefined]]);
    const nested = [[], ['red', undefined], ['green', 'blue']];
    expect(t.echoNested!(nested)).toEqual(nested);
    expect(t.echoBytes!(new Uint8Array([0, 1, 255]))).toEqual(new Uint8Array([0, 1, 255]));
  });

  it('maps Result to result: ok returns, err throws with the payload', async () => {
    const t = await loadTypes();
    expect(t.parseU32!('42')).toBe(42);
    expect(() => t.parseU32!('')).toThrow(expect.objectContaining({ payload: { tag: 'empty' } }));
    expect(() => t.parseU32!('4x')).toThrow(expect.objectContaining({ payload: { tag: 'bad-number', val: '4x' } }));
    expect(() => t.parseU32!('99999999999')).toThrow(expect.objectContaining({ payload: { tag: 'too-large', val: 99999999999n } }));
    expect(t.check!(true)).toBeUndefined();
    expect(() => t.check!(false)).toThrow(expect.objectContaining({ payload: 'not ok' }));
    expect(t.echoResult!({ tag: 'ok', val: point(1, 1) })).toEqual(point(1, 1));
    expect(() => t.echoResult!({ tag: 'err', val: { tag: 'empty' } })).toThrow(expect.objectContaining({ payload: { tag: 'empty' } }));
  });

  it('passes &str, &[T] and &T parameters', async () => {
    const t = await loadTypes();
    expect(t.describe!('sq', [point(3, 4), point(1, 1)], point(0, 0))).toBe('sq: 2 points, farthest 5');
    expect(t.area!({ tag: 'poly', val: { name: 'sq', points: [point(0, 0), point(2, 0), point(2, 2), point(0, 2)], color: 'red', label: undefined } })).toBe(4);
  });
});
