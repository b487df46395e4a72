import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BorrowError } from '../../host/errors.ts';
import {
  checkDrop,
  checkUses,
  endCall,
  HandleRecord,
  lend,
  lendToCall,
  release,
  type HandleAccess,
  type HandleUse,
} from '../../host/runtime/ownership.ts';

const OWNER = {};
let nextRep = 1;
const record = (resource: string, id: number): HandleRecord => new HandleRecord(id, resource);
/** One use of `r` in a call; records of one test are distinct resources (distinct reps). */
const reps = new WeakMap<HandleRecord, number>();
const use = (r: HandleRecord, access: HandleAccess, role = 'self'): HandleUse => {
  let rep = reps.get(r);
  if (rep === undefined) reps.set(r, (rep = nextRep++));
  return { owner: OWNER, rep, record: r, resource: r.resource, access, role, via: undefined };
};

describe('ownership records', () => {
  it('allow shared use while shared dependents live, refuse exclusive use, and name the dependents', () => {
    const store = record('store', 1);
    const iter1 = record('iter', 2);
    const iter2 = record('iter', 3);
    lend(iter1, [{ parent: store, mode: 'shared' }]);
    lend(iter2, [{ parent: store, mode: 'shared' }]);
    expect(() => checkUses('get', [use(store, 'shared')])).not.toThrow();
    expect(() => checkUses('put', [use(store, 'exclusive')])).toThrow(
      /cannot borrow mutably store #1 \(self of `put`\): it is borrowed by iter #2 \(shared\), iter #3 \(shared\)/,
    );
    release(iter1);
    expect(() => checkUses('put', [use(store, 'exclusive')])).toThrow(/iter #3/);
    release(iter2);
    expect(() => checkUses('put', [use(store, 'exclusive')])).not.toThrow();
    expect(store.loans).toEqual([]);
  });

  it('refuse every use of an exclusively borrowed handle until its guard is gone; the guard itself is usable', () => {
    const store = record('store', 1);
    const guard = record('guard', 2);
    lend(guard, [{ parent: store, mode: 'exclusive' }]);
    for (const access of ['shared', 'exclusive', 'consume'] as const) {
      expect(() => checkUses('get', [use(store, access)])).toThrow(BorrowError);
    }
    expect(() => checkUses('set', [use(guard, 'exclusive')])).not.toThrow();
    release(guard);
    expect(() => checkUses('get', [use(store, 'shared')])).not.toThrow();
  });

  it('refuse to drop or move a parent with live dependents, except dropping a library-static one', () => {
    const store = record('store', 1);
    const iter = record('iter', 2);
    lend(iter, [{ parent: store, mode: 'shared' }]);
    expect(() => checkDrop(store, 'drop')).toThrow(/cannot drop store #1: it is still borrowed by iter #2 \(shared\)/);
    expect(() => checkDrop(store, 'move')).toThrow(/cannot move store #1/);
    expect(() => checkDrop(iter, 'drop')).not.toThrow();
    const cfg = record('cfg', 3);
    cfg.isStatic = true;
    const view = record('view', 4);
    lend(view, [{ parent: cfg, mode: 'shared' }]);
    expect(() => checkDrop(cfg, 'drop')).not.toThrow();
    expect(() => checkDrop(cfg, 'move')).toThrow(BorrowError);
  });

  it('allow only shared use of a library-static handle', () => {
    const cfg = record('cfg', 1);
    cfg.isStatic = true;
    expect(() => checkUses('get', [use(cfg, 'shared')])).not.toThrow();
    expect(() => checkUses('set', [use(cfg, 'exclusive')])).toThrow(/library-static/);
    expect(() => checkUses('into-value', [use(cfg, 'consume')])).toThrow(/`into-value`: cannot move a library-static cfg \(self\)/);
  });

  it('refuse one resource used exclusively or by value and again in the same call', () => {
    const a = record('r', 1);
    expect(() => checkUses('merge', [use(a, 'exclusive'), use(a, 'shared', 'other')])).toThrow(/as self \(exclusive\) and as other \(shared\)/);
    expect(() => checkUses('total', [use(a, 'consume', 'shapes'), use(a, 'consume', 'shapes')])).toThrow(BorrowError);
    expect(() => checkUses('compare', [use(a, 'shared'), use(a, 'shared', 'other')])).not.toThrow();
  });

  it('lend handles to a call in progress: nothing may drop or mutate them until it ends', () => {
    const shape = record('shape', 1);
    const call = { label: '`render` (in progress)' };
    const uses = [use(shape, 'shared')];
    lendToCall(call, undefined, uses);
    expect(() => checkDrop(shape, 'drop')).toThrow(/borrowed by `render` \(in progress\) \(shared\)/);
    expect(() => checkUses('scale', [use(shape, 'exclusive')])).toThrow(BorrowError);
    expect(() => checkUses('area', [use(shape, 'shared')])).not.toThrow();
    endCall(call, uses);
    expect(() => checkDrop(shape, 'drop')).not.toThrow();
  });

  it('a call may pass on the handle it was lent (a reborrow), while others stay refused', () => {
    const shape = record('shape', 1);
    const grow = { label: '`grow` (in progress)' };
    const mutator = {};
    const uses = [use(shape, 'exclusive', '`c`')];
    lendToCall(grow, mutator, uses);
    // `c.scale()` inside `grow(c: &mut Shape)`: through the handle lent to grow's instance.
    expect(() => checkUses('scale', [{ ...use(shape, 'exclusive'), via: mutator }])).not.toThrow();
    // The same resource through anything else (JS's own object, another plugin's borrow) is a conflict.
    expect(() => checkUses('scale', [use(shape, 'exclusive')])).toThrow(/borrowed by `grow` \(in progress\) \(exclusive\)/);
    expect(() => checkUses('area', [{ ...use(shape, 'shared'), via: {} }])).toThrow(BorrowError);
    endCall(grow, uses);
    expect(() => checkUses('scale', [use(shape, 'exclusive')])).not.toThrow();
  });

  it('a dependent may borrow several parents, and releasing it frees all of them', () => {
    const left = record('l', 1);
    const right = record('r', 2);
    const zip = record('zip', 3);
    lend(zip, [
      { parent: left, mode: 'shared' },
      { parent: right, mode: 'exclusive' },
    ]);
    expect(() => checkUses('get', [use(left, 'shared')])).not.toThrow();
    expect(() => checkUses('get', [use(right, 'shared')])).toThrow(/zip #3 \(exclusive\)/);
    release(zip);
    expect(left.loans.length + right.loans.length + zip.parents.length).toBe(0);
  });

  it('agree with a model of the rules on random sequences (property)', () => {
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
        const records = Array.from({ length: 6 }, (_, i) => record('h', i));
        // Model: a list of live (child, parent, mode) loans.
        let loans: { child: number; parent: number; mode: 'shared' | 'exclusive' }[] = [];
        for (const o of ops) {
          if (o.op === 'lend') {
            if (o.child === o.parent) continue;
            lend(records[o.child]!, [{ parent: records[o.parent]!, mode: o.mode }]);
            loans.push({ child: o.child, parent: o.parent, mode: o.mode });
          } else if (o.op === 'release') {
            release(records[o.child]!);
            loans = loans.filter((l) => l.child !== o.child);
          } else {
            const on = loans.filter((l) => l.parent === o.target);
            const allowed = o.access === 'shared' ? on.every((l) => l.mode === 'shared') : on.length === 0;
            const call = () => checkUses('f', [use(records[o.target]!, o.access)]);
            if (allowed) expect(call).not.toThrow();
            else expect(call).toThrow(BorrowError);
          }
        }
      }),
    );
  });
});
