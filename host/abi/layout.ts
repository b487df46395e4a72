/**
 * Memory layout and flattening of component value types (CanonicalABI.md
 * "Alignment", "Element Size", "Flattening"). Layouts are computed for a
 * given pointer size (the ABI's 32-bit memories, or validation's 64-bit
 * sizing); flattening is for 32-bit memories. Results are memoized per type
 * object, since types are immutable data.
 */
import type { CaseType, FuncType, ValType } from '../types.ts';
import { MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';

/** Re-exported for validation, which shares this module (and only this one) with the ABI. */
export { MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS };

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

/** Where a value type sits in linear memory: definitions.py `elem_size` and `alignment` together. */
export interface Layout {
  readonly size: number;
  readonly align: number;
}

/**
 * Bytes of a pointer (and of a list's length). The ABI here runs on 32-bit
 * memories (4); validation sizes types with 64-bit pointers (8) so that its
 * limit holds on every host (host/validate/value-size.ts).
 */
export type PointerSize = 4 | 8;

const layoutMemo: Record<PointerSize, WeakMap<ValType, Layout>> = { 4: new WeakMap(), 8: new WeakMap() };
const flatMemo = new WeakMap<ValType, readonly CoreValType[]>();

const LAYOUT_1: Layout = { size: 1, align: 1 };
const LAYOUT_2: Layout = { size: 2, align: 2 };
const LAYOUT_4: Layout = { size: 4, align: 4 };
const LAYOUT_8: Layout = { size: 8, align: 8 };
const POINTER_PAIR: Record<PointerSize, Layout> = { 4: { size: 8, align: 4 }, 8: { size: 16, align: 8 } };

/** definitions.py `elem_size` and `alignment` of `t` with `pointerSize`-byte pointers. */
export function layoutOf(t: ValType, pointerSize: PointerSize): Layout {
  const memo = layoutMemo[pointerSize];
  let l = memo.get(t);
  if (l === undefined) memo.set(t, (l = computeLayout(t, pointerSize)));
  return l;
}

/** definitions.py `alignment` (32-bit memory). */
export function alignment(t: ValType): number {
  return layoutOf(t, 4).align;
}

/** definitions.py `elem_size` (32-bit memory). */
export function elemSize(t: ValType): number {
  return layoutOf(t, 4).size;
}

function computeLayout(t: ValType, pointerSize: PointerSize): Layout {
  const of = (u: ValType): Layout => layoutOf(u, pointerSize);
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return LAYOUT_1;
    case 's16':
    case 'u16':
      return LAYOUT_2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
    case 'error-context':
      return LAYOUT_4;
    case 's64':
    case 'u64':
    case 'f64':
      return LAYOUT_8;
    case 'string':
    case 'list':
      return pointerPairLayout(pointerSize);
    case 'record':
      return recordLayout(t.fields.map((f) => of(f.type)));
    case 'tuple':
      return recordLayout(t.types.map(of));
    case 'flags':
      return flagsLayout(t.labels.length);
    case 'variant':
    case 'enum':
    case 'option':
    case 'result':
      return variantLayout(variantCases(t)!.map((c) => (c.type === undefined ? undefined : of(c.type))));
  }
}

/** `string`, `list<T>` (and `map<K, V>`): a pointer and a length. */
export function pointerPairLayout(pointerSize: PointerSize): Layout {
  return POINTER_PAIR[pointerSize];
}

/** definitions.py `elem_size_flags` / `alignment_flags`. */
export function flagsLayout(numLabels: number): Layout {
  const size = flagsSize(numLabels);
  return size === 1 ? LAYOUT_1 : size === 2 ? LAYOUT_2 : LAYOUT_4;
}

/** definitions.py `elem_size_record` / `alignment_record` (records and tuples), from the fields' layouts. */
export function recordLayout(fields: readonly Layout[]): Layout {
  let size = 0;
  let align = 1;
  for (const f of fields) {
    size = alignTo(size, f.align) + f.size;
    align = Math.max(align, f.align);
  }
  return { size: alignTo(size, align), align };
}

/**
 * definitions.py `elem_size_variant` / `alignment_variant`, from the cases'
 * payload layouts (`undefined`: a case without payload).
 */
export function variantLayout(cases: readonly (Layout | undefined)[]): Layout {
  const disc = discriminantSize(cases.length);
  let caseAlign = 1;
  let caseSize = 0;
  for (const c of cases) {
    if (c === undefined) continue;
    caseAlign = Math.max(caseAlign, c.align);
    caseSize = Math.max(caseSize, c.size);
  }
  const align = Math.max(disc, caseAlign);
  return { size: alignTo(alignTo(disc, caseAlign) + caseSize, align), align };
}

/** definitions.py `elem_size_list` / `alignment_list` of a fixed-length list (🔧): `length` elements in a row. */
export function fixedListLayout(element: Layout, length: number): Layout {
  return { size: element.size * length, align: element.align };
}

/** definitions.py `max_case_alignment` (32-bit memory). */
export function maxCaseAlignment(cases: readonly CaseType[]): number {
  let a = 1;
  for (const c of cases) if (c.type !== undefined) a = Math.max(a, alignment(c.type));
  return a;
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

/** Where a variant's discriminant and payload sit, as `load_variant` / `store_variant` find them. */
export interface VariantPlacement {
  readonly discriminantSize: 1 | 2 | 4;
  /** From the variant's start: after the discriminant, aligned for every case. */
  readonly payloadOffset: number;
}

export function variantPlacement(cases: readonly CaseType[]): VariantPlacement {
  const disc = discriminantSize(cases.length);
  return { discriminantSize: disc, payloadOffset: alignTo(disc, maxCaseAlignment(cases)) };
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
    case 'stream':
    case 'future':
    case 'error-context':
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
  // A loop, not flatMap: every canon lift and lower of every load flattens its types.
  const out: CoreValType[] = [];
  for (const t of ts) for (const c of flattenType(t)) out.push(c);
  return out;
}

export interface CoreFuncType {
  readonly params: readonly CoreValType[];
  readonly results: readonly CoreValType[];
}

/**
 * Which calling convention a `canon lift` / `canon lower` uses: the options
 * `async` and `callback` decide it (`callback` only on lifts, always with `async`).
 */
export type CallingAbi = 'sync' | 'async' | 'async-callback';

/** definitions.py `flatten_functype` with a 32-bit memory. */
export function flattenFuncType(ft: FuncType, context: 'lift' | 'lower', abi: CallingAbi = 'sync'): CoreFuncType {
  let params = flattenTypes(ft.params.map((p) => p.type));
  let results = ft.result === undefined ? [] : [...flattenType(ft.result)];
  if (abi === 'sync') {
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
  if (context === 'lift') {
    // The results go to `task.return`; a callback-lifted function returns its callback code.
    if (params.length > MAX_FLAT_PARAMS) params = ['i32'];
    return { params, results: abi === 'async-callback' ? ['i32'] : [] };
  }
  // An async-lowered call returns its subtask state; the result is written to memory later.
  if (params.length > MAX_FLAT_ASYNC_PARAMS) params = ['i32'];
  if (results.length > 0) params = [...params, 'i32'];
  return { params, results: ['i32'] };
}
