/**
 * Canonical definitions (CanonicalABI.md "Canonical Definitions"): `canon
 * lift` and `canon lower` against the core function types, the resource
 * built-ins, and the async (🔀), error-context (📝) and thread (🧵) built-ins,
 * each checked as the spec's validation rules say and given the core function
 * type its `$f` has. What instantiation needs is returned resolved.
 */
import type { CancellableThreadBuiltinKind, Canon, CanonBuiltin, CanonOptEntry, CoreValType, PlainBuiltinKind } from '../binary/ast.ts';
import type { CoreFuncSig } from '../binary/core-module.ts';
import type { FuncType, FutureType, ResourceTypeRef, StreamType, ValType } from '../types.ts';
import { flattenFuncType, flattenTypes, MAX_FLAT_PARAMS } from '../abi/layout.ts';
import {
  callingAbi,
  checkOptionsFor,
  checkOptionsForValues,
  hasIndirect,
  resolveOptions,
  type OptionsSite,
  type ResolvedOptions,
} from './canon-options.ts';
import type { ComponentScope } from './component-scope.ts';
import { coreTypesEqual, coreValTypeName, formatSig, sigEquals } from './core-types.ts';
import { invalid, unsupported } from './failures.ts';
import { at, resolveValType } from './resolve.ts';

/** A canon built-in with its immediates resolved, and the core function type of the function it defines. */
export type ResolvedBuiltin = { readonly sig: CoreFuncSig } & (
  | { readonly kind: PlainBuiltinKind }
  | { readonly kind: 'task.return'; readonly result: ValType | undefined; readonly options: ResolvedOptions }
  /** The thread-local storage slot `i`; the slot type is `i32`. */
  | { readonly kind: 'context.get' | 'context.set'; readonly slot: number }
  | { readonly kind: 'subtask.cancel'; readonly async: boolean }
  | { readonly kind: 'stream.new' | 'stream.drop-readable' | 'stream.drop-writable'; readonly type: StreamType }
  | { readonly kind: 'future.new' | 'future.drop-readable' | 'future.drop-writable'; readonly type: FutureType }
  | { readonly kind: 'stream.read' | 'stream.write'; readonly type: StreamType; readonly options: ResolvedOptions }
  | { readonly kind: 'future.read' | 'future.write'; readonly type: FutureType; readonly options: ResolvedOptions }
  | { readonly kind: 'stream.cancel-read' | 'stream.cancel-write'; readonly type: StreamType; readonly async: boolean }
  | { readonly kind: 'future.cancel-read' | 'future.cancel-write'; readonly type: FutureType; readonly async: boolean }
  | { readonly kind: 'error-context.new' | 'error-context.debug-message'; readonly options: ResolvedOptions }
  /** `memory` is a core memory index. */
  | { readonly kind: 'waitable-set.wait' | 'waitable-set.poll'; readonly cancellable: boolean; readonly memory: number }
  | { readonly kind: CancellableThreadBuiltinKind; readonly cancellable: boolean }
  /** `table` is a core table index of `funcref`s; the functions called take the closure `i32`. */
  | { readonly kind: 'thread.new-indirect'; readonly table: number }
);

/** What instantiation needs to know about one canon definition. */
export type CanonInfo =
  | { readonly kind: 'lift' | 'lower'; readonly type: FuncType; readonly options: ResolvedOptions }
  | { readonly kind: 'resource'; readonly ref: ResourceTypeRef }
  | { readonly kind: 'builtin'; readonly builtin: ResolvedBuiltin };

const sig = (params: readonly CoreValType[], results: readonly CoreValType[]): CoreFuncSig => ({ params, results });
const I32 = ['i32'] as const;
const NONE = [] as const;

/** wasmparser's spelling of a core type list, e.g. `[I32, I64]`, so messages read the same as other tools'. */
function typeList(ts: readonly CoreValType[]): string {
  return `[${ts.map((t) => { const n = coreValTypeName(t); return n[0]!.toUpperCase() + n.slice(1); }).join(', ')}]`;
}

/** A lifted core function must have exactly the flattened signature of the component function type. */
function checkFlatSig(flat: CoreFuncSig, core: CoreFuncSig, off: number): void {
  if (!coreTypesEqual(flat.params, core.params)) {
    invalid(`lowered parameter types \`${typeList(flat.params)}\` do not match parameter types \`${typeList(core.params)}\` of the core function`, off);
  }
  if (!coreTypesEqual(flat.results, core.results)) {
    invalid(`lowered result types \`${typeList(flat.results)}\` do not match result types \`${typeList(core.results)}\` of the core function`, off);
  }
}

/** The `async` option is for async function types only (validate-no-async-abi-for-sync-type.wast). */
function checkAsyncFor(ft: FuncType, options: ResolvedOptions, off: number): void {
  if (options.async && !ft.async) invalid('the `async` canonical option requires an async function type', off);
}

