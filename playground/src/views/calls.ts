/**
 * One form per exported function, constructor, method and static, generated
 * from its component type: a field per parameter (a picker of held handles
 * for a resource, plain inputs for scalars, JSON with a typed template for
 * anything composite). Submitting converts the fields (values.ts) and calls
 * through the session; the outcome appears under the form and in the log.
 */
import { lifetimeSummary, witFunc, type ValType } from '../../../host/index.ts';
import { camel, pascal } from '../../../host/runtime/js-names.ts';
import { fill, h } from '../dom.ts';
import type { HeldHandle } from '../handles.ts';
import type { Callable, LogEntry, Session } from '../session.ts';
import { fromJson, InputError, templateOf, type ValueContext } from '../values.ts';
import { renderError } from './errors.ts';
import { renderEntryValue } from './log.ts';

const SCALAR = new Set(['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char', 'string', 'enum']);

/** Reads one field back into a JS value of its type. */
type Reader = (cx: ValueContext) => unknown;

/** A stable id for a callable's form, used by the DOM and the tests: `call-kv-store-put`. */
export function formId(c: Callable): string {
  const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  const role = c.fn.role;
  const owner = role.kind === 'function' ? '' : `${role.resource}-`;
  return `call-${slug(c.unit.name)}-${slug(owner + (role.kind === 'constructor' ? 'new' : c.fn.member))}`;
}

function label(c: Callable): string {
  const role = c.fn.role;
  switch (role.kind) {
    case 'function':
      return `${camel(c.fn.name)}`;
    case 'constructor':
      return `new ${pascal(role.resource)}`;
    case 'static':
      return `${pascal(role.resource)}.${camel(c.fn.member)}`;
    case 'method':
      return `.${camel(c.fn.member)}`;
  }
}

function handleOptions(select: HTMLSelectElement, handles: readonly HeldHandle[], previous: string): void {
  fill(
    select,
    handles.length === 0 ? h('option', { value: '' }, '(none yet)') : null,
    handles.map((x) => h('option', { value: String(x.id) }, `#${x.id} ${x.resource}${x.state === 'live' ? '' : ` (${x.state})`} — ${x.origin}`)),
  );
  if (handles.some((x) => String(x.id) === previous)) select.value = previous;
  else {
    const live = [...handles].reverse().find((x) => x.state === 'live');
    if (live) select.value = String(live.id);
  }
}

/** The field for one parameter, and how to read it. */
function field(session: Session, c: Callable, name: string, t: ValType, id: string): { el: HTMLElement; read: Reader; refresh?: () => void } {
  const names = c.names;
  if (t.kind === 'own' || t.kind === 'borrow') {
    const resource = names.resourceName(t.resource);
    const select = h('select', { id, name, class: 'handle-pick' });
    const refresh = (): void => handleOptions(select, session.book.held.filter((x) => x.resource === resource), select.value);
    refresh();
    return {
      el: select,
      refresh,
      read: (cx) => {
        if (select.value === '') throw new InputError(`${name}: no ${resource} to pass yet; make one first`);
        return cx.handle(resource, Number(select.value), name);
      },
    };
  }
  if (t.kind === 'bool') {
    const box = h('input', { id, name, type: 'checkbox' });
    return { el: box, read: () => box.checked };
  }
  if (t.kind === 'enum') {
    const select = h('select', { id, name }, t.labels.map((l) => h('option', { value: l }, l)));
    return { el: select, read: () => select.value };
  }
  if (SCALAR.has(t.kind)) {
    const numeric = t.kind !== 'string' && t.kind !== 'char';
    const input = h('input', {
      id, name, type: 'text', autocomplete: 'off', spellcheck: 'false',
      inputmode: numeric ? (t.kind.startsWith('f') ? 'decimal' : 'numeric') : undefined,
      placeholder: t.kind, value: numeric ? '0' : '', class: numeric ? 'num' : 'text',
    });
    return { el: input, read: (cx) => fromJson(t, input.value, name, cx) };
  }
  const text = JSON.stringify(templateOf(t, names));
  const area = h('textarea', { id, name, rows: Math.min(4, Math.max(1, Math.ceil(text.length / 36))), spellcheck: 'false', class: 'json', 'aria-describedby': `${id}-hint` });
  area.value = text;
  return {
    el: h('span', { class: 'json-field' }, area, h('small', { id: `${id}-hint`, class: 'hint' }, 'JSON; handles as "#id"')),
    read: (cx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(area.value);
      } catch (e) {
        throw new InputError(`${name}: not valid JSON (${(e as Error).message})`);
      }
      return fromJson(t, parsed, name, cx);
    },
  };
}

