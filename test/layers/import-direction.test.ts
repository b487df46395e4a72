/**
 * The host's layers import one way, as docs/host-architecture.md draws them:
 * each folder's "knows nothing about" column, checked on every import of
 * every module (static and dynamic), so a shortcut across layers fails here
 * rather than in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HOST = resolve(dirname(fileURLToPath(import.meta.url)), '../../host');

/** Where each layer may not reach: a folder, or one file of the host root (`load.ts`). */
const FORBIDDEN: Record<string, readonly string[]> = {
  binary: ['validate', 'abi', 'runtime', 'rdylib', 'plugin', 'isolate', 'inspect', 'bindings', 'wasi', 'load.ts', 'types.ts', 'value-type-equality.ts'],
  validate: ['runtime', 'rdylib', 'plugin', 'isolate', 'inspect', 'bindings', 'wasi', 'load.ts'],
  abi: ['binary', 'validate', 'runtime', 'rdylib', 'plugin', 'isolate', 'inspect', 'bindings', 'wasi', 'load.ts'],
  runtime: ['rdylib', 'plugin', 'isolate', 'inspect', 'bindings', 'wasi', 'load.ts'],
  rdylib: ['plugin', 'isolate', 'inspect', 'bindings', 'wasi', 'load.ts'],
  plugin: ['isolate', 'inspect', 'bindings', 'load.ts'],
  isolate: ['binary', 'validate', 'abi', 'runtime', 'rdylib', 'inspect', 'bindings'],
  inspect: ['abi', 'runtime', 'plugin', 'isolate', 'bindings', 'wasi', 'load.ts'],
  bindings: ['plugin', 'isolate', 'wasi'],
  wasi: ['binary', 'validate', 'abi', 'runtime', 'rdylib', 'plugin', 'isolate', 'inspect', 'bindings', 'load.ts'],
};

/**
 * validate/ shares one layout implementation with the ABI and nothing else of it; the worker proxy
 * shares the names exports are reachable by (plain names, no ABI).
 */
const ALLOWED_FILES: Record<string, readonly string[]> = { validate: ['abi/layout.ts'], isolate: ['runtime/export-keys.ts'] };

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The host-relative targets of a module's relative imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(HOST, resolve(dirname(file), s)).replaceAll('\\', '/'));
}

describe('host layers', () => {
  const files = modules(HOST);

  it('finds the layers it checks, and the imports of a module', () => {
    expect(Object.keys(FORBIDDEN).every((layer) => files.some((f) => relative(HOST, f).startsWith(`${layer}/`)))).toBe(true);
    expect(importsOf(join(HOST, 'plugin/plugin.ts'))).toContain('runtime/instantiate.ts');
  });

  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${layer}/ knows nothing about ${forbidden.join(', ')}`, () => {
      const offending: string[] = [];
      for (const f of files.filter((x) => relative(HOST, x).startsWith(`${layer}/`))) {
        for (const target of importsOf(f)) {
          if ((ALLOWED_FILES[layer] ?? []).includes(target)) continue;
          const top = target.includes('/') ? target.slice(0, target.indexOf('/')) : target;
          if (forbidden.includes(top)) offending.push(`${relative(HOST, f)} imports ${target}`);
        }
      }
      expect(offending).toEqual([]);
    });
  }
});
