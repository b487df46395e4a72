/**
 * rdylib's checks behave in a browser as in Node: headless Chromium loads the
 * bundled host, refuses a plugin that does not provide the expected interface
 * (the reference build fetched by URL), enforces a borrow rule, and unload
 * revokes the handles handed out. Page: rdylib-page.html.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExclusiveIter } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { openHostPage, SLOW, type TestPage } from './chromium.ts';

const DIR = fileURLToPath(new URL('../../build/browser-rdylib/', import.meta.url));

interface Described { name: string; code: string; message: string; differences: string[] }
declare global {
  interface Window {
    rdylibChecksReady?: boolean;
    rdylibChecks: {
      mismatch(): Promise<{ loaded: boolean; error?: Described; isAbiMismatch?: boolean }>;
      unload(): Promise<{
        borrow: Described & { isBorrowError: boolean };
        before: { get: string; remaining: number; lifetimes: string };
        after: Record<string, { name: string; isUnloaded: boolean; message: string } | string>;
        isUnloaded: boolean;
        memoriesAfter: number;
      }>;
    };
  }
}

let opened: TestPage | undefined;
let page: Page | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  opened = await openHostPage(DIR, 'rdylib-page.html', { '/kv.wasm': guestPath('kv') }, 'rdylibChecksReady', () =>
    writeFile(`${DIR}kv-stricter.wasm`, withExclusiveIter(readGuest('kv'))),
  );
  page = opened.page;
  pageErrors = opened.pageErrors;
}, SLOW);

afterAll(() => opened?.close(), SLOW);

describe('rdylib checks in chromium', () => {
  it('refuses at load a plugin whose lifetimes no longer match the expected build', async () => {
    const r = await page!.evaluate(() => window.rdylibChecks.mismatch());
    expect(r.loaded).toBe(false);
    expect(r.isAbiMismatch).toBe(true);
    expect(r.error).toMatchObject({ name: 'AbiMismatchError', code: 'ABI_MISMATCH' });
    expect(r.error!.differences).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`',
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` result handle at `(result)`: expected `iter` borrowing `self` (shared), found `iter` borrowing `self` (exclusive): it now borrows `self` exclusively',
    ]);
    expect(pageErrors).toEqual([]);
  }, SLOW);

  it('enforces a borrow rule, and unload revokes every handle handed out', async () => {
    const r = await page!.evaluate(() => window.rdylibChecks.unload());
    expect(r.borrow).toMatchObject({ name: 'BorrowError', isBorrowError: true });
    expect(r.borrow.message).toBe('cannot borrow mutably store #1 (self of `[method]store.put`): it is borrowed by iter #2 (shared); drop it first');
    expect(r.before).toEqual({ get: '1', remaining: 1, lifetimes: 'checked' });
    expect(r.isUnloaded).toBe(true);
    expect(r.memoriesAfter).toBe(0);
    for (const what of ['method', 'dependent', 'constructor', 'function']) {
      expect(r.after[what], what).toMatchObject({ name: 'UnloadedError', isUnloaded: true });
      expect((r.after[what] as { message: string }).message).toMatch(/^kv was unloaded: `rdylib-guest:kv\/kv@0\.1\.0#/);
    }
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
