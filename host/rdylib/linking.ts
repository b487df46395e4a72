/**
 * Runtime linking of plugins: an interface one plugin imports (the consumer
 * example imports `rdylib-guest:shapes/shape@0.1.0`) served by another
 * plugin that exports it (shapes).
 *
 * The check is the expectation check with the roles set by the link: the
 * importer's import (its types and the import side of its rdylib:abi
 * section) is what it expects; the exporter's export (types and export
 * side of its section) is what it guarantees. Additions on the exporter's
 * side are fine; anything the importer calls must be there with the same
 * types and no more demanding lifetimes.
 */
import { LoadError } from '../errors.ts';
import type { RuntimeItem } from '../runtime/instantiate.ts';
import type { ExternDesc } from '../validate/type-space.ts';
import { unversionedName, versionOf } from '../validate/names.ts';
import { checkCompatible, versionProblem, type AbiSurface } from './compat.ts';

/** What a plugin offers to link against. */
export interface LinkProvider {
  readonly name: string;
  readonly exportNames: readonly string[];
  linkExport(name: string): { item: RuntimeItem; surface: AbiSurface } | undefined;
}

/** The importer's view of import `name`, turned into an export so compat.ts compares like with like. */
function importerExpectation(name: string, desc: ExternDesc, importer: AbiSurface): AbiSurface {
  const abi = importer.abi && {
    ...importer.abi,
    interfaces: importer.abi.interfaces.filter((i) => i.name === name && i.direction === 'import').map((i) => ({ ...i, direction: 'export' as const })),
  };
  return { type: { imports: new Map(), exports: new Map([[name, desc]]) }, abi, source: `${importer.source} (import \`${name}\`)` };
}

/**
 * Finds a provider exporting `name` (exactly, or a semver-compatible
 * version), checks it, and returns the runtime item to instantiate with.
 * Returns undefined when no linked plugin exports the interface.
 * Throws AbiMismatchError when the provider does not give what the importer expects.
 */
export function linkedImport(
  name: string,
  desc: ExternDesc,
  importer: AbiSurface,
  providers: readonly LinkProvider[],
  unchecked: boolean,
): { item: RuntimeItem; provider: LinkProvider } | undefined {
  const provider =
    providers.find((p) => p.exportNames.includes(name)) ??
    providers.find((p) => p.exportNames.some((n) => unversionedName(n) === unversionedName(name) && versionProblem(versionOf(name), versionOf(n)) === undefined));
  if (provider === undefined) return undefined;
  const exportName = provider.exportNames.includes(name) ? name : provider.exportNames.find((n) => unversionedName(n) === unversionedName(name))!;
  const offered = provider.linkExport(exportName);
  if (offered === undefined) throw new LoadError('unlinkable', `import \`${name}\`: ${provider.name} was unloaded`);
  const expected = importerExpectation(name, desc, importer);
  const found: AbiSurface = {
    type: { imports: new Map(), exports: new Map([[name, offered.surface.type.exports.get(exportName)!]]) },
    abi: offered.surface.abi && {
      ...offered.surface.abi,
      interfaces: offered.surface.abi.interfaces.filter((i) => i.name === exportName && i.direction === 'export').map((i) => ({ ...i, name })),
    },
    source: `${provider.name} (export \`${exportName}\`)`,
  };
  checkCompatible(unchecked && found.abi === undefined ? { ...expected, abi: undefined } : expected, found);
  return { item: offered.item, provider };
}
