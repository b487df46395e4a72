/**
 * Correctness of the bench itself (not its speed: nothing here times anything):
 * the guest component is valid, the raw, jco and our implementations give the
 * right answers for every case, and the report never invents a number.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentWit } from '../scripts/lib/jco.ts';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchApi } from './api.ts';
import { CALL_CASES, LOAD_VS_JCO, type Target } from './cases.ts';
import { BENCH_INTERFACE, buildBenchGuest, LOAD_CASE_PADDING } from './guest.ts';
import { jcoLoad, transpileToDir } from './jco.ts';
import { oursHost } from './ours.ts';
import { compileRaw, instantiateRaw } from './raw.ts';
import { formatTable, toJson, verdict, type CaseResult } from './report.ts';

const guest = await buildBenchGuest();
const jcoDir = await mkdtemp(join(tmpdir(), 'rdylib-bench-jco-'));
afterAll(() => rm(jcoDir, { recursive: true, force: true }));

describe('bench guest', () => {
  it('is a valid component exporting the bench interface', async () => {
    const wit = await componentWit(guest.component);
    expect(wit).toContain(`export ${BENCH_INTERFACE};`);
  });

  it('pads the load-case component to about 100 KB', async () => {
    const big = await buildBenchGuest(LOAD_CASE_PADDING);
    expect(big.component.length).toBeGreaterThan(90_000);
    expect(big.component.length).toBeLessThan(110_000);
  });
});

const implementations: [string, () => Promise<BenchApi>][] = [
  ['raw', async () => instantiateRaw(await compileRaw(guest))],
  ['jco', () => transpileToDir(guest.component, jcoDir)],
  ['ours', async () => oursHost.api(await oursHost.load(guest.component))],
];

describe.each(implementations)('%s implementation', (_name, make) => {
  it.each(CALL_CASES.map((c) => [c.name, c] as const))('passes the %s check and runs the op', async (_case, c) => {
    const api = await make();
    const op = c.prepare(api); // throws "wrong result from ..." on a wrong answer
    expect(() => {
      op();
      op();
    }).not.toThrow();
  });

  it('frees counter slots on drop (more create+drop cycles than there are slots)', async () => {
    const api = await make();
    for (let i = 0; i < 10_000; i++) new api.Counter(i)[Symbol.dispose]();
    const c = new api.Counter(1);
    expect(c.increment(1)).toBe(2);
  });
});

describe('load case', () => {
  it('jco load yields a working instance', async () => {
    const big = await buildBenchGuest(LOAD_CASE_PADDING);
    expect((await jcoLoad(big.component)).add(40, 2)).toBe(42);
  });
});

describe('report', () => {
  const scalar: Target = { kind: 'ours/raw', atMost: 2 };
  const small: Target = { kind: 'jco/ours', atLeast: 20 };

  it('judges targets from the measured ratios', () => {
    expect(verdict(scalar, { ours: { ns: 10 }, raw: { ns: 5 }, jco: { ns: 1 } })).toBe('PASS');
    expect(verdict(scalar, { ours: { ns: 11 }, raw: { ns: 5 }, jco: { ns: 1 } })).toBe('MISS');
    expect(verdict(small, { ours: { ns: 10 }, raw: { ns: 5 }, jco: { ns: 200 } })).toBe('PASS');
    expect(verdict(LOAD_VS_JCO, { ours: { ns: 10 }, raw: { ns: 5 }, jco: { ns: 99 } })).toBe('MISS');
  });

  it('keeps an unmeasured column as null / n/a, never a number', () => {
    const result: CaseResult = {
      name: 'add',
      targets: [scalar, small],
      cells: { ours: { reason: 'no load()' }, raw: { ns: 2.46 }, jco: { ns: 1700 } },
    };
    expect(verdict(scalar, result.cells)).toBe('n/a');
    expect(verdict(small, result.cells)).toBe('n/a');
    expect(toJson([result]).cases).toEqual([{ name: 'add', ours_ns: null, raw_ns: 2.5, jco_ns: 1700 }]);
    const lines = formatTable([result]).split('\n');
    expect(lines[2]).toMatch(/^add\s+2\.5 ns\s+n\/a\s+1\.70 µs\s+n\/a\s+n\/a\s+ours\/raw<=2x\s+n\/a$/);
  });
});
