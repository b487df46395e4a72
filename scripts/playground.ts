/**
 * Builds the playground (playground/) into a folder any static host can
 * serve, and serves it locally.
 *
 *   npm run playground:build   -> build/playground/ (prints the bundle sizes)
 *   npm run playground         -> builds, then serves it on 127.0.0.1 and prints the URL
 *                                 (PORT=8080 npm run playground for a fixed port)
 *
 * The folder holds the page, its stylesheet, the app bundled with the host
 * (minified, with the Web Worker entry `web-worker.js` next to it, where
 * `load(…, { isolate: 'worker' })` looks for it), and the example plugins
 * built by `npm run build:guests`, each with its Rust source. One extra
 * plugin is made here from kv: `kv-v2.wasm`, the build a changed
 * `Store::iter(&'a mut self)` would produce, to show what the load-time
 * check reports against the original.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleHost, WEB_WORKER_FILE } from './bundle-host.ts';
import { serveStatic } from './lib/static-server.ts';
// The build a changed `Store::iter(&'a mut self)` would produce: the component types do not change
// (a borrow is a borrow in WIT), only the lifetime section does. The compatibility tests use the same fixture.
import { withExclusiveIter } from '../test/support/abi-section.ts';
import { EXAMPLES, INCOMPATIBLE_KV } from '../playground/src/catalog.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCE = join(ROOT, 'playground');
export const PLAYGROUND_DIR = join(ROOT, 'build', 'playground');

export interface PlaygroundBuild {
  readonly dir: string;
  /** Bytes of each file a first visit downloads before picking a plugin, and gzip-compressed. */
  readonly sizes: readonly { readonly file: string; readonly bytes: number; readonly gzip: number }[];
}

async function readGuestBuild(name: string): Promise<Uint8Array> {
  const path = join(ROOT, 'build', 'guests', `${name}.wasm`);
  if (!existsSync(path)) throw new Error(`${relative(ROOT, path)} is missing: run \`npm run build:guests\` first`);
  return readFile(path);
}

export async function buildPlayground(dir: string = PLAYGROUND_DIR): Promise<PlaygroundBuild> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'examples'), { recursive: true });
  await bundleHost({ entry: join(SOURCE, 'src', 'main.ts'), outfile: join(dir, 'app.js'), worker: true, minify: true });
  for (const file of ['index.html', 'style.css']) await copyFile(join(SOURCE, file), join(dir, file));
  for (const example of EXAMPLES) {
    await writeFile(join(dir, 'examples', `${example.name}.wasm`), await readGuestBuild(example.name));
    await copyFile(join(ROOT, 'guest-rust', 'examples', example.name, 'src', 'lib.rs'), join(dir, 'examples', `${example.name}.rs`));
  }
  await writeFile(join(dir, 'examples', `${INCOMPATIBLE_KV.file}.wasm`), withExclusiveIter(await readGuestBuild('kv')));
  const sizes = [];
  for (const file of ['index.html', 'style.css', 'app.js', WEB_WORKER_FILE]) {
    const body = await readFile(join(dir, file));
    sizes.push({ file, bytes: body.length, gzip: gzipSync(body).length });
  }
  return { dir, sizes };
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

function describeBuild({ dir, sizes }: PlaygroundBuild): string {
  const lines = sizes.map((s) => `  ${s.file.padEnd(14)} ${kib(s.bytes).padStart(10)}  (${kib(s.gzip)} gzip)`);
  const page = sizes.filter((s) => s.file !== WEB_WORKER_FILE);
  const total = page.reduce((n, s) => n + s.gzip, 0);
  return `playground built in ${relative(ROOT, dir)}/\n${lines.join('\n')}\n  the page loads ${kib(total)} gzip before a plugin is picked (the worker only when isolation is on)`;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const command = process.argv[2];
  try {
    if (command !== 'build' && command !== 'serve') throw new Error('usage: node --import tsx scripts/playground.ts build|serve');
    const built = await buildPlayground();
    console.log(describeBuild(built));
    if (command === 'serve') {
      const port = process.env.PORT === undefined ? 0 : Number(process.env.PORT);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
      const server = await serveStatic(built.dir, {}, port);
      console.log(`\nplayground: ${server.url}  (Ctrl-C stops it)`);
      process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
