/**
 * The effective type size limit, as wasmparser defines it
 * (crates/wasmparser/src/validator/types.rs `TypeInfo`, limits.rs
 * `MAX_WASM_TYPE_SIZE`): every type counts 1 plus the sizes of the types it
 * contains (fields, cases, parameters, an instance's exports, a component's
 * imports and exports), counting a type once per place it is used. A type
 * whose size reaches 1,000,000 is invalid. Types are shared by reference, so
 * ten imports of one type cost ten times its size although the binary names
 * it once: without this limit, ten levels of such nesting make a 1 KB
 * component whose types have 10^10 nodes, and every walk over them hangs.
 *
 * Each type's size is computed once (memoised by object), so checking costs
 * the number of distinct type objects, not the size itself. Defined value
 * types also have wasmparser's nesting limit of 100.
 */
import { isLeafType, type FuncType, type ValType } from '../types.ts';
import type { CoreItemType } from '../binary/core-module.ts';
import { invalid } from './failures.ts';
import { memoTable } from './work.ts';
import type { ComponentType, CoreModuleType, ExternDesc, InstanceType, TypeEntry } from './type-space.ts';

/** `MAX_WASM_TYPE_SIZE`: sizes must stay below this. */
export const MAX_TYPE_SIZE = 1_000_000;

/** `MAX_WASM_COMPONENT_TYPE_DEPTH`: how deeply defined value types may nest. */
export const MAX_TYPE_DEPTH = 100;

// Sizes are capped at the limit: past it only "too large" matters, and numbers stay small. The cap
// is written out where sizes are combined (memo, sum, SizeTally) rather than called: cold loads run
// this code mostly unoptimised, where the call cost more than the comparison.

const sizes = memoTable<object, number>();
const depths = memoTable<ValType, number>();

/**
 * The size of `x` (capped), computed once per type object by `compute`. Each `compute` is a
 * module-level function, not an arrow made per call: a closure made anew on every call is one
 * more function V8 optimises again on every load (measured: these were re-optimised at each cold
 * load of the bench's kv, ~4 TurboFan compiles per load). The table keeps what `compute` returned;
 * every size read from it is capped here.
 */
function memo<T extends object>(x: T, compute: (x: T) => number): number {
  const n = sizes.memo(x, compute);
  return n < MAX_TYPE_SIZE ? n : MAX_TYPE_SIZE;
}

const sum = <T>(xs: Iterable<T>, f: (x: T) => number): number => {
  let n = 0;
  for (const x of xs) {
    n += f(x);
    if (n > MAX_TYPE_SIZE) n = MAX_TYPE_SIZE;
  }
  return n;
};

const optSize = (t: ValType | undefined): number => (t === undefined ? 0 : valTypeSize(t));
const typedSize = (x: { readonly type: ValType }): number => valTypeSize(x.type);
const optTypedSize = (x: { readonly type?: ValType | undefined }): number => optSize(x.type);
const coreItemOf = (x: { readonly type: CoreItemType }): number => coreItemSize(x.type);

export function valTypeSize(t: ValType): number {
  // A leaf counts 1 (computeValTypeSize's default).
  return isLeafType(t) ? 1 : memo(t, computeValTypeSize);
}

function computeValTypeSize(v: ValType): number {
  switch (v.kind) {
    case 'list':
      return 1 + valTypeSize(v.element);
    case 'option':
      return 1 + valTypeSize(v.type);
    case 'record':
      return 1 + sum(v.fields, typedSize);
    case 'tuple':
      return 1 + sum(v.types, valTypeSize);
    case 'variant':
      return 1 + sum(v.cases, optTypedSize);
    case 'result':
      return 1 + optSize(v.ok) + optSize(v.err);
    case 'stream':
    case 'future':
      return 1 + optSize(v.element);
    default:
      return 1;
  }
}

function funcTypeSize(f: FuncType): number {
  return memo(f, computeFuncTypeSize);
}

function computeFuncTypeSize(x: FuncType): number {
  return 1 + sum(x.params, typedSize) + optSize(x.result);
}

function coreItemSize(t: CoreItemType): number {
  return t.kind === 'func' || t.kind === 'tag' ? 1 + t.sig.params.length + t.sig.results.length : 1;
}

