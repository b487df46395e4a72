/**
 * The micro section: one call of each value shape into the WAT bench guest
 * (guest.ts), through our host, as raw core wasm with hand-written glue, and
 * through jco's bindings, and for every row also the checked floor
 * (floors/micro.ts).
 */
import { columnCopy } from '../column-copy.ts';
import { transpileToDir } from '../jco.ts';
import { oursHost } from '../ours.ts';
import { repoPath } from '../paths.ts';
import type { Section } from '../suite.ts';
import { coveringOnly, syncSection } from '../sync-section.ts';
import { instantiateMicroFloor, MICRO_FLOOR_CASES, type MicroFloor } from '../floors/micro.ts';
import type { BenchApi } from './api.ts';
import type * as MicroCases from './cases.ts';
import { buildBenchGuest } from './guest.ts';
import { compileRaw, instantiateRaw } from './raw.ts';

const JCO_DIR = repoPath('build', 'bench', 'jco', 'micro');

/** How each column makes the bench API (shared with bench.test.ts). */
export const MICRO_IMPLEMENTATIONS = {
  raw: async () => instantiateRaw(await compileRaw(await buildBenchGuest())),
  ours: async () => oursHost.api(await oursHost.load((await buildBenchGuest()).component)),
  jco: async () => transpileToDir((await buildBenchGuest()).component, JCO_DIR),
} satisfies Record<string, () => Promise<BenchApi>>;

/** The checked floor's column: only the rows it covers (shared with the floors' tests). */
export const MICRO_CHECKED_FLOOR = {
  cases: MICRO_FLOOR_CASES,
  make: async (): Promise<MicroFloor> => instantiateMicroFloor(await compileRaw(await buildBenchGuest())),
};

export const microSection: Section = syncSection({
  id: 'micro',
  title: 'micro: one call per value shape (WAT bench guest)',
  implementations: { ...MICRO_IMPLEMENTATIONS, checked: async () => coveringOnly<BenchApi>(await MICRO_CHECKED_FLOOR.make()) },
  partial: { checked: MICRO_CHECKED_FLOOR.cases },
  cases: async (column) => (await columnCopy<typeof MicroCases>('micro/cases', column)).CALL_CASES,
});
