/**
 * Finds the peer validation scripts and runs them: the entry point shared by
 * scripts/peer-suites.ts and peer-suites.test.ts.
 *
 * The scripts live outside the repository, in `../shared/peer-suites/wasm-tools`
 * relative to the project root (see /work/shared/peer-suites/README.md).
 */

import { join } from 'node:path';
import { listWastFiles, readWast, REPO_ROOT } from '../conformance/suite.ts';
import { readRunLine, type RunLine } from './features.ts';
import { readKnownDifferences, type KnownDifferences } from './known-differences.ts';
import { runPeerScript, validateWithHost, type PeerCase, type Validate } from './runner.ts';

export const PEER_SUITE_DIR = join(REPO_ROOT, '..', 'shared', 'peer-suites', 'wasm-tools', 'tests', 'cli', 'component-model');

export const KNOWN_DIFFERENCES_FILE = join(REPO_ROOT, 'test', 'peer-suites', 'known-differences.txt');

export interface PeerScriptReport {
  readonly file: string;
  readonly run: RunLine;
  readonly cases: readonly PeerCase[];
}

export interface PeerSuiteReport {
  readonly scripts: readonly PeerScriptReport[];
  readonly known: KnownDifferences;
}

/** Which scripts to run: all, or by path substring; and whether lenient-index scripts are included. */
export interface PeerSuiteOptions {
  readonly filters?: readonly string[];
  readonly validate?: Validate;
  /**
   * The text parser reads `WAST_STRICT_COMPONENT_INDICES` once per process,
   * so a process runs either the strict scripts or the lenient ones.
   */
  readonly indices: 'strict' | 'lenient';
}

export function listPeerScripts(): { file: string; source: string; run: RunLine }[] {
  return listWastFiles(PEER_SUITE_DIR, new Set()).map((file) => {
    const source = readWast(file, PEER_SUITE_DIR);
    return { file, source, run: readRunLine(source, file) };
  });
}

export async function runPeerSuite(options: PeerSuiteOptions): Promise<PeerSuiteReport> {
  const filters = options.filters ?? [];
  const validate = options.validate ?? validateWithHost;
  const scripts: PeerScriptReport[] = [];
  for (const { file, source, run } of listPeerScripts()) {
    if (filters.length > 0 && !filters.some((f) => file.includes(f))) continue;
    if (run.lenientIndices !== (options.indices === 'lenient')) continue;
    scripts.push({ file, run, cases: await runPeerScript(validate, file, source, run.features) });
  }
  return { scripts, known: readKnownDifferences(KNOWN_DIFFERENCES_FILE) };
}
