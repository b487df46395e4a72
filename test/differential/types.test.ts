/**
 * Differential: the `types` example (every data type the SDK maps) through
 * our runtime and through jco, on the same fast-check inputs. Each call's
 * outcome (return value, result error, trap) must be equal on both sides;
 * the echo functions must also give back their input.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BYTE_ORDER_MARK, f64, scalarChar, unicodeString } from './arbitraries.ts';
import { pair, type Pair } from './hosts.ts';
import { jcoCoerceBigInt, jcoCoerceInt, jcoCoerceString, type Outcome } from './normalise.ts';

type Fn = (...args: unknown[]) => unknown;
type Types = Record<string, Fn>;

const IFACE = 'rdylib-guest:types/types@0.1.0';
const RUNS = { numRuns: 200 };

const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const s = (bits: number) => fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });

const primitives = fc.record({
  flag: fc.boolean(),
  byte: u(8),
  short: s(16),
  word: u(32),
  signed: s(32),
  long: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  signedLong: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  // f32 values only (NaN, ±0, ±Infinity included): a record field of type f32 holds no others.
  single: fc.float(),
  double: f64,
  letter: scalarChar,
});

const point = fc.record({ x: f64, y: f64 });
const color = fc.constantFrom('red', 'green', 'blue');
const option = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const polygon = fc.record({
  name: unicodeString(),
  points: fc.array(point, { maxLength: 6 }),
  color,
  label: option(fc.tuple(unicodeString(), point)),
});
const shape = fc.oneof(
  fc.constant({ tag: 'empty' }),
  fc.record({ tag: fc.constant('dot'), val: point }),
  fc.record({ tag: fc.constant('segment'), val: fc.tuple(point, point) }),
  fc.record({ tag: fc.constant('poly'), val: polygon }),
  fc.record({ tag: fc.constant('tagged'), val: option(unicodeString()) }),
);
const parseError = fc.oneof(
  fc.constant({ tag: 'empty' }),
  fc.record({ tag: fc.constant('bad-number'), val: unicodeString() }),
  fc.record({ tag: fc.constant('too-large'), val: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
);
const echoTupleArg = fc.tuple(u(8), unicodeString(), fc.tuple(fc.boolean(), option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))));

const returned = (value: unknown): Outcome => ({ kind: 'return', value });

describe('types: our runtime agrees with jco', () => {
  let t: Pair<Types>;
  beforeAll(async () => {
    t = await pair<Types>('types', IFACE);
  });

  /** Both hosts give the same outcome for `call`, and (when given) it is `expected`. */
  function agree(call: (api: Types) => unknown, expected?: Outcome): void {
    const [o, j] = t.both(call);
    expect(o).toEqual(j);
    if (expected !== undefined) expect(o).toEqual(expected);
  }

  it('echo-primitives: all integer widths (64-bit as bigint), f32/f64 with NaN and -0, any char', () => {
    fc.assert(fc.property(primitives, (p) => agree((api) => api.echoPrimitives!(p), returned(p))), RUNS);
  });

  it('echo-primitives at the edges of every range', () => {
    const edges = fc.record({
      flag: fc.boolean(),
      byte: fc.constantFrom(0, 255),
      short: fc.constantFrom(-32768, 32767, 0),
      word: fc.constantFrom(0, 2 ** 32 - 1),
      signed: fc.constantFrom(-(2 ** 31), 2 ** 31 - 1),
      long: fc.constantFrom(0n, 2n ** 64n - 1n, 2n ** 63n),
      signedLong: fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, -1n),
      single: fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 2 ** -149, 3.4028234663852886e38),
      double: fc.constantFrom(NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE),
      letter: fc.constantFrom('\0', '\u{d7ff}', '\u{e000}', '\u{ffff}', '\u{10000}', '\u{10ffff}', '🦀'),
    });
    fc.assert(fc.property(edges, (p) => agree((api) => api.echoPrimitives!(p), returned(p))), { numRuns: 100 });
  });

  it('echo-polygon: a record with a list of records, an enum and an optional tuple', () => {
    fc.assert(fc.property(polygon, (p) => agree((api) => api.echoPolygon!(p), returned(p))), RUNS);
  });

  it('echo-shapes: lists of variants with and without payloads', () => {
    fc.assert(fc.property(fc.array(shape, { maxLength: 6 }), (v) => agree((api) => api.echoShapes!(v), returned(v))), RUNS);
  });

  it('echo-tuple: nested tuples with option<s64>', () => {
    fc.assert(fc.property(echoTupleArg, (v) => agree((api) => api.echoTuple!(v), returned(v))), RUNS);
  });

  it('echo-nested: list<list<option<color>>>', () => {
    const arg = fc.array(fc.array(option(color), { maxLength: 5 }), { maxLength: 5 });
    fc.assert(fc.property(arg, (v) => agree((api) => api.echoNested!(v), returned(v))), RUNS);
  });

  it('echo-result: ok returns the point, err throws the variant payload', () => {
    const arg = fc.oneof(fc.record({ tag: fc.constant('ok'), val: point }), fc.record({ tag: fc.constant('err'), val: parseError }));
    fc.assert(
      fc.property(arg, (r) =>
        agree((api) => api.echoResult!(r), r.tag === 'ok' ? returned(r.val) : { kind: 'result-error', payload: r.val }),
      ),
      RUNS,
    );
  });

  it('echo-bytes: list<u8> as Uint8Array', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => agree((api) => api.echoBytes!(b), returned(b))), RUNS);
  });

  it('describe: &str, &[T] and &T parameters', () => {
    fc.assert(
      fc.property(unicodeString(), fc.array(point, { maxLength: 6 }), point, (name, points, origin) =>
        agree((api) => api.describe!(name, points, origin)),
      ),
      RUNS,
    );
  });

  it('parse-u32: numbers, overflows and arbitrary text', () => {
    const text = fc.oneof(fc.stringMatching(/^[0-9]{0,22}$/), unicodeString(12), fc.constantFrom('', '4294967295', '4294967296', '-1', '+1'));
    fc.assert(fc.property(text, (x) => agree((api) => api.parseU32!(x))), RUNS);
  });

  it('check: result<_, string>', () => {
    fc.assert(fc.property(fc.boolean(), (ok) => agree((api) => api.check!(ok))), { numRuns: 10 });
  });

  it('area: a variant argument by value', () => {
    fc.assert(fc.property(shape, (v) => agree((api) => api.area!(v))), RUNS);
  });
});

