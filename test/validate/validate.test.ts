import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { parseComponent } from '../../host/binary/index.ts';
import { validateComponent } from '../../host/validate/index.ts';
import { LoadError, type LoadErrorKind } from '../../host/errors.ts';

async function validate(wat: string) {
  return validateComponent(parseComponent(await parse(wat)));
}

function validateBytes(bytes: number[]) {
  return validateComponent(parseComponent(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...bytes])));
}

async function refusal(wat: string | number[]): Promise<LoadError> {
  try {
    if (typeof wat === 'string') await validate(wat);
    else validateBytes(wat);
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return e as LoadError;
  }
  throw new Error('expected the component to be refused');
}

async function expectRefused(wat: string | number[], kind: LoadErrorKind, message: RegExp): Promise<void> {
  const e = await refusal(wat);
  expect({ kind: e.kind, message: e.message }).toEqual({ kind, message: expect.stringMatching(message) });
}

const CORE = `(core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "f") (param i32 i32) (result i32) i32.const 0)
    (func (export "rec-to-opt") (param i32 i32 i32) (result i32) i32.const 0)
    (func (export "nullary")))
  (core instance $i (instantiate $m))
  (alias core export $i "f" (core func $f))
  (alias core export $i "rec-to-opt" (core func $rec-to-opt))
  (alias core export $i "nullary" (core func $nullary))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $re))`;

