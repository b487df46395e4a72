/**
 * Core wasm glue that keeps JSPI from suspending when nothing blocks.
 *
 * V8 suspends the calling wasm stack on *every* call of a
 * `WebAssembly.Suspending` import, even when the JS function returns a plain
 * value, and a `WebAssembly.promising` export always answers with a Promise.
 * A built-in that may block but usually does not (`waitable-set.wait` with an
 * event already there, a synchronous stream copy the other end completes at
 * once) would then end its thread's turn in a later microtask every time:
 * an async-lowered call of such a callee reports STARTED where the callee
 * had in fact returned (big-interleaving-test.wast expects RETURNED), and
 * every such call pays a stack switch.
 *
 * So the two JSPI seams go through tiny generated modules:
 * - `suspendingWhenBlocked(f, sig)`: an import whose wasm wrapper calls `f`
 *   as a plain import and only when `f` answered with a Promise calls a
 *   `Suspending` import that hands the engine that Promise;
 * - `promisingEntry(core, sig)`: an export whose wasm wrapper reports the
 *   result to JS before returning it, so a call that finished without
 *   suspending gives its result at once, and only one that suspended gives
 *   `Suspended` (its Promise).
 * Signatures have at most one result: flattened canonical signatures return
 * more through memory (definitions.py `MAX_FLAT_RESULTS`).
 */
import type { CoreValType } from './layout.ts';
import { promising, suspending } from './jspi.ts';

/** A core signature as the glue needs it. */
export interface GlueSig {
  readonly params: readonly CoreValType[];
  readonly results: readonly CoreValType[];
}

/** A call entered through JSPI that suspended: its result (or trap) comes through `result`. */
export class Suspended {
  constructor(readonly result: Promise<unknown>) {}
}

type AnyFn = (...args: never[]) => unknown;

/**
 * A core import that may block: `f` returns its value, or a Promise of it
 * when it must wait; the calling wasm suspends only then.
 */
export function suspendingWhenBlocked(f: AnyFn, sig: GlueSig): unknown {
  const result = singleResult(sig);
  const zero = result === undefined ? undefined : ZERO[result];
  let stashed: Promise<unknown> | undefined;
  const fast = (...args: never[]): unknown => {
    const r = f(...args);
    if (!(r instanceof Promise)) return r;
    stashed = r;
    return zero;
  };
  const pending = (): number => (stashed === undefined ? 0 : 1);
  const slow = (): Promise<unknown> => {
    const p = stashed!;
    stashed = undefined;
    return p;
  };
  return instantiateGlue('import', sig, { fast, pending, slow: suspending(slow) });
}

/**
 * A core export entered so that the imports it calls may suspend it: a call
 * returns the export's result when it did not suspend, else `Suspended`.
 */
export function promisingEntry(core: AnyFn, sig: GlueSig): (...args: unknown[]) => unknown {
  singleResult(sig);
  // The result of the call in progress; a nested call (through another instance) saves and restores it.
  let reported: { value: unknown } | undefined;
  const done = (value?: unknown): void => {
    reported = { value };
  };
  const entry = promising(instantiateGlue('entry', sig, { core, done }) as AnyFn);
  return (...args: unknown[]): unknown => {
    const outer = reported;
    reported = undefined;
    let p: Promise<unknown>;
    try {
      p = entry(...args);
    } catch (e) {
      reported = outer;
      throw e;
    }
    // Set by `done` when the call returned without suspending.
    const got = reported as { value: unknown } | undefined;
    reported = outer;
    return got === undefined ? new Suspended(p) : got.value;
  };
}

// ---- the generated modules ----

const ZERO: Record<CoreValType, unknown> = { i32: 0, i64: 0n, f32: 0, f64: 0 };

function singleResult(sig: GlueSig): CoreValType | undefined {
  if (sig.results.length > 1) throw new Error(`JSPI glue: a core signature with ${sig.results.length} results (flattened signatures have at most one)`);
  return sig.results[0];
}

const modules = new Map<string, WebAssembly.Module>();

function instantiateGlue(kind: 'import' | 'entry', sig: GlueSig, fns: Record<string, unknown>): unknown {
  const key = `${kind}:${sig.params.join(',')}->${sig.results.join(',')}`;
  let mod = modules.get(key);
  if (mod === undefined) {
    mod = new WebAssembly.Module(kind === 'import' ? importGlue(sig) : entryGlue(sig));
    modules.set(key, mod);
  }
  return new WebAssembly.Instance(mod, { '': fns as WebAssembly.ModuleImports }).exports.f;
}

const VALTYPE: Record<CoreValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };
const op = { call: 0x10, localGet: 0x20, localSet: 0x21, if: 0x04, else: 0x05, end: 0x0b, emptyBlock: 0x40 } as const;

/**
 * (func (export "f") (param P) (result R)
 *   (local.set $r (call $fast (local.get 0) ...))
 *   (if (result R) (call $pending) (then (call $slow)) (else (local.get $r))))
 */
function importGlue(sig: GlueSig): Uint8Array<ArrayBuffer> {
  const r = sig.results[0];
  const n = sig.params.length;
  const body = callWithParams(n, 0);
  if (r !== undefined) body.push(op.localSet, ...uleb(n));
  body.push(op.call, 1, op.if, r === undefined ? op.emptyBlock : VALTYPE[r], op.call, 2);
  if (r !== undefined) body.push(op.else, op.localGet, ...uleb(n));
  body.push(op.end, op.end);
  return glueModule(
    [funcType(sig.params, sig.results), funcType([], ['i32']), funcType([], sig.results)],
    [['fast', 0], ['pending', 1], ['slow', 2]],
    0,
    r,
    body,
  );
}

/**
 * (func (export "f") (param P) (result R)
 *   (local.set $r (call $core (local.get 0) ...))
 *   (call $done (local.get $r))
 *   (local.get $r))
 */
function entryGlue(sig: GlueSig): Uint8Array<ArrayBuffer> {
  const r = sig.results[0];
  const n = sig.params.length;
  const body = callWithParams(n, 0);
  if (r === undefined) {
    body.push(op.call, 1);
  } else {
    body.push(op.localSet, ...uleb(n), op.localGet, ...uleb(n), op.call, 1, op.localGet, ...uleb(n));
  }
  body.push(op.end);
  return glueModule([funcType(sig.params, sig.results), funcType(sig.results, [])], [['core', 0], ['done', 1]], 0, r, body);
}

/** `(call $f (local.get 0) ... (local.get n-1))`: passes the wrapper's parameters on. */
function callWithParams(n: number, f: number): number[] {
  const code: number[] = [];
  for (let i = 0; i < n; i++) code.push(op.localGet, ...uleb(i));
  code.push(op.call, f);
  return code;
}

function funcType(params: readonly CoreValType[], results: readonly CoreValType[]): number[] {
  return [0x60, ...vec(params.map((t) => [VALTYPE[t]])), ...vec(results.map((t) => [VALTYPE[t]]))];
}

/** A module with these types, function imports (from module ""), and one function of type `funcTypeIndex` exported as "f". */
function glueModule(types: number[][], imports: [string, number][], funcTypeIndex: number, local: CoreValType | undefined, body: number[]): Uint8Array<ArrayBuffer> {
  const locals = local === undefined ? vec([]) : vec([[1, VALTYPE[local]]]);
  const code = [...locals, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports.map(([name, type]) => [...name_(''), ...name_(name), 0x00, ...uleb(type)]))),
    ...section(3, vec([uleb(funcTypeIndex)])),
    ...section(7, vec([[...name_('f'), 0x00, ...uleb(imports.length)]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name_(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
