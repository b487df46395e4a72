/**
 * The ABI's comparison of value types at run time (definitions.py compares
 * them with `==`, dataclass equality): structural, resource types by
 * identity. Used where a stream or future end must carry the element type a
 * built-in or a lift names (`trap_if(e.shared.t != t)`), across components
 * whose type objects differ.
 */
import type { ValType } from '../types.ts';

export function sameValType(a: ValType | undefined, b: ValType | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'own':
    case 'borrow':
      return a.resource === (b as typeof a).resource;
    case 'list':
      return sameValType(a.element, (b as typeof a).element);
    case 'option':
      return sameValType(a.type, (b as typeof a).type);
    case 'stream':
    case 'future':
      return sameValType(a.element, (b as typeof a).element);
    case 'result': {
      const r = b as typeof a;
      return sameValType(a.ok, r.ok) && sameValType(a.err, r.err);
    }
    case 'tuple': {
      const ts = (b as typeof a).types;
      return a.types.length === ts.length && a.types.every((t, i) => sameValType(t, ts[i]));
    }
    case 'record': {
      const fs = (b as typeof a).fields;
      return a.fields.length === fs.length && a.fields.every((f, i) => f.name === fs[i]!.name && sameValType(f.type, fs[i]!.type));
    }
    case 'variant': {
      const cs = (b as typeof a).cases;
      return a.cases.length === cs.length && a.cases.every((c, i) => c.name === cs[i]!.name && sameValType(c.type, cs[i]!.type));
    }
    case 'enum':
    case 'flags': {
      const ls = (b as typeof a).labels;
      return a.labels.length === ls.length && a.labels.every((l, i) => l === ls[i]);
    }
    default:
      return true;
  }
}
