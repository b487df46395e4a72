/**
 * `known-failures.txt`: cases expected to fail for now, one `file:line reason`
 * per line (`#` starts a comment line). A listed case that fails is "known";
 * a listed case that passes is "fixed" and reported so the list shrinks; an
 * unlisted failure is "new" and fails the run.
 */

import { existsSync, readFileSync } from 'node:fs';
import type { CaseResult } from './runner.ts';

export type KnownFailures = ReadonlyMap<string, string>;

export class KnownFailuresFormatError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'KnownFailuresFormatError';
  }
}

export function parseKnownFailures(text: string, file = 'known-failures.txt'): KnownFailures {
  const out = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+\.wast:\d+(?:#\d+)?)\s+(\S.*)$/.exec(line);
    if (m === null) throw new KnownFailuresFormatError(file, i + 1, `expected "path/file.wast:line reason", found ${JSON.stringify(line)}`);
    if (out.has(m[1]!)) throw new KnownFailuresFormatError(file, i + 1, `${m[1]} is listed twice`);
    out.set(m[1]!, m[2]!);
  });
  return out;
}

/** A missing file means no known failures. */
export function readKnownFailures(path: string): KnownFailures {
  return existsSync(path) ? parseKnownFailures(readFileSync(path, 'utf8'), path) : new Map();
}

export type Classification = 'passed' | 'skipped' | 'new-failure' | 'known-failure' | 'fixed';

export function classify(c: CaseResult, known: KnownFailures): Classification {
  const listed = known.has(c.id);
  switch (c.status) {
    case 'passed':
      return listed ? 'fixed' : 'passed';
    case 'skipped':
      return 'skipped';
    case 'failed':
      return listed ? 'known-failure' : 'new-failure';
  }
}

/** Entries whose case no longer exists or is now skipped: they should be removed too. */
export function staleEntries(known: KnownFailures, cases: readonly CaseResult[], files: readonly string[]): string[] {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return [...known.keys()].filter((id) => {
    // Entries for files that were not run (a filtered run) are not judged.
    if (!files.some((f) => id.startsWith(`${f}:`))) return false;
    const c = byId.get(id);
    return c === undefined || c.status === 'skipped';
  });
}

/** The list as it should read for these results: every failing case with its reason on one line. */
export function formatKnownFailures(cases: readonly CaseResult[]): string {
  const entries = cases.filter((c) => c.status === 'failed').map((c) => `${c.id} ${compactReason(c.detail)}`);
  return [...HEADER, ...entries].join('\n') + '\n';
}

const HEADER = [
  '# Conformance cases expected to fail for now: `file:line reason`, one per line.',
  '# A listed case that passes is reported as FIXED: delete its line.',
  '# Regenerate after checking the new failures are understood:',
  '#   node --import tsx scripts/conformance.ts --write-known-failures > test/conformance/known-failures.txt',
];

const MAX_REASON = 220;

/** One line, without byte offsets and engine prefixes that change with every host edit. */
function compactReason(detail: string): string {
  const s = detail
    .replace(/\s+/g, ' ')
    .replace(/ \(at byte offset \d+\)/g, '')
    .replace(/ @\+\d+/g, '')
    .replace(/WebAssembly\.Module\(\): /g, '')
    .trim();
  return s.length <= MAX_REASON ? s : `${s.slice(0, MAX_REASON - 3)}...`;
}
