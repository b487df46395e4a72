/**
 * type-space.ts substitutes a function type by resource identities only (instantiation's
 * substitutions) through the members that hold handles, which it remembers per type: the result
 * must be what the general substitution gives (the one that also replaces value types and entries),
 * members without handles must keep their objects, a type naming no resource must come back as
 * itself, and what is remembered per type must carry nothing of one substitution into the next.
 */
import { describe, expect, it } from 'vitest';
import { AbstractResource, makeSubst, substFuncType } from '../../host/validate/type-space.ts';
import { shapeSource } from '../../host/shape-sources.ts';
import type { FuncType, ValType } from '../../host/types.ts';

const declared = new AbstractResource('canvas');
const other = new AbstractResource('pen');
const loadA = new AbstractResource('canvas (load A)');
const loadB = new AbstractResource('canvas (load B)');

const borrow = (r: AbstractResource): ValType => ({ kind: 'borrow', resource: r });
const own = (r: AbstractResource): ValType => ({ kind: 'own', resource: r });

function func(params: ValType[], result?: ValType): FuncType {
  return { async: false, params: params.map((type, i) => ({ name: `p${i}`, type })), result };
}

/** Types with handles at the start, the middle, nested, in the result, of another resource, and none at all. */
const types: FuncType[] = [
  func([borrow(declared), { kind: 'f64' }, { kind: 'f64' }]),
  func([{ kind: 'string' }, { kind: 'list', element: own(declared) }, { kind: 'u32' }], { kind: 'option', type: own(declared) }),
  func([{ kind: 'record', fields: [{ name: 'a', type: { kind: 'u8' } }, { name: 'b', type: borrow(declared) }] }]),
  func([{ kind: 'u32' }], { kind: 'result', ok: own(declared), err: { kind: 'string' } }),
  func([borrow(other), { kind: 'tuple', types: [{ kind: 'u32' }, own(declared)] }]),
  func([{ kind: 'u32' }, { kind: 'variant', cases: [{ name: 'x', type: undefined }, { name: 'y', type: { kind: 'f32' } }] }], { kind: 'string' }),
  func([]),
];

/** A value-type replacement of a type nothing uses: forces the general substitution, which walks every member. */
const unused: ValType = { kind: 'u16' };
const general = (ft: FuncType, m: Map<AbstractResource, AbstractResource>): FuncType =>
  substFuncType(ft, makeSubst(m, new Map([[unused, { kind: 's16' }]])));

describe('substitution of resource identities in function types', () => {
  it('gives what the general substitution gives, keeping the members without handles', () => {
    for (const ft of types) {
      const m = new Map([[declared, loadA]]);
      const fast = substFuncType(ft, m);
      expect(fast).toEqual(general(ft, m));
      ft.params.forEach((p, i) => {
        if (fast.params[i]!.type === p.type) expect(fast.params[i]).toBe(p);
      });
      if (JSON.stringify(fast) === JSON.stringify(ft)) {
        expect(fast).toBe(ft);
      } else {
        expect(fast).not.toBe(ft);
        expect(shapeSource(fast)).toBe(ft);
      }
    }
  });

  it('names each substitution\'s own resources, however often a type is substituted', () => {
    for (const ft of types.slice(0, 5)) {
      const a = substFuncType(ft, new Map([[declared, loadA]]));
      const b = substFuncType(ft, new Map([[declared, loadB]]));
      const a2 = substFuncType(ft, new Map([[declared, loadA]]));
      const text = (f: FuncType) => JSON.stringify(f, (_k, v: unknown) => (v instanceof AbstractResource ? v.name : v));
      expect(text(a)).not.toContain('load B');
      expect(text(b)).not.toContain('load A');
      expect(a2).toEqual(a);
      expect(a2).not.toBe(a);
    }
    // A resource the substitution does not name stays as declared.
    const pen = substFuncType(types[4]!, new Map([[declared, loadA]]));
    expect(pen.params[0]).toBe(types[4]!.params[0]);
    expect(pen.params[1]!.type).toEqual({ kind: 'tuple', types: [{ kind: 'u32' }, own(loadA)] });
  });

  it('returns a type naming no resource, or whose resources are not replaced, as itself', () => {
    expect(substFuncType(types[5]!, new Map([[declared, loadA]]))).toBe(types[5]);
    expect(substFuncType(types[6]!, new Map([[declared, loadA]]))).toBe(types[6]);
    expect(substFuncType(types[0]!, new Map([[other, loadA]]))).toBe(types[0]);
    expect(substFuncType(types[0]!, new Map([[declared, declared]]))).toBe(types[0]);
  });
});
