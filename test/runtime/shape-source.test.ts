/**
 * shape-sources.ts `shapeSource`: a function type made at instantiation by replacing resource
 * identities only answers the facts memoised on its shape (requirements.ts usesMemory through
 * `requireMemory`, async-values.ts `compileAsyncValues`: no stream or future) from the type it was
 * made from. A substitution that replaces value types (validation's, of type imports) makes a type
 * of another shape, which must not reach the source's memo: each case asks the source first, then
 * the substituted type, which must get its own answer.
 */
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import { requireMemory } from '../../host/abi/requirements.ts';
import { compileAsyncValues } from '../../host/runtime/async-values.ts';
import { AbstractResource, makeSubst, substFuncType } from '../../host/validate/type-space.ts';
import { shapeSource } from '../../host/shape-sources.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import type { CanonOptions } from '../../host/abi/options.ts';

const declared = new AbstractResource('canvas');
const perLoad = new AbstractResource('canvas (load 1)');
const otherLoad = new AbstractResource('canvas (load 2)');

function method(...params: ValType[]): FuncType {
  return { async: false, params: [{ name: 'self', type: { kind: 'borrow', resource: declared } }, ...params.map((type, i) => ({ name: `p${i}`, type }))], result: undefined };
}

const NO_MEMORY: CanonOptions = { memory: undefined, realloc: undefined, postReturn: undefined, stringEncoding: 'utf8', async: false, callback: undefined };

const refusal = (ft: FuncType): unknown => {
  try {
    requireMemory(ft, NO_MEMORY, 'lower');
    return undefined;
  } catch (e) {
    return e instanceof LoadError ? `${e.kind}: ${e.message}` : e;
  }
};

describe('shapeSource', () => {
  it('links a type made by replacing resources to the first type of the chain; not one made by replacing value types', () => {
    const ft = method({ kind: 'u32' });
    const once = substFuncType(ft, new Map([[declared, perLoad]]));
    const twice = substFuncType(once, new Map([[perLoad, otherLoad]]));
    expect(once).not.toBe(ft);
    expect(shapeSource(once)).toBe(ft);
    expect(shapeSource(twice)).toBe(ft);
    expect(shapeSource(ft)).toBe(ft);
    const u32 = ft.params[1]!.type;
    const byValue = substFuncType(ft, makeSubst(new Map(), new Map([[u32, { kind: 'string' }]])));
    expect(byValue).not.toBe(ft);
    expect(shapeSource(byValue)).toBe(byValue);
  });

  it('requireMemory refuses a per-instance type exactly as its source, whichever is asked first', () => {
    const withString = method({ kind: 'string' });
    const sub = substFuncType(withString, new Map([[declared, perLoad]]));
    const expected = refusal(withString);
    expect(expected).toMatch(/^invalid: canon lower: the function type needs the memory option/);
    expect(refusal(sub)).toEqual(expected);
    const scalars = method({ kind: 'f64' }, { kind: 'f64' });
    const subScalars = substFuncType(scalars, new Map([[declared, perLoad]]));
    expect(refusal(subScalars)).toBeUndefined();
    expect(refusal(scalars)).toBeUndefined();
  });

  it('a type whose value types were replaced gets its own memory answer, not its source', () => {
    const ft = method({ kind: 'u32' });
    expect(refusal(ft)).toBeUndefined();
    const byValue = substFuncType(ft, makeSubst(new Map([[declared, perLoad]]), new Map([[ft.params[1]!.type, { kind: 'list', element: { kind: 'u8' } }]])));
    expect(refusal(byValue)).toMatch(/^invalid: canon lower: the function type needs the memory option/);
  });

  it('compileAsyncValues: a per-instance type without streams gets none, as its source; value replacements get their own', () => {
    const plain = method({ kind: 'u32' });
    expect(compileAsyncValues(plain, 'import')).toBeUndefined();
    expect(compileAsyncValues(substFuncType(plain, new Map([[declared, perLoad]])), 'import')).toBeUndefined();
    // The source is known to hold no stream; a type of another shape made from it must still be compiled.
    const byValue = substFuncType(plain, makeSubst(new Map(), new Map([[plain.params[1]!.type, { kind: 'stream', element: { kind: 'u8' } }]])));
    expect(compileAsyncValues(byValue, 'import')).toBeDefined();
    const streaming = method({ kind: 'stream', element: { kind: 'own', resource: declared } });
    const sub = substFuncType(streaming, new Map([[declared, perLoad]]));
    expect(compileAsyncValues(sub, 'import')).toBeDefined();
    expect(compileAsyncValues(streaming, 'import')).toBeDefined();
  });
});