/** Validates one canon definition; pushes what it defines into `scope` and returns what instantiation needs. */
export function validateCanon(c: Canon, scope: ComponentScope, off: number): CanonInfo {
  switch (c.kind) {
    case 'lift': {
      const core = at(scope.coreFuncs, c.coreFunc, 'core func', off);
      const e = at(scope.types, c.typeIndex, 'type', off);
      if (e.kind !== 'func') invalid(`type index ${c.typeIndex} is not a function type`, off);
      const options = resolveOptions(c.options, scope, { kind: 'lift' });
      checkAsyncFor(e.type, options, off);
      checkOptionsFor(e.type, options, 'lift', off);
      const flat = flattenFuncType(e.type, 'lift', callingAbi(options));
      checkFlatSig(flat, core, off);
      if (options.postReturn !== undefined) {
        // post-return receives the lifted function's flat results and returns nothing.
        const pr = scope.coreFuncs[options.postReturn]!;
        if (!sigEquals(pr, { params: flat.results, results: [] })) {
          invalid(`canonical option \`post-return\` uses a core function with an incorrect signature: expected ${formatSig({ params: flat.results, results: [] })}, found ${formatSig(pr)}`, off);
        }
      }
      scope.funcs.push(e.type);
      return { kind: 'lift', type: e.type, options };
    }
    case 'lower': {
      const ft = at(scope.funcs, c.func, 'func', off);
      const options = resolveOptions(c.options, scope, { kind: 'lower' });
      checkAsyncFor(ft, options, off);
      checkOptionsFor(ft, options, 'lower', off);
      scope.coreFuncs.push(flattenFuncType(ft, 'lower', callingAbi(options)));
      return { kind: 'lower', type: ft, options };
    }
    case 'resource.new':
    case 'resource.drop':
    case 'resource.rep': {
      const e = at(scope.types, c.typeIndex, 'type', off);
      if (e.kind !== 'resource') invalid(`type index ${c.typeIndex} is not a resource type`, off);
      if (c.kind !== 'resource.drop' && !scope.localResources.has(e.ref)) {
        invalid(`${c.kind} requires a resource type defined in this component, not an imported one`, off);
      }
      scope.coreFuncs.push(c.kind === 'resource.drop' ? sig(I32, NONE) : sig(I32, I32));
      return { kind: 'resource', ref: e.ref };
    }
    default: {
      const builtin = validateBuiltin(c, scope, off);
      scope.coreFuncs.push(builtin.sig);
      return { kind: 'builtin', builtin };
    }
  }
}

const COPY_OPTIONS: ReadonlySet<CanonOptEntry['opt']['kind']> = new Set(['string-encoding', 'memory', 'realloc', 'async']);
const TASK_RETURN_OPTIONS: ReadonlySet<CanonOptEntry['opt']['kind']> = new Set(['string-encoding', 'memory']);
const ERROR_CONTEXT_OPTIONS: ReadonlySet<CanonOptEntry['opt']['kind']> = new Set(['string-encoding', 'memory', 'realloc']);

const builtinSite = (name: string, allowed: ReadonlySet<CanonOptEntry['opt']['kind']>): OptionsSite => ({ kind: 'builtin', name, allowed });

/** The stream or future type a stream/future built-in names. */
function streamOrFutureType<K extends 'stream' | 'future'>(kind: K, name: string, typeIndex: number, scope: ComponentScope, off: number): Extract<ValType, { kind: K }> {
  const e = at(scope.types, typeIndex, 'type', off);
  if (e.kind !== 'value' || e.type.kind !== kind) invalid(`\`${name}\` requires a ${kind} type`, off);
  return e.type as Extract<ValType, { kind: K }>;
}

