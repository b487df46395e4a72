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
import { columnCopy } from './column-copy.ts';
import { componentWithNonce, topLevelCoreModules } from './core-modules.ts';
import { checkedWarmLoad, jcoLoad, loadables, oursLoad, rawLoad, type Temperature } from './load/section.ts';
import { readGuest } from './paths.ts';
import { CHECKED_FLOOR_NOTE, targetTally, writeReport } from './report-md.ts';
import { headlineCases, HEADLINES, readmePerformance, README_MARKERS, README_PATH, withPerformanceBlock } from './readme-md.ts';
import { costPerHandle, timeUnload } from './unload/section.ts';
import { kvCases } from './kv/cases.ts';
import { KV_CHECKED_FLOOR, KV_IMPLEMENTATIONS } from './kv/section.ts';
import type { KvApi } from './kv/api.ts';
import type { BenchApi } from './micro/api.ts';
import { CALL_CASES } from './micro/cases.ts';
import { BENCH_INTERFACE, buildBenchGuest } from './micro/guest.ts';
import { MICRO_CHECKED_FLOOR, MICRO_IMPLEMENTATIONS } from './micro/section.ts';
import { formatTable, toJson, verdict, verdictLabel, type Verdict } from './report.ts';
import { columnsToRepeat, VERDICT_REPEATS, withRepeats } from './repeats.ts';
import type { CaseResult, Target } from './suite.ts';
import { coverage, coveringOnly, type SyncCase } from './sync-section.ts';

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

describe('micro, checked floor (the rows it covers)', () => {
  checksAndRuns(
    CALL_CASES.filter((c) => (MICRO_CHECKED_FLOOR.cases as readonly string[]).includes(c.name)),
    async () => coveringOnly<BenchApi>(await MICRO_CHECKED_FLOOR.make()),
  );
});

describe('kv, checked floor (the rows it covers)', () => {
  checksAndRuns(
    kvCases(300).filter((c) => (KV_CHECKED_FLOOR.cases as readonly string[]).includes(c.name)),
    async () => coveringOnly<KvApi>(await KV_CHECKED_FLOOR.make()),
  );
});

describe('partial columns (checked floors)', () => {
  const cases = [{ name: 'a' }, { name: 'b' }];
  it('run only the cases they name; every other column runs every case', () => {
    const covers = coverage({ id: 's', partial: { checked: ['b'] } }, cases);
    expect(cases.map((c) => [covers('checked', c.name), covers('raw', c.name)])).toEqual([
      [false, true],
      [true, true],
    ]);
  });
  it('refuse a name that matches no case (a renamed case must not silently lose its floor)', () => {
    expect(() => coverage({ id: 's', partial: { checked: ['b', 'c'] } }, cases)).toThrow('s: column checked covers cases that do not exist: c');
  });
});

describe.each(Object.entries(KV_IMPLEMENTATIONS))('kv, %s', (_name, make) => {
  checksAndRuns(kvCases(300), make);
});

describe('kv, raw glue strings', () => {
  // The workloads' keys and values are short ASCII; raw-strings.ts storeUtf8 has a
  // one-pass ASCII path (short by hand, long through encodeInto) and a non-ASCII
  // path that resizes the allocation: each must store what ours stores.
  const shapes = ['', 'k', 'a'.repeat(32), 'b'.repeat(33), 'x'.repeat(5000), 'é', 'ascii then é', 'ü'.repeat(40), `${'z'.repeat(40)}€`, '😀 astral', '日本語のキー'];
  it('put and get give ours\'s results for every string shape', async () => {
    const results = [];
    for (const make of [KV_IMPLEMENTATIONS.raw, KV_IMPLEMENTATIONS.ours]) {
      const store = new (await make()).Store();
      const seen = [];
      for (const [i, k] of shapes.entries()) seen.push(store.put(k, shapes[shapes.length - 1 - i]!));
      for (const k of shapes) seen.push(store.put(k, `${k}!`), store.get(k));
      seen.push(store.len());
      store[Symbol.dispose]();
      results.push(seen);
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toContain('😀 astral!');
  });
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
    const temperatures: Temperature[] = [{ kind: 'cold', loads: 1 }, { kind: 'warm' }];
    for (const target of await loadables(10)) {
      for (const t of temperatures) {
        for (const load of [oursLoad(target, t), jcoLoad(target, t)]) {
          const loaded = await load();
          target.check(loaded.exports);
          await loaded.release();
        }
        await (await rawLoad(target, t)()).release();
      }
      // The warm-load checked floor: every loadable has one.
      const checked = checkedWarmLoad(target);
      expect(checked).toBeDefined();
      if (checked !== undefined) {
        for (let i = 0; i < 2; i++) {
          const loaded = await checked();
          target.check(loaded.exports);
          await loaded.release();
        }
      }
    }
  });

  it('a cold load gets fresh bytes: each core module with a nonce section appended, the rest byte for byte', async () => {
    const [kv] = await loadables(10);
    const original = topLevelCoreModules(kv!.bytes);
    const varied = topLevelCoreModules(componentWithNonce(kv!.bytes, 300));
    expect(varied.length).toBe(original.length);
    varied.forEach((module, i) => {
      expect(new Uint8Array(module.subarray(0, original[i]!.length))).toEqual(new Uint8Array(original[i]!));
      const nonces = WebAssembly.Module.customSections(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), 'rdylib-bench-nonce');
      expect(nonces.map((b) => [...new Uint8Array(b)])).toEqual([[0xac, 0x02]]);
    });
    const cold = oursLoad(kv!, { kind: 'cold', loads: 1 });
    await (await cold()).release();
    await expect(cold()).rejects.toThrow('only 1 fresh variants were made');
  });
});

