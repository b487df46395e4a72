/**
 * The log: every load, call, drop, unload and reload, newest first, with
 * the value returned (handles as `#id resource` chips, the numbers the
 * handle view and the host's messages use) or the error the host produced.
 */
import { fill, h } from '../dom.ts';
import type { LogEntry, Session } from '../session.ts';
import { renderValue } from '../values.ts';
import { renderError } from './errors.ts';

export function handleChip(session: Session, object: object, resource: string): HTMLElement {
  const held = session.book.of(object);
  return h('code', { class: `chip${held && held.state !== 'live' ? ' chip-dead' : ''}` }, held ? `#${held.id} ${resource}` : resource);
}

export function renderEntryValue(entry: LogEntry, session: Session): HTMLElement {
  if (entry.value === undefined) return h('p', { class: 'note' }, entry.note ?? 'done');
  const { type, value, names } = entry.value;
  return h('div', { class: 'value' }, h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→ '), renderValue(type, value, names, (o, r) => handleChip(session, o, r)));
}

export function renderLog(container: HTMLElement, session: Session): void {
  const entries = [...session.log].reverse();
  fill(
    container,
    entries.length === 0 ? h('p', { class: 'empty' }, 'Nothing yet: load a plugin, then call it.') : null,
    entries.map((e) =>
      h('li', { class: `entry ${e.ok ? 'ok' : 'failed'}`, 'data-kind': e.kind },
        h('div', { class: 'entry-head' },
          h('span', { class: 'entry-mark', 'aria-label': e.ok ? 'succeeded' : 'failed' }, e.ok ? '✓' : '✗'),
          h('code', { class: 'entry-what' }, e.what),
        ),
        e.ok ? (e.value !== undefined ? renderEntryValue(e, session) : e.note ? h('p', { class: 'note' }, e.note) : null) : renderError(e.error),
      ),
    ),
  );
}
