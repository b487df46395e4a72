/**
 * Each column's own copy of a workload module (the cases of micro, kv and
 * callbacks), so that no column runs code another column has shaped.
 *
 * V8 keeps type feedback and optimised code per function literal: every
 * closure one literal makes shares them. A workload written once (kv's
 * `putAll`, `iterate`, each case's op) and handed every column's API is then
 * polymorphic in every column, and when a full GC collects one column's
 * object maps (the bench forces one before each batch), the code compiled
 * against them is deoptimised for all columns. A module imported under a new
 * URL query is a new instance whose functions are new literals (Node's loader
 * and Vite's key a module by its whole URL), so each column imports its own.
 */
import { pathToFileURL } from 'node:url';
import { repoPath } from './paths.ts';
import type { Column } from './suite.ts';

/** The modules imported once per column, by name under bench/; compile.ts bundles each on its own. */
export const WORKLOAD_MODULES = ['micro/cases', 'kv/cases', 'callbacks/cases'] as const;
export type WorkloadModule = (typeof WORKLOAD_MODULES)[number];

/** Where compile.ts writes the bundle of workload module `name` (the bench proper is bundled into run.mjs, without them). */
export function compiledWorkloadPath(name: WorkloadModule): string {
  return repoPath('build', 'bench', 'workloads', `${name}.mjs`);
}

/** From the sources (tests under tsx or vitest) or compiled (`npm run bench`, build/bench/run.mjs). */
const COMPILED = !import.meta.url.endsWith('.ts');

/** Column `column`'s own instance of workload module `name` (the same instance for every later import by that column). */
export async function columnCopy<M>(name: WorkloadModule, column: Column): Promise<M> {
  const url = pathToFileURL(COMPILED ? compiledWorkloadPath(name) : repoPath('bench', `${name}.ts`));
  url.search = `column=${column}`;
  return (await import(url.href)) as M;
}
