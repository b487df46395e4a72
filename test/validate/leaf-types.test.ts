import { describe, expect, it } from 'vitest';
import { isLeafType, type ValType } from '../../host/types.ts';
import { valTypeSize } from '../../host/validate/type-size.ts';
import { AbstractResource, containsBorrow, containsHandles } from '../../host/validate/type-space.ts';

// The walks over types answer a leaf without their memo tables (types.ts isLeafType). These check that
// the kinds called leaves are exactly those with no member type and no resource, and that the
// answers given for them are the walks' own.
const r = new AbstractResource('r');
const u8: ValType = { kind: 'u8' };
const own: ValType = { kind: 'own', resource: r };
const borrow: ValType = { kind: 'borrow', resource: r };

/** One type of every kind, members holding a borrow where a kind has members. */
const ONE_OF_EACH: readonly ValType[] = [
  ...(['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string', 'error-context'] as const).map((kind) => ({ kind })),
  { kind: 'enum', labels: ['a'] },
  { kind: 'flags', labels: ['a'] },
  { kind: 'list', element: borrow },
  { kind: 'record', fields: [{ name: 'a', type: borrow }] },
  { kind: 'tuple', types: [borrow] },
  { kind: 'variant', cases: [{ name: 'a', type: borrow }] },
  { kind: 'option', type: borrow },
  { kind: 'result', ok: undefined, err: borrow },
  own,
  borrow,
  { kind: 'stream', element: borrow },
  { kind: 'future', element: borrow },
];

/** Written out from the type's shape alone: a member type or a resource makes it no leaf. */
function hasMembersOrResource(t: ValType): boolean {
  return ['element', 'fields', 'types', 'cases', 'type', 'ok', 'err', 'resource'].some((k) => k in t);
}

describe('leaf value types', () => {
  it('are exactly the kinds with no member type and no resource', () => {
    for (const t of ONE_OF_EACH) expect(isLeafType(t), t.kind).toBe(!hasMembersOrResource(t));
  });

  it('give the walks the answers a walk gives: size 1, no handle, no borrow', () => {
    for (const t of ONE_OF_EACH.filter(isLeafType)) {
      expect(valTypeSize(t), t.kind).toBe(1);
      expect(containsHandles(t), t.kind).toBe(false);
      expect(containsBorrow(t), t.kind).toBe(false);
    }
  });

  it('do not stop the walks at a type that has members', () => {
    for (const t of ONE_OF_EACH.filter((t) => !isLeafType(t))) {
      expect(containsHandles(t), t.kind).toBe(true);
      expect(containsBorrow(t), t.kind).toBe(t.kind !== 'own');
      expect(valTypeSize(t), t.kind).toBe(t.kind === 'own' || t.kind === 'borrow' ? 1 : 2);
    }
    expect(valTypeSize({ kind: 'record', fields: [{ name: 'a', type: u8 }, { name: 'b', type: { kind: 'list', element: u8 } }] })).toBe(4);
  });
});