function moduleTypeSize(m: CoreModuleType): number {
  return memo(m, computeModuleTypeSize);
}

function computeModuleTypeSize(x: CoreModuleType): number {
  return 1 + sum(x.imports, coreItemOf) + sum(x.exports, coreItemOf);
}

export function instanceTypeSize(t: InstanceType): number {
  return memo(t, computeInstanceTypeSize);
}

function computeInstanceTypeSize(x: InstanceType): number {
  return 1 + sum(x.exports.values(), externSize);
}

export function componentTypeSize(t: ComponentType): number {
  return memo(t, computeComponentTypeSize);
}

function computeComponentTypeSize(x: ComponentType): number {
  return 1 + sum(x.imports.values(), externSize) + sum(x.exports.values(), externSize);
}

export function typeEntrySize(e: TypeEntry): number {
  switch (e.kind) {
    case 'value':
      return valTypeSize(e.type);
    case 'func':
      return funcTypeSize(e.type);
    case 'instance':
      return instanceTypeSize(e.type);
    case 'component':
      return componentTypeSize(e.type);
    case 'resource':
    case 'gated':
      return 1;
  }
}

export function externSize(d: ExternDesc): number {
  switch (d.kind) {
    case 'module':
      return moduleTypeSize(d.type);
    case 'func':
      return funcTypeSize(d.type);
    case 'value':
      return 1;
    case 'type':
      return typeEntrySize(d.type);
    case 'instance':
      return instanceTypeSize(d.type);
    case 'component':
      return componentTypeSize(d.type);
  }
}

/** Refuses a type at or over the limit, naming what it is, the limit, and where. */
export function checkTypeSize(size: number, what: string, offset: number): void {
  if (size >= MAX_TYPE_SIZE) {
    invalid(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}: ${what} counts at least ${MAX_TYPE_SIZE} nested types (each use of a shared type counts again)`, offset);
  }
}

/**
 * The running size of a component, instance or component type while its
 * imports and exports are added, checked before each one is used (and so
 * before any walk over it), as wasmparser checks as it combines.
 */
export class SizeTally {
  private total = 1;
  constructor(private readonly what: string) {}

  add(d: ExternDesc, name: string, offset: number): void {
    const total = this.total + externSize(d);
    this.total = total < MAX_TYPE_SIZE ? total : MAX_TYPE_SIZE;
    // The message only when it is needed: this runs for every import and export.
    if (this.total >= MAX_TYPE_SIZE) checkTypeSize(this.total, `${this.what} (at \`${name}\`)`, offset);
  }
}

/** How deeply a value type nests (a primitive is 1); refused past MAX_TYPE_DEPTH. */
export function checkValTypeDepth(t: ValType, offset: number): void {
  if (valTypeDepth(t) > MAX_TYPE_DEPTH) invalid(`type nesting is too deep: value types may nest at most ${MAX_TYPE_DEPTH} levels`, offset);
}

function valTypeDepth(t: ValType): number {
  // A leaf is 1 deep (computeDepth's default).
  return isLeafType(t) ? 1 : depths.memo(t, computeDepth);
}

/** The depth of a member that may be absent (a variant case, a result side, a stream element): 0 when absent. */
function optDepth(x: ValType | undefined): number {
  return x === undefined ? 0 : valTypeDepth(x);
}

// Loops over members, not `map` with arrows: an arrow made per call loses its optimised code with
// the closure at each full GC (V8 holds it weakly), and these ran again at every cold load.
function computeDepth(t: ValType): number {
  let inner = 0;
  switch (t.kind) {
    case 'list':
    case 'stream':
    case 'future':
      inner = optDepth(t.element);
      break;
    case 'option':
      inner = optDepth(t.type);
      break;
    case 'record':
      for (const f of t.fields) inner = Math.max(inner, optDepth(f.type));
      break;
    case 'tuple':
      for (const u of t.types) inner = Math.max(inner, optDepth(u));
      break;
    case 'variant':
      for (const c of t.cases) inner = Math.max(inner, optDepth(c.type));
      break;
    case 'result':
      inner = Math.max(optDepth(t.ok), optDepth(t.err));
      break;
  }
  return 1 + inner;
}
