/**
 * The playground page: wires the controls (pick or drop a plugin, check it
 * against a build, isolate it, unload, reload), the guided scenarios, and
 * the views (interface, calls, handles, log) to one Session.
 */
import { EXAMPLES, INCOMPATIBLE_KV } from './catalog.ts';
import { byId, fill, h } from './dom.ts';
import { rustItem } from './rust-source.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { Session } from './session.ts';
import { renderCalls, type CallForm } from './views/calls.ts';
import { renderError } from './views/errors.ts';
import { renderHandles } from './views/handles.ts';
import { InspectView } from './views/inspect.ts';
import { renderLog } from './views/log.ts';

declare global {
  interface Window {
    /** Set once the page is wired up; the browser tests wait for it. */
    playgroundReady?: boolean;
  }
}

const session = new Session();
const picker = byId<HTMLSelectElement>('example');
const expectPicker = byId<HTMLSelectElement>('expect');
const isolate = byId<HTMLInputElement>('isolate');
const timeout = byId<HTMLInputElement>('timeout');
const status = byId('status');
const inspectView = new InspectView(byId('inspect-tabs'), byId('inspect-body'));

/** What is open: a bundled example (by file name) or a dropped component. */
let opened: { readonly file: string; readonly rust: string | undefined; readonly change: readonly string[] | undefined } | undefined;
let forms: CallForm[] = [];
let formsKey = '';

const cache = new Map<string, Promise<Uint8Array>>();