describe('unload case', () => {
  it('states the cost per live handle from the fewest and the most, or nothing when one is unmeasured', () => {
    const row = (ns: number | undefined): CaseResult => ({ section: 'unload', name: 'u', targets: [], cells: { ours: ns === undefined ? { reason: 'x' } : { ns, spread: 0 } } });
    expect(costPerHandle([row(2e5), row(3e5), row(2.2e6)])).toBe('200.0 ns per handle beyond the first (from 1 to 10,000 live handles)');
    expect(costPerHandle([row(2e5), row(3e5), row(undefined)])).toBeUndefined();
  });

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
    expect(verdict(scalar, { ours: at(10), raw: at(5), jco: at(1) })).toEqual({ kind: 'pass', ratio: 2 });
    expect(verdict(scalar, { ours: at(11), raw: at(5), jco: at(1) })).toEqual({ kind: 'miss', ratio: 2.2 });
    expect(verdict(small, { ours: at(10), raw: at(5), jco: at(200) })).toEqual({ kind: 'pass', ratio: 20 });
    expect(verdict(load, { ours: at(10), raw: at(5), jco: at(99) })).toEqual({ kind: 'miss', ratio: 9.9 });
  });

  it('tells a target no safe host can meet from one that is missed, by the same run\'s checked floor or raw (every branch)', () => {
    // ours <= 2x raw: decided by the checked floor alone, never by raw (raw/raw is 1).
    expect(verdict(scalar, { ours: at(30), raw: at(10), checked: at(24) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'checked/raw', ratio: 2.4 } });
    expect(verdict(scalar, { ours: at(30), raw: at(10), checked: at(20) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(scalar, { ours: at(30), raw: at(10), checked: { reason: 'x' } })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(scalar, { ours: at(30), raw: at(10) })).toEqual({ kind: 'miss', ratio: 3 });
    // A proof must hold at the spreads' unfavourable edges (median -/+ half the IQR), not only at the medians.
    const spread = (ns: number, by: number) => ({ ns, spread: by });
    expect(verdict(scalar, { ours: at(30), raw: spread(10, 0.1), checked: spread(24, 0.1) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(scalar, { ours: at(30), raw: spread(10, 0.05), checked: spread(24, 0.05) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'checked/raw', ratio: 2.4 } });
    expect(verdict(small, { ours: at(10), raw: spread(2, 0.5), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), raw: at(2), jco: spread(30, 0.4) })).toEqual({ kind: 'miss', ratio: 3 });
    // A spread of 100% or more: the low edge is 0, never negative (a negative edge once "proved" jco/raw below every target).
    expect(verdict(small, { ours: at(10), raw: spread(2, 1.55), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), raw: at(1), checked: spread(2, 1.2), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    // A checked floor slower than ours decides nothing (not the least a host must do, or noise); raw still does.
    expect(verdict(scalar, { ours: at(30), raw: at(10), checked: at(31) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), raw: at(1), checked: at(11), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), raw: at(2), checked: at(11), jco: at(30) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/raw', ratio: 15 } });
    // Met is met, even when the floor measured above the target (noise, or a floor doing more than it must).
    expect(verdict(scalar, { ours: at(19), raw: at(10), checked: at(24) })).toEqual({ kind: 'pass', ratio: 1.9 });
    expect(verdict(scalar, { ours: at(30), checked: at(24) })).toEqual({ kind: 'n/a' });
    expect(verdict(scalar, { raw: at(10), checked: at(24) })).toEqual({ kind: 'n/a' });
    // jco >= 20x ours: decided by jco/raw (no host beats raw) or jco/checked floor, the stronger one.
    expect(verdict(small, { ours: at(10), raw: at(2), jco: at(30) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/raw', ratio: 15 } });
    expect(verdict(small, { ours: at(10), raw: at(1), checked: at(2), jco: at(30) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/checked', ratio: 15 } });
    expect(verdict(small, { ours: at(10), raw: at(2), checked: at(1), jco: at(30) })).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/raw', ratio: 15 } });
    expect(verdict(small, { ours: at(10), raw: at(1), checked: at(1.2), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), jco: at(30) })).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(small, { ours: at(10), raw: at(1) })).toEqual({ kind: 'n/a' });
    // The labels the tables print: the figure that decides beside the verdict.
    expect(verdictLabel({ kind: 'pass', ratio: 1 })).toBe('PASS');
    expect(verdictLabel({ kind: 'miss', ratio: 3 })).toBe('MISS');
    expect(verdictLabel({ kind: 'n/a' })).toBe('n/a');
    expect(verdictLabel({ kind: 'unreachable', ratio: 3, bound: { kind: 'checked/raw', ratio: 2.314 } })).toBe('MISS: unreachable, checked floor 2.31x raw');
    expect(verdictLabel({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/raw', ratio: 0.85 } })).toBe('MISS: unreachable, jco 0.85x raw');
    expect(verdictLabel({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/checked', ratio: 62.4 } })).toBe('MISS: unreachable, jco 62.4x checked floor');
  });

  it('keeps an unreachable verdict only when every repeat proves it too, printing the weakest figure', () => {
    const first = { ours: at(30), raw: at(10), checked: at(24) };
    // Every measurement proves it: unreachable, with the least favourable of their figures.
    expect(verdict(scalar, first, [{ ours: at(30), raw: at(10), checked: at(22) }, { ours: at(31), raw: at(10), checked: at(26) }])).toEqual({
      kind: 'unreachable',
      ratio: 3,
      bound: { kind: 'checked/raw', ratio: 2.2 },
    });
    // One repeat where the floor is under the target, or too noisy at the edges, or slower than ours, or ours met it:
    // a miss the noise decided, saying how many measurements proved it.
    const unconfirmed = (proved: number, measurements: number): Verdict => ({ kind: 'unconfirmed', ratio: 3, proved, measurements });
    expect(verdict(scalar, first, [{ ours: at(30), raw: at(10), checked: at(22) }, { ours: at(30), raw: at(10), checked: at(19) }])).toEqual(unconfirmed(2, 3));
    expect(verdict(scalar, first, [{ ours: at(30), raw: at(10), checked: at(19) }, { ours: at(30), raw: at(10), checked: at(18) }])).toEqual(unconfirmed(1, 3));
    expect(verdict(scalar, first, [{ ours: at(30), raw: { ns: 10, spread: 0.2 }, checked: at(24) }])).toEqual(unconfirmed(1, 2));
    expect(verdict(scalar, first, [{ ours: at(23), raw: at(10), checked: at(24) }])).toEqual(unconfirmed(1, 2));
    expect(verdict(scalar, first, [{ ours: at(19), raw: at(10), checked: at(18) }])).toEqual(unconfirmed(1, 2));
    expect(verdict(scalar, first, [{ ours: at(30), raw: { reason: 'x' }, checked: at(24) }])).toEqual(unconfirmed(1, 2));
    expect(verdictLabel(unconfirmed(2, 3))).toBe('MISS (unreachable in 2 of 3 measurements)');
    // jco >= X ours: any proof counts in a repeat; the weakest is the largest jco ratio.
    const firstJco = { ours: at(10), raw: at(2), jco: at(30) };
    expect(verdict(small, firstJco, [{ ours: at(10), raw: at(1.6), jco: at(30) }])).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/raw', ratio: 18.75 } });
    expect(verdict(small, firstJco, [{ ours: at(10), raw: at(1), jco: at(30) }])).toEqual(unconfirmed(1, 2));
    expect(verdict(small, firstJco, [{ ours: at(10), raw: at(1), checked: at(1.6), jco: at(30) }])).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'jco/checked', ratio: 18.75 } });
    // Repeats never turn a pass or a plain miss into anything else.
    expect(verdict(scalar, { ours: at(30), raw: at(10), checked: at(18) }, [{ ours: at(30), raw: at(10), checked: at(25) }])).toEqual({ kind: 'miss', ratio: 3 });
    expect(verdict(scalar, { ours: at(19), raw: at(10) }, [{ ours: at(30), raw: at(10), checked: at(25) }])).toEqual({ kind: 'pass', ratio: 1.9 });
  });

  it('repeats only the cases judged unreachable, only in the columns a proof rests on, round after round', async () => {
    const cases: CaseResult[] = [
      { section: 's', name: 'unreachable by the floor', targets: [scalar], cells: { ours: at(30), raw: at(10), checked: at(24), jco: at(900), floor: at(1) } },
      { section: 's', name: 'met', targets: [scalar], cells: { ours: at(10), raw: at(8), checked: at(9) } },
      { section: 's', name: 'missed', targets: [scalar, small], cells: { ours: at(30), raw: at(10), checked: at(12), jco: at(900) } },
      { section: 's', name: 'unreachable by jco/raw', targets: [small], cells: { ours: at(10), raw: at(2), checked: { reason: 'x' }, jco: at(30) } },
    ];
    expect(cases.map(columnsToRepeat)).toEqual([['raw', 'checked', 'ours'], [], [], ['raw', 'jco']]);
    const calls: [number, readonly string[]][] = [];
    const { cases: again, facts } = await withRepeats(cases, async (i, columns) => {
      calls.push([i, columns]);
      return i === 0 ? { ours: at(30), raw: at(10), checked: at(21) } : { ours: at(10), raw: at(2), jco: at(30) };
    });
    // Every run says which cases were repeated and what that cost.
    expect(facts).toHaveLength(1);
    expect(facts[0]!.value).toMatch(/^unreachable by the floor; unreachable by jco\/raw: measured 2 more times in \d+\.\d s$/);
    expect((await withRepeats([cases[1]!], async () => ({}))).facts).toEqual([]);
    expect(calls.map(([i]) => i)).toEqual([0, 3, 0, 3]);
    expect(again.map((c) => c.repeats?.length)).toEqual([VERDICT_REPEATS, undefined, undefined, VERDICT_REPEATS]);
    expect(again[1]).toBe(cases[1]);
    expect(verdict(scalar, again[0]!.cells, again[0]!.repeats)).toEqual({ kind: 'unreachable', ratio: 3, bound: { kind: 'checked/raw', ratio: 2.1 } });
    // The tables and the tally read the repeats too.
    const withDoubt = [{ ...again[0]!, repeats: [{ ours: at(30), raw: at(10), checked: at(15) }] }];
    expect(formatTable(withDoubt)).toMatch(/ours <= 2x raw\s+MISS \(unreachable in 1 of 2 measurements\)\n?$/);
    expect(targetTally(withDoubt)).toEqual({ pass: 0, miss: 1, unreachable: 0, na: 0 });
  });

  it('counts unreachable targets among the missed ones, apart, in the tally, the report and the README', async () => {
    const cases: CaseResult[] = [
      { section: 'micro', name: 'add(u32,u32)->u32', targets: [scalar], cells: { ours: at(10), raw: at(8) } },
      { section: 'micro', name: 'echo record of 8 fields', targets: [scalar, small], cells: { ours: at(30), raw: at(10), checked: at(24), jco: at(3000) } },
      { section: 'micro', name: 'resource create+drop', targets: [scalar], cells: { ours: at(30), raw: at(10), checked: at(15) } },
      { section: 'micro', name: 'x', targets: [scalar], cells: { raw: at(10) } },
    ];
    expect(targetTally(cases)).toEqual({ pass: 2, miss: 2, unreachable: 1, na: 1 });
    const table = formatTable(cases);
    expect(table.split('\n')[0]).toMatch(/^case\s+raw\s+checked floor\s+ours\s+jco\s+ours\/raw\s+ours\/checked floor\s+ours\/jco\s+checked floor\/raw\s+target\s+status$/);
    expect(table).toMatch(/echo record of 8 fields .* 2\.40x\s+ours <= 2x raw\s+MISS: unreachable, checked floor 2\.40x raw\n/);
    expect(table).toMatch(/add\(u32,u32\)->u32\s+8\.0 ns ±1%\s+—\s+10\.0 ns ±1%\s+—\s+1\.25x\s+—\s+—\s+—\s+ours <= 2x raw\s+PASS/);
    const section = { id: 'micro', title: 'micro section', run: async () => ({ cases: [] }) };
    const input = { sections: [{ section, results: { cases } }], loadAtStart: [1, 1, 1], startedAt: new Date(0), unloadHandleCounts: [] };
    const dir = await mkdtemp(join(tmpdir(), 'rdylib-report-'));
    try {
      const paths = { report: join(dir, 'performance.md'), chartDir: join(dir, 'performance') };
      await writeReport(input, paths);
      const md = await readFile(paths.report, 'utf8');
      expect(md).toContain('| targets met | 2 PASS, 2 MISS (1 of them unreachable for a safe host), 1 n/a |');
      expect(md).toContain(CHECKED_FLOOR_NOTE);
      expect(md).toContain('bench/floors/');
      expect(md).toContain('| MISS: unreachable, checked floor 2.40x raw |');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

  it('the README headline patterns match the cases the bench makes (micro, kv, callbacks, extism names)', () => {
    const names = [
      ...CALL_CASES.map((c) => ({ section: 'micro', name: c.name })),
      ...kvCases(10_000).map((c) => ({ section: 'kv', name: c.name })),
      ...callbackCases(1_000_000).map((c) => ({ section: 'callbacks', name: c.name })),
      ...bytesCases().flatMap((c) => ['in process', 'worker'].map((mode) => ({ section: 'extism', name: `${c.name} (${mode})` }))),
    ];
    for (const h of HEADLINES.filter((x) => ['micro', 'kv', 'callbacks', 'extism'].includes(x.section))) {
      expect(names.some((n) => n.section === h.section && h.name.test(n.name)), `${h.section} ${h.name}`).toBe(true);
    }
  });

  it('writes the README block from the run: commit, Node, machine, load, targets met, the headline rows only', () => {
    const names: Record<string, string[]> = {
      micro: ['add(u32,u32)->u32', 'echo string 16 B', 'echo record of 8 fields', 'resource method call', 'resource create+drop', 'echo string 1 MiB'],
      kv: ['kv: 10,000 puts', 'kv: iterate 10,000 entries', 'kv: len() of 10,000 entries'],
      callbacks: ['plugin -> host trait: 1,000,000 canvas.lineTo calls (shapes.render)', 'plugin -> plugin (linked): consumer.compactness(shape), 2 calls into shapes'],
      load: ['load kv (105 KB), cold', 'load kv, warm', 'load 1.1 MB WAT component (1062 KB), cold', 'load 1.1 MB WAT component, warm'],
      unload: ['unload kv with 1 live handle', 'unload kv with 100 live handles', 'unload kv with 10,000 live handles'],
      extism: ['echo bytes 1 MiB (worker)', 'kv put + get (short strings) (worker)'],
    };
    const sections = Object.entries(names).map(([id, list]) => ({
      section: { id, title: id, run: async () => ({ cases: [] }) },
      results: {
        cases: list.map((name, i): CaseResult => ({
          section: id,
          name,
          targets: id === 'micro' && i === 0 ? [scalar, small] : [],
          cells: id === 'unload' ? { ours: at([2e5, 3e5, 2.2e6][i]!) } : id === 'extism' ? { ours: at(3e6), extism: at(8e7) } : { ours: at(10), raw: at(4), jco: at(1000) },
        })),
        facts: id === 'unload' ? [{ section: 'unload', name: 'memory over 200 load/unload cycles of kv', value: 'flat' }] : [],
      },
    }));
    const block = readmePerformance({ sections, loadAtStart: [0.5, 0.25, 0.125], startedAt: new Date(0), unloadHandleCounts: [1, 100, 10_000] }, 'abc1234');
    expect(block).toContain('at commit `abc1234` on 1970-01-01T00:00:00Z');
    expect(block).toContain(`Node ${process.version}`);
    expect(block).toContain('load average 0.50, 0.25, 0.13');
    expect(block).toContain('**1 of 2 targets met** (1 missed)');
    expect(block).toContain('| add(u32,u32)->u32 | 10.0 ns | 2.50x | 100x |  | MISS, PASS |');
    expect(block).toContain('| echo bytes 1 MiB (worker) | 3.00 ms |  |  | 0.04x |  |');
    expect(block).not.toContain('echo string 1 MiB');
    expect(block).toContain('- memory over 200 load/unload cycles of kv: flat');
    // A checked floor above the target: the headline row and the count say so.
    const withFloor = sections.map((s) =>
      s.section.id === 'micro' ? { ...s, results: { ...s.results, cases: s.results.cases.map((c, i) => (i === 0 ? { ...c, cells: { ...c.cells, checked: at(9) } } : c)) } } : s,
    );
    const floorBlock = readmePerformance({ sections: withFloor, loadAtStart: [0.5, 0.25, 0.125], startedAt: new Date(0), unloadHandleCounts: [] }, 'abc1234');
    expect(floorBlock).toContain("**1 of 2 targets met** (1 missed, 1 of them unreachable for any safe host, by this run's own figures)");
    expect(floorBlock).toContain('| add(u32,u32)->u32 | 10.0 ns | 2.50x | 100x |  | MISS: unreachable, checked floor 2.25x raw, PASS |');
    // A headline with no case: refused, naming it.
    const withoutLinked = sections.map((s) => (s.section.id === 'callbacks' ? { ...s, results: { ...s.results, cases: s.results.cases.slice(0, 1) } } : s));
    expect(() => headlineCases(withoutLinked.flatMap((s) => s.results.cases))).toThrow(/callbacks: \/\^plugin -> plugin \\\(linked\\\)\//);
  });

  it('replaces only what is between the README markers, and refuses a README without them', async () => {
    const readme = `# x\n\n${README_MARKERS.start}\nold figures\n${README_MARKERS.end}\n\nafter\n`;
    expect(withPerformanceBlock(readme, 'new figures')).toBe(`# x\n\n${README_MARKERS.start}\nnew figures\n${README_MARKERS.end}\n\nafter\n`);
    expect(() => withPerformanceBlock('# no markers', 'x')).toThrow(/performance markers/);
    expect(() => withPerformanceBlock(readme + readme, 'x')).toThrow(/once each/);
    // The project's README has them.
    const projectReadme = await readFile(README_PATH, 'utf8');
    expect(() => withPerformanceBlock(projectReadme, 'x')).not.toThrow();
  });

  it('keeps an unmeasured column as null / n/a, never a number', () => {
    const result: CaseResult = {
      section: 'micro',
      name: 'add',
      targets: [scalar, small],
      cells: { ours: { reason: 'no load()' }, raw: at(2.46), jco: at(1700) },
    };
    expect(verdict(scalar, result.cells)).toEqual({ kind: 'n/a' });
    expect(verdict(small, result.cells)).toEqual({ kind: 'n/a' });
    expect(toJson([result]).cases).toEqual([{ name: 'add', ours_ns: null, raw_ns: 2.5, jco_ns: 1700, extism_ns: null, checked_ns: null, floor_ns: null }]);
    expect(toJson([{ ...result, cells: { ...result.cells, checked: at(3.04) } }]).cases[0]!.checked_ns).toBe(3);
    const lines = formatTable([result]).split('\n');
    expect(lines[0]).toMatch(/^case\s+raw\s+ours\s+jco\s+ours\/raw\s+ours\/jco\s+target\s+status$/);
    expect(lines[2]).toMatch(/^add\s+2\.5 ns ±1%\s+n\/a\s+1\.70 µs ±1%\s+n\/a\s+n\/a\s+ours <= 2x raw\s+n\/a$/);
  });
});

describe('column copies', () => {
  it('give each column its own instance of a workload module, with functions of its own', async () => {
    type KvCasesModule = { readonly kvCases: unknown };
    const raw = await columnCopy<KvCasesModule>('kv/cases', 'raw');
    const ours = await columnCopy<KvCasesModule>('kv/cases', 'ours');
    expect(typeof raw.kvCases).toBe('function');
    expect(raw.kvCases).not.toBe(ours.kvCases);
    expect(raw.kvCases).not.toBe(kvCases);
    expect(await columnCopy<KvCasesModule>('kv/cases', 'raw')).toBe(raw);
  });
});
