/**
 * Validation cost fuzzing: structured components whose types are deeply
 * nested and widely shared, reached through many aliases, and instantiated in
 * large graphs (type-graphs.ts). Every load must end in a compiled component
 * or a LoadError, and the work validation counts (host/validate/work.ts:
 * types sized, substituted, compared, walked) must stay within a fixed
 * multiple of the input's size: the guarantee that a small hostile
 * component cannot make validation take exponential time. Wall time is only
 * reported (slowest load per KB), never asserted.
 *
 * FUZZ_COST_INPUTS (per shape) and FUZZ_SEED override the defaults.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../host/load.ts';
import { LoadError } from '../../host/errors.ts';
import { workDone } from '../../host/validate/work.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { Rng } from './mutator.ts';
import { generate, SHAPES, type Shape } from './type-graphs.ts';

const PER_SHAPE = Number(process.env.FUZZ_COST_INPUTS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** Counted steps allowed per input byte, plus a constant for the smallest inputs. */
const WORK_PER_BYTE = 16;
const WORK_BASE = 256;

interface Measured {
  readonly shape: Shape;
  readonly seed: number;
  readonly bytes: number;
  readonly work: number;
  readonly ms: number;
  readonly outcome: string;
}

describe('validation cost on structured type graphs', () => {
  it(`stays within ${WORK_PER_BYTE} counted steps per byte (+${WORK_BASE}) for ${PER_SHAPE} inputs of each shape`, async () => {
    const measured: Measured[] = [];
    const escaped: string[] = [];
    for (const shape of SHAPES) {
      for (let i = 0; i < PER_SHAPE; i++) {
        const seed = SEED + i * 7919 + SHAPES.indexOf(shape);
        const bytes = await parse(generate(shape, new Rng(seed)));
        const start = performance.now();
        let outcome = 'accepted';
        try {
          compile(bytes);
        } catch (e) {
          if (!(e instanceof LoadError)) escaped.push(`${shape} seed ${seed}: ${String(e)}`);
          else outcome = e.kind;
        }
        measured.push({ shape, seed, bytes: bytes.length, work: workDone(), ms: performance.now() - start, outcome });
      }
    }
    expect(escaped).toEqual([]);
    const over = measured.filter((m) => m.work > WORK_PER_BYTE * m.bytes + WORK_BASE).map((m) => `${m.shape} seed ${m.seed}: ${m.work} steps for ${m.bytes} bytes`);
    expect(over).toEqual([]);
    // The counter is live: types were sized and walked.
    expect(Math.max(...measured.map((m) => m.work))).toBeGreaterThan(WORK_BASE);
    // Both outcomes occur, so the bound is exercised on types under and over the size limit.
    expect(new Set(measured.map((m) => m.outcome))).toEqual(new Set(['accepted', 'invalid']));

    const perByte = measured.reduce((a, m) => (m.work / m.bytes > a.work / a.bytes ? m : a));
    const perKb = measured.reduce((a, m) => (m.ms / m.bytes > a.ms / a.bytes ? m : a));
    console.log(
      `validation cost: ${measured.length} inputs (${measured.filter((m) => m.outcome === 'invalid').length} refused), ` +
        `${Math.min(...measured.map((m) => m.bytes))}–${Math.max(...measured.map((m) => m.bytes))} bytes; ` +
        `most work per byte ${(perByte.work / perByte.bytes).toFixed(2)} (${perByte.shape} seed ${perByte.seed}, ${perByte.work} steps, ${perByte.bytes} bytes); ` +
        `slowest load ${((perKb.ms * 1024) / perKb.bytes).toFixed(1)} ms/KB (${perKb.shape} seed ${perKb.seed}, ${perKb.ms.toFixed(1)} ms for ${perKb.bytes} bytes)`,
    );
  });
});
