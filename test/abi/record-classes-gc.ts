/**
 * Run as `node --expose-gc --allow-natives-syntax --import tsx test/abi/record-classes-gc.ts`
 * (record-classes.test.ts does): prints, as JSON, whether a function that
 * read fields of lifted records is still optimised after full GCs that
 * found no record alive. V8 holds the hidden classes a record's fields go
 * through weakly; code compiled against a class that a GC freed is thrown
 * away ("weak objects"), so the reader stays optimised only if the host
 * keeps the classes (records.ts `constructors`).
 */
import { canonLift } from '../../host/abi/index.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { makeMem, opts } from './helpers.ts';
import { gc, haveSameMap as sameMap, isOptimised, optimizeOnNextCall, prepareForOptimization as prepare } from '../support/v8-natives.ts';

const p = (kind: string) => ({ kind }) as ValType;
/** Read from the return area (flattens to 8 values). */
const WIDE: ValType = { kind: 'record', fields: ['u8', 'u32', 'u64', 'f32', 'f64', 'bool'].map((k, i) => ({ name: `f-${i}`, type: p(k) })) };
/** Lifted from its one flat value. */
const NARROW: ValType = { kind: 'record', fields: [{ name: 'only', type: p('f64') }] };

const mem = await makeMem();
const inst = new ComponentInstance('guest');
const lift = (result: ValType, core: () => unknown) => {
  const ft: FuncType = { async: false, params: [], result };
  return canonLift(ft, opts(mem), inst, core) as () => Record<string, unknown>;
};
const wide = lift(WIDE, () => {
  const dv = new DataView(mem.memory.buffer);
  dv.setUint8(64, 7);
  dv.setUint32(68, 4_000_000_000, true);
  dv.setBigUint64(72, 2n ** 60n, true);
  dv.setFloat32(80, 1.5, true);
  dv.setFloat64(88, Math.PI, true);
  dv.setUint8(96, 1);
  return 64;
});
const narrow = lift(NARROW, () => 0.25);

// The readers get the records as arguments: compiled with the lifting inlined, a reader could
// take the values from the stores that made the record and never check its class.
function sumWide(r: Record<string, unknown>): number {
  return (r.f1 as number) + (r.f3 as number) + (r.f4 as number);
}
function onlyNarrow(r: Record<string, unknown>): number {
  return r.only as number;
}
const readWide = () => sumWide(wide());
const readNarrow = () => onlyNarrow(narrow());

/** Whether `reader`, optimised while `call`'s records were alive, is still optimised after full GCs with none alive. */
function staysOptimised(reader: (r: Record<string, unknown>) => number, call: () => number): { before: boolean; after: boolean } {
  prepare(reader);
  for (let i = 0; i < 1000; i++) call();
  optimizeOnNextCall(reader);
  call();
  const before = isOptimised(reader);
  gc();
  gc();
  return { before, after: isOptimised(reader) };
}

const wideResult = staysOptimised(sumWide, readWide);
const narrowResult = staysOptimised(onlyNarrow, readNarrow);

// The same keys under other field types, lifted in another instance (as a second load lifts them).
const other = new ComponentInstance('other');
const sameKeysAs = (result: ValType, core: () => unknown) =>
  canonLift({ async: false, params: [], result }, opts(mem), other, core) as () => Record<string, unknown>;
const narrowU32 = sameKeysAs({ kind: 'record', fields: [{ name: 'only', type: p('u32') }] }, () => 7);
const narrowString = sameKeysAs({ kind: 'record', fields: [{ name: 'only', type: p('string') }] }, () => {
  new Uint8Array(mem.memory.buffer).set(new TextEncoder().encode('seven'), 128);
  new DataView(mem.memory.buffer).setUint32(120, 128, true);
  new DataView(mem.memory.buffer).setUint32(124, 5, true);
  return 120;
});
const [a, b, c] = [narrow(), narrowU32(), narrowString()];
function onlyOf(r: Record<string, unknown>): unknown {
  return r.only;
}
const sameKeys = {
  sameClass: sameMap(a, b) && sameMap(b, c),
  values: [a.only, b.only, c.only],
  reader: staysOptimised(onlyOf as (r: Record<string, unknown>) => number, () => (onlyOf(narrow()), onlyOf(narrowU32()), 0)),
};

// Past the bound: record types of new key sequences get classes nothing keeps; known sequences are still shared.
const SHAPES = 5000;
let last: () => Record<string, unknown> = narrow;
for (let i = 0; i < SHAPES; i++) last = sameKeysAs({ kind: 'record', fields: [{ name: `k-${i}`, type: p('f64') }] }, () => 0.5);
const unknownKey = `k${SHAPES - 1}`;
const readUnknown = new Function('r', `return r.${unknownKey};`) as (r: Record<string, unknown>) => number;
const knownAgain = sameKeysAs(NARROW, () => 0.75);
function onlyAgain(r: Record<string, unknown>): number {
  return r.only as number;
}
const pastTheBound = {
  shapes: SHAPES,
  known: staysOptimised(onlyAgain, () => onlyAgain(knownAgain())),
  unknown: staysOptimised(readUnknown, () => readUnknown(last())),
};

console.log(JSON.stringify({ wide: wideResult, narrow: narrowResult, value: readWide() + readNarrow(), sameKeys, pastTheBound }));
