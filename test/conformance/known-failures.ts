/**
 * `known-failures.txt`: cases expected to fail for now, one `file:line reason`
 * per line (`#` starts a comment line). A case that fails only because the
 * JavaScript engine lacks a feature says so first: `file:line [needs exnref] reason`;
 * it is expected to fail only on an engine without that feature and must pass
 * on one that has it (engine-features.ts finds out which). The opposite, a case
 * that fails only because of how an engine's feature behaves (V8's JSPI
 * suspending on every call, for instance), says `[with jspi]`: expected to fail
 * only where the engine has the feature, and must pass where it has not.
 *
 * A case expected to fail that fails is "known"; one that passes is "fixed" and
 * reported so the list shrinks; any other failure is "new" and fails the run.
 */

import { existsSync, readFileSync } from 'node:fs';
import { ENGINE_FEATURES, isEngineFeature, type EngineFeature } from './engine-features.ts';
import type { CaseResult } from './runner.ts';

/**
 * One listed case, by the engines it is expected to fail on:
 * - `everywhere`: on every engine (a plain `file:line reason` line);
 * - `needs`: only on an engine without `feature` (`[needs FEATURE]`); it must pass on one with it;
 * - `with`: only on an engine with `feature` (`[with FEATURE]`, how that feature behaves); it must pass without it.
 */
export type KnownFailure =
  | { readonly kind: 'everywhere'; readonly reason: string }
  | { readonly kind: 'needs'; readonly feature: EngineFeature; readonly reason: string }
  | { readonly kind: 'with'; readonly feature: EngineFeature; readonly reason: string };

export type KnownFailures = ReadonlyMap<string, KnownFailure>;

export class KnownFailuresFormatError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'KnownFailuresFormatError';
  }
}

export function parseKnownFailures(text: string, file = 'known-failures.txt'): KnownFailures {
  const out = new Map<string, KnownFailure>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+\.wast:\d+(?:#\d+)?)\s+(?:\[(needs|with) ([^\]]*)\]\s+)?(\S.*)$/.exec(line);
    if (m === null) throw new KnownFailuresFormatError(file, i + 1, `expected "path/file.wast:line [needs feature] reason", found ${JSON.stringify(line)}`);
    const [, id, tag, feature, reason] = m as unknown as [string, string, 'needs' | 'with' | undefined, string | undefined, string];
    if (out.has(id)) throw new KnownFailuresFormatError(file, i + 1, `${id} is listed twice`);
    if (feature !== undefined && !isEngineFeature(feature)) {
      throw new KnownFailuresFormatError(file, i + 1, `unknown engine feature ${JSON.stringify(feature)} (known: ${ENGINE_FEATURES.join(', ')})`);
    }
    out.set(id, tag === undefined ? { kind: 'everywhere', reason } : { kind: tag, feature: feature as EngineFeature, reason });
  });
  return out;
}

/** A missing file means no known failures. */
export function readKnownFailures(path: string): KnownFailures {
  return existsSync(path) ? parseKnownFailures(readFileSync(path, 'utf8'), path) : new Map();
}

export type Classification = 'passed' | 'skipped' | 'new-failure' | 'known-failure' | 'fixed';

/** Whether an engine with `features` is expected to fail this entry's case (else it must pass there). */
function expectedOn(entry: KnownFailure, features: ReadonlySet<EngineFeature>): boolean {
  switch (entry.kind) {
    case 'everywhere':
      return true;
    case 'needs':
      return !features.has(entry.feature);
    case 'with':
      return features.has(entry.feature);
  }
}

/** Why this case is expected to fail on an engine with `features`, or undefined when it must pass there. */
export function expectedFailure(id: string, known: KnownFailures, features: ReadonlySet<EngineFeature>): KnownFailure | undefined {
  const entry = known.get(id);
  return entry !== undefined && expectedOn(entry, features) ? entry : undefined;
}

export function classify(c: CaseResult, known: KnownFailures, features: ReadonlySet<EngineFeature>): Classification {
  const expected = expectedFailure(c.id, known, features) !== undefined;
  switch (c.status) {
    case 'passed':
      return expected ? 'fixed' : 'passed';
    case 'skipped':
      return 'skipped';
    case 'failed':
      return expected ? 'known-failure' : 'new-failure';
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

/**
 * The list as it should read for these results on an engine with `features`:
 * every failing case on one line (an entry already on the list keeps its
 * `[needs]` and reason), plus the entries for features this engine has, which
 * it cannot judge and so keeps as they are. In the list's order, new ones last.
 */
export function formatKnownFailures(cases: readonly CaseResult[], previous: KnownFailures, features: ReadonlySet<EngineFeature>): string {
  const failing = new Map(cases.filter((c) => c.status === 'failed').map((c) => [c.id, c]));
  const lines: string[] = [];
  for (const [id, entry] of previous) {
    // An entry this engine is not expected to fail says nothing about the engines that are.
    const unjudgedHere = !expectedOn(entry, features);
    const keptUnjudged = unjudgedHere && cases.some((c) => c.id === id && c.status !== 'skipped');
    if (failing.has(id) || keptUnjudged) lines.push(formatEntry(id, entry));
  }
  for (const [id, c] of failing) {
    if (!previous.has(id)) lines.push(formatEntry(id, { kind: 'everywhere', reason: compactReason(c.detail) }));
  }
  return [...HEADER, ...lines].join('\n') + '\n';
}

function formatEntry(id: string, entry: KnownFailure): string {
  const tag = entry.kind === 'everywhere' ? '' : `[${entry.kind} ${entry.feature}] `;
  return `${id} ${tag}${entry.reason}`;
}

const HEADER = [
  '# Conformance cases expected to fail for now: `file:line reason`, one per line.',
  '# `file:line [needs FEATURE] reason`: fails only on an engine without FEATURE (exnref, multi-memory, jspi:',
  '# test/conformance/engine-features.ts probes for them) and must pass on an engine with it.',
  '# `file:line [with FEATURE] reason`: fails only on an engine with FEATURE (how its JSPI behaves) and must pass without it.',
  '# A listed case that passes where it is expected to fail is reported as FIXED: delete its line.',
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
