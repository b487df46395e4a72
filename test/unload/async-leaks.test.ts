/**
 * Nothing of a plugin unloaded with async work pending stays reachable
 * (async-gc-cycles.ts, in a child process with --expose-gc, on the system
 * Node and on the pinned current Node, whose JSPI adds a task suspended
 * inside core wasm): after many load -> start calls -> unload({ pending:
 * 'cancel' }) cycles the heap is flat, a FinalizationRegistry saw every
 * unloaded instance and memory collected, the store keeps no waiting thread,
 * and every call rejected with UnloadedError, although the host keeps the
 * promises its import returned and the AbortSignals it passed, unsettled.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { repoRoot } from '../support/guests.ts';
// A type only: importing the script's values would run it.
import type { Report } from './async-gc-cycles.ts';


const CYCLES = 100;
const script = fileURLToPath(new URL('./async-gc-cycles.ts', import.meta.url));

async function run(node: string): Promise<{ node: string; jspi: boolean; reports: Report[] }> {
  const { stdout } = await promisify(execFile)(node, ['--expose-gc', '--import', 'tsx', script, String(CYCLES)], {
    cwd: repoRoot,
    maxBuffer: 1 << 20,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { node: string; jspi: boolean; reports: Report[] };
}

function check(reports: readonly Report[]): void {
  for (const r of reports) {
    console.log(`async unload GC report: ${JSON.stringify(r)}`);
    expect({ scenario: r.scenario, rejected: r.rejectedWithUnloadedError }).toEqual({ scenario: r.scenario, rejected: r.calls });
    expect(r.calls).toBe(3 * CYCLES);
    // Allowance: the newest one or two may not be finalized yet when the report is written.
    expect(r.instancesCollected, r.scenario).toBeGreaterThanOrEqual(CYCLES - 2);
    expect(r.memoriesCollected, r.scenario).toBeGreaterThanOrEqual(r.memories - 2);
    expect(r.storeWaitingAfter, r.scenario).toBe(0);
    // An instance kept alive costs its 64 KiB memory and more: a leak would be far above this.
    expect(r.growthPerCycleBytes, r.scenario).toBeLessThan(16 * 1024);
  }
}

describe('unload with pending async work leaks nothing (child process with --expose-gc)', () => {
  it(`system Node: ${CYCLES} cycles each of a task waiting on a host promise and on its cancellation`, async () => {
    const { reports } = await run(process.execPath);
    expect(reports.map((r) => r.scenario)).toEqual(expect.arrayContaining(['host-promise', 'cancellable-wait']));
    check(reports);
  }, 300_000);

  const unavailable = pinnedNodeUnavailable();
  it.skipIf(unavailable !== undefined)(`pinned Node (JSPI): the same, and a stackful task suspended in waitable-set.wait${unavailable === undefined ? '' : ` (${unavailable})`}`, async () => {
    const { jspi, reports } = await run(ensurePinnedNode().executable);
    expect(jspi).toBe(true);
    expect(reports.map((r) => r.scenario)).toEqual(['host-promise', 'cancellable-wait', 'stackful-wait']);
    check(reports);
  }, 300_000);
});