function fetchBytes(url: string): Promise<Uint8Array> {
  let p = cache.get(url);
  if (p === undefined) {
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`could not fetch ${url}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    });
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p;
}

async function rustOf(example: string): Promise<string | undefined> {
  const r = await fetch(`examples/${example}.rs`);
  return r.ok ? r.text() : undefined;
}

function timeoutMs(): number {
  const n = Number(timeout.value);
  return Number.isFinite(n) && n > 0 ? n : 1000;
}

/** Loads a bundled example: `kv`, …, or `kv-v2`, the incompatible kv build. */
async function openExample(file: string, options: { isolate?: boolean; timeoutMs?: number; expect?: string } = {}): Promise<void> {
  picker.value = file;
  expectPicker.value = options.expect ?? '';
  isolate.checked = options.isolate ?? false;
  if (options.timeoutMs !== undefined) timeout.value = String(options.timeoutMs);
  await loadChosen();
}

/** Set while the page fetches a plugin, before the session starts loading it. */
let fetching: string | undefined;

/** Loads what the controls say. */
async function loadChosen(): Promise<void> {
  const file = picker.value;
  fetching = `fetching ${file}`;
  render();
  const example = EXAMPLES.find((e) => e.name === file);
  const base = file === INCOMPATIBLE_KV.file ? 'kv' : file;
  try {
    const bytes = file === DROPPED ? dropped!.bytes : await fetchBytes(`examples/${file}.wasm`);
    const expectName = expectPicker.value;
    const linkTo = example?.linkTo;
    opened = {
      file,
      rust: file === DROPPED ? undefined : await rustOf(base),
      change: file === INCOMPATIBLE_KV.file ? INCOMPATIBLE_KV.change : undefined,
    };
    await session.open({
      name: file === DROPPED ? dropped!.name : file,
      bytes,
      isolate: isolate.checked,
      timeoutMs: timeoutMs(),
      ...(expectName ? { expect: { name: expectName, bytes: await fetchBytes(`examples/${expectName}.wasm`) } } : {}),
      ...(linkTo ? { link: { name: linkTo, bytes: await fetchBytes(`examples/${linkTo}.wasm`) } } : {}),
    });
  } catch (e) {
    fetching = undefined;
    render();
    fill(status, renderError(e));
    return;
  }
  fetching = undefined;
  render();
  if (session.check.verdict === 'refused') inspectView.show('check');
}

// A dropped component: kept in memory, listed in the picker under its file name.
const DROPPED = '(dropped)';
let dropped: { name: string; bytes: Uint8Array } | undefined;

async function openFile(file: File): Promise<void> {
  dropped = { name: file.name.replace(/\.wasm$/i, ''), bytes: new Uint8Array(await file.arrayBuffer()) };
  let option = picker.querySelector<HTMLOptionElement>(`option[value="${DROPPED}"]`);
  if (option === null) picker.appendChild((option = h('option', { value: DROPPED })));
  option.textContent = `${file.name} (dropped)`;
  picker.value = DROPPED;
  expectPicker.value = '';
  await loadChosen();
}

function statusText(): string {
  const busy = session.busy ?? fetching;
  if (busy) return `${busy} …`;
  const unit = session.main;
  if (unit === undefined) return 'No plugin loaded.';
  const where = session.request?.isolate ? `in a Web Worker (${session.request.timeoutMs} ms limit per call)` : 'in the page';
  switch (unit.status) {
    case 'loaded':
      return `${unit.name} loaded ${where}${unit.read.lifetimes.status === 'checked' ? ', lifetimes verified' : ', unchecked (no lifetime section)'}.`;
    case 'unloaded':
      return `${unit.name} unloaded: ${unit.reason ?? ''}. Reload to use it again.`;
    case 'poisoned':
      return `${unit.name} stopped: ${unit.reason ?? ''}.`;
    case 'refused':
      return `${unit.name} was refused at load (see the log${session.check.verdict === 'refused' ? ' and the Load check tab' : ''}).`;
  }
}

function render(): void {
  const unit = session.main;
  status.textContent = statusText();
  const busy = session.busy !== undefined || fetching !== undefined;
  status.dataset.state = busy ? 'busy' : (unit?.status ?? 'none');
  document.body.setAttribute('aria-busy', String(busy));
  byId<HTMLButtonElement>('unload').disabled = busy || unit?.status !== 'loaded';
  byId<HTMLButtonElement>('reload').disabled = busy || unit === undefined || unit.status === 'refused';
  byId<HTMLButtonElement>('load').disabled = busy;
  const key = session.units.map((u) => `${u.name}:${u.status === 'refused' ? 'x' : 'ok'}:${u.bytes.length}`).join('|') + `|${session.log[0]?.seq ?? 0}`;
  if (key !== formsKey) {
    formsKey = key;
    forms = renderCalls(byId('calls'), session);
  } else {
    for (const f of forms) f.refresh();
  }
  renderHandles(byId('handles'), session, (row) => {
    if (row.held) void session.dispose(row.held);
  });
  renderLog(byId('log'), session);
  inspectView.render(session, {
    rust: opened?.rust,
    change: opened?.change,
    loadUnchecked: session.check.verdict === 'refused' ? () => void openExample(picker.value, { isolate: isolate.checked }) : undefined,
  });
}

async function runScenario(s: Scenario, button: HTMLButtonElement): Promise<void> {
  const out = byId('scenario-out');
  button.disabled = true;
  try {
    const outcome = await s.run({ session, open: openExample });
    const source = outcome.diff ? undefined : await rustOf(outcome.example);
    fill(out,
      h('h3', {}, s.title),
      h('p', {}, s.explains),
      h('ol', { class: 'steps' }, outcome.steps.map((x) => h('li', {}, h('code', {}, x)))),
      h('h4', {}, 'What the host said'),
      outcome.error === undefined ? h('p', { class: 'verdict failed' }, 'No error: the host accepted it, which it should not have.') : renderError(outcome.error),
      h('h4', {}, outcome.diff ? 'The Rust change' : `The Rust (${outcome.example} example)`),
      outcome.diff
        ? h('pre', { class: 'code diff' }, outcome.diff.map((l) => h('span', { class: l.startsWith('+') ? 'add' : 'del' }, `${l}\n`)))
        : h('pre', { class: 'code rust' }, outcome.rust.map((item) => (source ? (rustItem(source, item) ?? `// ${item}: not found in the source`) : '')).join('\n\n')),
    );
    out.hidden = false;
    out.focus();
  } catch (e) {
    fill(out, h('h3', {}, s.title), renderError(e));
    out.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function setUp(): void {
  fill(picker,
    h('optgroup', { label: 'Examples' }, EXAMPLES.map((e) => h('option', { value: e.name, title: e.about }, `${e.title} — ${e.about}`))),
    h('optgroup', { label: 'Second build' }, h('option', { value: INCOMPATIBLE_KV.file, title: INCOMPATIBLE_KV.about }, `${INCOMPATIBLE_KV.title} — ${INCOMPATIBLE_KV.about}`)),
  );
  fill(expectPicker, h('option', { value: '' }, 'nothing (no check)'), EXAMPLES.map((e) => h('option', { value: e.name }, `${e.name} (the bundled build)`)));
  picker.addEventListener('change', () => {
    expectPicker.value = picker.value === INCOMPATIBLE_KV.file ? INCOMPATIBLE_KV.expect : '';
  });
  byId('load-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadChosen();
  });
  byId('unload').addEventListener('click', () => void session.unload());
  byId('reload').addEventListener('click', () => void session.reload());
  const fileInput = byId<HTMLInputElement>('file');
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    if (f) void openFile(f);
    fileInput.value = '';
  });
  // The whole page is a drop target: dropping a .wasm anywhere opens it.
  const zone = byId('drop');
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) zone.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    const f = e.dataTransfer?.files[0];
    if (f) void openFile(f);
  });
  fill(byId('scenario-list'),
    SCENARIOS.map((s) => {
      const button = h('button', { type: 'button', id: `scenario-${s.id}`, title: s.explains }, s.title);
      button.addEventListener('click', () => void runScenario(s, button));
      return h('li', {}, button);
    }),
  );
  session.addEventListener('change', render);
  render();
}

setUp();
void openExample('kv').then(() => {
  window.playgroundReady = true;
});
