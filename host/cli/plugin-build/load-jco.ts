/**
 * jco's wasm-tools for `rdylib build`, loaded on first use.
 *
 * `@bytecodealliance/jco-transpile` is an optional peer dependency of the package: it brings
 * binaryen (about 93 MB unpacked), which an application that only loads plugins, in a page or a
 * Node service, should not have to install. Only making a component needs it, so its absence
 * is reported here, at that moment, with the command that installs it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from './errors.ts';
import { packageRoot } from './package-root.ts';

const JCO_PACKAGE = '@bytecodealliance/jco-transpile';

export type JcoTools = typeof import('./jco.ts');

export async function loadJco(): Promise<JcoTools> {
  try {
    return await import('./jco.ts');
  } catch (err) {
    if (!isMissing(err, JCO_PACKAGE)) throw err;
    const version = peerVersion();
    throw new BuildError(
      `rdylib build needs ${JCO_PACKAGE} ${version} to make components, and it is not installed: ` +
        `npm install --save-dev ${JCO_PACKAGE}@${version}`,
      { cause: err },
    );
  }
}

function isMissing(err: unknown, pkg: string): boolean {
  return (
    err instanceof Error &&
    (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
    err.message.includes(`'${pkg}`)
  );
}

/** The version the package was tested with, as its manifest pins it. */
function peerVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };
  return manifest.peerDependencies?.[JCO_PACKAGE] ?? 'latest';
}
