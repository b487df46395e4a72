/**
 * Equality of value types, the one implementation validation (type matching,
 * `canon task.return`) and the ABI (definitions.py's run-time `e.shared.t != t`
 * of stream and future ends, dataclass equality) share: structural, resources by
 * identity, a 🗺️ map never equal to the list of pairs that represents it
 * (definitions.py has a `MapType` of its own). It sits beside `types.ts`, below
 * both layers, because neither may import the other.
 */
import type { ValType } from './types.ts';

/**
 * 🗺️ `map<K, V>` values are represented as their despecialization
 * `list<tuple<K, V>>` (CanonicalABI.md "Despecialization"), so the Canonical
 * ABI handles them unchanged; the list objects that stand for a map are kept
 * here so that type equality still tells a map from a list of pairs.
 */
export const mapTypes = new WeakSet<ValType>();

/**
 * Whether `a` and `b` are the same value type. `step`, when given, is called
 * once per pair of distinct type objects compared: validation counts its work
 * with it (host/validate/work.ts); the run time passes nothing.
 */
export function valTypeEquals(a: ValType, b: ValType, step?: () => void): boolean {
  if (a === b) return true;
  step?.();
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'own':
    case 'borrow':
      return a.resource === (b as typeof a).resource;
    case 'list':
      return mapTypes.has(a) === mapTypes.has(b) && valTypeEquals(a.element, (b as typeof a).element, step);
    case 'record': {
      const bf = (b as typeof a).fields;
      return a.fields.length === bf.length && a.fields.every((f, i) => f.name === bf[i]!.name && valTypeEquals(f.type, bf[i]!.type, step));
    }
    case 'tuple': {
      const bt = (b as typeof a).types;
      return a.types.length === bt.length && a.types.every((t, i) => valTypeEquals(t, bt[i]!, step));
    }
    case 'variant': {
      const bc = (b as typeof a).cases;
      return a.cases.length === bc.length && a.cases.every((c, i) => c.name === bc[i]!.name && optionalValTypeEquals(c.type, bc[i]!.type, step));
    }
    case 'enum':
    case 'flags': {
      const bl = (b as typeof a).labels;
      return a.labels.length === bl.length && a.labels.every((l, i) => l === bl[i]);
    }
    case 'option':
      return valTypeEquals(a.type, (b as typeof a).type, step);
    case 'result': {
      const br = b as typeof a;
      return optionalValTypeEquals(a.ok, br.ok, step) && optionalValTypeEquals(a.err, br.err, step);
    }
    case 'stream':
    case 'future':
      return optionalValTypeEquals(a.element, (b as typeof a).element, step);
    default:
      return true;
  }
}

/** `valTypeEquals` where either side may be absent (a variant case, a result side, a stream or future element): equal only if both are. */
export function optionalValTypeEquals(a: ValType | undefined, b: ValType | undefined, step?: () => void): boolean {
  return a === undefined || b === undefined ? a === b : valTypeEquals(a, b, step);
}
