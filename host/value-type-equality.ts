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
      // Loops, not `every` with an arrow: validation's cold loads call this after each full GC, and an
      // arrow made per call loses its optimised code with the closure (V8 holds it weakly), so V8 optimised
      // these callbacks again at every load.
      const af = a.fields;
      const bf = (b as typeof a).fields;
      if (af.length !== bf.length) return false;
      for (let i = 0; i < af.length; i++) if (af[i]!.name !== bf[i]!.name || !valTypeEquals(af[i]!.type, bf[i]!.type, step)) return false;
      return true;
    }
    case 'tuple': {
      const at = a.types;
      const bt = (b as typeof a).types;
      if (at.length !== bt.length) return false;
      for (let i = 0; i < at.length; i++) if (!valTypeEquals(at[i]!, bt[i]!, step)) return false;
      return true;
    }
    case 'variant': {
      const ac = a.cases;
      const bc = (b as typeof a).cases;
      if (ac.length !== bc.length) return false;
      for (let i = 0; i < ac.length; i++) if (ac[i]!.name !== bc[i]!.name || !optionalValTypeEquals(ac[i]!.type, bc[i]!.type, step)) return false;
      return true;
    }
    case 'enum':
    case 'flags': {
      const al = a.labels;
      const bl = (b as typeof a).labels;
      if (al.length !== bl.length) return false;
      for (let i = 0; i < al.length; i++) if (al[i] !== bl[i]) return false;
      return true;
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
