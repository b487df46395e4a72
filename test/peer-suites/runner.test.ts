/**
 * The peer runner's verdicts against a scripted host, so its rules are
 * checked whatever the real host does: what counts as passed, a difference
 * or a false accept for each command and feature set; the RUN line reader;
 * and the known-differences list's own checks.
 */
import { describe, expect, it } from 'vitest';
import { readRunLine } from './features.ts';
import { listProblems, parseKnownDifferences, reasonFor } from './known-differences.ts';
import { runPeerScript, type HostVerdict, type PeerCase } from './runner.ts';

const accept: HostVerdict = { accepted: true };
const refuse = (kind: 'invalid' | 'malformed' | 'unsupported'): HostVerdict => ({ accepted: false, kind, message: `refused as ${kind}` });

/** Hands out verdicts in order; every component the runner validates takes one. */
function scripted(verdicts: HostVerdict[]) {
  return (bytes: Uint8Array): HostVerdict => {
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    const v = verdicts.shift();
    if (v === undefined) throw new Error('unscripted validation');
    return v;
  };
}

const statuses = (cs: PeerCase[]): string[] => cs.map((c) => `${c.id.replace(/^t\.wast:/, '')} ${c.status}`);

describe('peer runner', () => {
  const script = ['(component)', '(component definition $D)', '(assert_invalid (component) "x")', '(assert_malformed (component quote "(oops") "x")', '(assert_return (invoke "f"))'].join('\n');

  it('with default features: accepted components pass, refused ones differ, accepted invalid ones are false accepts', async () => {
    const r = await runPeerScript(scripted([accept, refuse('unsupported'), accept]), 't.wast', script, { kind: 'default' });
    expect(statuses(r)).toEqual(['1 passed', '2 difference', '3 false-accept', '4 passed', '5 skipped']);
    expect(r[1]!.detail).toBe('valid with default features, refused as unsupported: refused as unsupported');
  });

  it('with features wasm-tools leaves off: unsupported is a pass, invalid a difference; refusals of any kind pass', async () => {
    const r = await runPeerScript(scripted([refuse('unsupported'), refuse('invalid'), refuse('malformed')]), 't.wast', script, { kind: 'extended', added: ['cm-values'] });
    expect(statuses(r)).toEqual(['1 passed', '2 difference', '3 passed', '4 passed', '5 skipped']);
    expect(r[1]!.detail).toMatch(/^valid with cm-values, refused as invalid/);
  });

  it('with default features switched off: refusals say nothing about the defaults and are skipped', async () => {
    const r = await runPeerScript(scripted([accept, accept]), 't.wast', script, { kind: 'reduced', removed: ['exceptions'] });
    expect(statuses(r)).toEqual(['1 passed', '2 passed', '3 skipped', '4 skipped', '5 skipped']);
  });

  it('an accepted component wasm-tools refuses only for a feature gate the host implements is a difference; any other gate is a false accept', async () => {
    const gated = [
      '(assert_invalid (component) "requires the component model more async builtins feature")',
      '(assert_invalid (component) "requires the component model 64-bit feature")',
    ].join('\n');
    const r = await runPeerScript(scripted([accept, accept]), 't.wast', gated, { kind: 'default' });
    expect(statuses(r)).toEqual(['1 difference', '2 false-accept']);
    expect(r[0]!.detail).toMatch(/^accepted: wasm-tools gates it behind cm-more-async-builtins/);
  });

  it('skips assertions about core modules', async () => {
    const r = await runPeerScript(scripted([]), 't.wast', '(assert_malformed (module binary "\\00asm\\01\\00\\00\\00\\01\\01\\00\\01\\01\\00") "out of order")', { kind: 'default' });
    expect(statuses(r)).toEqual(['1 skipped']);
  });
});

describe('RUN lines', () => {
  it('reads added, default and removed features and the lenient index mode', () => {
    expect(readRunLine(';; RUN: wast --assert default --snapshot tests/snapshots %\n', 'a').features).toEqual({ kind: 'default' });
    expect(readRunLine(';; RUN: wast % -f gc,cm-gc', 'a').features).toEqual({ kind: 'extended', added: ['cm-gc'] });
    expect(readRunLine(';; RUN: wast % -f cm-async', 'a').features).toEqual({ kind: 'default' });
    expect(readRunLine(';; RUN: wast --features=-exceptions %', 'a').features).toEqual({ kind: 'reduced', removed: ['exceptions'] });
    expect(readRunLine(';; RUN[lenient]: WAST_STRICT_COMPONENT_INDICES=0 wast % -f cm-threading', 'a')).toEqual({ features: { kind: 'extended', added: ['cm-threading'] }, lenientIndices: true });
    expect(() => readRunLine('(component)', 'a.wast')).toThrow(/no `;; RUN:` line/);
  });
});

describe('known differences', () => {
  const known = parseKnownDifferences('# comment\na.wast:3 one case\nb.wast whole script\n');
  const c = (id: string, status: PeerCase['status']): PeerCase => ({ id, kind: 'component', status, detail: '' });

  it('finds a reason by case, then by script', () => {
    expect(reasonFor(known, 'a.wast:3')).toBe('one case');
    expect(reasonFor(known, 'a.wast:4')).toBeUndefined();
    expect(reasonFor(known, 'b.wast:9#2')).toBe('whole script');
  });

  it('reports entries that excuse a false accept, match nothing, or name a script with no difference', () => {
    expect(listProblems(known, [c('a.wast:3', 'difference'), c('b.wast:1', 'difference')], ['a.wast', 'b.wast'])).toEqual([]);
    expect(listProblems(known, [c('a.wast:3', 'false-accept'), c('b.wast:1', 'passed')], ['a.wast', 'b.wast'])).toEqual([
      'a.wast:3: listed, but a false accept cannot be a known difference',
      'b.wast: listed as a whole script, but none of its cases differs now; remove the entry',
    ]);
    expect(listProblems(known, [c('a.wast:3', 'passed')], ['a.wast'])).toEqual(['a.wast:3: listed, but the case is passed now; remove the entry']);
  });

  it('refuses malformed and duplicate lines', () => {
    expect(() => parseKnownDifferences('a.wast:3\n')).toThrow(/expected "path\/file.wast\[:line\] reason"/);
    expect(() => parseKnownDifferences('a.wast:3 x\na.wast:3 y\n')).toThrow(/listed twice/);
  });
});
