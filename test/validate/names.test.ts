import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalName, UniqueNames } from '../../host/validate/names.ts';

/** Explainer.md "Name Uniqueness", written out without canonicalName's shortcut for names that are not annotated. */
function referenceCanonical(s: string): string {
  const lower = s.toLowerCase();
  const m = /^\[(method|static)\]([^.]*)\.(.*)$/.exec(lower);
  if (m !== null) return m[2] === m[3] ? m[2]! : `${m[2]}.${m[3]}`;
  if (lower.startsWith('[constructor]')) return lower;
  const ann = /^\[[^\]]*\](.*)$/.exec(lower);
  return ann !== null ? ann[1]! : lower;
}

describe('canonicalName (strong uniqueness)', () => {
  it('strips annotations as the spec says and leaves plain names lowercased', () => {
    expect(canonicalName('[method]R.M')).toBe('r.m');
    expect(canonicalName('[static]r.r')).toBe('r');
    expect(canonicalName('[constructor]R')).toBe('[constructor]r');
    expect(canonicalName('[async]F')).toBe('f');
    expect(canonicalName('Plain-Name')).toBe('plain-name');
    expect(canonicalName('')).toBe('');
    // A name that only looks annotated after lowercasing still starts with '['.
    expect(canonicalName('[METHOD]a.b')).toBe('a.b');
  });

  it('agrees with the spec rule on any string, bracketed or not', () => {
    const annotated = fc.tuple(fc.constantFrom('[method]', '[static]', '[constructor]', '[async]', '[', '[]', 'x[', ''), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(annotated, ([prefix, rest]) => canonicalName(prefix + rest) === referenceCanonical(prefix + rest)));
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => canonicalName(s) === referenceCanonical(s)));
  });

  it('UniqueNames reports plain and annotated conflicts', () => {
    const names = new UniqueNames();
    expect(names.add('a')).toBeUndefined();
    expect(names.add('A')).toBe('a');
    expect(names.add('[method]r.b')).toBeUndefined();
    expect(names.add('r.b')).toBe('[method]r.b');
  });
});
