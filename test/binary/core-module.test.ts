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
