/**
 * The Component Model reference tests on the pinned current Node
 * (scripts/lib/pinned-node.ts; installed into build/pinned-node on first use):
 * scripts/conformance.ts --json runs the suite there, and each case becomes a
 * test here, judged against the features that engine reported. Every case the
 * known-failures list marks `[needs FEATURE]` must pass on it.
 */

import { describe, expect, it } from 'vitest';
import { ensurePinnedNode, pinnedNodeUnavailable } from '../../scripts/lib/pinned-node.ts';
import { runScenarioScript } from '../sdk/scenario-script.ts';
import { defineConformanceTests } from './define-tests.ts';
import { ENGINE_FEATURES } from './engine-features.ts';
import { readKnownFailures } from './known-failures.ts';
import { PINNED_RUN_DEADLINE_MS, readReport } from './pinned-run.ts';
import { KNOWN_FAILURES_FILE, type SuiteReport } from './suite.ts';

/** A hung run is killed at the deadline and fails naming it and the child's stderr (runScenarioScript). */
async function runOnPinnedNode(executable: string): Promise<SuiteReport> {
  const script = new URL('../../scripts/conformance.ts', import.meta.url);
  const stdout = await runScenarioScript(executable, script, PINNED_RUN_DEADLINE_MS, ['--json']);
  return { ...readReport(stdout), known: readKnownFailures(KNOWN_FAILURES_FILE) };
}

const unavailable = pinnedNodeUnavailable();
if (unavailable !== undefined) {
  // Only linux-x64 and linux-arm64 are pinned; CI runs on linux-x64.
  it.skip(`conformance on the pinned Node: ${unavailable}`, () => {});
} else {
  const pinned = ensurePinnedNode();
  const report = await runOnPinnedNode(pinned.executable);

  describe(`pinned Node ${pinned.version}`, () => {
    it('is the version the lock pins', () => {
      expect(report.engine.name).toBe(`node ${pinned.version}`);
    });

    it('has every engine feature a known failure can need, so no such case may fail on it', () => {
      expect([...report.engine.features].sort()).toEqual([...ENGINE_FEATURES].sort());
    });
  });

  defineConformanceTests(report);
}
