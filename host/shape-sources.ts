/**
 * Which function type another was made from by replacing resource identities only (validation's
 * type-space.ts `substFuncType` with no value types and no type entries to replace: instantiation's
 * substitutions). Such a type differs from its source only in the resources its handles name, so a
 * fact about its shape alone (abi/requirements.ts `usesMemory`; runtime/async-values.ts: no stream
 * or future) can be memoised on the source, which a component in the compile cache keeps: a function
 * type that mentions resources is made anew at every instantiation. It sits beside `types.ts`, below
 * validation and the ABI, because neither may import the other.
 */
import type { FuncType } from './types.ts';

const sources = new WeakMap<FuncType, FuncType>();

/** Records that `made` was made from `from` by replacing resource identities only. */
export function madeByResourceSubstitution(made: FuncType, from: FuncType): void {
  sources.set(made, shapeSource(from));
}

/** The type `f` was made from by replacing resource identities only (the first of a chain); else `f` itself. */
export function shapeSource(f: FuncType): FuncType {
  return sources.get(f) ?? f;
}
