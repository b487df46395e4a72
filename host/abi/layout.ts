/**
 * Memory layout and flattening of component value types (CanonicalABI.md
 * "Alignment", "Element Size", "Flattening"), for 32-bit memories.
 * Results are memoized per type object, since types are immutable data.
 */
import type { CaseType, FuncType, ValType } from '../types.ts';
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';

export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64';

/** The cases of a variant-like type after the spec's `despecialize`. */
export function variantCases(t: ValType): readonly CaseType[] | undefined {
  switch (t.kind) {
    case 'variant':
      return t.cases;
    case 'enum':
      return casesOf(t, () => t.labels.map((name) => ({ name, type: undefined })));
    case 'option':
      return casesOf(t, () => [
        { name: 'none', type: undefined },
        { name: 'some', type: t.type },
      ]);
    case 'result':
      return casesOf(t, () => [
        { name: 'ok', type: t.ok },
        { name: 'error', type: t.err },
      ]);
    default:
      return undefined;
  }
}
const casesMemo = new WeakMap<ValType, readonly CaseType[]>();
function casesOf(t: ValType, make: () => CaseType[]): readonly CaseType[] {
  let c = casesMemo.get(t);
  if (c === undefined) casesMemo.set(t, (c = make()));
  return c;
}

/** definitions.py `align_to`. */
export function alignTo(ptr: number, alignment: number): number {
  return Math.ceil(ptr / alignment) * alignment;
}

/** definitions.py `discriminant_type`, as its byte size: 1, 2 or 4. */
export function discriminantSize(numCases: number): 1 | 2 | 4 {
  if (numCases <= 0x100) return 1;
  if (numCases <= 0x10000) return 2;
  return 4;
}

/** definitions.py `alignment_flags` / `elem_size_flags`. */
export function flagsSize(numLabels: number): 1 | 2 | 4 {
  if (numLabels <= 8) return 1;
  if (numLabels <= 16) return 2;
  return 4;
}

const alignMemo = new WeakMap<ValType, number>();
const sizeMemo = new WeakMap<ValType, number>();
const flatMemo = new WeakMap<ValType, readonly CoreValType[]>();

/** definitions.py `alignment`. */
export function alignment(t: ValType): number {
  let a = alignMemo.get(t);
  if (a === undefined) alignMemo.set(t, (a = computeAlignment(t)));
  return a;
}

function computeAlignment(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'own':
    case 'borrow':
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'string':
    case 'list':
      return 4;
    case 'record':
      return maxAlignment(t.fields.map((f) => f.type));
    case 'tuple':
      return maxAlignment(t.types);
    case 'flags':
      return flagsSize(t.labels.length);
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      const cases = variantCases(t)!;
      return Math.max(discriminantSize(cases.length), maxCaseAlignment(cases));
    }
  }
}

function maxAlignment(ts: readonly ValType[]): number {
  let a = 1;
  for (const u of ts) a = Math.max(a, alignment(u));
  return a;
}

/** definitions.py `max_case_alignment`. */
export function maxCaseAlignment(cases: readonly CaseType[]): number {
  let a = 1;
  for (const c of cases) if (c.type !== undefined) a = Math.max(a, alignment(c.type));
  return a;
}

/** definitions.py `elem_size`. */
export function elemSize(t: ValType): number {
  let s = sizeMemo.get(t);
  if (s === undefined) sizeMemo.set(t, (s = computeElemSize(t)));
  return s;
}

function computeElemSize(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'own':
    case 'borrow':
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'string':
    case 'list':
      return 8;
    case 'record':
      return recordSize(t.fields.map((f) => f.type));
    case 'tuple':
      return recordSize(t.types);
    case 'flags':
      return flagsSize(t.labels.length);
    case 'variant':
    case 'enum':
    case 'option':
    case 'result': {
      const cases = variantCases(t)!;
      let s: number = discriminantSize(cases.length);
      s = alignTo(s, maxCaseAlignment(cases));
      let cs = 0;
      for (const c of cases) if (c.type !== undefined) cs = Math.max(cs, elemSize(c.type));
      return alignTo(s + cs, alignment(t));
    }
  }
}

/** definitions.py `elem_size_record` (records and tuples). */
function recordSize(ts: readonly ValType[]): number {
  let s = 0;
  for (const u of ts) {
    s = alignTo(s, alignment(u));
    s += elemSize(u);
  }
  return alignTo(s, maxAlignment(ts));
}

/** Byte offsets of the fields of a record or tuple, as `load_record` / `store_record` walk them. */
export function fieldOffsets(ts: readonly ValType[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const u of ts) {
    s = alignTo(s, alignment(u));
    out.push(s);
    s += elemSize(u);
  }
  return out;
}

/** Byte offset of a variant's payload from its start (after the discriminant, aligned). */
export function payloadOffset(cases: readonly CaseType[]): number {
  return alignTo(discriminantSize(cases.length), maxCaseAlignment(cases));
}

/** definitions.py `flatten_type`. */
export function flattenType(t: ValType): readonly CoreValType[] {
  let f = flatMemo.get(t);
  if (f === undefined) flatMemo.set(t, (f = computeFlatten(t)));
  return f;
}

function computeFlatten(t: ValType): CoreValType[] {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'char':
    case 'flags':
    case 'own':
    case 'borrow':
      return ['i32'];
    case 's64':
    case 'u64':
      return ['i64'];
    case 'f32':
      return ['f32'];
    case 'f64':
      return ['f64'];
    case 'string':
    case 'list':
      return ['i32', 'i32'];
    case 'record':
      return t.fields.flatMap((f) => flattenType(f.type));
    case 'tuple':
      return t.types.flatMap((u) => flattenType(u));
    case 'variant':
    case 'enum':
    case 'option':
    case 'result':
      return flattenVariant(variantCases(t)!);
  }
}

/** definitions.py `flatten_variant`: discriminant, then the joined payload slots. */
export function flattenVariant(cases: readonly CaseType[]): CoreValType[] {
  const flat: CoreValType[] = [];
  for (const c of cases) {
    if (c.type === undefined) continue;
    flattenType(c.type).forEach((ft, i) => {
      if (i < flat.length) flat[i] = join(flat[i]!, ft);
      else flat.push(ft);
    });
  }
  return ['i32', ...flat];
}

/** definitions.py `join`. */
export function join(a: CoreValType, b: CoreValType): CoreValType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

export function flattenTypes(ts: readonly ValType[]): CoreValType[] {
  return ts.flatMap((t) => flattenType(t));
}

export interface CoreFuncType {
  readonly params: readonly CoreValType[];
  readonly results: readonly CoreValType[];
}

/** definitions.py `flatten_functype` for synchronous functions with a 32-bit memory. */
export function flattenFuncType(ft: FuncType, context: 'lift' | 'lower'): CoreFuncType {
  let params = flattenTypes(ft.params.map((p) => p.type));
  let results = ft.result === undefined ? [] : [...flattenType(ft.result)];
  if (params.length > MAX_FLAT_PARAMS) params = ['i32'];
  if (results.length > MAX_FLAT_RESULTS) {
    if (context === 'lift') {
      results = ['i32'];
    } else {
      params = [...params, 'i32'];
      results = [];
    }
  }
  return { params, results };
}
