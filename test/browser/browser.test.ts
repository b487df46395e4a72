/**
 * The host in a real browser: bundles host/index.ts, serves the bundle, a
 * test page and build/guests/hello.wasm from a local HTTP server, drives
 * Debian's chromium through playwright-core, and checks what the page returns.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../../scripts/lib/jco.ts';
import { HOSTILE_CORE } from '../hostile/wat.ts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BUNDLE, bundleHost } from '../../scripts/bundle-host.ts';
import { openTestPage, SLOW, type TestPage } from './chromium.ts';

const BROWSER_DIR = fileURLToPath(new URL('../../build/browser/', import.meta.url));
const HELLO_WASM = fileURLToPath(new URL('../../build/guests/hello.wasm', import.meta.url));

interface CoreResult {
  sum: number;
  wrapped: number;
  loadError: { name: string; code: string; kind: string; message: string };
  hasLoad: boolean;
}

interface HelloResult {
  greet: string;
  greeting: { message: string; length: number };
  increment: number;
  value: number;
}

interface IsolatedResult {
  calls: { isIsolated: boolean; greet: string; increment: number };
  ok: number;
  during: string;
  spinError: { name: string; code: string; isTimeoutError: boolean; message: string };
  afterTimeout: string;
  events: string[];
  stillWorks: string;
}

declare global {
  interface Window {
    rdylibReady?: boolean;
    rdylibTest: {
      core(): Promise<CoreResult>;
      hello(): Promise<HelloResult>;
      isolated(): Promise<IsolatedResult>;
      missingWorker(): Promise<{ name: string; code: string; kind: string; message: string; url: string }>;
    };
  }
}

let opened: TestPage | undefined;
let page: Page | undefined;
/** Errors the page reported; included in failure messages, since they are the likely cause. */
let pageErrors: string[] = [];

async function preparePage(): Promise<void> {
  await bundleHost();
  await mkdir(BROWSER_DIR, { recursive: true });
  await copyFile(fileURLToPath(new URL('./page.html', import.meta.url)), `${BROWSER_DIR}index.html`);
  // A plain core module, so the page has real wasm to run while load() does not exist.
  const addModule = await parse(`(module
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1))))`);
  await writeFile(`${BROWSER_DIR}add.wasm`, addModule);
  // Exports `spin` (an infinite loop) and `ok`, for the Web Worker time limit.
  await writeFile(`${BROWSER_DIR}spinner.wasm`, await parse(HOSTILE_CORE));
}

beforeAll(async () => {
  await preparePage();
  opened = await openTestPage(BROWSER_DIR, existsSync(HELLO_WASM) ? { '/hello.wasm': HELLO_WASM } : {}, 'rdylibReady');
  page = opened.page;
  pageErrors = opened.pageErrors;
}, SLOW);

afterAll(() => opened?.close(), SLOW);

describe('host in chromium', () => {
  it('serves the bundle and runs wasm in the page', async () => {
    expect(existsSync(BROWSER_BUNDLE)).toBe(true);
    const result = await page!.evaluate(() => window.rdylibTest.core());
    expect(result.sum).toBe(42);
    expect(result.wrapped).toBe(1);
    // The bundle's error classes work in the browser, with their stable codes.
    expect(result.loadError).toEqual({
      name: 'LoadError',
      code: 'LOAD',
      kind: 'malformed',
      message: 'bad magic (at byte offset 0)',
    });
    expect(result.hasLoad).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('loads hello.wasm from its URL and calls every export', async () => {
    expect(existsSync(HELLO_WASM), `${HELLO_WASM} is missing: run npm run build:guests`).toBe(true);
    const result = await page!.evaluate(() => window.rdylibTest.hello());
    expect(result).toEqual({
      greet: 'Hello, World!',
      greeting: { message: 'Hello, Wörld!', length: 13 },
      increment: 8,
      value: 8,
    });
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it("isolate: 'worker' runs a plugin in a Web Worker; timeoutMs stops a runaway one while the page keeps working", async () => {
    expect(existsSync(`${BROWSER_DIR}web-worker.js`), 'the bundle emits the worker entry next to rdylib.js').toBe(true);
    expect(existsSync(HELLO_WASM), `${HELLO_WASM} is missing: run npm run build:guests`).toBe(true);
    const result = await page!.evaluate(() => window.rdylibTest.isolated());
    expect(result.calls).toEqual({ isIsolated: true, greet: 'Hello, Worker!', increment: 8 });
    expect(result.ok).toBe(42);
    expect(result.during).toBe('Hello, page!');
    expect(result.spinError).toMatchObject({ name: 'TimeoutError', code: 'TIMEOUT', isTimeoutError: true });
    expect(result.spinError.message).toMatch(/spinner: spin ran past its time limit of 500 ms/);
    // The page answered while the plugin was still spinning, before the time limit ended it.
    expect(result.events).toEqual(['page answered', 'spin rejected']);
    expect(result.afterTimeout).toBe('TrapError');
    expect(result.stillWorks).toBe('Hello, after!');
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it("isolate: 'worker' with no worker entry at its URL fails with a LoadError naming the URL and what to serve", async () => {
    const result = await page!.evaluate(() => window.rdylibTest.missingWorker());
    expect(result).toMatchObject({ name: 'LoadError', code: 'LOAD', kind: 'io' });
    expect(result.message).toContain(`is not at ${result.url} (HTTP 404)`);
    expect(result.message).toContain('"rdylib/web-worker"');
    expect(result.message).toContain('workerUrl');
  }, SLOW);
});
