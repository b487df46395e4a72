/**
 * What the chosen component is, read without running it (rdylib's
 * inspection API): its WIT, its lifetime table, the load-time check against
 * the expected build, its Rust source, and where its bytes go. One tab each.
 */
import { describeProvider, formatSizes, inspectComponent, lifetimeSummary, type Inspection } from '../../../host/index.ts';
import { fill, h } from '../dom.ts';
import type { Session } from '../session.ts';
import { renderError } from './errors.ts';

export type InspectTab = 'wit' | 'lifetimes' | 'check' | 'rust' | 'sizes';

const TABS: readonly { id: InspectTab; title: string }[] = [
  { id: 'wit', title: 'Interface' },
  { id: 'lifetimes', title: 'Lifetimes' },
  { id: 'check', title: 'Load check' },
  { id: 'rust', title: 'Rust' },
  { id: 'sizes', title: 'Imports & size' },
];

export interface InspectSource {
  /** Rust source of the chosen example, when it is one. */
  readonly rust: string | undefined;
  /** A diff of the Rust that made this build differ from the expected one. */
  readonly change: readonly string[] | undefined;
  /** Loads the same plugin without the expectation. */
  readonly loadUnchecked: (() => void) | undefined;
}

export class InspectView {
  #tab: InspectTab = 'wit';
  #inspection: Inspection | undefined;
  #inspected: Uint8Array | undefined;
  #error: unknown;

  constructor(
    readonly tabs: HTMLElement,
    readonly body: HTMLElement,
  ) {
    fill(tabs, TABS.map((t) => h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': body.id, 'data-tab': t.id, onclick: () => this.show(t.id) }, t.title)));
    tabs.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = TABS.findIndex((t) => t.id === this.#tab);
      const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
      this.show(next.id);
      document.getElementById(`tab-${next.id}`)?.focus();
    });
  }

  #session: Session | undefined;
  #source: InspectSource = { rust: undefined, change: undefined, loadUnchecked: undefined };

  show(tab: InspectTab): void {
    this.#tab = tab;
    this.render(this.#session, this.#source);
  }

  render(session: Session | undefined, source: InspectSource): void {
    this.#session = session;
    this.#source = source;
    for (const b of Array.from(this.tabs.querySelectorAll('button'))) {
      const selected = b.dataset.tab === this.#tab;
      b.setAttribute('aria-selected', String(selected));
      b.tabIndex = selected ? 0 : -1;
    }
    this.body.setAttribute('aria-labelledby', `tab-${this.#tab}`);
    const unit = session?.main;
    if (unit === undefined) {
      fill(this.body, h('p', { class: 'empty' }, 'Pick an example or drop a .wasm component to see its interface.'));
      return;
    }
    if (this.#inspected !== unit.bytes) {
      this.#inspected = unit.bytes;
      try {
        this.#inspection = inspectComponent(unit.bytes, { source: unit.name });
        this.#error = undefined;
      } catch (e) {
        this.#inspection = undefined;
        this.#error = e;
      }
    }
    const x = this.#inspection;
    if (x === undefined) {
      fill(this.body, renderError(this.#error));
      return;
    }
    switch (this.#tab) {
      case 'wit':
        fill(this.body, h('p', { class: 'caption' }, `WIT read back from the component's own types (${x.package}, world ${x.world})`), h('pre', { class: 'code wit' }, x.wit));
        return;
      case 'lifetimes':
        fill(this.body, lifetimes(x));
        return;
      case 'check':
        fill(this.body, check(session!, source));
        return;
      case 'rust':
        fill(this.body, source.rust === undefined ? h('p', { class: 'empty' }, 'No Rust source: this component was dropped in, not built from an example here.') : h('pre', { class: 'code rust' }, source.rust));
        return;
      case 'sizes':
        fill(this.body,
          h('h3', {}, 'Imports'),
          x.imports.length === 0 ? h('p', {}, 'none: it can do nothing but compute') : h('ul', {}, x.imports.map((i) => h('li', {}, h('code', {}, i.name), ` — ${describeProvider(i.provider)}`))),
          h('h3', {}, 'Exports'),
          h('ul', {}, x.exports.map((e) => h('li', {}, h('code', {}, e.name), e.resources.length > 0 ? ` · resources ${e.resources.join(', ')}` : '', e.functions.length > 0 ? ` · functions ${e.functions.join(', ')}` : ''))),
          h('pre', { class: 'code' }, formatSizes(x.sizes).join('\n')),
        );
        return;
    }
  }
}

function lifetimes(x: Inspection): Node {
  const l = x.lifetimes;
  if (l.status === 'missing') return h('p', {}, 'No rdylib:abi section: this component was not built with the SDK. It loads only with unchecked: true, and no borrow rules are enforced.');
  if (l.status === 'invalid') return h('div', {}, h('p', {}, 'The rdylib:abi section does not verify against the component\'s types, so the component is refused:'), h('pre', { class: 'code' }, l.error));
  const abi = l.abi;
  return h('div', {},
    h('p', { class: 'caption' }, `Verified against the types before any code runs. Crate ${abi.crate.name} ${abi.crate.version}; & shared, &mut exclusive, moved = consumed.`),
    abi.interfaces.map((i) =>
      h('div', { class: 'table-wrap' },
        h('table', { class: 'lifetimes' },
          h('caption', {}, `${i.direction} ${i.name}`, i.resources.some((r) => r.dependent) ? ` · dependent: ${i.resources.filter((r) => r.dependent).map((r) => r.name).join(', ')}` : ''),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rust'), h('th', { scope: 'col' }, 'handles in → out'))),
          h('tbody', {}, i.functions.map((f) => h('tr', {}, h('td', {}, h('code', {}, f.rust)), h('td', {}, lifetimeSummary(f))))),
        ),
      ),
    ),
  );
}

function check(session: Session, source: InspectSource): Node {
  const c = session.check;
  if (c.verdict === 'not checked') {
    return h('p', {}, 'Not checked against an expected build. Pick one under "Check against" and load again: the host then refuses a build that does not provide that interface (a missing or renamed item, a changed type, a stricter lifetime, an incompatible version).');
  }
  if (c.verdict === 'compatible') return h('p', { class: 'verdict ok' }, `✓ Compatible with ${c.expected}: it provides everything that build does, with the same or looser lifetimes.`);
  return h('div', {},
    h('p', { class: 'verdict failed' }, `✗ Refused: this build is not compatible with ${c.expected}.`),
    c.error ? renderError(c.error) : session.main?.reason ? h('p', {}, session.main.reason) : null,
    source.change
      ? h('div', {},
          h('p', {}, 'The Rust change that made this build:'),
          h('pre', { class: 'code diff' }, source.change.map((l) => h('span', { class: l.startsWith('+') ? 'add' : 'del' }, `${l}\n`))),
          h('p', {}, 'A host written against the original keeps an iterator while it reads the store; with `&mut self` the iterator borrows the store exclusively, so that host would break. The check catches it at load, before any plugin code runs.'),
        )
      : null,
    source.loadUnchecked ? h('button', { type: 'button', onclick: source.loadUnchecked }, 'Load it without the check') : null,
  );
}
