/**
 * The keys `plugin.exports` answers to besides each export's exact name, so
 * host code keeps working when a plugin's interface version moves within
 * what `expect` accepts (docs/abi.md §6.1). For an exported interface
 * `ns:pkg/name@1.2.3`:
 *
 * - the unversioned name `ns:pkg/name`;
 * - the short name jco gives it: the interface label in lowerCamelCase
 *   (`kv`, `myStore`);
 * - with an expectation, the reference's exact name (`…@0.1.0` still reaches
 *   the `…@0.1.1` that passed the check).
 *
 * A key that an exact export already uses (a world-level function `kv`, say)
 * stays that export. A key two interfaces would share (two versions of one
 * interface, two packages' interfaces with one label) names neither: reading
 * it throws AmbiguousExportError listing both. jco instead gives such a short
 * name to whichever export sorts first; a host should not call into a
 * different interface than it thinks because of a name's spelling.
 *
 * Only the rule lives here (pure data), so the in-process Plugin, the worker
 * proxy and the declaration generator (host/bindings) agree on it.
 */
import { AmbiguousExportError } from '../errors.ts';
import { parseExternName, unversionedName } from '../validate/names.ts';
import { camel } from './js-names.ts';

/** What an extra key of the exports object stands for. Plain data: it crosses to a worker's host side. */
export type ExportKey =
  | { readonly kind: 'alias'; readonly target: string }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] };

/** The jco short name of an interface name (`ns:pkg/my-store@1.0.0` → `myStore`), or undefined for other names. */
export function shortInterfaceName(name: string): string | undefined {
  const parsed = parseExternName(name);
  if (typeof parsed === 'string' || parsed.kind !== 'interface') return undefined;
  const base = unversionedName(name);
  return camel(base.slice(base.lastIndexOf('/') + 1));
}

/**
 * The extra keys for a component's exported interfaces (`interfaces`, their
 * exact names). `taken`: the keys the exports object already has, which
 * always win. `expected`: the exported interface names of the reference the
 * plugin was checked against, if any.
 */
export function exportKeys(
  interfaces: readonly string[],
  taken: ReadonlySet<string>,
  expected: readonly string[] = [],
): Map<string, ExportKey> {
  const candidates = new Map<string, string[]>();
  const offer = (key: string | undefined, target: string): void => {
    if (key === undefined || key === target || taken.has(key)) return;
    const list = candidates.get(key);
    if (list === undefined) candidates.set(key, [target]);
    else if (!list.includes(target)) list.push(target);
  };
  for (const name of interfaces) {
    offer(unversionedName(name), name);
    offer(shortInterfaceName(name), name);
  }
  // A reference name reaches the interface with its unversioned name: the one the expectation check compared it with.
  for (const name of expected) {
    if (interfaces.includes(name)) continue;
    for (const found of interfaces) if (unversionedName(found) === unversionedName(name)) offer(name, found);
  }
  const keys = new Map<string, ExportKey>();
  for (const [key, targets] of candidates) {
    keys.set(key, targets.length === 1 ? { kind: 'alias', target: targets[0]! } : { kind: 'ambiguous', candidates: [...targets].sort() });
  }
  return keys;
}

/**
 * Adds `keys` to an exports object as non-enumerable properties, so spreading
 * or listing the exports shows each export once, under its exact name. An
 * alias holds the same object as its target; an ambiguous key throws when read.
 */
export function defineExportKeys(exports: Record<string, unknown>, keys: ReadonlyMap<string, ExportKey>, pluginName: string): void {
  for (const [key, meaning] of keys) {
    if (meaning.kind === 'alias') {
      Object.defineProperty(exports, key, { value: exports[meaning.target], enumerable: false, writable: false, configurable: true });
    } else {
      Object.defineProperty(exports, key, {
        get(): never {
          throw new AmbiguousExportError(pluginName, key, meaning.candidates);
        },
        enumerable: false,
        configurable: true,
      });
    }
  }
}
