/**
 * The validation rule of CanonicalABI.md "Element Size": every defined value
 * type must have `elem_size(t) < 2^28`, computed with 64-bit pointers (so
 * strings and lists take 16 bytes) so that the limit holds on every host.
 * Only fixed-length lists (🔧) can make a type that large, so sizes are
 * only computed for types that contain one.
 */
import type { ValType } from '../types.ts';

export interface Layout {
  readonly size: number;
  readonly align: number;
}

/** `2^28`: no value type may be this large or larger. */
export const MAX_VALUE_SIZE = 2 ** 28;

const POINTER_PAIR: Layout = { size: 16, align: 8 };

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function recordLayout(fields: readonly Layout[]): Layout {
  let size = 0;
  let align = 1;
  for (const f of fields) {
    size = alignTo(size, f.align) + f.size;
    align = Math.max(align, f.align);
  }
  return { size: alignTo(size, align), align };
}

function discriminantSize(n: number): number {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

/** A variant-like type with `cases.length` cases; `undefined` is a case without payload. */
export function variantLayout(cases: readonly (Layout | undefined)[]): Layout {
  const disc = discriminantSize(cases.length);
  let align = disc;
  let payload = 0;
  for (const c of cases) {
    if (c === undefined) continue;
    align = Math.max(align, c.align);
    payload = Math.max(payload, c.size);
  }
  return { size: alignTo(alignTo(disc, align) + payload, align), align };
}

export function fixedListLayout(element: Layout, length: number): Layout {
  return { size: element.size * length, align: element.align };
}

/** `list<T>`, `string` and `map<K, V>` are a pointer and a length. */
export function pointerPairLayout(): Layout {
  return POINTER_PAIR;
}

export function layoutOf(t: ValType): Layout {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return { size: 1, align: 1 };
    case 's16':
    case 'u16':
      return { size: 2, align: 2 };
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'own':
    case 'borrow':
      return { size: 4, align: 4 };
    case 's64':
    case 'u64':
    case 'f64':
      return { size: 8, align: 8 };
    case 'string':
    case 'list':
      return POINTER_PAIR;
    case 'record':
      return recordLayout(t.fields.map((f) => layoutOf(f.type)));
    case 'tuple':
      return recordLayout(t.types.map(layoutOf));
    case 'variant':
      return variantLayout(t.cases.map((c) => (c.type === undefined ? undefined : layoutOf(c.type))));
    case 'enum':
      return variantLayout(t.labels.map(() => undefined));
    case 'option':
      return variantLayout([undefined, layoutOf(t.type)]);
    case 'result':
      return variantLayout([t.ok === undefined ? undefined : layoutOf(t.ok), t.err === undefined ? undefined : layoutOf(t.err)]);
    case 'flags': {
      const n = t.labels.length;
      const size = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      return { size, align: size };
    }
  }
}