export interface CallForm {
  readonly el: HTMLFormElement;
  readonly callable: Callable;
  /** Re-lists the handles the pickers offer. */
  refresh(): void;
}

export function callForm(session: Session, c: Callable): CallForm {
  const id = formId(c);
  const isMethod = c.fn.role.kind === 'method';
  const params = c.fn.type.params;
  const fields = params.map((p, i) => field(session, c, i === 0 && isMethod ? 'self' : p.name, p.type, `${id}-${i}`));
  const out = h('div', { class: 'call-out', 'aria-live': 'polite' });
  const signature = witFunc(c.fn.type, c.names, isMethod);
  const button = h('button', { type: 'submit', class: 'call-button' }, 'Call');
  const form = h(
    'form',
    { id, class: 'call', 'data-unit': c.unit.name, 'aria-label': `${c.unit.name}: ${label(c)}` },
    h('div', { class: 'call-head' },
      h('code', { class: 'call-name' }, label(c)),
      h('code', { class: 'call-sig', title: c.abi?.rust ?? '' }, signature),
      c.abi ? h('span', { class: 'call-life', title: 'how it takes and gives handles (lifetime table)' }, lifetimeSummary(c.abi)) : null,
    ),
    h('div', { class: 'call-args' },
      fields.map((f, i) => h('label', { class: 'arg', for: `${id}-${i}` }, h('span', { class: 'arg-name' }, i === 0 && isMethod ? 'self' : params[i]!.name), f.el)),
      button,
    ),
    out,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    out.replaceChildren();
    const cx: ValueContext = {
      names: c.names,
      handle: (resource, n, path) => {
        const held = session.book.held.filter((x) => x.resource === resource && x.id === n);
        const pick = held.find((x) => x.state === 'live') ?? held[held.length - 1];
        if (pick === undefined) throw new InputError(`${path}: there is no ${resource} #${n}`);
        return pick.object;
      },
    };
    let args: unknown[];
    try {
      args = fields.map((f) => f.read(cx));
    } catch (e) {
      fill(out, renderError(e));
      return;
    }
    // A call drawing on the page's canvas shows what it drew, alone.
    const draws = args.includes(session.canvas);
    if (draws) session.canvas.clear();
    void session.call(c, args).then((entry: LogEntry) =>
      fill(out, entry.ok ? renderEntryValue(entry, session) : renderError(entry.error), draws && !session.canvas.isEmpty ? h('div', { class: 'drawing' }, session.canvas.svg()) : null),
    );
  });
  return { el: form, callable: c, refresh: () => fields.forEach((f) => f.refresh?.()) };
}

/** All forms, grouped by plugin, interface and resource. */
export function renderCalls(container: HTMLElement, session: Session): CallForm[] {
  const forms: CallForm[] = [];
  const groups = new Map<string, Callable[]>();
  for (const c of session.callables()) {
    const role = c.fn.role;
    const key = `${c.unit.name}\u0000${c.iface ?? '(world)'}\u0000${role.kind === 'function' ? '' : role.resource}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const sections: HTMLElement[] = [];
  for (const [key, list] of groups) {
    const [unit, iface, resource] = key.split('\u0000') as [string, string, string];
    const made = list.map((c) => callForm(session, c));
    forms.push(...made);
    const linked = session.main?.name !== unit ? ' (linked)' : '';
    sections.push(
      h('details', { class: 'call-group', open: true },
        h('summary', {}, h('span', { class: 'group-title' }, resource === '' ? 'functions' : `resource ${resource}`), h('span', { class: 'group-iface' }, `${unit}${linked} · ${iface}`)),
        made.map((f) => f.el),
      ),
    );
  }
  fill(container, sections.length > 0 ? sections : h('p', { class: 'empty' }, 'Load a plugin to call it.'));
  return forms;
}
