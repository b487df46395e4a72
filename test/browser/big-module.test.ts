/**
 * A plugin with a core module larger than what Chromium lets a page's main
 * thread compile or instantiate synchronously (`new WebAssembly.Module` and
 * `new WebAssembly.Instance` of over 8 MB throw a RangeError there): `load`
 * (and `reload`, and `expect`'s reading of a reference build) compile and
 * instantiate such a module with `WebAssembly.compile` and
 * `WebAssembly.instantiate`, so the plugin loads and runs on the page's main
 * thread, a start function or not (run once); the synchronous `compile` and
 * `CompiledComponent.instantiate` cannot, and say why as
 * LoadError('unsupported'). A component without it loads either way. A
 * component refused while the big module compiles fails as Node's
 * synchronous `compile` fails for the same bytes (the first failing
 * definition wins). Page: big-module-page.html.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { compile } from '../../host/index.ts';
import { LoadError } from '../../host/errors.ts';
import { openHostPage, SLOW, type TestPage } from './chromium.ts';

const DIR = fileURLToPath(new URL('../../build/browser-big-module/', import.meta.url));
/** Chromium's limit for a synchronous compile on the main thread (8 MB), plus some. */
const BIG = 8 * 1024 * 1024 + 64 * 1024;

type Described = { name: string; code: string; kind: string; message: string };
declare global {
  interface Window {
    bigModuleReady?: boolean;
    bigModule: {
      load(file: string, expected?: string): Promise<{ answer?: number; isUnloaded?: boolean; error?: Described }>;
      reload(first: string, then: string): Promise<{ answers?: number[]; error?: Described }>;
      compile(file: string): Promise<{ compiled?: boolean; error?: Described }>;
      ticking(file: string, times: number): Promise<{ answers?: number[]; ticks?: number[]; synchronous?: { instantiated?: boolean; error?: Described }; error?: Described }>;
    };
  }
}

/**
 * A component exporting `answer` (42), from a small core module; or, with `padding`, from a core
 * module that also holds a passive data segment of that many bytes (and `inBig`), compiled and
 * instantiated; `after`, definitions after everything else.
 */
function component(padding?: number, inBig = '', after = ''): Promise<Uint8Array> {
  const data = padding === undefined ? '' : `(data "${'x'.repeat(padding)}") ${inBig}`;
  return parse(`(component
    (core module $m ${data} (func (export "answer") (result i32) i32.const 42))
    (core instance $i (instantiate $m))
    (func (export "answer") (result u32) (canon lift (core func $i "answer")))
    ${after})`);
}

/**
 * A component exporting `answer` from a core module of `padding` bytes of data (and more) with a start function:
 * it calls the component's import `tick` once and sets the global `answer` returns to 42.
 */
function startingComponent(padding: number): Promise<Uint8Array> {
  return parse(`(component
    (import "tick" (func $tick))
    (core func $t (canon lower (func $tick)))
    (core module $m
      (import "" "tick" (func $tick))
      (data "${'x'.repeat(padding)}")
      (global $g (mut i32) (i32.const 0))
      (func $s (call $tick) (global.set $g (i32.add (global.get $g) (i32.const 42))))
      (start $s)
      (func (export "answer") (result i32) global.get $g))
    (core instance $i (instantiate $m (with "" (instance (export "tick" (func $t))))))
    (func (export "answer") (result u32) (canon lift (core func $i "answer"))))`);
}

/** Invalid: instantiates a module without the argument its import needs. */
const MISSING_ARG = '(core module $imp (import "env" "f" (func))) (core instance (instantiate $imp))';
/** A function whose body does not validate. */
const BAD_FUNC = '(func (result i32))';

/** What Node's synchronous `compile` (no size limit there) says of `bytes`: kind, and message up to the engine's words. */
function nodeRefusal(bytes: Uint8Array): { kind: string; message: RegExp } {
  try {
    compile(bytes, { cache: false });
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    const m = /^(core module does not validate: ).*( \(at byte offset \d+\))$/.exec(e.message);
    const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { kind: e.kind, message: m === null ? new RegExp(`^${escape(e.message)}$`) : new RegExp(`^${escape(m[1]!)}.*${escape(m[2]!)}$`) };
  }
  throw new Error('expected Node to refuse the component');
}

const refusals: Record<string, { kind: string; message: RegExp }> = {};

