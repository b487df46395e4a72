/**
 * Values of a component type, the way the playground edits and shows them.
 * A composite argument is typed as JSON (a template is generated from its
 * type) and converted here into the JS value the host expects, following the
 * host's conventions (host/abi/index.ts): records with camelCase keys,
 * variants as `{ tag, val }`, u64/s64 as bigint, handles as objects. A
 * handle inside JSON is written `"#3"`, the number the handle view shows.
 */
import type { ResourceTypeRef, TypeNames, ValType } from '../../host/index.ts';
import { camel } from '../../host/runtime/js-names.ts';
import { h } from './dom.ts';

/** Thrown for an argument that does not fit its type; the message names where and what was expected. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export interface ValueContext {
  readonly names: TypeNames;
  /** The handle shown as `#id`, if it can be passed as a `resource`. */
  handle(resource: string, id: number, path: string): object;
}

const INTEGER_RANGE: Partial<Record<ValType['kind'], readonly [number, number]>> = {
  u8: [0, 0xff], s8: [-0x80, 0x7f], u16: [0, 0xffff], s16: [-0x8000, 0x7fff], u32: [0, 0xffffffff], s32: [-0x80000000, 0x7fffffff],
};

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A value of type `t` to start editing from: zeros, empty strings, the first case. */
export function templateOf(t: ValType, names: TypeNames): unknown {
  switch (t.kind) {
    case 'bool':
      return false;
    case 'char':
      return 'a';
    case 'string':
      return '';
    case 'list':
      return [templateOf(t.element, names)];
    case 'record':
      return Object.fromEntries(t.fields.map((f) => [camel(f.name), templateOf(f.type, names)]));
    case 'tuple':
      return t.types.map((x) => templateOf(x, names));
    case 'variant': {
      const first = t.cases[0]!;
      return first.type === undefined ? { tag: first.name } : { tag: first.name, val: templateOf(first.type, names) };
    }
    case 'enum':
      return t.labels[0];
    case 'option':
      return null;
    case 'result':
      return t.ok === undefined ? { tag: 'ok' } : { tag: 'ok', val: templateOf(t.ok, names) };
    case 'flags':
      return Object.fromEntries(t.labels.map((l) => [camel(l), false]));
    case 'own':
    case 'borrow':
      return `#1`;
    default:
      return 0;
  }
}

/** Converts `v` (parsed JSON, or a form field's value) into the JS value of type `t`. */
export function fromJson(t: ValType, v: unknown, path: string, cx: ValueContext): unknown {
  const fail = (expected: string): never => {
    throw new InputError(`${path}: expected ${expected}, got ${describe(v)}`);
  };
  switch (t.kind) {
    case 'bool':
      return typeof v === 'boolean' ? v : fail('true or false');
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      const [min, max] = INTEGER_RANGE[t.kind]!;
      return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : fail(`an integer from ${min} to ${max} (${t.kind})`);
    }
    case 'u64': case 's64': {
      let n: bigint | undefined;
      try {
        n = typeof v === 'bigint' ? v : (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) ? BigInt(v as number | string) : undefined;
      } catch {
        n = undefined;
      }
      const [min, max] = t.kind === 'u64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      return n !== undefined && n >= min && n <= max ? n : fail(`a whole number (${t.kind})`);
    }
    case 'f32': case 'f64': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      return typeof n === 'number' && !Number.isNaN(n) ? n : fail(`a number (${t.kind})`);
    }
    case 'char':
      return typeof v === 'string' && [...v].length === 1 ? v : fail('one character');
    case 'string':
      return typeof v === 'string' ? v : fail('a string');
    case 'list':
      return Array.isArray(v) ? v.map((x, i) => fromJson(t.element, x, `${path}[${i}]`, cx)) : fail('a list [ … ]');
    case 'tuple':
      return Array.isArray(v) && v.length === t.types.length ? t.types.map((x, i) => fromJson(x, v[i], `${path}[${i}]`, cx)) : fail(`a tuple of ${t.types.length} [ … ]`);
    case 'record': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`a record { ${t.fields.map((f) => camel(f.name)).join(', ')} }`);
      const o = v as Record<string, unknown>;
      const extra = Object.keys(o).filter((k) => !t.fields.some((f) => camel(f.name) === k || f.name === k));
      if (extra.length > 0) throw new InputError(`${path}: the record has no field ${extra.map((k) => `\`${k}\``).join(', ')}`);
      return Object.fromEntries(t.fields.map((f) => [camel(f.name), fromJson(f.type, o[camel(f.name)] ?? o[f.name], `${path}.${camel(f.name)}`, cx)]));
    }
    case 'variant': {
      const tags = t.cases.map((c) => c.name).join(' | ');
      const o = typeof v === 'string' ? { tag: v } : v;
      if (typeof o !== 'object' || o === null || typeof (o as { tag?: unknown }).tag !== 'string') return fail(`{ "tag": ${tags}, "val": … }`);
      const { tag, val } = o as { tag: string; val?: unknown };
      const c = t.cases.find((x) => x.name === tag);
      if (c === undefined) throw new InputError(`${path}: no case \`${tag}\`; the cases are ${tags}`);
      return c.type === undefined ? { tag } : { tag, val: fromJson(c.type, val, `${path}<${tag}>`, cx) };
    }
    case 'enum':
      return typeof v === 'string' && t.labels.includes(v) ? v : fail(`one of ${t.labels.join(', ')}`);
    case 'option':
      if (t.type.kind === 'option') {
        const o = v as { tag?: unknown; val?: unknown } | null;
        if (o === null || o?.tag === 'none') return { tag: 'none' };
        return o?.tag === 'some' ? { tag: 'some', val: fromJson(t.type, o.val, `${path}?`, cx) } : fail('{ "tag": "some" | "none", "val": … }');
      }
      return v === null || v === undefined ? undefined : fromJson(t.type, v, `${path}?`, cx);
    case 'result': {
      const o = v as { tag?: unknown; val?: unknown } | null;
      if (o?.tag !== 'ok' && o?.tag !== 'err') return fail('{ "tag": "ok" | "err", "val": … }');
      const inner = o.tag === 'ok' ? t.ok : t.err;
      return { tag: o.tag, val: inner === undefined ? undefined : fromJson(inner, o.val, `${path}<${o.tag}>`, cx) };
    }
    case 'flags': {
      if (typeof v !== 'object' || v === null) return fail(`flags { ${t.labels.map(camel).join(', ')} }`);
      return Object.fromEntries(t.labels.map((l) => [camel(l), Boolean((v as Record<string, unknown>)[camel(l)] ?? (v as Record<string, unknown>)[l])]));
    }
    case 'own':
    case 'borrow': {
      const resource = cx.names.resourceName(t.resource);
      const m = typeof v === 'string' ? /^#(\d+)$/.exec(v.trim()) : null;
      if (m === null) return fail(`a ${resource} handle written "#<number>"`);
      return cx.handle(resource, Number(m[1]), path);
    }
  }
}

