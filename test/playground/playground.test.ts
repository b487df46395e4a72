/**
 * The playground in headless Chromium, driven through its own controls:
 * loads kv, makes calls through the generated forms, triggers a borrow
 * conflict, unloads, and reads the handle view and the errors shown; drops
 * a component file onto the page; runs the guided scenarios (the worker
 * time limit stopping an infinite loop among them); and saves screenshots
 * at 1280x800 and at a 390 px phone width under test/artifacts/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlayground, type PlaygroundBuild } from '../../scripts/playground.ts';
import { openTestPage, SLOW, type TestPage } from '../browser/chromium.ts';
import { guestPath } from '../support/guests.ts';

const DIR = fileURLToPath(new URL('../../build/playground-test/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

let built: PlaygroundBuild | undefined;
let opened: TestPage | undefined;
let page: Page;

/** Waits until the page is idle (no load or call in progress). */
async function idle(): Promise<void> {
  await page.waitForFunction(() => document.body.getAttribute('aria-busy') === 'false');
}

/** Fills a generated form's fields (by parameter index; a method's self is 0), submits it, and returns what it shows. */
async function call(form: string, fields: Readonly<Record<number, string>> = {}): Promise<string> {
  for (const [i, value] of Object.entries(fields)) {
    const field = page.locator(`#${form}-${i}`);
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await page.locator(`#${form} button[type=submit]`).click();
  const out = page.locator(`#${form} .call-out`);
  await page.waitForFunction((id) => document.querySelector(`#${id} .call-out`)!.childElementCount > 0, form);
  await idle();
  return (await out.innerText()).trim();
}

/** The handle view's rows: `kv#1` -> its state and cells. */
async function handleRows(): Promise<Record<string, { state: string; text: string }>> {
  return page.$$eval('#handles tr[data-handle]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-handle')!, { state: r.getAttribute('data-state')!, text: (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim() }])),
  );
}

async function status(): Promise<string> {
  return (await page.locator('#status').innerText()).trim();
}

async function runScenario(id: string): Promise<string> {
  await page.locator(`#scenario-${id}`).click();
  await page.waitForFunction((sid) => !(document.getElementById(`scenario-${sid}`) as HTMLButtonElement).disabled, id, { timeout: 30_000 });
  await idle();
  return (await page.locator('#scenario-out').innerText()).trim();
}

beforeAll(async () => {
  built = await buildPlayground(DIR);
  await mkdir(ARTIFACTS, { recursive: true });
  opened = await openTestPage(DIR, {}, 'playgroundReady');
  page = opened.page;
  await page.setViewportSize({ width: 1280, height: 800 });
}, SLOW);

afterAll(() => opened?.close(), SLOW);

describe('playground build', () => {
  it('emits the page, the bundles, every example plugin with its Rust, and the incompatible kv build', async () => {
    expect(built!.sizes.map((s) => s.file)).toEqual(['index.html', 'style.css', 'app.js', 'web-worker.js']);
    for (const s of built!.sizes) expect(s.gzip, s.file).toBeLessThan(s.bytes);
    for (const name of ['kv', 'shapes', 'registry', 'types', 'consumer', 'faults', 'kv-v2']) {
      const wasm = await readFile(`${DIR}examples/${name}.wasm`);
      expect(Array.from(wasm.subarray(0, 4)), name).toEqual([0x00, 0x61, 0x73, 0x6d]);
    }
    expect(await readFile(`${DIR}examples/faults.rs`, 'utf8')).toContain('pub fn collatz_steps');
  });
});

