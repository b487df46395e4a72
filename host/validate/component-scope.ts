/**
 * The index spaces of a concrete component while it is validated: the
 * type-level spaces of `TypeScope` plus the core ones that only concrete
 * components have.
 */
import type { CoreFuncSig, CoreItemType } from '../binary/core-module.ts';
import type { ResourceTypeRef } from '../types.ts';
import type { TypeScope } from './resolve.ts';

export interface ComponentScope extends TypeScope {
  /** The core index spaces, each item with its core type (signatures are checked by canon and instantiation). */
  readonly coreFuncs: CoreFuncSig[];
  readonly coreTables: CoreItemType[];
  readonly coreMemories: CoreItemType[];
  readonly coreGlobals: CoreItemType[];
  readonly coreTags: CoreItemType[];
  readonly coreInstances: ReadonlyMap<string, CoreItemType>[];
  /** Resources defined (not imported) here: `resource.new` and `resource.rep` need one. */
  readonly localResources: Set<ResourceTypeRef>;
}
