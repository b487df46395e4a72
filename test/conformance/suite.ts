/**
 * Finds the reference tests and runs all of them: the entry point shared by
 * scripts/conformance.ts and conformance.test.ts.
 *
 * The tests live outside the repository, in `../shared/conformance/component-model`
 * relative to the project root (see /work/shared/conformance/README.md).
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeEngine, type EngineDescription } from './engine-features.ts';
import { loadHost, type Host } from './host-adapter.ts';
import { type KnownFailures, readKnownFailures } from './known-failures.ts';
import { type CaseResult, runWastFile } from './runner.ts';

/** The repository root: two levels above this file (test/conformance/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SUITE_DIR = resolve(REPO_ROOT, '..', 'shared', 'conformance', 'component-model');

export const KNOWN_FAILURES_FILE = join(REPO_ROOT, 'test', 'conformance', 'known-failures.txt');

/** Async and concurrency tests are out of scope (and not shipped in the shared folder). */
const EXCLUDED_DIRS: ReadonlySet<string> = new Set(['async', 'concurrency']);

export class SuiteMissingError extends Error {
  constructor(dir: string) {
    super(
      `.wast test scripts not found at ${dir} ` +
        '(the shared suites live next to the repository root: ../shared/conformance/component-model, ../shared/peer-suites/wasm-tools)',
    );
    this.name = 'SuiteMissingError';
  }
}

/** The `.wast` files, as paths relative to the suite folder with `/` separators, sorted. */
export function listWastFiles(dir = SUITE_DIR, excluded: ReadonlySet<string> = EXCLUDED_DIRS): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SuiteMissingError(dir);
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!excluded.has(entry.name)) walk(p);
      } else if (entry.name.endsWith('.wast')) {
        out.push(relative(dir, p).split(sep).join('/'));
      }
    }
  };
  walk(dir);
  if (out.length === 0) throw new SuiteMissingError(dir);
  return out.sort();
}

export function readWast(file: string, dir = SUITE_DIR): string {
  return readFileSync(join(dir, file), 'utf8');
}

export interface FileReport {
  readonly file: string;
  readonly cases: readonly CaseResult[];
}

export interface SuiteReport {
  /** The engine the cases ran on: which known failures apply depends on its features. */
  readonly engine: EngineDescription;
  readonly files: readonly FileReport[];
  readonly known: KnownFailures;
}

/** Runs every script (or those whose path contains one of `filters`) against the host. */
export async function runSuite(options: { filters?: readonly string[]; host?: Host } = {}): Promise<SuiteReport> {
  const host = options.host ?? (await loadHost());
  const filters = options.filters ?? [];
  const files = listWastFiles().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  const reports: FileReport[] = [];
  for (const file of files) reports.push({ file, cases: await runWastFile(host, file, readWast(file)) });
  return { engine: describeEngine(), files: reports, known: readKnownFailures(KNOWN_FAILURES_FILE) };
}
