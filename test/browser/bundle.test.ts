import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleError, bundleHost } from '../../scripts/bundle-host.ts';

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

  it('leaves a dynamic import of a Node built-in external, for Node-only paths', async () => {
    const entry = fileURLToPath(new URL('./fixtures/node-only-dynamic-import.ts', import.meta.url));
    const outfile = join(outDir, 'dynamic.js');
    await bundleHost({ entry, outfile });
    expect(readFileSync(outfile, 'utf8')).toMatch(/import\(["']node:fs\/promises["']\)/);
  });
});
