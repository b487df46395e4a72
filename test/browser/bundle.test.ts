import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleError, bundleHost, WEB_WORKER_FILE } from '../../scripts/bundle-host.ts';

const outDir = await mkdtemp(join(tmpdir(), 'rdylib-bundle-'));
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('scripts/bundle-host.ts', () => {
  it('bundles host/index.ts as browser ESM', async () => {
    const outfile = join(outDir, 'rdylib.js');
    const { bytes } = await bundleHost({ outfile });
    expect(existsSync(outfile)).toBe(true);
    expect(bytes).toBeGreaterThan(0);
    const code = readFileSync(outfile, 'utf8');
    expect(code).toMatch(/^export\s*\{/m);
    expect(code).not.toMatch(/\brequire\(/);
  });

  it('emits the Web Worker entry next to the host bundle, with Node-only modules replaced in both', async () => {
    const outfile = join(outDir, 'with-worker', 'rdylib.js');
    await bundleHost({ outfile, worker: true });
    const worker = join(outDir, 'with-worker', WEB_WORKER_FILE);
    expect(existsSync(worker)).toBe(true);
    const workerCode = readFileSync(worker, 'utf8');
    // The worker serves plugins: it carries the protocol's message handling, not an export list.
    expect(workerCode).toMatch(/load-failed/);
    expect(workerCode).not.toMatch(/^export\s*\{/m);
    const hostCode = readFileSync(outfile, 'utf8');
    // spawn-web looks for the worker next to the bundle; spawn-node and read-file-node are stand-ins that throw.
    expect(hostCode).toContain(`"web-worker.js"`);
    expect(hostCode).toContain('spawn-node.ts is Node-only and not part of rdylib');
    expect(hostCode).toContain('read-file-node.ts is Node-only and not part of rdylib');
    for (const code of [hostCode, workerCode]) {
      expect(code).not.toMatch(/worker_threads/);
      expect(code).not.toMatch(/["']node:/);
      expect(code).not.toMatch(/import\(["'][^"']*-node\.ts["']\)/);
    }
  });

  it('fails naming each static Node built-in import and its importer', async () => {
    const entry = fileURLToPath(new URL('./fixtures/uses-node-builtin.ts', import.meta.url));
    const failure = await bundleHost({ entry, outfile: join(outDir, 'bad.js') }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BundleError);
    const problems = (failure as BundleError).problems;
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('"node:fs" imported by test/browser/fixtures/uses-node-builtin.ts');
    expect(problems.join('\n')).toContain('"path" imported by test/browser/fixtures/uses-node-builtin.ts');
  });

  it('replaces a dynamic import of a Node built-in by a module that throws, so a bundler never sees node:', async () => {
    const entry = fileURLToPath(new URL('./fixtures/node-only-dynamic-import.ts', import.meta.url));
    const outfile = join(outDir, 'dynamic.js');
    await bundleHost({ entry, outfile });
    const code = readFileSync(outfile, 'utf8');
    expect(code).not.toMatch(/import\(["']node:/);
    expect(code).toContain('node:fs/promises is Node-only and not part of rdylib');
  });
});
