import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BorrowError } from '../../host/errors.ts';
import { BorrowTracker, type HandleAccess, type TrackedHandle } from '../../host/rdylib/borrow-tracker.ts';

const handle = (label: string): TrackedHandle => ({ label });

describe('BorrowTracker', () => {
  it('allows shared use while shared dependents live, refuses exclusive use, names the dependents', () => {
    const t = new BorrowTracker();
    const store = handle('kv/store#1');
    const iter1 = handle('kv/iter#2');
    const iter2 = handle('kv/iter#3');
    t.lend(iter1, [{ parent: store, mode: 'shared' }]);
    t.lend(iter2, [{ parent: store, mode: 'shared' }]);
    expect(() => t.checkCall('get', [{ handle: store, access: 'shared', role: 'self' }])).not.toThrow();
    expect(() => t.checkCall('put', [{ handle: store, access: 'exclusive', role: 'self' }])).toThrow(
      /cannot borrow mutably kv\/store#1 \(self of `put`\): it is borrowed by kv\/iter#2 \(shared\), kv\/iter#3 \(shared\)/,
    );
    t.release(iter1);
    expect(() => t.checkCall('put', [{ handle: store, access: 'exclusive', role: 'self' }])).toThrow(/kv\/iter#3/);
    t.release(iter2);
    expect(() => t.checkCall('put', [{ handle: store, access: 'exclusive', role: 'self' }])).not.toThrow();
    expect(t.isFree(store)).toBe(true);
  });

  it('refuses every use of an exclusively borrowed handle until its guard is dropped', () => {
    const t = new BorrowTracker();
    const store = handle('kv/store#1');
    const guard = handle('kv/guard#2');
    t.lend(guard, [{ parent: store, mode: 'exclusive' }]);
    for (const access of ['shared', 'exclusive', 'consume'] as const) {
      expect(() => t.checkCall('get', [{ handle: store, access, role: 'self' }])).toThrow(BorrowError);
    }
    // The guard itself is usable: it holds the borrow.
    expect(() => t.checkCall('set', [{ handle: guard, access: 'exclusive', role: 'self' }])).not.toThrow();
    t.release(guard);
    expect(() => t.checkCall('get', [{ handle: store, access: 'shared', role: 'self' }])).not.toThrow();
  });

  it('refuses to drop a parent with live dependents, and says which', () => {
    const t = new BorrowTracker();
    const store = handle('kv/store#1');
    const iter = handle('kv/iter#2');
    t.lend(iter, [{ parent: store, mode: 'shared' }]);
    expect(() => t.checkDrop(store)).toThrow(/cannot drop kv\/store#1: it is still borrowed by kv\/iter#2 \(shared\)/);
    expect(() => t.checkDrop(iter)).not.toThrow();
    t.release(iter);
    expect(() => t.checkDrop(store)).not.toThrow();
  });

  it('refuses one handle passed exclusively and again in the same call', () => {
    const t = new BorrowTracker();
    const a = handle('r#1');
    expect(() =>
      t.checkCall('merge', [
        { handle: a, access: 'exclusive', role: 'self' },
        { handle: a, access: 'shared', role: 'other' },
      ]),
    ).toThrow(/as self \(exclusive\) and as other \(shared\)/);
    expect(() =>
      t.checkCall('compare', [
        { handle: a, access: 'shared', role: 'self' },
        { handle: a, access: 'shared', role: 'other' },
      ]),
    ).not.toThrow();
  });

  it('a dependent may borrow several parents, and releasing it frees all of them', () => {
    const t = new BorrowTracker();
    const left = handle('l#1');
    const right = handle('r#2');
    const zip = handle('zip#3');
    t.lend(zip, [
      { parent: left, mode: 'shared' },
      { parent: right, mode: 'exclusive' },
    ]);
    expect(() => t.checkCall('get', [{ handle: left, access: 'shared', role: 'self' }])).not.toThrow();
    expect(() => t.checkCall('get', [{ handle: right, access: 'shared', role: 'self' }])).toThrow(/zip#3 \(exclusive\)/);
    t.release(zip);
    expect(t.isFree(left) && t.isFree(right) && t.isFree(zip)).toBe(true);
  });

  it('agrees with a model of the rules on random sequences (property)', () => {
    type Op =
      | { op: 'lend'; child: number; parent: number; mode: 'shared' | 'exclusive' }
      | { op: 'release'; child: number }
      | { op: 'use'; target: number; access: HandleAccess };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('lend' as const), child: fc.nat(5), parent: fc.nat(5), mode: fc.constantFrom('shared' as const, 'exclusive' as const) }),
      fc.record({ op: fc.constant('release' as const), child: fc.nat(5) }),
      fc.record({ op: fc.constant('use' as const), target: fc.nat(5), access: fc.constantFrom<HandleAccess>('shared', 'exclusive', 'consume') }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const handles = Array.from({ length: 6 }, (_, i) => handle(`h#${i}`));
        const t = new BorrowTracker();
        // Model: a list of live (child, parent, mode) loans.
        let loans: { child: number; parent: number; mode: 'shared' | 'exclusive' }[] = [];
        for (const o of ops) {
          if (o.op === 'lend') {
            if (o.child === o.parent) continue;
            t.lend(handles[o.child]!, [{ parent: handles[o.parent]!, mode: o.mode }]);
            loans.push({ child: o.child, parent: o.parent, mode: o.mode });
          } else if (o.op === 'release') {
            t.release(handles[o.child]!);
            loans = loans.filter((l) => l.child !== o.child);
          } else {
            const on = loans.filter((l) => l.parent === o.target);
            const allowed = o.access === 'shared' ? on.every((l) => l.mode === 'shared') : on.length === 0;
            const call = () => t.checkCall('f', [{ handle: handles[o.target]!, access: o.access, role: 'self' }]);
            if (allowed) expect(call).not.toThrow();
            else expect(call).toThrow(BorrowError);
          }
        }
      }),
    );
  });
});
