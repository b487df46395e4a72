/**
 * The live handle view: every handle of the loaded plugins, owned or lent
 * (to which handle or call, shared or exclusive), its parents and children,
 * library-static ones marked, and the ones the page still remembers after
 * they stopped working (disposed, moved, revoked) with the reason.
 */
import { fill, h } from '../dom.ts';
import type { HandleRow } from '../handles.ts';
import { PAGE, type Session } from '../session.ts';

const STATE_TEXT: Record<HandleRow['state'], string> = {
  owned: 'owned',
  'lent-shared': 'borrowed (shared)',
  'lent-exclusive': 'borrowed (exclusive)',
  disposed: 'disposed',
  moved: 'moved',
  revoked: 'revoked',
};

const ids = (xs: readonly number[]): string => xs.map((x) => `#${x}`).join(', ');

export function renderHandles(container: HTMLElement, session: Session, onDispose: (row: HandleRow) => void): void {
  const rows = session.book.rows();
  if (rows.length === 0) {
    fill(container, h('p', { class: 'empty' }, 'No handles yet. Constructors and functions returning resources make them.'));
    return;
  }
  const live = (r: HandleRow): boolean => r.state !== 'disposed' && r.state !== 'moved' && r.state !== 'revoked';
  fill(
    container,
    h('table', { class: 'handles' },
      h('caption', { class: 'sr-only' }, 'Handles of the loaded plugins'),
      h('thead', {}, h('tr', {}, ['handle', 'state', 'borrows · borrowed by', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {},
        rows.map((r) =>
          h('tr', { class: `h-${r.state}`, 'data-handle': `${r.plugin}#${r.id}`, 'data-state': r.state },
            h('th', { scope: 'row' },
              h('code', {}, `#${r.id}`), ' ', r.resource,
              r.static ? h('span', { class: 'badge static', title: "library-static: &'static data, shared only, dropping it frees nothing" }, 'static') : null,
              h('div', { class: 'h-plugin' }, r.plugin === PAGE ? 'made by the page' : `from ${r.plugin}${r.holder !== 'js' ? `, held by ${r.holder}` : ''}`)),
            h('td', {}, h('span', { class: `badge s-${r.state}` }, STATE_TEXT[r.state]), r.why ? h('div', { class: 'h-why' }, r.why) : null),
            h('td', {},
              r.parents.length > 0 ? h('div', {}, `borrows ${ids(r.parents)}`) : null,
              r.borrowers.length > 0 ? h('div', {}, `borrowed by ${r.borrowers.map((b) => `${b.who} (${b.mode})`).join(', ')}`) : null,
              r.parents.length === 0 && r.borrowers.length === 0 ? '—' : null,
            ),
            h('td', {}, r.held && live(r) && r.plugin !== PAGE
              ? h('button', { type: 'button', class: 'small', onclick: () => onDispose(r), 'aria-label': `drop #${r.id} ${r.resource}` }, 'drop')
              : null),
          ),
        ),
      ),
    ),
  );
}
