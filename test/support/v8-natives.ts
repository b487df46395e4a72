/**
 * V8's natives the GC scripts run by natives-child.ts read (the process
 * must run with --expose-gc --allow-natives-syntax: this module throws on
 * import otherwise, so a script run any other way fails at once).
 */
const exposed = (globalThis as { gc?: () => void }).gc;
if (exposed === undefined) throw new Error('run with node --expose-gc --allow-natives-syntax');

/** A full GC (`--expose-gc`'s `gc()`). */
export const gc: () => void = exposed;

const native = (body: string) => new Function('f', body) as (f: unknown) => unknown;
const status = native('return %GetOptimizationStatus(f);') as (f: unknown) => number;
/** `%PrepareFunctionForOptimization(f)`: V8 keeps `f`'s feedback, so it can be optimised on demand. */
export const prepareForOptimization = native('%PrepareFunctionForOptimization(f);') as (f: unknown) => void;
/** `%OptimizeFunctionOnNextCall(f)`: TurboFan compiles `f` at its next call. */
export const optimizeOnNextCall = native('%OptimizeFunctionOnNextCall(f);') as (f: unknown) => void;
/** Whether `v` is a small integer (V8's Smi), not a heap number. */
export const isSmi = native('return %IsSmi(f);') as (v: unknown) => boolean;
/** Whether `a` and `b` have the same hidden class. */
export const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: unknown, b: unknown) => boolean;

/** V8's OptimizationStatus::kOptimized (src/runtime/runtime.h). */
const OPTIMIZED = 1 << 4;

/** Whether `f` runs optimised code now. */
export function isOptimised(f: unknown): boolean {
  return (status(f) & OPTIMIZED) !== 0;
}
