/**
 * Component values to and from JSON text for `rdylib call`, guided by the
 * function's types and following the host's JS conventions (README):
 * records as objects (fields by WIT or camelCase name), variants as
 * `{ "tag", "val" }`, enums as strings, options as the value or `null`,
 * flags as an object of booleans, u64/s64 as JSON integers (any size).
 * Handles cannot be written on a command line; returned ones print as
 * `{ "resource": name }`.
 */
import { camel } from '../runtime/js-names.ts';
import type { ResourceTypeRef, ValType } from '../types.ts';
import { UsageError } from './command.ts';

/** What the function's interface calls a resource (its WIT name). */
export type ResourceNamer = (ref: ResourceTypeRef) => string;

/** A JS value ready for the host, from parsed JSON; `at` names the argument in errors. */
export function fromJson(v: unknown, t: ValType, at: string, names: ResourceNamer): unknown {
  const fail = (expected: string): never => {
    throw new UsageError(`${at}: expected ${expected}, got ${JSON.stringify(v)}`);
  };
  switch (t.kind) {
    case 'bool':
      return typeof v === 'boolean' ? v : fail('true or false');
    case 'u8': case 'u16': case 'u32': case 's8': case 's16': case 's32':
      return typeof v === 'number' && Number.isInteger(v) ? v : fail(`an integer (${t.kind})`);
    case 'u64': case 's64':
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      return fail(`an integer (${t.kind})`);
    case 'f32': case 'f64':
      return typeof v === 'number' ? v : fail(`a number (${t.kind})`);
    case 'char':
      return typeof v === 'string' && [...v].length === 1 ? v : fail('a one-character string (char)');
    case 'string':
      return typeof v === 'string' ? v : fail('a string');
    case 'list':
      return Array.isArray(v) ? v.map((x, i) => fromJson(x, t.element, `${at}[${i}]`, names)) : fail('an array (list)');
    case 'tuple':
      if (!Array.isArray(v) || v.length !== t.types.length) return fail(`an array of ${t.types.length} (tuple)`);
      return t.types.map((u, i) => fromJson(v[i], u, `${at}[${i}]`, names));
    case 'record': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`an object with ${t.fields.map((f) => f.name).join(', ')} (record)`);
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const key = f.name in o ? f.name : camel(f.name);
        if (!(key in o)) return fail(`an object with field \`${f.name}\` (record)`);
        out[camel(f.name)] = fromJson(o[key], f.type, `${at}.${f.name}`, names);
      }
      return out;
    }
    case 'variant': {
      const cases = t.cases.map((c) => c.name).join(', ');
      if (typeof v !== 'object' || v === null || typeof (v as { tag?: unknown }).tag !== 'string') return fail(`{ "tag": one of ${cases}, "val": … } (variant)`);
      const { tag, val } = v as { tag: string; val?: unknown };
      const c = t.cases.find((x) => x.name === tag || camel(x.name) === tag);
      if (!c) return fail(`a tag among ${cases}`);
      return c.type ? { tag: c.name, val: fromJson(val, c.type, `${at}.val`, names) } : { tag: c.name };
    }
    case 'enum':
      return typeof v === 'string' && t.labels.includes(v) ? v : fail(`one of ${t.labels.map((l) => JSON.stringify(l)).join(', ')} (enum)`);
    case 'option':
      return v === null ? undefined : fromJson(v, t.type, at, names);
    case 'result': {
      if (typeof v !== 'object' || v === null || !['ok', 'err'].includes((v as { tag?: string }).tag ?? '')) return fail('{ "tag": "ok" | "err", "val": … } (result)');
      const { tag, val } = v as { tag: 'ok' | 'err'; val?: unknown };
      const inner = tag === 'ok' ? t.ok : t.err;
      return { tag, val: inner ? fromJson(val, inner, `${at}.val`, names) : undefined };
    }
    case 'flags': {
      if (typeof v !== 'object' || v === null) return fail(`an object of booleans among ${t.labels.join(', ')} (flags)`);
      const o = v as Record<string, unknown>;
      return Object.fromEntries(t.labels.map((l) => [camel(l), o[l] === true || o[camel(l)] === true]));
    }
    case 'own':
    case 'borrow':
      throw new UsageError(`${at}: takes a handle (${t.kind}<${names(t.resource)}>), which cannot be given on the command line; call it from a host program`);
  }
}

/** JSON text of a value the host returned, by its type. */
export function toJsonText(v: unknown, t: ValType | undefined, names: ResourceNamer): string {
  return JSON.stringify(toJsonValue(v, t, names), (_k, x: unknown) => (typeof x === 'bigint' ? `\u0000${x}` : x), 2).replace(/"\\u0000(-?\d+)"/g, '$1');
}

function toJsonValue(v: unknown, t: ValType | undefined, names: ResourceNamer): unknown {
  if (t === undefined) return null;
  switch (t.kind) {
    case 'list':
      return (v as unknown[]).map((x) => toJsonValue(x, t.element, names));
    case 'tuple':
      return t.types.map((u, i) => toJsonValue((v as unknown[])[i], u, names));
    case 'record':
      return Object.fromEntries(t.fields.map((f) => [f.name, toJsonValue((v as Record<string, unknown>)[camel(f.name)], f.type, names)]));
    case 'variant': {
      const { tag, val } = v as { tag: string; val?: unknown };
      const c = t.cases.find((x) => x.name === tag);
      return c?.type ? { tag, val: toJsonValue(val, c.type, names) } : { tag };
    }
    case 'option':
      return v === undefined ? null : toJsonValue(v, t.type, names);
    case 'result': {
      const { tag, val } = v as { tag: 'ok' | 'err'; val?: unknown };
      const inner = tag === 'ok' ? t.ok : t.err;
      return inner ? { tag, val: toJsonValue(val, inner, names) } : { tag };
    }
    case 'own':
    case 'borrow':
      return { resource: names(t.resource) };
    default:
      return v;
  }
}
