/**
 * An async Rust plugin in a browser: headless Chromium loads the bundled
 * host and the `pipeline` example (guest-rust/examples/pipeline) and runs
 * an async export returning a Promise, an async host import the plugin
 * awaits, stream<u8> in and out as ReadableStreams, cancellation through an
 * AbortSignal, and a BorrowError for a call that conflicts with a pending
 * task's `&mut self` borrow (Rust's E0499). Page: async-page.html.
 *
 * Chromium has had JSPI (`WebAssembly.Suspending`, `WebAssembly.promising`)
 * since 137, through which the runtime suspends a synchronous built-in that
 * has to wait (wit-bindgen's plugins import the synchronous `subtask.cancel`
 * and `stream.cancel-read`). The first test states that the installed
 * Chromium (156) has it.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPath } from '../support/guests.ts';
import { openHostPage, SLOW, type TestPage } from './chromium.ts';

const DIR = fileURLToPath(new URL('../../build/browser-async/', import.meta.url));

type Attempt =
  | { outcome: 'returned'; value: string }
  | { outcome: 'refused'; error: { name: string; message: string; cause?: string }; isBorrowError: boolean; isCancelled: boolean };

declare global {
  interface Window {
    asyncChecksReady?: boolean;
    asyncChecks: {
      jspi(): { suspending: boolean; promising: boolean };
      run(): Promise<{
        health: { isPromise: boolean; value: string };
        addWhileConsuming: Attempt;
        consumed: string;
        addAfter: Attempt;
        cancelled: Attempt;
        addAfterCancel: Attempt;
        streams: { outputIsReadableStream: boolean; text: string };
        isUnloaded: boolean;
      }>;
    };
  }
}

let opened: TestPage | undefined;
let page: Page | undefined;
let pageErrors: string[] = [];

beforeAll(async () => {
  opened = await openHostPage(DIR, 'async-page.html', { '/pipeline.wasm': guestPath('pipeline') }, 'asyncChecksReady');
  page = opened.page;
  pageErrors = opened.pageErrors;
}, SLOW);

afterAll(() => opened?.close(), SLOW);

describe('an async Rust plugin in chromium', () => {
  it('runs on a Chromium with JSPI (137 and later; the installed one is 156)', async () => {
    expect(await page!.evaluate(() => window.asyncChecks.jspi())).toEqual({ suspending: true, promising: true });
  }, SLOW);

  it('runs async exports, an async host import, streams both ways, AbortSignal cancellation and pending-borrow refusals', async () => {
    const r = await page!.evaluate(() => window.asyncChecks.run());
    // An async export returns a Promise.
    expect(r.health).toEqual({ isPromise: true, value: 'ok' });
    // While consume(&mut self) awaits the host's async nextChunk, add(&mut self) is refused before entering the plugin.
    expect(r.addWhileConsuming).toMatchObject({ outcome: 'refused', isBorrowError: true, error: { name: 'BorrowError' } });
    expect((r.addWhileConsuming as { error: { message: string } }).error.message).toBe(
      'cannot borrow mutably tally #1 (self of `[method]tally.add`): it is borrowed by `[method]tally.consume` (in progress) (exclusive); drop it first',
    );
    // consume awaited the host import twice (3 bytes); its borrow ended when it completed: add(10) runs.
    expect(r.consumed).toBe('3');
    expect(r.addAfter).toEqual({ outcome: 'returned', value: '13' });
    // An AbortSignal cancels the pending call: CancelledError naming the signal's reason; the borrow ends with it.
    expect(r.cancelled).toMatchObject({ outcome: 'refused', isCancelled: true, error: { name: 'CancelledError', cause: 'Error: page says stop' } });
    expect(r.addAfterCancel).toEqual({ outcome: 'returned', value: '113' });
    // stream<u8>: a ReadableStream in, a ReadableStream out.
    expect(r.streams).toEqual({ outputIsReadableStream: true, text: 'STREAM IN CHROMIUM' });
    expect(r.isUnloaded).toBe(true);
    expect(pageErrors).toEqual([]);
  }, SLOW);
});
