/**
 * Correctness of the bench itself (not its speed: nothing here times anything):
 * the guests are valid, every column of every section gives the right answers
 * (each case's own check, which compares against the expected values), and
 * the report never invents a number.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentWit } from '../scripts/lib/jco.ts';
import { callbackCases } from './callbacks/cases.ts';
import { CALLBACK_IMPLEMENTATIONS } from './callbacks/section.ts';
import { bytesCases, extismSide, oursSide, type BytesSide } from './extism/section.ts';
import { ratioChart, unloadChart } from './charts.ts';
import { jcoLoad, loadables, oursLoad, rawLoad } from './load/section.ts';
import { readGuest } from './paths.ts';
import { writeReport } from './report-md.ts';
import { timeUnload } from './unload/section.ts';
import { kvCases } from './kv/cases.ts';
import { KV_IMPLEMENTATIONS } from './kv/section.ts';
import type { BenchApi } from './micro/api.ts';
import { CALL_CASES } from './micro/cases.ts';
import { BENCH_INTERFACE, buildBenchGuest } from './micro/guest.ts';
import { MICRO_IMPLEMENTATIONS } from './micro/section.ts';
import { formatTable, toJson, verdict } from './report.ts';
import type { CaseResult, Target } from './suite.ts';
import type { SyncCase } from './sync-section.ts';

describe('bench guest', () => {
  it('is a valid component exporting the bench interface', async () => {
    const wit = await componentWit((await buildBenchGuest()).component);
    expect(wit).toContain(`export ${BENCH_INTERFACE};`);
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
  it('every component loads and answers in every column, cold and warm (a small WAT one here)', async () => {
    for (const target of await loadables(10)) {
      for (const load of [oursLoad(target, true), oursLoad(target, false), jcoLoad(target)]) {
        const loaded = await load();
        target.check(loaded.exports);
        await loaded.release();
      }
      for (const cold of [true, false]) await (await rawLoad(target, cold)()).release();
    }
  });
});

describe('unload case', () => {
  it('times unload() of a plugin with live handles', async () => {
    const times = await timeUnload(readGuest('kv'), 3, 0, 2, () => {});
    expect(times).toHaveLength(2);
    expect(times.every((t) => t > 0)).toBe(true);
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

  it('draws one bar per measured ratio and one point per unload measurement', () => {
    const results: CaseResult[] = [
      { section: 'kv', name: 'kv: puts', targets: [], cells: { raw: at(5), ours: at(10), jco: at(100), floor: { reason: 'x' } } },
      { section: 'kv', name: 'kv: <len>', targets: [], cells: { ours: { reason: 'y' }, raw: at(1) } },
    ];
    const bars = ratioChart(results);
    expect(bars.match(/<rect [^>]*><title>/g)).toHaveLength(2);
    expect(bars).toContain('kv: puts: ours/raw 2.0x');
    expect(bars).toContain('kv: puts: ours/jco 0.10x');
    expect(bars).not.toContain('kv: &lt;len&gt;');
    expect(unloadChart([{ handles: 1, ns: 2e5 }, { handles: 100, ns: 3e5 }, { handles: 10_000, ns: 5e7 }]).match(/<circle /g)).toHaveLength(3);
  });

  it('writes the report: machine, Node, a table per section, the reasons for n/a, the charts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdylib-report-'));
    try {
      const section = { id: 'unload', title: 'unload section', run: async () => ({ cases: [] }) };
      const cases: CaseResult[] = [1, 100].map((n) => ({ section: 'unload', name: `unload ${n}`, targets: [], cells: { ours: at(n * 1000) } }));
      cases.push({ section: 'unload', name: 'unload 10000', targets: [], cells: { ours: { reason: 'no time' } } });
      const paths = { report: join(dir, 'performance.md'), chartDir: join(dir, 'performance') };
      await writeReport({ sections: [{ section, results: { cases, chart: 'unload-by-handles', facts: [{ section: 'unload', name: 'heap', value: '1 MB' }] } }], loadAtStart: [1, 1, 1], startedAt: new Date(0), unloadHandleCounts: [1, 100, 10_000] }, paths);
      const md = await readFile(paths.report, 'utf8');
      expect(md).toContain(`| Node | ${process.version}`);
      expect(md).toContain('## unload section');
      expect(md).toMatch(/\| unload 100 \| 100\.00 µs ±1% \|/);
      expect(md).toContain('- unload 10000, ours: n/a, no time');
      expect(md).toContain('- heap: 1 MB');
      expect(md).toContain('![unload time against live handles](performance/unload.svg)');
      expect((await readFile(join(paths.chartDir, 'unload.svg'), 'utf8')).match(/<circle /g)).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