let opened: TestPage | undefined;
let page: Page | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  opened = await openHostPage(DIR, 'big-module-page.html', {}, 'bigModuleReady', async () => {
    const big = await component(BIG);
    expect(big.length).toBeGreaterThan(BIG);
    await writeFile(`${DIR}big.wasm`, big);
    await writeFile(`${DIR}small.wasm`, await component());
    const starting = await startingComponent(BIG);
    expect(starting.length).toBeGreaterThan(BIG);
    await writeFile(`${DIR}big-start.wasm`, starting);
    for (const [file, bytes] of [
      // The big module does not compile, and a later definition is invalid: the compile failure.
      ['big-bad-then-invalid.wasm', await component(BIG, BAD_FUNC, MISSING_ARG)],
      // The big module compiles, and a later definition is invalid: that definition.
      ['big-then-invalid.wasm', await component(BIG, '', MISSING_ARG)],
    ] as const) {
      refusals[file] = nodeRefusal(bytes);
      await writeFile(`${DIR}${file}`, bytes);
    }
  });
  page = opened.page;
  pageErrors = opened.pageErrors;
}, SLOW);

afterAll(() => opened?.close(), SLOW);

describe('a core module over 8 MB on the main thread of a page in chromium', () => {
  it('loads and runs with `load`, which compiles and instantiates it asynchronously', async () => {
    expect(await page!.evaluate(() => window.bigModule.load('big.wasm'))).toEqual({ answer: 42, isUnloaded: true });
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it('replaces a small build with `reload`, and is read as `expect`\'s reference build', async () => {
    expect(await page!.evaluate(() => window.bigModule.reload('small.wasm', 'big.wasm'))).toEqual({ answers: [42, 42] });
    expect(await page!.evaluate(() => window.bigModule.load('big.wasm', 'big.wasm'))).toEqual({ answer: 42, isUnloaded: true });
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it('with a start function, loads and runs with `load`, `reload` and `expect`, the start function run once per instantiation, from the compile cache too', async () => {
    // Two loads (the second finds the first's compiled modules in the cache), a load then its reload, a load with
    // `expect`; then the synchronous `CompiledComponent.instantiate` of the cached build: refused, nothing ran (0 ticks).
    const r = await page!.evaluate(() => window.bigModule.ticking('big-start.wasm', 2));
    expect(r).toMatchObject({ answers: [42, 42, 42, 42, 42], ticks: [1, 1, 1, 1, 1, 0] });
    expect(r.synchronous?.error).toMatchObject({ name: 'LoadError', code: 'LOAD', kind: 'unsupported' });
    expect(r.synchronous!.error!.message).toMatch(/^core instantiation: this JavaScript engine will not instantiate this module synchronously on this thread .*`load` instantiates it asynchronously, or load it in a worker: .*disallowed on the main thread/);
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it('is refused by the synchronous `compile` as unsupported, naming its size and what to use instead', async () => {
    const r = await page!.evaluate(() => window.bigModule.compile('big.wasm'));
    expect(r.error).toMatchObject({ name: 'LoadError', code: 'LOAD', kind: 'unsupported' });
    expect(r.error!.message).toMatch(/^core module of \d+ bytes: this JavaScript engine will not compile it synchronously on this thread .*`load` compiles it asynchronously, or load it in a worker: .*disallowed on the main thread/);
    expect(pageErrors).toEqual([]);
  }, SLOW);

  for (const [file, what] of [
    ['big-bad-then-invalid.wasm', 'a big module that does not compile, then an invalid definition: the compile failure'],
    ['big-then-invalid.wasm', 'a big module, then an invalid definition: the invalid definition'],
  ] as const) {
    it(`refuses ${what}, as Node's synchronous compile does`, async () => {
      const r = await page!.evaluate((f) => window.bigModule.load(f), file);
      const want = refusals[file]!;
      expect(r.error).toMatchObject({ name: 'LoadError', code: 'LOAD', kind: want.kind });
      expect(r.error!.message).toMatch(want.message);
      expect(pageErrors).toEqual([]);
    }, SLOW);
  }

  it('without it, the component loads both ways', async () => {
    expect(await page!.evaluate(() => window.bigModule.load('small.wasm'))).toEqual({ answer: 42, isUnloaded: true });
    expect(await page!.evaluate(() => window.bigModule.compile('small.wasm'))).toEqual({ compiled: true });
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
