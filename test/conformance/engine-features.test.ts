/**
 * The engine-feature probes: their bytes are the modules they claim to be
 * (checked against wasm-tools' text parser), and what they find matches what
 * the engine then compiles.
 */

import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { describeEngine, engineFeatures, formatEngine, TRY_TABLE, TWO_MEMORIES } from './engine-features.ts';

const compiles = (bytes: Uint8Array): boolean => {
  try {
    // A copy: parse's bytes may sit on a buffer type the Module constructor's signature does not take.
    new WebAssembly.Module(new Uint8Array(bytes));
    return true;
  } catch {
    return false;
  }
};

describe('engine feature probes', () => {
  it('are the modules they claim to be', async () => {
    expect([...TWO_MEMORIES]).toEqual([...(await parse('(module (memory 0) (memory 0))'))]);
    expect([...TRY_TABLE]).toEqual([...(await parse('(module (func try_table end))'))]);
  });

  it('find what the engine compiles', async () => {
    const features = engineFeatures();
    // Fuller uses of each feature than the probes: a load from the second memory, a throw caught by try_table.
    expect(features.has('multi-memory')).toBe(compiles(await parse('(module (memory 1) (memory 2) (func (result i32) i32.const 0 i32.load 1))')));
    expect(features.has('exnref')).toBe(compiles(await parse('(module (tag $e) (func block $h try_table (catch $e $h) throw $e end end))')));
    // Node 20 has the legacy `try` (opcode 0x06), which is no evidence of exnref.
    if (!features.has('exnref')) expect(compiles(TRY_TABLE)).toBe(false);
  });

  it('describe the engine by name, V8 version and every feature', () => {
    const engine = describeEngine();
    expect(engine.name).toBe(`node ${process.versions.node}`);
    expect(formatEngine(engine)).toMatch(/^node \d+\.\d+\.\d+ \(V8 [^;]+; exnref (yes|no), multi-memory (yes|no), jspi (yes|no)\)$/);
  });
});