/**
 * Arguments that are not values of the parameter type: our runtime refuses
 * them before the guest runs; jco coerces them (normalise.ts, item 3). The
 * guest sees, through jco, exactly what our runtime gives it for the
 * coerced argument.
 */
describe('types: arguments outside the parameter type', () => {
  let t: Pair<Types>;
  beforeAll(async () => {
    t = await pair<Types>('types', IFACE);
  });

  const base = { flag: true, byte: 1, short: 1, word: 1, signed: 1, long: 1n, signedLong: 1n, single: 1, double: 1, letter: 'a' };

  it('integers out of range or fractional: refused by ours, wrapped by jco', () => {
    const field = fc.constantFrom(
      ['byte', 8, false] as const,
      ['short', 16, true] as const,
      ['word', 32, false] as const,
      ['signed', 32, true] as const,
    );
    const bad = fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(field, bad, ([name, bits, signed], v) => {
        const coerced = jcoCoerceInt(v, bits, signed);
        fc.pre(coerced !== v);
        const [o, j] = t.both((api) => api.echoPrimitives!({ ...base, [name]: v }));
        expect(o).toEqual({ kind: 'refused', error: Number.isInteger(v) ? 'RangeError' : 'TypeError' });
        const viaOurs = t.both((api) => api.echoPrimitives!({ ...base, [name]: coerced }))[0];
        expect(j).toEqual(viaOurs);
      }),
      RUNS,
    );
  });

  it('64-bit integers out of range: refused by ours, wrapped by jco', () => {
    const field = fc.constantFrom(['long', false] as const, ['signedLong', true] as const);
    fc.assert(
      fc.property(field, fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), ([name, signed], v) => {
        const coerced = jcoCoerceBigInt(v, signed);
        fc.pre(coerced !== v);
        const [o, j] = t.both((api) => api.echoPrimitives!({ ...base, [name]: v }));
        expect(o).toEqual({ kind: 'refused', error: 'RangeError' });
        expect(j).toEqual(t.both((api) => api.echoPrimitives!({ ...base, [name]: coerced }))[0]);
      }),
      RUNS,
    );
  });

  it('strings with lone surrogates: refused by ours, U+FFFD through jco', () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const withLone = fc.tuple(unicodeString(8), lone, unicodeString(8)).map(([a, l, b]) => a + l + b);
    fc.assert(
      fc.property(withLone, (name) => {
        fc.pre(jcoCoerceString(name) !== name);
        const [o, j] = t.both((api) => api.describe!(name, [], { x: 0, y: 0 }));
        expect(o).toEqual({ kind: 'refused', error: 'TypeError' });
        expect(j).toEqual(t.both((api) => api.describe!(jcoCoerceString(name), [], { x: 0, y: 0 }))[0]);
      }),
      RUNS,
    );
  });

  it('a string that starts with U+FEFF: ours returns it whole, jco drops the U+FEFF (normalise.ts, item 5)', () => {
    fc.assert(
      fc.property(unicodeString(8), (rest) => {
        const tuple = [7, BYTE_ORDER_MARK + rest, [true, 1n]];
        const [o, j] = t.both((api) => api.echoTuple!(tuple));
        expect(o).toEqual(returned(tuple));
        expect(j).toEqual(returned([7, rest, [true, 1n]]));
      }),
      { numRuns: 50 },
    );
  });

  it('a char that is not one scalar value, an unknown enum case or variant tag: both refuse', () => {
    const bad = fc.oneof(
      fc.constantFrom('\ud800', '\udfff').map((letter) => (api: Types) => api.echoPrimitives!({ ...base, letter })),
      fc.string({ minLength: 1, maxLength: 4 }).filter((c) => !['red', 'green', 'blue'].includes(c)).map((c) => (api: Types) => api.echoNested!([[c]])),
      fc.string({ maxLength: 6 }).filter((tag) => !['empty', 'dot', 'segment', 'poly', 'tagged'].includes(tag)).map((tag) => (api: Types) => api.area!({ tag })),
    );
    fc.assert(
      fc.property(bad, (call) => {
        const [o, j] = t.both(call);
        expect(o).toEqual({ kind: 'refused', error: 'TypeError' });
        expect(j).toEqual({ kind: 'refused', error: 'TypeError' });
      }),
      { numRuns: 60 },
    );
  });
});
