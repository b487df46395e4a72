/**
 * The validation rule of CanonicalABI.md "Element Size": every defined value
 * type must have `elem_size(t) < 2^28`, computed with 64-bit pointers (so
 * strings and lists take 16 bytes) so that the limit holds on every host.
 * Only fixed-length lists (🔧) can make a type that large, so sizes are
 * only computed for types that contain one. The layout arithmetic itself is
 * the ABI's (host/abi/layout.ts), run with 8-byte pointers.
 */
import type { ValType } from '../types.ts';
import { layoutOf, pointerPairLayout, type Layout, type PointerSize } from '../abi/layout.ts';

/** `2^28`: no value type may be this large or larger. */
export const MAX_VALUE_SIZE = 2 ** 28;

/** Validation sizes types as a 64-bit host would lay them out. */
const VALIDATION_POINTER_SIZE: PointerSize = 8;

/** The layout of `t` that the size limit applies to. */
export function validationLayout(t: ValType): Layout {
  return layoutOf(t, VALIDATION_POINTER_SIZE);
}

/** `list<T>`, `string` and `map<K, V>` as validation sizes them. */
export function validationPointerPairLayout(): Layout {
  return pointerPairLayout(VALIDATION_POINTER_SIZE);
}
