/**
 * An error the host produced, drawn for people: its class and stable code,
 * the message, the differences of an AbiMismatchError one per line, and one
 * sentence on what the class means for the plugin and the caller.
 */
import { h } from '../dom.ts';

const MEANING: Record<string, string> = {
  BORROW: 'Refused before the plugin ran, as the Rust compiler would refuse it: nothing changed and the plugin is still usable.',
  HANDLE: 'The handle cannot be used here (disposed, moved, from another generation or another plugin): refused before the plugin ran.',
  UNLOADED: 'The plugin was unloaded, and every handle it gave out was revoked with it. Reload to get new ones.',
  TRAP: 'The plugin trapped. An instance that trapped may be in any state, so it takes no more calls: reload it.',
  GUEST_PANIC: 'The Rust code panicked; the host caught the report with its source location. The plugin takes no more calls: reload it.',
  TIMEOUT: 'The call ran past its time limit, so the worker running the plugin was stopped. The page never blocked.',
  ABI_MISMATCH: 'Refused at load, before any plugin code ran: this build does not provide the interface the host expects.',
  LOAD: 'The component was refused at load, before any of its code ran.',
  IN_USE: 'The plugin is busy or other plugins depend on it.',
  RESULT_ERR: 'The function returned its error case.',
};

interface RdylibLike {
  name?: string;
  code?: string;
  kind?: string;
  message?: string;
  differences?: readonly string[];
}

export function renderError(error: unknown): HTMLElement {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as RdylibLike;
  const name = e.name ?? 'Error';
  const differences = e.differences ?? [];
  // AbiMismatchError's message repeats its differences; show them once, as a list.
  const message = differences.length > 0 ? (e.message ?? '').split('\n')[0]! : (e.message ?? '');
  const meaning = (e.code !== undefined ? MEANING[e.code] : undefined) ?? (name === 'InputError' ? 'The argument does not fit the parameter\'s type; nothing was called.' : undefined);
  return h(
    'div',
    { class: 'error', role: 'group', 'aria-label': `${name}${e.code ? ` (${e.code})` : ''}` },
    h('div', { class: 'error-head' }, h('strong', { class: 'error-name' }, name), e.code ? h('code', { class: 'error-code' }, e.code + (e.kind ? ` · ${e.kind}` : '')) : null),
    h('p', { class: 'error-message' }, message),
    differences.length > 0 ? h('ul', { class: 'error-differences' }, differences.map((d) => h('li', {}, d))) : null,
    meaning ? h('p', { class: 'error-meaning' }, meaning) : null,
  );
}
