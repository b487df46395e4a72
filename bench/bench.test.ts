/**
 * Correctness of the bench itself (not its speed: nothing here times anything):
 * the guests are valid, every column of every section gives the right answers
 * (each case's own check, which compares against the expected values), and
 * the report never invents a number.
 */
import { describe, expect, it } from 'vitest';
import { componentWit } from '../scripts/lib/jco.ts';
import { callbackCases } from './callbacks/cases.ts';
import { CALLBACK_IMPLEMENTATIONS } from './callbacks/section.ts';
import { bytesCases, extismSide, oursSide, type BytesSide } from './extism/section.ts';
import { jcoLoad } from './jco.ts';
import { kvCases } from './kv/cases.ts';
import { KV_IMPLEMENTATIONS } from './kv/section.ts';
import type { BenchApi } from './micro/api.ts';
import { CALL_CASES } from './micro/cases.ts';
import { BENCH_INTERFACE, buildBenchGuest, LOAD_CASE_PADDING } from './micro/guest.ts';
import { MICRO_IMPLEMENTATIONS } from './micro/section.ts';
import { formatTable, toJson, verdict } from './report.ts';
import type { CaseResult, Target } from './suite.ts';
import type { SyncCase } from './sync-section.ts';

describe('bench guest', () => {
  it('is a valid component exporting the bench interface', async () => {
    const wit = await componentWit((await buildBenchGuest()).component);
    expect(wit).toContain(`export ${BENCH_INTERFACE};`);
  });

  it('pads the load-case component to about 100 KB', async () => {
    const big = await buildBenchGuest(LOAD_CASE_PADDING);
    expect(big.component.length).toBeGreaterThan(90_000);
    expect(big.component.length).toBeLessThan(110_000);
  });
});

/** One instance per column, made on first use (transpiling or loading per case would be slow). */
function once<A>(make: () => Promise<A>): () => Promise<A> {
  let made: Promise<A> | undefined;
  return () => (made ??= make());
}

/** Each case's check (it throws "wrong result from ..."), then its op twice. */
function checksAndRuns<A>(cases: readonly SyncCase<A>[], make: () => Promise<A>): void {
  const instance = once(make);
  it.each(cases.map((c) => [c.name, c] as const))('passes the %s check and runs the op', async (_case, c) => {
    const op = c.prepare(await instance());
    expect(() => {
      op();
      op();
    }).not.toThrow();
  });
}

describe.each(Object.entries(MICRO_IMPLEMENTATIONS))('micro, %s', (_name, make: () => Promise<BenchApi>) => {
  checksAndRuns(CALL_CASES, make);

  it('frees counter slots on drop (more create+drop cycles than there are slots)', async () => {
    const api = await make();
    for (let i = 0; i < 10_000; i++) new api.Counter(i)[Symbol.dispose]();
    const c = new api.Counter(1);
    expect(c.increment(1)).toBe(2);
  });
});

describe.each(Object.entries(KV_IMPLEMENTATIONS))('kv, %s', (_name, make) => {
  checksAndRuns(kvCases(300), make);
});

describe.each(Object.entries(CALLBACK_IMPLEMENTATIONS))('callbacks, %s', (_name, make) => {
  checksAndRuns(callbackCases(1000), make);
});

describe.each([
  ['ours', oursSide],
  ['extism', extismSide],
] as const)('bytes in/out, %s', (_name, make) => {
  it.each(['in process', 'worker'] as const)('%s: passes every check and runs each op', async (mode) => {
    const side: BytesSide = await make(mode);
    try {
      for (const c of bytesCases(64 * 1024)) await (await c.prepare(side))();
    } finally {
      await side.close();
    }
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
  const load: Target = { kind: 'jco/ours', atLeast: 10 };
  const at = (ns: number) => ({ ns, spread: 0.01 });

  it('judges targets from the measured ratios', () => {
    expect(verdict(scalar, { ours: at(10), raw: at(5), jco: at(1) })).toBe('PASS');
    expect(verdict(scalar, { ours: at(11), raw: at(5), jco: at(1) })).toBe('MISS');
    expect(verdict(small, { ours: at(10), raw: at(5), jco: at(200) })).toBe('PASS');
    expect(verdict(load, { ours: at(10), raw: at(5), jco: at(99) })).toBe('MISS');
  });

  it('keeps an unmeasured column as null / n/a, never a number', () => {
    const result: CaseResult = {
      section: 'micro',
      name: 'add',
      targets: [scalar, small],
      cells: { ours: { reason: 'no load()' }, raw: at(2.46), jco: at(1700) },
    };
    expect(verdict(scalar, result.cells)).toBe('n/a');
    expect(verdict(small, result.cells)).toBe('n/a');
    expect(toJson([result]).cases).toEqual([{ name: 'add', ours_ns: null, raw_ns: 2.5, jco_ns: 1700, extism_ns: null, floor_ns: null }]);
    const lines = formatTable([result]).split('\n');
    expect(lines[0]).toMatch(/^case\s+raw\s+ours\s+jco\s+ours\/raw\s+ours\/jco\s+target\s+status$/);
    expect(lines[2]).toMatch(/^add\s+2\.5 ns ±1%\s+n\/a\s+1\.70 µs ±1%\s+n\/a\s+n\/a\s+ours <= 2x raw\s+n\/a$/);
  });
});
