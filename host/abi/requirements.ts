/** Static checks a compiled lift/lower needs from its canonical options. */
import { LoadError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import { flattenType, flattenTypes } from './layout.ts';
import { shapeSource } from '../shape-sources.ts';
import { type CanonOptions, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './options.ts';

/** Whether `t` contains a value of kind `kind` anywhere (definitions.py `contains`). */
export function contains(t: ValType | undefined, kind: ValType['kind']): boolean {
  if (t === undefined) return false;
  if (t.kind === kind) return true;
  switch (t.kind) {
    case 'list':
      return contains(t.element, kind);
    case 'record':
      return t.fields.some((f) => contains(f.type, kind));
    case 'tuple':
      return t.types.some((u) => contains(u, kind));
    case 'variant':
      return t.cases.some((c) => contains(c.type, kind));
    case 'option':
      return contains(t.type, kind);
    case 'result':
      return contains(t.ok, kind) || contains(t.err, kind);
    default:
      return false;
  }
}

/**
 * The spec's validation that `memory` is present when the signature moves
 * strings, lists or spilled values (Explainer.md canonical options). The
 * validator is expected to have checked this already; this is the backstop.
 */
export function requireMemory(ft: FuncType, opts: CanonOptions, context: 'lift' | 'lower'): void {
  if (usesMemory(ft) && opts.memory === undefined) {
    throw new LoadError('invalid', `canon ${context}: the function type needs the memory option (it passes strings, lists or spilled values)`);
  }
}

/**
 * Whether a call of type `ft` moves anything through memory, once per type
 * object: a cached component's function types are the same objects at every
 * instantiation. One that mentions resources is made anew per instance, by
 * replacing resource identities only, which changes nothing read here: it is
 * memoised on the type it was made from (shape-sources.ts).
 */
export function usesMemory(ft: FuncType): boolean {
  const key = shapeSource(ft);
  let uses = memoryUse.get(key);
  if (uses === undefined) {
    const params = ft.params.map((p) => p.type);
    uses =
      params.some((t) => contains(t, 'string') || contains(t, 'list')) ||
      contains(ft.result, 'string') ||
      contains(ft.result, 'list') ||
      flattenTypes(params).length > MAX_FLAT_PARAMS ||
      (ft.result !== undefined && flattenType(ft.result).length > MAX_FLAT_RESULTS);
    memoryUse.set(key, uses);
  }
  return uses;
}

const memoryUse = new WeakMap<FuncType, boolean>();
