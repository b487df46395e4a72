/**
 * The kv section: the kv example plugin (Rust, built by `npm run build:guests`)
 * through our host, through its core module with hand-written glue (raw), and
 * through jco's bindings, with a JS `Map` as the JS floor; for store
 * create+drop also the checked floor (floors/kv.ts).
 */
import { columnCopy } from '../column-copy.ts';
import { readGuest, repoPath } from '../paths.ts';
import { instantiateTranspiled } from '../jco.ts';
import { exportedInterface, loadPlugin } from '../ours.ts';
import type { Section } from '../suite.ts';
import { coveringOnly, syncSection } from '../sync-section.ts';
import { instantiateKvFloor, KV_FLOOR_CASES, type KvFloor } from '../floors/kv.ts';
import { asKvApi, KV_INTERFACE, type KvApi } from './api.ts';
import type * as KvCases from './cases.ts';
import { mapFloor } from './map-floor.ts';
import { instantiateRawKv, kvCoreModule } from './raw.ts';

const JCO_DIR = repoPath('build', 'bench', 'jco', 'kv');

/** How each column makes the kv API (shared with bench.test.ts). */
export const KV_IMPLEMENTATIONS = {
  raw: async () => instantiateRawKv(kvCoreModule(readGuest('kv'))),
  ours: async () => asKvApi(exportedInterface(await loadPlugin(readGuest('kv'), { name: 'kv' }), KV_INTERFACE), 'our host'),
  jco: async () => asKvApi((await instantiateTranspiled(readGuest('kv'), { name: 'kv', outDir: JCO_DIR }))[KV_INTERFACE], 'jco bindings'),
  floor: async () => mapFloor,
} satisfies Record<string, () => Promise<KvApi>>;

/** The checked floor's column: only the rows it covers (shared with bench.test.ts). */
export const KV_CHECKED_FLOOR = {
  cases: KV_FLOOR_CASES,
  make: async (): Promise<KvFloor> => instantiateKvFloor(kvCoreModule(readGuest('kv'))),
};

export const kvSection: Section = syncSection({
  id: 'kv',
  title: 'kv workloads (the Rust kv example)',
  implementations: { ...KV_IMPLEMENTATIONS, checked: async () => coveringOnly<KvApi>(await KV_CHECKED_FLOOR.make()) },
  partial: { checked: KV_CHECKED_FLOOR.cases },
  cases: async (column) => (await columnCopy<typeof KvCases>('kv/cases', column)).KV_CASES,
});
