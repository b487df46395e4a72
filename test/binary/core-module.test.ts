import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { readCoreModuleInfo } from '../../host/binary/core-module.ts';
import { LoadError } from '../../host/errors.ts';

describe('core module reader', () => {
  it('reads import and export types, with imported items first in each index space', async () => {
    const bytes = await parse(`(module
      (type $t (func (param i32 i64) (result f32)))
      (import "env" "f" (func (type $t)))
      (import "env" "m" (memory 1 2))
      (import "env" "g" (global (mut i32)))
      (func $own (param f64))
      (table (export "tab") 3 externref)
      (global $x i64 (i64.const -5))
      (global $y (mut f32) (f32.const 1.5))
      (export "imported-f" (func 0))
      (export "own" (func $own))
      (export "mem" (memory 0))
      (export "y" (global $y)))`);
    const info = readCoreModuleInfo(bytes);
    expect(info.imports).toEqual([
      { module: 'env', name: 'f', type: { kind: 'func', sig: { params: ['i32', 'i64'], results: ['f32'] } } },
      { module: 'env', name: 'm', type: { kind: 'memory', limits: { min: 1n, max: 2n, shared: false, index64: false } } },
      { module: 'env', name: 'g', type: { kind: 'global', type: 'i32', mutable: true } },
    ]);
    expect(info.exports).toEqual([
      { name: 'tab', type: { kind: 'table', element: { kind: 'ref', nullable: true, heap: 'extern' }, limits: { min: 3n, max: undefined, shared: false, index64: false } } },
      { name: 'imported-f', type: { kind: 'func', sig: { params: ['i32', 'i64'], results: ['f32'] } } },
      { name: 'own', type: { kind: 'func', sig: { params: ['f64'], results: [] } } },
      { name: 'mem', type: { kind: 'memory', limits: { min: 1n, max: 2n, shared: false, index64: false } } },
      // The second global is found after skipping the first one's initializer.
      { name: 'y', type: { kind: 'global', type: 'f32', mutable: true } },
    ]);
  });

  it('types every defined function by its type index, shared types included', async () => {
    const bytes = await parse(`(module
      (type $a (func (param i32) (result i32)))
      (type $b (func))
      (import "env" "h" (func (type $b)))
      (func $f (type $a) local.get 0)
      (func $g (type $b))
      (func $k (type $a) i32.const 7)
      (export "k" (func $k))
      (export "f" (func $f))
      (export "g" (func $g))
      (export "h" (func 0))
      (export "f-again" (func $f)))`);
    const a = { kind: 'func', sig: { params: ['i32'], results: ['i32'] } };
    const b = { kind: 'func', sig: { params: [], results: [] } };
    expect(readCoreModuleInfo(bytes).exports).toEqual([
      { name: 'k', type: a },
      { name: 'f', type: a },
      { name: 'g', type: b },
      { name: 'h', type: b },
      { name: 'f-again', type: a },
    ]);
  });

  it('refuses a function whose type index is not a function type, and an export of a function that does not exist', () => {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const oneType = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
    const badFunc = new Uint8Array([...header, ...oneType, 0x03, 0x03, 0x02, 0x00, 0x05]);
    expect(() => readCoreModuleInfo(badFunc)).toThrow(/type index 5 is not a function type/);
    const exportMissing = new Uint8Array([...header, ...oneType, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01]);
    expect(() => readCoreModuleInfo(exportMissing)).toThrow(/export `f` refers to func 1, which does not exist/);
  });

  it('skips code, data and custom sections', async () => {
    const bytes = await parse(`(module
      (memory 1)
      (data (i32.const 0) "hello")
      (func (export "f") (result i32) i32.const 1 i32.const 2 i32.add)
      (@custom "note" "x"))`);
    expect(readCoreModuleInfo(bytes).exports).toEqual([{ name: 'f', type: { kind: 'func', sig: { params: [], results: ['i32'] } } }]);
  });

  it('reports a truncated section as malformed', () => {
    // header, then a type section that claims 5 bytes but has 2
    const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60]);
    let err: unknown;
    try {
      readCoreModuleInfo(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).kind).toBe('malformed');
  });
});
