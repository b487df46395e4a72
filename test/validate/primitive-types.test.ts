/**
 * resolve.ts resolves every primitive value type to one frozen object, shared by every use in
 * every component, so equality and the per-type memo tables meet the same object again instead of
 * a fresh one per use. These hold that: one object per primitive across uses, scopes and
 * components; no way for one component to change it; an `(eq $u)` type import ($u a u32) supplied at
 * instantiation still substitutes into exactly the types it should, and a wrong one is refused as
 * before; the types that do have an identity (named aliases of records, resources) keep their own.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { parseComponent } from '../../host/binary/index.ts';
import { validateComponent } from '../../host/validate/index.ts';
import { newTypeScope, resolveValType } from '../../host/validate/resolve.ts';
import type { PrimValType } from '../../host/binary/ast.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { LoadError } from '../../host/errors.ts';

const PRIMITIVES: readonly PrimValType[] = ['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string', 'error-context'];

async function validate(wat: string) {
  return validateComponent(parseComponent(await parse(wat)));
}

function exportedFunc(v: Awaited<ReturnType<typeof validate>>, name: string): FuncType {
  const d = v.type.exports.get(name);
  if (d?.kind !== 'func') throw new Error(`no exported func ${name}`);
  return d.type;
}

const CORE = `(core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "f") (param i32 i32 i32) (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (alias core export $i "f" (core func $f))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $re))`;

/** A component exporting `f: func(a: u32, b: <t>, c: bool) -> string`, `t` written as given. */
const exporting = (t: string) => `(component ${CORE}
  (type $t ${t})
  (func $g (param "a" u32) (param "b" $t) (param "c" bool) (result string) (canon lift (core func $f) (memory $mem) (realloc $re)))
  (export "f" (func $g)))`;

describe('primitive value types', () => {
  it('resolve to one frozen object per primitive, whatever the scope', () => {
    const a = newTypeScope(undefined, true);
    const b = newTypeScope(a, false);
    for (const p of PRIMITIVES) {
      const t = resolveValType({ kind: 'primitive', type: p }, a, 0);
      expect(t, p).toEqual({ kind: p });
      expect(Object.isFrozen(t), p).toBe(true);
      expect(resolveValType({ kind: 'primitive', type: p }, a, 0), p).toBe(t);
      expect(resolveValType({ kind: 'primitive', type: p }, b, 0), p).toBe(t);
    }
  });

  it('are the same objects in every component, inline or through a type definition', async () => {
    const one = exportedFunc(await validate(exporting('u32')), 'f');
    const two = exportedFunc(await validate(exporting('(tuple u8)')), 'f');
    expect(one.params[0]!.type).toBe(one.params[1]!.type);
    expect(one.params[0]!.type).toBe(two.params[0]!.type);
    expect(one.params[2]!.type).toBe(two.params[2]!.type);
    expect(one.result).toBe(two.result);
    const tuple = two.params[1]!.type;
    expect(tuple.kind === 'tuple' && tuple.types[0]).toBe(resolveValType({ kind: 'primitive', type: 'u8' }, newTypeScope(undefined, true), 0));
  });

  it('cannot be changed by anything that holds one', async () => {
    const t = exportedFunc(await validate(exporting('u32')), 'f').params[0]!.type as { kind: string };
    expect(() => {
      t.kind = 'string';
    }).toThrow(TypeError);
    expect(exportedFunc(await validate(exporting('u32')), 'f').params[0]!.type).toEqual({ kind: 'u32' });
  });

  // The instance's value substitution (validate.ts collectValueSubst) maps the import's type to the
  // supplied one by identity: with primitives shared, it maps u32 to u32 and leaves every other type as it was.
  const instantiating = (supplied: string) => `(component
    (type $s ${supplied})
    (component $c
      (type $u u32)
      (import "t" (type $t (eq $u)))
      (import "f" (func $f (param "a" $t) (param "b" u32) (param "c" s32) (result string)))
      (export "g" (func $f)))
    (import "f" (func $f (param "a" $s) (param "b" u32) (param "c" s32) (result string)))
    (instance $i (instantiate $c (with "t" (type $s)) (with "f" (func $f))))
    (export "h" (func $i "g")))`;

  it('substitute an (eq u32) type import into exactly its own uses', async () => {
    const h = exportedFunc(await validate(instantiating('u32')), 'h');
    expect(h).toEqual({
      async: false,
      params: [
        { name: 'a', type: { kind: 'u32' } },
        { name: 'b', type: { kind: 'u32' } },
        { name: 'c', type: { kind: 's32' } },
      ],
      result: { kind: 'string' },
    });
    expect(h.params[0]!.type).toBe(h.params[1]!.type);
  });

  it('still refuse a supplied type that is not the one imported', async () => {
    let caught: unknown;
    try {
      await validate(instantiating('s32'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LoadError);
    expect({ kind: (caught as LoadError).kind, message: (caught as LoadError).message }).toEqual({ kind: 'invalid', message: expect.stringMatching(/`t`.*value types differ/) });
  });

  it('leave named aliases of records their own identity', async () => {
    const v = await validate(`(component ${CORE}
      (type $r0 (record (field "x" u32)))
      (export $r "r" (type $r0))
      (func $g (param "a" u32) (param "b" $r) (param "c" bool) (result string) (canon lift (core func $f) (memory $mem) (realloc $re)))
      (export "f" (func $g)))`);
    const f = exportedFunc(v, 'f');
    const r = v.type.exports.get('r');
    const rec: ValType | undefined = r?.kind === 'type' && r.type.kind === 'value' ? r.type.type : undefined;
    expect(rec?.kind).toBe('record');
    // The exported alias is the record f names, and the record's field is the one shared u32.
    expect(f.params[1]!.type).toBe(rec);
    expect(rec?.kind === 'record' && rec.fields[0]!.type).toBe(f.params[0]!.type);
  });
});
