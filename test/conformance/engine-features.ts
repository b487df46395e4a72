/**
 * What the running JavaScript engine can do, found by asking it rather than by
 * its version: each core wasm feature is a module a few bytes long that only
 * validates where the feature exists. The reference tests need some of these
 * (test/conformance/known-failures.txt says which case needs which).
 */

import { hasJspi } from '../../host/abi/jspi.ts';

/** The engine features the reference tests (and, later, the async ABI) depend on. */
export const ENGINE_FEATURES = ['exnref', 'multi-memory', 'jspi'] as const;
export type EngineFeature = (typeof ENGINE_FEATURES)[number];

export function isEngineFeature(name: string): name is EngineFeature {
  return (ENGINE_FEATURES as readonly string[]).includes(name);
}

/** `\0asm`, version 1, then the given sections. */
function coreModule(...sections: number[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections]);
}

/** Two memories (`(memory 0) (memory 0)`): one memory is the limit without multi-memory. */
export const TWO_MEMORIES = coreModule(0x05, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00);

/**
 * `(func try_table end)`: `try_table` (0x1f) is exnref exception handling; the
 * legacy `try` (0x06) that older engines have is a different opcode.
 */
export const TRY_TABLE = coreModule(
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: [] -> []
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x1f, 0x40, 0x00, 0x0b, 0x0b, // code: no locals, try_table (empty type, no catches) end end
);


/** The features of the engine this code runs on. */
export function engineFeatures(): ReadonlySet<EngineFeature> {
  const has: Record<EngineFeature, boolean> = {
    exnref: WebAssembly.validate(TRY_TABLE),
    'multi-memory': WebAssembly.validate(TWO_MEMORIES),
    jspi: hasJspi(),
  };
  return new Set(ENGINE_FEATURES.filter((f) => has[f]));
}

export interface EngineDescription {
  /** e.g. `node 26.12.1` */
  readonly name: string;
  readonly v8: string;
  readonly features: readonly EngineFeature[];
}

export function describeEngine(): EngineDescription {
  return { name: `node ${process.versions.node}`, v8: process.versions.v8, features: [...engineFeatures()] };
}

/** `node 20.20.2 (V8 11.3.244.8; exnref no, multi-memory no, jspi no)`: what a run prints first. */
export function formatEngine(engine: EngineDescription): string {
  const features = ENGINE_FEATURES.map((f) => `${f} ${engine.features.includes(f) ? 'yes' : 'no'}`).join(', ');
  return `${engine.name} (V8 ${engine.v8}; ${features})`;
}
