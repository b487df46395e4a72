/**
 * Canonical options (`canonopt`, CanonicalABI.md "canonopt Validation"): each
 * given at most once, each allowed only where the definition takes it, with
 * the core signatures `realloc` and `callback` must have, and the options a
 * function type requires for the values it moves through linear memory.
 */
import type { CanonOpt, CanonOptEntry } from '../binary/ast.ts';
import type { FuncType, ValType } from '../types.ts';
import { flattenType, MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, type CallingAbi } from '../abi/layout.ts';
import { at } from './resolve.ts';
import type { ComponentScope } from './component-scope.ts';
import { formatSig, sigEquals } from './core-types.ts';
import { invalid, unsupported } from './failures.ts';

export interface ResolvedOptions {
  /** Core memory index. */
  readonly memory: number | undefined;
  /** Core function index. */
  readonly realloc: number | undefined;
  /** Core function index (lift only). */
  readonly postReturn: number | undefined;
  readonly stringEncoding: 'utf8' | 'utf16' | 'latin1+utf16';
  /** 🔀 the `async` option. */
  readonly async: boolean;
  /** 🔀 core function index of `(callback f)` (lift only, always with `async`). */
  readonly callback: number | undefined;
}

/** The calling convention the options choose (flattening and the runtime differ by it). */
export function callingAbi(o: ResolvedOptions): CallingAbi {
  if (!o.async) return 'sync';
  return o.callback === undefined ? 'async' : 'async-callback';
}

type OptionKind = CanonOpt['kind'];

/**
 * Where options are written, and which of them each place takes. `canon lift`
 * takes every option and `canon lower` all but the lift-only ones; the
 * built-ins take the subsets CanonicalABI.md gives them.
 */
export type OptionsSite =
  | { readonly kind: 'lift' }
  | { readonly kind: 'lower' }
  | { readonly kind: 'builtin'; readonly name: string; readonly allowed: ReadonlySet<OptionKind> };

/** Where the option of `kind` was written (for messages), or where the options begin. */
export function optionOffset(entries: readonly CanonOptEntry[], kind: OptionKind, fallback: number): number {
  return (entries.find((e) => e.opt.kind === kind) ?? entries[0])?.offset ?? fallback;
}

export function resolveOptions(entries: readonly CanonOptEntry[], scope: ComponentScope, site: OptionsSite): ResolvedOptions {
  let memory: number | undefined;
  let realloc: number | undefined;
  let postReturn: number | undefined;
  let stringEncoding: ResolvedOptions['stringEncoding'] | undefined;
  let async = false;
  let callback: number | undefined;
  for (const { opt, offset } of entries) {
    if (site.kind === 'builtin' && !site.allowed.has(opt.kind)) {
      invalid(`cannot specify \`${opt.kind}\` option on \`${site.name}\``, offset);
    }
    switch (opt.kind) {
      case 'string-encoding':
        if (stringEncoding !== undefined) invalid('canonical encoding option conflicts with a previous one', offset);
        stringEncoding = opt.encoding;
        break;
      case 'memory':
        if (memory !== undefined) invalid('`memory` is specified more than once', offset);
        at(scope.coreMemories, opt.index, 'core memory', offset);
        memory = opt.index;
        break;
      case 'realloc':
        if (realloc !== undefined) invalid('`realloc` is specified more than once', offset);
        // realloc(originalPtr, originalSize, alignment, newSize) -> ptr (CanonicalABI.md).
        if (!sigEquals(at(scope.coreFuncs, opt.index, 'core func', offset), { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] })) {
          invalid(`canonical option \`realloc\` uses a core function with an incorrect signature: expected (func (param i32 i32 i32 i32) (result i32)), found ${formatSig(scope.coreFuncs[opt.index]!)}`, offset);
        }
        realloc = opt.index;
        break;
      case 'post-return':
        if (postReturn !== undefined) invalid('`post-return` is specified more than once', offset);
        if (site.kind === 'lower') invalid('canonical option `post-return` cannot be used with lowerings', offset);
        at(scope.coreFuncs, opt.index, 'core func', offset);
        postReturn = opt.index;
        break;
      case 'async':
        if (async) invalid('`async` is specified more than once', offset);
        async = true;
        break;
      case 'callback':
        if (callback !== undefined) invalid('`callback` is specified more than once', offset);
        if (site.kind === 'lower') invalid('canonical option `callback` cannot be used with lowerings', offset);
        // callback(event code, waitable index, payload) -> callback code (CanonicalABI.md `canon lift`).
        if (!sigEquals(at(scope.coreFuncs, opt.index, 'core func', offset), { params: ['i32', 'i32', 'i32'], results: ['i32'] })) {
          invalid(`canonical option \`callback\` uses a core function with an incorrect signature: expected (func (param i32 i32 i32) (result i32)), found ${formatSig(scope.coreFuncs[opt.index]!)}`, offset);
        }
        callback = opt.index;
        break;
      case 'core-type':
        unsupported('the `core-type` canonical option (GC lifting and lowering, 🚝)', offset);
        break;
      case 'gc':
        unsupported('the `gc` canonical option (GC lifting and lowering, 🚝)', offset);
        break;
    }
  }
  const where = entries[0]?.offset ?? 0;
  if (memory !== undefined) {
    const m = scope.coreMemories[memory]!;
    if (m.kind === 'memory' && m.limits.shared) invalid('mismatch in the shared flag for memories: the canonical ABI memory must not be shared', optionOffset(entries, 'memory', where));
    if (m.kind === 'memory' && m.limits.index64) unsupported('a 64-bit canonical ABI memory (🚀 cm64)', optionOffset(entries, 'memory', where));
  }
  // realloc allocates in `memory`: naming one without the other is an error even where neither is needed.
  if (realloc !== undefined && memory === undefined) invalid('canonical option `realloc` requires `memory` to also be specified', optionOffset(entries, 'realloc', where));
  if (callback !== undefined && !async) invalid('cannot specify callback without async', optionOffset(entries, 'callback', where));
  if (async && postReturn !== undefined) invalid('cannot specify post-return function in async', optionOffset(entries, 'post-return', where));
  return { memory, realloc, postReturn, stringEncoding: stringEncoding ?? 'utf8', async, callback };
}