function validateBuiltin(c: CanonBuiltin, scope: ComponentScope, off: number): ResolvedBuiltin {
  switch (c.kind) {
    case 'backpressure.inc':
    case 'backpressure.dec':
    case 'task.cancel':
      return { kind: c.kind, sig: sig(NONE, NONE) };
    case 'subtask.drop':
    case 'waitable-set.drop':
    case 'error-context.drop':
    case 'thread.resume-later':
      return { kind: c.kind, sig: sig(I32, NONE) };
    case 'waitable-set.new':
    case 'thread.index':
      return { kind: c.kind, sig: sig(NONE, I32) };
    case 'waitable.join':
      return { kind: c.kind, sig: sig(['i32', 'i32'], NONE) };
    case 'task.return': {
      const result = c.result === undefined ? undefined : resolveValType(c.result, scope, off);
      const options = resolveOptions(c.options, scope, builtinSite('task.return', TASK_RETURN_OPTIONS));
      // The result arrives as the core function's parameters, spilled to memory past MAX_FLAT_PARAMS.
      const flat = result === undefined ? [] : flattenTypes([result]);
      if (result !== undefined && (hasIndirect(result) || flat.length > MAX_FLAT_PARAMS) && options.memory === undefined) {
        invalid('canonical option `memory` is required', off);
      }
      return { kind: 'task.return', result, options, sig: sig(flat.length > MAX_FLAT_PARAMS ? I32 : flat, NONE) };
    }
    case 'context.get':
    case 'context.set': {
      if (c.type === 'i64') unsupported(`64-bit \`${c.kind}\` (🐘 cm64)`, off);
      if (c.type !== 'i32') invalid(`\`${c.kind}\` only supports \`i32\` or \`i64\``, off);
      // Slot 1 only exists with 🧵 cooperative threads, which wasm-tools gates; no reference test uses it.
      if (c.slot === 1) unsupported(`\`${c.kind}\` of thread-local slot 1 (🧵)`, off);
      if (c.slot !== 0) invalid(`immediate must be zero: ${c.slot}`, off);
      return { kind: c.kind, slot: c.slot, sig: c.kind === 'context.get' ? sig(NONE, I32) : sig(I32, NONE) };
    }
    case 'subtask.cancel':
      return { kind: c.kind, async: c.async, sig: sig(I32, I32) };
    case 'stream.new':
    case 'stream.drop-readable':
    case 'stream.drop-writable': {
      const type = streamOrFutureType('stream', c.kind, c.typeIndex, scope, off);
      // `new` returns both ends packed in one i64: readable in the low 32 bits, writable in the high.
      return { kind: c.kind, type, sig: c.kind === 'stream.new' ? sig(NONE, ['i64']) : sig(I32, NONE) };
    }
    case 'future.new':
    case 'future.drop-readable':
    case 'future.drop-writable': {
      const type = streamOrFutureType('future', c.kind, c.typeIndex, scope, off);
      return { kind: c.kind, type, sig: c.kind === 'future.new' ? sig(NONE, ['i64']) : sig(I32, NONE) };
    }
    case 'stream.read':
    case 'stream.write': {
      const type = streamOrFutureType('stream', c.kind, c.typeIndex, scope, off);
      const options = resolveOptions(c.options, scope, builtinSite(c.kind, COPY_OPTIONS));
      checkOptionsForValues(type.element, options, c.kind === 'stream.read', off);
      return { kind: c.kind, type, options, sig: sig(['i32', 'i32', 'i32'], I32) };
    }
    case 'future.read':
    case 'future.write': {
      const type = streamOrFutureType('future', c.kind, c.typeIndex, scope, off);
      const options = resolveOptions(c.options, scope, builtinSite(c.kind, COPY_OPTIONS));
      checkOptionsForValues(type.element, options, c.kind === 'future.read', off);
      return { kind: c.kind, type, options, sig: sig(['i32', 'i32'], I32) };
    }
    case 'stream.cancel-read':
    case 'stream.cancel-write': {
      const type = streamOrFutureType('stream', c.kind, c.typeIndex, scope, off);
      return { kind: c.kind, type, async: c.async, sig: sig(I32, I32) };
    }
    case 'future.cancel-read':
    case 'future.cancel-write': {
      const type = streamOrFutureType('future', c.kind, c.typeIndex, scope, off);
      return { kind: c.kind, type, async: c.async, sig: sig(I32, I32) };
    }
    case 'error-context.new':
    case 'error-context.debug-message': {
      const options = resolveOptions(c.options, scope, builtinSite(c.kind, ERROR_CONTEXT_OPTIONS));
      if (options.memory === undefined) invalid('canonical option `memory` is required', off);
      if (c.kind === 'error-context.debug-message' && options.realloc === undefined) invalid('canonical option `realloc` is required', off);
      return { kind: c.kind, options, sig: c.kind === 'error-context.new' ? sig(['i32', 'i32'], I32) : sig(['i32', 'i32'], NONE) };
    }
    case 'waitable-set.wait':
    case 'waitable-set.poll': {
      const m = at(scope.coreMemories, c.memory, 'core memory', off);
      if (m.kind === 'memory' && m.limits.index64) unsupported(`\`${c.kind}\` with a 64-bit memory (🐘 cm64)`, off);
      return { kind: c.kind, cancellable: c.cancellable, memory: c.memory, sig: sig(['i32', 'i32'], I32) };
    }
    case 'thread.yield':
    case 'thread.suspend':
      return { kind: c.kind, cancellable: c.cancellable, sig: sig(NONE, I32) };
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
      return { kind: c.kind, cancellable: c.cancellable, sig: sig(I32, I32) };
    case 'thread.new-indirect': {
      const ft = at(scope.coreTypes, c.coreTypeIndex, 'core type', off);
      if (ft.kind !== 'func' || !sigEquals(ft, sig(I32, NONE))) {
        invalid(`\`thread.new-indirect\` requires the function type (func (param i32)), found ${ft.kind === 'func' ? formatSig(ft) : `a ${ft.kind} type`}`, off);
      }
      const t = at(scope.coreTables, c.table, 'core table', off);
      if (t.kind === 'table' && t.limits.index64) unsupported('`thread.new-indirect` with a 64-bit table (🐘 cm64)', off);
      if (t.kind !== 'table' || typeof t.element.heap !== 'string' || t.element.heap !== 'func' || !t.element.nullable) {
        invalid('`thread.new-indirect` requires a table of `funcref`', off);
      }
      return { kind: c.kind, table: c.table, sig: sig(['i32', 'i32'], I32) };
    }
    case 'thread.spawn-ref':
    case 'thread.spawn-indirect':
    case 'thread.available-parallelism':
      return unsupported(`the canonical built-in \`${c.kind}\` (🧵② shared-everything threads)`, off);
  }
}

