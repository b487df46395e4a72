/**
 * Runs a script of the tests in a child Node with `--expose-gc` and V8's
 * natives syntax (`%GetOptimizationStatus`, `%HaveSameMap`, ...), which a
 * vitest worker cannot turn on for itself, and returns the JSON the script
 * printed on its last line: tests that check what V8 keeps across full GCs
 * (hidden classes, optimised code) read its report.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `script`: the URL of a TypeScript file run under tsx (resolve it with `new URL('./x.ts', import.meta.url)`). */
export async function nativesChildReport(script: URL): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', fileURLToPath(script)],
    { cwd: repoRoot },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as unknown;
}