describe('validation', () => {
  it('resolves exported function types into host/types.ts values', async () => {
    const v = await validate(`(component ${CORE}
      (type $rec0 (record (field "a" u32) (field "b" string)))
      (export $rec "rec" (type $rec0))
      (func $g (param "x" $rec) (result (option u8)) (canon lift (core func $rec-to-opt) (memory $mem) (realloc $re)))
      (export "g" (func $g)))`);
    expect(v.type.exports.get('g')).toEqual({
      kind: 'func',
      type: {
        async: false,
        params: [{ name: 'x', type: { kind: 'record', fields: [{ name: 'a', type: { kind: 'u32' } }, { name: 'b', type: { kind: 'string' } }] } }],
        result: { kind: 'option', type: { kind: 'u8' } },
      },
    });
  });

  it('gives own/borrow the defining resource identity', async () => {
    const v = await validate(`(component
      (type $r (resource (rep i32)))
      (type $o (own $r))
      (type $b (borrow $r)))`);
    const [r, o, b] = v.info.map((i) => (i.kind === 'type' ? i.entry : undefined));
    expect(r?.kind).toBe('resource');
    expect(o).toEqual({ kind: 'value', type: { kind: 'own', resource: r?.kind === 'resource' ? r.ref : undefined } });
    expect(b?.kind === 'value' && b.type.kind === 'borrow' && r?.kind === 'resource' && b.type.resource === r.ref).toBe(true);
  });

  it('rejects out-of-range indices', async () => {
    await expectRefused(`(component (core module $m) (core instance (instantiate $m)) (alias core export 0 "nope" (core func)))`, 'invalid', /no export named `nope`/);
    await expectRefused([0x07, 0x03, 0x01, 0x70, 0x05], 'invalid', /type index 5 out of bounds/);
    await expectRefused([0x08, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00], 'invalid', /core func index 0 out of bounds/);
  });

  it('rejects own of a non-resource type', async () => {
    await expectRefused([0x07, 0x04, 0x02, 0x73, 0x69, 0x00], 'invalid', /type index 0 is not a resource type/);
  });

  it('rejects borrow in a function result', async () => {
    await expectRefused(`(component (type $r (resource (rep i32))) (type (func (result (borrow $r)))))`, 'invalid', /result type contains a borrow/);
  });

  it('rejects resources defined inside instance types', async () => {
    // type section: (instance (type (resource (rep i32))))
    await expectRefused([0x07, 0x07, 0x01, 0x42, 0x01, 0x01, 0x3f, 0x7f, 0x00], 'invalid', /resources can only be defined within a concrete component/);
  });

  it('rejects duplicate and non-kebab names', async () => {
    await expectRefused(`(component (type (record (field "a" u8) (field "A" u8))))`, 'invalid', /conflicts with previous name/);
    await expectRefused([0x07, 0x06, 0x01, 0x6d, 0x01, 0x02, 0x61, 0x5f], 'invalid', /not in kebab case/);
    await expectRefused(
      `(component ${CORE} (func $g (canon lift (core func $nullary))) (export "g" (func $g)) (export "G" (func $g)))`,
      'invalid',
      /export name `G` conflicts/,
    );
    await expectRefused(`(component (import "not a name" (func)))`, 'invalid', /not a valid extern name/);
  });

  it('accepts interface names with versions and annotated resource functions', async () => {
    const v = await validate(`(component
      (import "wasi:io/streams@0.2.0" (instance))
      (import "r" (type $r (sub resource)))
      (import "[constructor]r" (func (result (own $r))))
      (import "[method]r.go" (func (param "self" (borrow $r)))))`);
    expect([...v.type.imports.keys()]).toEqual(['wasi:io/streams@0.2.0', 'r', '[constructor]r', '[method]r.go']);
  });

  it('requires memory and realloc when strings cross', async () => {
    await expectRefused(`(component ${CORE} (func (param "s" string) (canon lift (core func $f))))`, 'invalid', /`memory` is required/);
    await expectRefused(`(component ${CORE} (func (param "s" string) (canon lift (core func $f) (memory $mem))))`, 'invalid', /`realloc` is required/);
  });

  it('rejects conflicting canonical options', async () => {
    const typeSec = [0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00]; // (type (func))
    const importSec = [0x0a, 0x06, 0x01, 0x00, 0x01, 0x66, 0x01, 0x00]; // (import "f" (func (type 0)))
    // canon lower func 0 with string-encoding=utf8 and string-encoding=utf16
    await expectRefused([...typeSec, ...importSec, 0x08, 0x07, 0x01, 0x01, 0x00, 0x00, 0x02, 0x00, 0x01], 'invalid', /encoding option conflicts/);
    // canon lower func 0 with post-return
    await expectRefused([...typeSec, ...importSec, 0x08, 0x07, 0x01, 0x01, 0x00, 0x00, 0x01, 0x05, 0x00], 'invalid', /post-return. cannot be used with lowerings/);
  });

  it('names unsupported features and where they are', async () => {
    // (type (list u32 4)) is a valid definition; (type (func (param "a" 0))) needs its ABI.
    await expectRefused([0x07, 0x0b, 0x02, 0x67, 0x79, 0x04, 0x40, 0x01, 0x01, 0x61, 0x00, 0x01, 0x00], 'unsupported', /fixed-length lists.*function type/);
    await expectRefused([0x08, 0x03, 0x01, 0x42, 0x00], 'unsupported', /thread.available-parallelism.*shared-everything/);
    await expectRefused([0x03, 0x03, 0x01, 0x5f, 0x00], 'unsupported', /GC core types/);
  });

  it('maps core module compile errors to invalid', async () => {
    // A core module section whose function body is missing.
    const mod = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00];
    await expectRefused([0x01, mod.length, ...mod], 'invalid', /core module does not validate/);
  });

  it('checks core instantiation arguments against the module imports', async () => {
    await expectRefused(`(component (core module $m (import "env" "f" (func))) (core instance (instantiate $m)))`, 'invalid', /missing module instantiation argument named `env`/);
  });

  it('requires exported functions to mention only imported or exported resources', async () => {
    await expectRefused(
      `(component
        (type $r (resource (rep i32)))
        (core module $m (func (export "f") (param i32)))
        (core instance $i (instantiate $m))
        (alias core export $i "f" (core func $cf))
        (func $g (param "x" (own $r)) (canon lift (core func $cf)))
        (export "g" (func $g)))`,
      'invalid',
      /func not valid to be used as export/,
    );
  });

  it('checks annotated resource function names', async () => {
    await expectRefused(`(component (import "r" (type $r (sub resource))) (import "[constructor]r" (func)))`, 'invalid', /should return `\(own \$T\)`/);
    await expectRefused(`(component (import "r" (type $r (sub resource))) (import "[method]r.m" (func (param "x" u32))))`, 'invalid', /first argument/);
    await expectRefused(`(component (import "[static]q.m" (func)))`, 'invalid', /`q` is not known/);
  });

  it('refuses instantiation arguments of the wrong type', async () => {
    await expectRefused(
      `(component
        (import "T1" (type $T1 (sub resource)))
        (import "T2" (type $T2 (sub resource)))
        (component $eq (import "a" (type $a (sub resource))) (import "b" (type (eq $a))))
        (instance (instantiate $eq (with "a" (type $T1)) (with "b" (type $T2)))))`,
      'invalid',
      /resource types are not the same/,
    );
    await expectRefused(
      `(component
        (import "f" (func $f (param "x" u32)))
        (component $c (import "g" (func (param "x" string))))
        (instance (instantiate $c (with "g" (func $f)))))`,
      'invalid',
      /type mismatch in `g`/,
    );
  });

  it('checks component instantiation arguments', async () => {
    await expectRefused(
      `(component (component $c (import "x" (func))) (instance (instantiate $c)))`,
      'invalid',
      /missing instantiation argument named `x`/,
    );
  });

  it('substitutes supplied resource types into a nested instance export', async () => {
    const v = await validate(`(component
      (type $r (resource (rep i32)))
      (component $c
        (import "t" (type $t (sub resource)))
        (type $f (func (param "x" (own $t))))
        (import "g" (func $g (type $f)))
        (export "h" (func $g)))
      (core module $m (func (export "f") (param i32)))
      (core instance $i (instantiate $m))
      (alias core export $i "f" (core func $cf))
      (func $lifted (param "x" (own $r)) (canon lift (core func $cf)))
      (instance $x (instantiate $c (with "t" (type $r)) (with "g" (func $lifted))))
      (alias export $x "h" (func $h))
      (export "r" (type $r))
      (export "h" (func $h)))`);
    const r = v.info[0]?.kind === 'type' && v.info[0].entry.kind === 'resource' ? v.info[0].entry.ref : undefined;
    const h = v.type.exports.get('h');
    expect(h?.kind === 'func' && h.type.params[0]?.type).toEqual({ kind: 'own', resource: r });
  });

  it('requires records, variants, enums and flags in exported function types to be exported first', async () => {
    const fn = (ty: string) => `(core module $m (func (export "f") (param i32)))
      (core instance $i (instantiate $m))
      (alias core export $i "f" (core func $cf))
      (func $g (param "x" ${ty}) (canon lift (core func $cf)))
      (export "g" (func $g))`;
    await expectRefused(`(component (type $e (enum "a" "b")) ${fn('$e')})`, 'invalid', /func not valid to be used as export/);
    // The new type index an export introduces is the name; the exported type itself stays unnamed.
    await expectRefused(`(component (type $e (enum "a" "b")) (export "e" (type $e)) ${fn('$e')})`, 'invalid', /func not valid to be used as export/);
    await validate(`(component (type $e0 (enum "a" "b")) (export $e "e" (type $e0)) ${fn('$e')})`);
    // Structural types need no name, but what they contain does.
    await expectRefused(`(component (type $r (record (field "x" u32))) (type $l (list $r)) (export "l" (type $l)))`, 'invalid', /type not valid to be used as export/);
    await validate(`(component (type $t (tuple u32 (list string))) (export "t" (type $t)))`);
  });

  it('only lets imports use types named by earlier imports', async () => {
    await expectRefused(
      `(component (type $r (resource (rep i32))) (export $r2 "r" (type $r)) (import "f" (func (result (own $r2)))))`,
      'invalid',
      /func not valid to be used as import/,
    );
    await validate(`(component (import "r" (type $r (sub resource))) (import "f" (func (result (own $r)))))`);
  });

  it('checks lifted core function signatures against the flattened function type', async () => {
    const lift = (core: string, ty: string) => `(component
      (core module $m (memory (export "mem") 1) ${core})
      (core instance $i (instantiate $m))
      (func ${ty} (canon lift (core func $i "f") (memory (core memory $i "mem")))))`;
    await expectRefused(lift('(func (export "f") (param i32))', ''), 'invalid', /lowered parameter types `\[\]` do not match parameter types `\[I32\]`/);
    await expectRefused(lift('(func (export "f"))', '(result u64)'), 'invalid', /lowered result types `\[I64\]` do not match result types `\[\]`/);
    // More than one flat result is returned through memory: the core function returns a pointer.
    await validate(lift('(func (export "f") (result i32) i32.const 0)', '(result (tuple u32 u32))'));
    await validate(lift('(func (export "f") (param i32 i64 f32) (result f64) f64.const 0)', '(param "a" u32) (param "b" s64) (param "c" f32) (result f64)'));
  });

  it('checks realloc, post-return and destructor signatures', async () => {
    await expectRefused(
      `(component
        (core module $m (memory (export "mem") 1) (func (export "f") (param i32 i32)) (func (export "re")))
        (core instance $i (instantiate $m))
        (func (param "s" string) (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "re")))))`,
      'invalid',
      /`realloc` uses a core function with an incorrect signature/,
    );
    await expectRefused(
      `(component
        (core module $m (func (export "f") (result i32) i32.const 0) (func (export "post")))
        (core instance $i (instantiate $m))
        (func (result u32) (canon lift (core func $i "f") (post-return (core func $i "post")))))`,
      'invalid',
      /`post-return` uses a core function with an incorrect signature.*\(param i32\)/,
    );
    await expectRefused(
      `(component
        (core module $m (func (export "d")))
        (core instance $i (instantiate $m))
        (type $r (resource (rep i32) (dtor (core func $i "d")))))`,
      'invalid',
      /wrong signature for a destructor/,
    );
  });

  it('matches core instantiation arguments by core subtyping', async () => {
    const inst = (imp: string, exp: string) => `(component
      (core module $a (import "" "x" ${imp}))
      (core module $b ${exp})
      (core instance $i (instantiate $b))
      (core instance (instantiate $a (with "" (instance $i)))))`;
    await expectRefused(inst('(func)', '(func (export "x") (param i32))'), 'invalid', /expected: \(func\), found: \(func \(param i32\)\)/);
    await expectRefused(inst('(global i32)', '(global (export "x") i64 (i64.const 0))'), 'invalid', /expected global type i32, found i64/);
    await expectRefused(inst('(memory 2)', '(memory (export "x") 1)'), 'invalid', /mismatch in memory limits/);
    await expectRefused(inst('(table 1 2 funcref)', '(table (export "x") 1 funcref)'), 'invalid', /mismatch in table limits/);
    await validate(inst('(memory 1)', '(memory (export "x") 2)'));
    await expectRefused(`(component (core module (import "" "a" (func)) (import "" "a" (func))))`, 'invalid', /duplicate import name `:a`/);
  });

  it('validates module types and matches them covariantly on exports, contravariantly on imports', async () => {
    await expectRefused(`(component (core type (module (export "a" (func)) (export "a" (func)))))`, 'invalid', /export name `a` already defined/);
    await expectRefused(`(component (core type (module (import "" "" (memory 70000)))))`, 'invalid', /memory size must be at most/);
    const pass = (mod: string, want: string) => `(component
      (core module $m ${mod})
      (component $c (import "m" (core module ${want})))
      (instance (instantiate $c (with "m" (core module $m)))))`;
    await expectRefused(pass('', '(export "x" (func))'), 'invalid', /missing expected export `x`/);
    await expectRefused(pass('(import "" "extra" (global i32))', ''), 'invalid', /missing expected import `::extra`/);
    await validate(pass('(import "" "t" (table 1 funcref)) (table (export "x") 2 funcref)', '(import "" "t" (table 2 funcref)) (export "x" (table 1 funcref))'));
  });

  it('accepts fixed-length list definitions within the maximum value size and refuses larger ones', async () => {
    await validate(`(component (type (list u8 268435455)) (type (tuple (list u8 268435454) (list u8 1))))`);
    await expectRefused(`(component (type (list u8 268435456)))`, 'invalid', /exceeds maximum byte size/);
    // Sizes are computed with 64-bit pointers: a string is 16 bytes.
    await expectRefused(`(component (type (list string 16777216)))`, 'invalid', /exceeds maximum byte size/);
    await expectRefused(`(component (type $l (list u8 4)) (import "f" (func (param "x" $l))))`, 'unsupported', /fixed-length lists/);
  });

  it('represents a map as its despecialized list of pairs, still distinct from one', async () => {
    const v = await validate(`(component (type $m (map string u32)) (import "f" (func (param "m" $m))))`);
    const f = v.type.imports.get('f');
    expect(f?.kind === 'func' && f.type.params[0]?.type).toEqual({ kind: 'list', element: { kind: 'tuple', types: [{ kind: 'string' }, { kind: 'u32' }] } });
    await expectRefused(
      `(component
        (import "f" (func $f (param "m" (list (tuple string u32)))))
        (component $c (import "g" (func (param "m" (map string u32)))))
        (instance (instantiate $c (with "g" (func $f)))))`,
      'invalid',
      /function types differ/,
    );
    await expectRefused(`(component (type (map (list u8) u32)))`, 'invalid', /map key type/);
  });

  it('gives each instantiation and each import of an instance type its own resources', async () => {
    const eq = `(component $eq (import "a" (type $a (sub resource))) (import "b" (type (eq $a))))`;
    await expectRefused(
      `(component
        (component $C (type $r (resource (rep i32))) (export "r" (type $r)))
        (instance $c1 (instantiate $C))
        (instance $c2 (instantiate $C))
        ${eq}
        (instance (instantiate $eq (with "a" (type $c1 "r")) (with "b" (type $c2 "r")))))`,
      'invalid',
      /resource types are not the same/,
    );
    await expectRefused(
      `(component
        (type $I (instance (export "r" (type (sub resource)))))
        (import "i1" (instance $i1 (type $I)))
        (import "i2" (instance $i2 (type $I)))
        ${eq}
        (instance (instantiate $eq (with "a" (type $i1 "r")) (with "b" (type $i2 "r")))))`,
      'invalid',
      /resource types are not the same/,
    );
  });

  it('accepts a GC-encoded function subtype without supertypes as a function type', async () => {
    // core type section: (sub (func)) with the component's 0x00 prefix
    expect(() => validateBytes([0x03, 0x07, 0x01, 0x00, 0x50, 0x00, 0x60, 0x00, 0x00])).not.toThrow();
    // (sub final (struct)) needs GC.
    expect(() => validateBytes([0x03, 0x05, 0x01, 0x4f, 0x00, 0x5f, 0x00])).toThrow(/GC core types/);
  });
});