describe('playground in chromium', () => {
  it('loads kv and shows its interface read from the component', async () => {
    expect(await status()).toBe('kv loaded in the page, lifetimes verified.');
    const wit = await page.locator('#inspect-body').innerText();
    expect(wit).toContain('resource store {');
    expect(wit).toContain('iter: func() -> iter;');
    await page.locator('#tab-lifetimes').click();
    const lifetimes = await page.locator('#inspect-body').innerText();
    expect(lifetimes).toMatch(/Store::iter\s+self: &\s+-> iter borrowing self \(shared\)/);
    await page.locator('#tab-wit').click();
  });

  it('calls through the generated forms; results are values and handles are numbered objects', async () => {
    expect(await call('call-kv-store-new')).toBe('→ #1 store');
    expect(await call('call-kv-store-put', { 0: '1', 1: 'a', 2: '1' })).toBe('→ none');
    expect(await call('call-kv-store-get', { 0: '1', 1: 'a' })).toBe('→ some("1")');
    expect(await call('call-kv-store-writes', { 0: '1' })).toBe('→ 1');
    // A free function taking the store, and a static with a composite (JSON) argument.
    expect(await call('call-kv-count-prefix', { 0: '1', 1: 'a' })).toBe('→ 1');
    expect(await call('call-kv-store-from-pairs', { 0: '[["x", "1"], ["y", "2"]]' })).toBe('→ #2 store');
    expect(await call('call-kv-store-len', { 0: '2' })).toBe('→ 2');
    const rows = await handleRows();
    expect(rows['kv#1']!.state).toBe('owned');
    expect(rows['kv#2']!.state).toBe('owned');
  });

  it('refuses a borrow conflict, shows the borrow in the handle view, and frees it on drop', async () => {
    expect(await call('call-kv-store-iter', { 0: '1' })).toBe('→ #3 iter');
    let rows = await handleRows();
    expect(rows['kv#1']).toMatchObject({ state: 'lent-shared' });
    expect(rows['kv#1']!.text).toContain('#3 (shared)');
    expect(rows['kv#3']!.text).toMatch(/#3 iter .*owned .*#1/);
    const refused = await call('call-kv-store-put', { 0: '1', 1: 'b', 2: '2' });
    expect(refused).toContain('BorrowError');
    expect(refused).toContain('BORROW');
    expect(refused).toContain('cannot borrow mutably store #1 (self of `[method]store.put`): it is borrowed by iter #3 (shared); drop it first');
    expect(refused).toContain('nothing changed and the plugin is still usable');
    // The iterator still works, and dropping it ends the borrow.
    expect(await call('call-kv-store-get', { 0: '1', 1: 'a' })).toBe('→ some("1")');
    await page.locator('#handles button[aria-label="drop #3 iter"]').click();
    await idle();
    rows = await handleRows();
    expect(rows['kv#1']!.state).toBe('owned');
    expect(rows['kv#3']!.state).toBe('disposed');
    expect(await call('call-kv-store-put', { 0: '1', 1: 'b', 2: '2' })).toBe('→ none');
  });

  it('saves screenshots at 1280x800 and at 390 px', async () => {
    expect(await call('call-kv-store-iter', { 0: '1' })).toBe('→ #4 iter');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}playground-1280x800.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}playground-390.png` });
    await page.screenshot({ path: `${ARTIFACTS}playground-390-full.png`, fullPage: true });
    // Nothing is wider than the phone's screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('unload revokes every handle; using one shows UnloadedError; reload brings the plugin back', async () => {
    await page.locator('#unload').click();
    await idle();
    expect(await status()).toBe('kv unloaded: the plugin was unloaded. Reload to use it again.');
    const rows = await handleRows();
    for (const id of ['kv#1', 'kv#2', 'kv#4']) expect(rows[id]!.state, id).toBe('revoked');
    const after = await call('call-kv-store-get', { 0: '1', 1: 'a' });
    expect(after).toContain('UnloadedError');
    expect(after).toMatch(/kv was unloaded/);
    await page.locator('#reload').click();
    await idle();
    expect(await status()).toBe('kv loaded in the page, lifetimes verified.');
    expect(await call('call-kv-store-new')).toMatch(/^→ #\d+ store$/);
  });

  it('is keyboard usable: Enter in a field calls, arrow keys move between the component tabs', async () => {
    await page.locator('#call-kv-store-new button[type=submit]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#call-kv-store-new .call-out')!.childElementCount > 0);
    await idle();
    const key = page.locator('#call-kv-store-get-1');
    await key.fill('nothing-here');
    await key.press('Enter');
    await page.waitForFunction(() => document.querySelector('#call-kv-store-get .call-out')!.childElementCount > 0);
    await idle();
    expect((await page.locator('#call-kv-store-get .call-out').innerText()).trim()).toBe('→ none');
    await page.locator('#tab-wit').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-lifetimes');
    expect(await page.locator('#tab-lifetimes').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('#tab-wit').getAttribute('aria-selected')).toBe('true');
  });

  it('opens a component file dropped onto the page', async () => {
    const bytes = await readFile(guestPath('hello'));
    await page.evaluate(async (b64) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bin], 'hello.wasm', { type: 'application/wasm' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, bytes.toString('base64'));
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('hello loaded'));
    expect(await status()).toBe('hello loaded in the page, unchecked (no lifetime section).');
    expect(await page.locator('#example').inputValue()).toBe('(dropped)');
    expect(await call('call-hello-greet', { 0: 'Ferris' })).toBe('→ "Hello, Ferris!"');
  });

  it('scenario: a borrow conflict, with the host error and the Rust it comes from', async () => {
    const out = await runScenario('borrow-conflict');
    expect(out).toContain('BorrowError');
    expect(out).toContain("pub fn iter<'a>(&'a self) -> Iter<'a> {");
    expect(out).toContain('pub fn put(&mut self, key: String, value: String) -> Option<String> {');
  });

  it('scenario: use after unload', async () => {
    const out = await runScenario('use-after-unload');
    expect(out).toContain('UnloadedError');
    expect(out).toContain('pub fn get(&self, key: &str) -> Option<String> {');
  });

  it('scenario: a trap, after which the plugin takes no more calls', async () => {
    const out = await runScenario('trap');
    expect(out).toContain('TrapError');
    expect(out).toContain('wasm trap in faults: unreachable');
    expect(out).toContain('std::process::abort();');
    expect(await status()).toMatch(/^faults stopped: it trapped/);
  });

  it('scenario: a panic caught, with its Rust location', async () => {
    const out = await runScenario('panic');
    expect(out).toContain('GuestPanicError');
    expect(out).toMatch(/the plugin panicked at examples\/kv\/src\/lib\.rs:\d+:\d+: kv failed: the disk is full/);
    expect(out).toContain('panic!("kv failed: {message}")');
  });

  it('scenario: an infinite loop in a Web Worker, stopped by the time limit', async () => {
    const out = await runScenario('infinite-loop');
    expect(out).toContain('collatzSteps(27n) ✓');
    expect(out).toContain('TimeoutError');
    expect(out).toContain('ran past its time limit of 1000 ms');
    expect(out).toContain('while n != 1 {');
    expect(await status()).toBe('faults stopped: its worker was stopped after the time limit.');
    const log = await page.locator('#log').innerText();
    expect(log).toContain("load(faults, { isolate: 'worker', timeoutMs: 1000 })");
    await page.locator('#scenario-out').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}playground-scenario-1280x800.png` });
  });

  it('scenario: the incompatible kv build is refused at load, with each difference', async () => {
    const out = await runScenario('incompatible-build');
    expect(out).toContain('AbiMismatchError');
    expect(out).toContain('`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`');
    expect(out).toContain("+        pub fn iter<'a>(&'a mut self) -> Iter<'a> {");
    // The Load check tab explains it too, and offers to load it without the check.
    const check = await page.locator('#inspect-body').innerText();
    expect(check).toContain('Refused: this build is not compatible with kv.');
    await page.locator('#inspect-body button', { hasText: 'Load it without the check' }).click();
    await idle();
    expect(await status()).toBe('kv-v2 loaded in the page, lifetimes verified.');
  });

  it('says why a dropped file that is not a component is refused', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])], 'core.wasm'));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('core WebAssembly module'));
    await idle();
    const log = await page.locator('#log .entry.failed').first().innerText();
    expect(log).toContain('LoadError');
    expect(log).toContain('core is a core WebAssembly module, not a component');
  });

  it('draws shapes on the canvas the page implements, and links consumer to shapes', async () => {
    await page.locator('#example').selectOption('shapes');
    await page.locator('#load').click();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('shapes loaded'));
    expect(await call('call-shapes-circle', { 0: '2' })).toBe('→ #1 shape');
    expect(await call('call-shapes-shape-area', { 0: '1' })).toMatch(/^→ 12\.566/);
    // The plugin's labels are part of the drawing shown under the result.
    expect(await call('call-shapes-render', { 0: '1', 1: '1' })).toMatch(/^→ \d+\n.*circle/s);
    expect(await page.locator('#call-shapes-render .drawing svg path').count()).toBeGreaterThan(0);
    await page.locator('#call-shapes-render').screenshot({ path: `${ARTIFACTS}playground-shapes-drawing.png` });
    expect(await call('call-shapes-shape-transform', { 0: '1', 1: '{"tag": "scale", "val": 2}' })).toMatch(/^→ ok\(\{ x: .*, w: 8, h: 8 \}\)$/);

    await page.locator('#example').selectOption('consumer');
    await page.locator('#load').click();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('consumer loaded'));
    expect(await call('call-shapes-rect', { 0: '2', 1: '3' })).toBe('→ #1 shape');
    expect(await call('call-consumer-compactness', { 0: '1' })).toMatch(/^→ 0\.\d+$/);
    expect((await handleRows())['shapes#1']!.state).toBe('owned');
  });

  it('marks library-static handles, and reload revokes the old generation', async () => {
    await page.locator('#example').selectOption('registry');
    await page.locator('#load').click();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('registry loaded'));
    expect(await call('call-registry-registry')).toBe('→ #1 unit-registry');
    expect(await call('call-registry-unit-registry-find', { 0: '1', 1: 'km' })).toBe('→ some(#2 unit)');
    let rows = await handleRows();
    expect(rows['registry#1']!.text).toContain('static');
    expect(rows['registry#2']!.text).toContain('static');
    await page.locator('#reload').click();
    await idle();
    rows = await handleRows();
    expect(rows['registry#1']!.state).toBe('revoked');
    expect(rows['registry#1']!.text).toContain('reloaded');
    const stale = await call('call-registry-unit-info', { 0: '2' });
    expect(stale).toMatch(/UnloadedError|HandleError/);
  });

  it('generates a form for every function of the types example whose default values the host accepts', async () => {
    await page.locator('#example').selectOption('types');
    await page.locator('#load').click();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('types loaded'));
    const forms = await page.$$eval('#calls form.call', (fs) => fs.map((f) => f.id));
    expect(forms).toHaveLength(11);
    const shown: Record<string, string> = {};
    for (const form of forms) shown[form] = await call(form);
    for (const [form, out] of Object.entries(shown)) expect(out, form).toMatch(/^→ /);
    expect(shown['call-types-echo-primitives']).toBe('→ { flag: false, byte: 0, short: 0, word: 0, signed: 0, long: 0, signedLong: 0, single: 0, double: 0, letter: "a" }');
    expect(shown['call-types-parse-u32']).toBe('→ err(empty)');
    expect(shown['call-types-check']).toMatch(/^→ err\(".+"\)$/);
  });

  it('reported no page errors', () => {
    expect(opened!.pageErrors).toEqual([]);
  });
});
