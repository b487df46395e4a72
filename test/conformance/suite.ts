/**
 * Finds the reference tests and runs all of them: the entry point shared by
 * scripts/conformance.ts and conformance.test.ts.
 *
 * The tests live outside the repository (see /work/shared/conformance/README.md),
 * relative to the project root: `../shared/conformance/component-model` (the
 * upstream `test/` folder) and `../shared/conformance/component-model-async`
 * (upstream `test/async/`). A script's id is its upstream path below `test/`:
 * `values/strings.wast`, `async/cancel-stream.wast`.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeEngine, type EngineDescription } from './engine-features.ts';
import { loadHost, type Host } from './host-adapter.ts';
import { type KnownFailures, readKnownFailures } from './known-failures.ts';
import { type CaseResult, type CaseStarted, runWastFile } from './runner.ts';

/** The repository root: two levels above this file (test/conformance/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SUITE_DIR = resolve(REPO_ROOT, '..', 'shared', 'conformance', 'component-model');

export const ASYNC_SUITE_DIR = resolve(REPO_ROOT, '..', 'shared', 'conformance', 'component-model-async');

/** The async scripts' ids start with this (upstream keeps them in `test/async/`). */
export const ASYNC_PREFIX = 'async/';

export const KNOWN_FAILURES_FILE = join(REPO_ROOT, 'test', 'conformance', 'known-failures.txt');

/** Upstream's async and concurrency folders are shipped separately (ASYNC_SUITE_DIR), not inside SUITE_DIR. */
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

/** Every reference script's id (see above), sorted. */
export function listReferenceScripts(): string[] {
  return [...listWastFiles(), ...listWastFiles(ASYNC_SUITE_DIR, new Set()).map((f) => ASYNC_PREFIX + f)].sort();
}

/** The text of the reference script with this id. */
export function readReferenceScript(id: string): string {
  return id.startsWith(ASYNC_PREFIX) ? readWast(id.slice(ASYNC_PREFIX.length), ASYNC_SUITE_DIR) : readWast(id);
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

/**
 * Runs every script (or those whose path contains one of `filters`) against
 * the host; `started` is told each case's id before it runs.
 */
export async function runSuite(options: { filters?: readonly string[]; host?: Host; started?: CaseStarted } = {}): Promise<SuiteReport> {
  const host = options.host ?? (await loadHost());
  const filters = options.filters ?? [];
  const files = listReferenceScripts().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  const reports: FileReport[] = [];
  for (const file of files) reports.push({ file, cases: await runWastFile(host, file, readReferenceScript(file), options.started) });
  return { engine: describeEngine(), files: reports, known: readKnownFailures(KNOWN_FAILURES_FILE) };
}
