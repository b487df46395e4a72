/**
 * `known-differences.txt`: where the host's verdict on a peer script differs
 * from wasm-tools' and why, one entry per line with its reason:
 *
 *   path/file.wast:line reason     one case
 *   path/file.wast reason          every differing case of that script
 *
 * Only a `difference` (the host refuses what wasm-tools accepts) can be
 * listed. A false accept is never excused, and an entry that no longer
 * matches a differing case is stale: both fail the run, so the list stays true.
 */

import { existsSync, readFileSync } from 'node:fs';
import type { PeerCase } from './runner.ts';

export interface KnownDifferences {
  readonly cases: ReadonlyMap<string, string>;
  readonly scripts: ReadonlyMap<string, string>;
}

export class KnownDifferencesFormatError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'KnownDifferencesFormatError';
  }
}

export function parseKnownDifferences(text: string, file = 'known-differences.txt'): KnownDifferences {
  const cases = new Map<string, string>();
  const scripts = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+\.wast)(:\d+(?:#\d+)?)?\s+(\S.*)$/.exec(line);
    if (m === null) throw new KnownDifferencesFormatError(file, i + 1, `expected "path/file.wast[:line] reason", found ${JSON.stringify(line)}`);
    const target = m[2] === undefined ? scripts : cases;
    const key = m[1]! + (m[2] ?? '');
    if (target.has(key)) throw new KnownDifferencesFormatError(file, i + 1, `${key} is listed twice`);
    target.set(key, m[3]!);
  });
  return { cases, scripts };
}

/** A missing file means no known differences. */
export function readKnownDifferences(path: string): KnownDifferences {
  return existsSync(path) ? parseKnownDifferences(readFileSync(path, 'utf8'), path) : { cases: new Map(), scripts: new Map() };
}

const scriptOf = (id: string): string => id.replace(/:\d+(#\d+)?$/, '');

/** The listed reason for a case, by its own entry or its script's. */
export function reasonFor(known: KnownDifferences, id: string): string | undefined {
  return known.cases.get(id) ?? known.scripts.get(scriptOf(id));
}

/** Problems with the list itself: entries that excuse a false accept, or that match no differing case of a script that ran. */
export function listProblems(known: KnownDifferences, cases: readonly PeerCase[], scriptsRun: readonly string[]): string[] {
  const problems: string[] = [];
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const id of known.cases.keys()) {
    if (!scriptsRun.includes(scriptOf(id))) continue;
    const c = byId.get(id);
    if (c === undefined) problems.push(`${id}: listed, but the script has no such case`);
    else if (c.status === 'false-accept') problems.push(`${id}: listed, but a false accept cannot be a known difference`);
    else if (c.status !== 'difference') problems.push(`${id}: listed, but the case is ${c.status} now; remove the entry`);
  }
  for (const script of known.scripts.keys()) {
    if (!scriptsRun.includes(script)) continue;
    if (!cases.some((c) => scriptOf(c.id) === script && c.status === 'difference')) {
      problems.push(`${script}: listed as a whole script, but none of its cases differs now; remove the entry`);
    }
  }
  return problems;
}
