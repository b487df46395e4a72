export { validateComponent, type ValidatedComponent, type DefInfo, type ResolvedOptions } from './validate.ts';
export type { TypeEntry, ExternDesc, InstanceType, ComponentType, CoreModuleType } from './type-space.ts';
export { AbstractResource } from './type-space.ts';
