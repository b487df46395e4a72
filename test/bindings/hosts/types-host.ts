/**
 * A typed host for the types plugin: records, variants, enums, options,
 * tuples, typed arrays, bigints and result errors, as generated declarations
 * type them (build/bindings/types.d.ts). Type-checked, then run for real.
 */
import { load, ResultError } from '../../../host/index.ts';
import type { Bindings, Types } from '../../../build/bindings/types.js';

export async function runTypes(path: string) {
  const plugin = await load<Bindings>(path, { name: 'types' });
  const t = plugin.exports.types;
  const primitives: Types.Primitives = t.echoPrimitives({
    flag: true, byte: 255, short: -2, word: 7, signed: -7, long: 2n ** 40n, signedLong: -(2n ** 40n), single: 1.5, double: 0.25, letter: 'λ',
  });
  const polygon: Types.Polygon = t.echoPolygon({ name: 'tri', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }], color: 'green', label: ['apex', { x: 0, y: 1 }] });
  const shapes: Types.Shape[] = t.echoShapes([{ tag: 'empty' }, { tag: 'dot', val: { x: 1, y: 2 } }, { tag: 'segment', val: [{ x: 0, y: 0 }, { x: 3, y: 4 }] }, { tag: 'tagged', val: undefined }]);
  const tuple: [number, string, [boolean, bigint | undefined]] = t.echoTuple([1, 'one', [true, -5n]]);
  const bytes: Uint8Array = t.echoBytes(new Uint8Array([1, 2, 3]));
  const nested: Array<Array<Types.Color | undefined>> = t.echoNested([['red', undefined], ['blue']]);
  // A result parameter is { tag, val }; the returned result is its ok value, its err thrown.
  const echoed: Types.Point = t.echoResult({ tag: 'ok', val: { x: 1, y: 2 } });
  let echoedError: Types.ParseError | undefined;
  try {
    t.echoResult({ tag: 'err', val: { tag: 'too-large', val: 2n ** 33n } });
  } catch (e) {
    if (!(e instanceof ResultError)) throw e;
    echoedError = (e as ResultError<Types.Errors['echoResult']>).payload;
  }
  let parseError: Types.ParseError | undefined;
  try {
    t.parseU32('not a number');
  } catch (e) {
    if (!(e instanceof ResultError)) throw e;
    parseError = (e as ResultError<Types.Errors['parseU32']>).payload;
  }
  const checked: void = t.check(true);
  const area: number = t.area({ tag: 'segment', val: [{ x: 0, y: 0 }, { x: 3, y: 4 }] });
  await plugin.unload();
  return { primitives, polygon, shapes, tuple, bytes, nested, echoed, echoedError, parseError, checked, area };
}