// hasIndirect and checkOptionsFor run for every lifted and lowered function of every
// cold load, mostly unoptimised: loops, not `some`/`reduce`/`map` with a closure and an array per
// call (nor spreads), which cost more than the walk itself there.

/** Whether `t` holds values in linear memory behind a pointer (strings and lists). */
export function hasIndirect(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'list':
      return true;
    case 'record':
      for (const f of t.fields) if (hasIndirect(f.type)) return true;
      return false;
    case 'tuple':
      for (const u of t.types) if (hasIndirect(u)) return true;
      return false;
    case 'variant':
      for (const c of t.cases) if (c.type !== undefined && hasIndirect(c.type)) return true;
      return false;
    case 'option':
      return hasIndirect(t.type);
    case 'result':
      return (t.ok !== undefined && hasIndirect(t.ok)) || (t.err !== undefined && hasIndirect(t.err));
    default:
      // A stream's or future's elements move by their own built-ins, with their own options.
      return false;
  }
}

/**
 * How many flat values `t` takes: the length of definitions.py `flatten_type`, from the ABI's one
 * implementation (abi/layout.ts, memoised per type; canon.ts flattens these types next anyway).
 */
export function flatCount(t: ValType): number {
  return flattenType(t).length;
}

/**
 * The options `canon lift` / `canon lower` of `ft` need (CanonicalABI.md):
 * `memory` wherever values pass through linear memory, `realloc` on the side
 * that receives strings and lists (or spilled lift parameters). How many flat
 * values fit before spilling depends on the calling convention: an async lift
 * hands its result to `task.return` as parameters; an async lower passes at
 * most 4 flat parameters and writes any result to memory.
 */
export function checkOptionsFor(ft: FuncType, o: ResolvedOptions, context: 'lift' | 'lower', off: number): void {
  let paramFlat = 0;
  let paramsIndirect = false;
  for (const p of ft.params) {
    paramFlat += flatCount(p.type);
    if (!paramsIndirect) paramsIndirect = hasIndirect(p.type);
  }
  const result = ft.result;
  const resultFlat = result === undefined ? 0 : flatCount(result);
  const resultIndirect = result !== undefined && hasIndirect(result);
  const maxParams = o.async && context === 'lower' ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS;
  const maxResults = !o.async ? MAX_FLAT_RESULTS : context === 'lift' ? MAX_FLAT_PARAMS : 0;
  const needsMemory = paramsIndirect || resultIndirect || paramFlat > maxParams || resultFlat > maxResults;
  if (needsMemory && o.memory === undefined) invalid('canonical option `memory` is required', off);
  // What this side receives: a lift its parameters, a lower its result.
  const receivedIndirect = context === 'lift' ? paramsIndirect : resultIndirect;
  const needsRealloc = receivedIndirect || (context === 'lift' && paramFlat > MAX_FLAT_PARAMS);
  if (needsRealloc && o.realloc === undefined) invalid('canonical option `realloc` is required', off);
}

/**
 * The options a built-in that copies values of `t` needs: `memory` whenever
 * there are values, `realloc` when the values are received (`lowering` into
 * this component's memory) and hold strings or lists.
 */
export function checkOptionsForValues(t: ValType | undefined, o: ResolvedOptions, receiving: boolean, off: number): void {
  if (t === undefined) return;
  if (o.memory === undefined) invalid('canonical option `memory` is required', off);
  if (receiving && hasIndirect(t) && o.realloc === undefined) invalid('canonical option `realloc` is required', off);
}