/** Where a handle sits in a value: the object, and the resource type's name. */
export interface FoundHandle {
  readonly object: object;
  readonly resource: string;
  readonly ref: ResourceTypeRef;
}

/** Every handle in `v` (of type `t`), in order. */
export function handlesIn(t: ValType | undefined, v: unknown, names: TypeNames): FoundHandle[] {
  const out: FoundHandle[] = [];
  const walk = (t: ValType, v: unknown): void => {
    if (v === undefined || v === null) return;
    switch (t.kind) {
      case 'own':
      case 'borrow':
        if (typeof v === 'object') out.push({ object: v, resource: names.resourceName(t.resource), ref: t.resource });
        return;
      case 'list':
        for (const x of v as Iterable<unknown>) walk(t.element, x);
        return;
      case 'tuple':
        t.types.forEach((x, i) => walk(x, (v as unknown[])[i]));
        return;
      case 'record':
        for (const f of t.fields) walk(f.type, (v as Record<string, unknown>)[camel(f.name)]);
        return;
      case 'variant': {
        const { tag, val } = v as { tag: string; val: unknown };
        const c = t.cases.find((x) => x.name === tag);
        if (c?.type) walk(c.type, val);
        return;
      }
      case 'option':
        if (t.type.kind === 'option') {
          const o = v as { tag: string; val: unknown };
          if (o.tag === 'some') walk(t.type, o.val);
        } else walk(t.type, v);
        return;
      case 'result': {
        const { tag, val } = v as { tag: string; val: unknown };
        const inner = tag === 'ok' ? t.ok : t.err;
        if (inner) walk(inner, val);
        return;
      }
      default:
        return;
    }
  };
  if (t !== undefined) walk(t, v);
  return out;
}

/** Draws a value: strings quoted, numbers plain, handles as whatever `chip` makes of them. */
export function renderValue(t: ValType | undefined, v: unknown, names: TypeNames, chip: (object: object, resource: string) => Node): Node {
  if (t === undefined) return h('span', { class: 'v-unit' }, '(nothing returned)');
  const span = (cls: string, text: string): Node => h('span', { class: cls }, text);
  const group = (open: string, items: Node[], close: string): Node =>
    h('span', { class: 'v-group' }, open, ...items.flatMap((n, i) => (i === 0 ? [n] : [h('span', { class: 'v-sep' }, ', '), n])), close);
  const draw = (t: ValType, v: unknown): Node => {
    switch (t.kind) {
      case 'string':
      case 'char':
        return span('v-string', JSON.stringify(v));
      case 'bool':
        return span('v-bool', String(v));
      case 'enum':
        return span('v-enum', String(v));
      case 'own':
      case 'borrow':
        return chip(v as object, names.resourceName(t.resource));
      case 'list':
        return group('[', Array.from(v as Iterable<unknown>, (x) => draw(t.element, x)), ']');
      case 'tuple':
        return group('(', t.types.map((x, i) => draw(x, (v as unknown[])[i])), ')');
      case 'record':
        return group('{ ', t.fields.map((f) => h('span', {}, span('v-key', `${camel(f.name)}: `), draw(f.type, (v as Record<string, unknown>)[camel(f.name)]))), ' }');
      case 'flags':
        return group('{', t.labels.filter((l) => (v as Record<string, boolean>)[camel(l)]).map((l) => span('v-enum', camel(l))), '}');
      case 'variant': {
        const { tag, val } = v as { tag: string; val: unknown };
        const c = t.cases.find((x) => x.name === tag);
        return c?.type ? h('span', {}, span('v-tag', tag), '(', draw(c.type, val), ')') : span('v-tag', tag);
      }
      case 'option':
        if (t.type.kind === 'option') {
          const o = v as { tag: string; val: unknown };
          return o.tag === 'none' ? span('v-none', 'none') : h('span', {}, span('v-tag', 'some'), '(', draw(t.type, o.val), ')');
        }
        return v === undefined || v === null ? span('v-none', 'none') : h('span', {}, span('v-tag', 'some'), '(', draw(t.type, v), ')');
      case 'result': {
        const { tag, val } = v as { tag: string; val: unknown };
        const inner = tag === 'ok' ? t.ok : t.err;
        return h('span', {}, span('v-tag', tag), '(', inner ? draw(inner, val) : '', ')');
      }
      default:
        return span('v-number', typeof v === 'bigint' ? v.toString() : String(v));
    }
  };
  return draw(t, v);
}
