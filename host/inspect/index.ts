/**
 * Reading a component back into WIT, its lifetime table, its imports,
 * exports and sizes, without running it. Browser-safe.
 */
export { inspectComponent, readComponent, type Inspection, type InspectOptions, type Lifetimes, type ExportItem, type ReadComponent } from './inspect.ts';
export { formatInspection, formatLifetimes, formatSizes, lifetimeSummary } from './format.ts';
export { describeComponent, splitInterfaceName } from './model.ts';
export type {
  ComponentModel,
  InterfaceModel,
  WorldModel,
  WorldItem,
  TypeItem,
  ValueTypeItem,
  ResourceItem,
  FunctionItem,
  FunctionRole,
  UseItem,
  TypeNames,
  Direction,
} from './model.ts';
export { printWit, witType, witFunc, witIdent, type WitNames } from './wit.ts';
export { describeProvider, importProvider, type ImportItem, type ImportProvider } from './capabilities.ts';
export type { Sizes, CustomSectionSize } from './sizes.ts';
