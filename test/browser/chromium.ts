/**
 * The browser tests' one way into a page: Debian's chromium (installed on
 * first use), driven by playwright-core, on a directory served by server.ts.
 * Errors the page reports are collected, since they are the likely cause of
 * a failure and belong in its message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { bundleHost } from '../../scripts/bundle-host.ts';
import { serveStatic } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const ENSURE_CHROMIUM = fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url));

/** Generous: the first run may install chromium and bundle the host. */
export const SLOW = 60_000;

export interface TestPage {
  readonly page: Page;
  /** `pageerror`s and `console.error`s of the page so far. */
  readonly pageErrors: string[];
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/**
 * Serves `dir` (index.html at `/`, plus `extra` URL paths mapped to files),
 * opens it in headless chromium and waits until the page sets
 * `window[readyFlag]` to true.
 */
export async function openTestPage(dir: string, extra: Readonly<Record<string, string>>, readyFlag: string): Promise<TestPage> {
  if (!existsSync(CHROMIUM)) {
    // Installs it as root on Debian; anywhere else it fails saying what to install.
    execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
  }
  const server = await serveStatic(dir, extra);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright gives every launch() a fresh, temporary user-data-dir.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async (): Promise<void> => {
    await browser.close();
    await server.close();
  };
  const pageErrors: string[] = [];
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console.error: ${msg.text()}`);
  });
  await page.goto(server.url);
  await page
    .waitForFunction((flag) => (window as unknown as Record<string, unknown>)[flag] === true, readyFlag, { timeout: 10_000 })
    .catch(async (error: unknown) => {
      await close();
      throw new Error(`the test page did not initialise: ${pageErrors.join('; ') || String(error)}`);
    });
  return { page, pageErrors, close };
}

/**
 * A test page over the bundled host: bundles host/index.ts into `dir` as
 * rdylib.js (no worker), copies `html` (a page of this folder) there as
 * index.html, lets `prepare` add files, then opens it (openTestPage).
 */
export async function openHostPage(
  dir: string,
  html: string,
  extra: Readonly<Record<string, string>>,
  readyFlag: string,
  prepare?: () => Promise<void>,
): Promise<TestPage> {
  await mkdir(dir, { recursive: true });
  await bundleHost({ outfile: join(dir, 'rdylib.js'), worker: false });
  await copyFile(fileURLToPath(new URL(`./${html}`, import.meta.url)), join(dir, 'index.html'));
  await prepare?.();
  return openTestPage(dir, extra, readyFlag);
}
