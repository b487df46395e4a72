/**
 * Runs a scenario script (a test's helper that prints one JSON report) in a
 * child process on a given Node: the pinned current one
 * (scripts/lib/pinned-node.ts) or the system one.
 */
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../support/guests.ts';

/** How long a script may run before it is killed and its test fails (a hang must not hold up the suite). */
const SCRIPT_TIMEOUT_MS = 180_000;

/**
 * Runs `script` (with `args`) with `node` and resolves with what it printed; rejects naming the script, the
 * engine and the child's stderr when it exits non-zero or is still running after `timeoutMs` (then it is killed).
 */
export function runScenarioScript(node: string, script: URL, timeoutMs = SCRIPT_TIMEOUT_MS, args: readonly string[] = []): Promise<string> {
  const path = fileURLToPath(script);
  const name = relative(repoRoot, path);
  return new Promise((resolve, reject) => {
    execFile(
      node,
      ['--import', 'tsx', path, ...args],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        // execFile sets `killed` when it ended the child for the timeout.
        const why = error.killed
          ? `did not finish within ${timeoutMs / 1000} s and was killed`
          : `exited with ${error.signal !== null && error.signal !== undefined ? `signal ${error.signal}` : `code ${String(error.code)}`}`;
        reject(new Error(`scenario script ${name} on ${node} ${why}; its stderr:\n${stderr}\nits stdout:\n${stdout.slice(0, 2000)}`));
      },
    );
  });
}
