/**
 * Script values to and from the host's JS values, following the conventions
 * in docs/host-architecture.md (jco's): records as camelCase-keyed objects,
 * tuples and lists as arrays, variants as `{ tag, val }`, enums as strings,
 * flags as objects of booleans, options as value-or-`undefined` (an option
 * directly inside an option as `{ tag: 'some' | 'none', val }`), results as
 * `{ tag: 'ok' | 'err', val }` except a function's top-level result (ok value
 * returned, err thrown as ResultError), 64-bit integers as bigint.
 */

import type { WastValue } from './wast-values.ts';

/** jco's name mangling for record fields, flags and exports: `kebab-case` to `camelCase`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A script value as a JS argument. */
export function toJs(v: WastValue, insideOption = false): unknown {
  switch (v.kind) {
    case 'bool':
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32':
    case 'u64': case 's64':
    case 'f32': case 'f64':
    case 'char':
    case 'string':
      return v.value;
    case 'list':
    case 'tuple':
      return v.elements.map((e) => toJs(e));
    case 'record':
      return Object.fromEntries(v.fields.map((f) => [camelCase(f.name), toJs(f.value)]));
    case 'variant':
      return v.value === undefined ? { tag: v.label } : { tag: v.label, val: toJs(v.value) };
    case 'enum':
      return v.label;
    case 'flags':
      return Object.fromEntries(v.labels.map((l) => [camelCase(l), true]));
    case 'option': {
      const payload = v.value === undefined ? undefined : toJs(v.value, true);
      if (insideOption) return v.value === undefined ? { tag: 'none' } : { tag: 'some', val: payload };
      return payload;
    }
    case 'result':
      return v.value === undefined ? { tag: v.case } : { tag: v.case, val: toJs(v.value) };
  }
}

/**
 * Compares a value the host returned with the expected script value.
 * Returns undefined when they match, else a description of the first difference.
 * Floats compare bit-exactly except that every NaN matches a NaN pattern
 * (the Canonical ABI canonicalizes NaNs) and -0 differs from 0.
 */
export function mismatch(actual: unknown, expected: WastValue, path = 'result', insideOption = false): string | undefined {
  const differ = (what = `expected ${showWast(expected)}, got ${showJs(actual)}`): string => `${path}: ${what}`;
  switch (expected.kind) {
    case 'bool':
    case 'char':
    case 'string':
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32':
      return actual === expected.value ? undefined : differ();
    case 'u64':
    case 's64':
      return typeof actual === 'bigint' && actual === expected.value ? undefined : differ();
    case 'f32':
    case 'f64':
      if (typeof actual !== 'number') return differ();
      if (Number.isNaN(expected.value)) return Number.isNaN(actual) ? undefined : differ();
      return Object.is(actual, expected.value) ? undefined : differ();
    case 'list':
    case 'tuple': {
      const items = asArray(actual);
      if (items === undefined) return differ(`expected an array (${expected.kind}), got ${showJs(actual)}`);
      if (items.length !== expected.elements.length) {
        return differ(`expected ${expected.elements.length} elements, got ${items.length}: ${showJs(actual)}`);
      }
      for (let i = 0; i < items.length; i++) {
        const m = mismatch(items[i], expected.elements[i]!, `${path}[${i}]`);
        if (m !== undefined) return m;
      }
      return undefined;
    }
    case 'record': {
      if (!isPlainObject(actual)) return differ(`expected a record object, got ${showJs(actual)}`);
      const keys = new Set(expected.fields.map((f) => camelCase(f.name)));
      const extra = Object.keys(actual).filter((k) => !keys.has(k));
      if (extra.length > 0) return differ(`unexpected field(s) ${extra.join(', ')}`);
      for (const f of expected.fields) {
        const key = camelCase(f.name);
        if (!(key in actual)) return differ(`missing field ${key}`);
        const m = mismatch(actual[key], f.value, `${path}.${key}`);
        if (m !== undefined) return m;
      }
      return undefined;
    }
    case 'variant':
      return tagged(actual, expected.label, expected.value, path, differ);
    case 'result':
      return tagged(actual, expected.case, expected.value, path, differ);
    case 'enum':
      return actual === expected.label ? undefined : differ();
    case 'flags': {
      if (!isPlainObject(actual)) return differ(`expected a flags object, got ${showJs(actual)}`);
      const want = new Set(expected.labels.map(camelCase));
      for (const l of want) if (actual[l] !== true) return differ(`flag ${l} should be set: got ${showJs(actual)}`);
      for (const [k, v] of Object.entries(actual)) {
        if (typeof v !== 'boolean') return differ(`flag ${k} is not a boolean: ${showJs(v)}`);
        if (v && !want.has(k)) return differ(`flag ${k} should be clear: got ${showJs(actual)}`);
      }
      return undefined;
    }
    case 'option':
      if (insideOption) return tagged(actual, expected.value === undefined ? 'none' : 'some', expected.value, path, differ, true);
      if (expected.value === undefined) return actual === undefined ? undefined : differ();
      if (actual === undefined) return differ();
      return mismatch(actual, expected.value, path, true);
  }
}

function tagged(
  actual: unknown,
  tag: string,
  payload: WastValue | undefined,
  path: string,
  differ: (what?: string) => string,
  payloadInsideOption = false,
): string | undefined {
  if (!isPlainObject(actual) || typeof actual.tag !== 'string') return differ(`expected { tag: '${tag}' }, got ${showJs(actual)}`);
  if (actual.tag !== tag) return differ(`expected tag '${tag}', got '${actual.tag}'`);
  if (payload === undefined) return actual.val === undefined ? undefined : differ(`case '${tag}' has no payload, got val ${showJs(actual.val)}`);
  return mismatch(actual.val, payload, `${path}.val`, payloadInsideOption);
}

function asArray(v: unknown): readonly unknown[] | undefined {
  if (Array.isArray(v)) return v;
  // list<u8> and friends may come back as typed arrays.
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function showJs(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) =>
        typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<unknown>) : x,
      ) ?? String(v)
    );
  } catch {
    return String(v);
  }
}

export function showWast(v: WastValue): string {
  switch (v.kind) {
    case 'bool': case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32':
    case 'u64': case 's64': case 'f32': case 'f64':
      return `(${v.kind}.const ${showJs(v.value).replace(/n$/, '')})`;
    case 'char':
      return `(char.const ${JSON.stringify(v.value)})`;
    case 'string':
      return `(str.const ${JSON.stringify(v.value)})`;
    case 'list':
    case 'tuple':
      return `(${v.kind}.const${v.elements.map((e) => ' ' + showWast(e)).join('')})`;
    case 'record':
      return `(record.const${v.fields.map((f) => ` (field ${JSON.stringify(f.name)} ${showWast(f.value)})`).join('')})`;
    case 'variant':
      return `(variant.const ${JSON.stringify(v.label)}${v.value === undefined ? '' : ' ' + showWast(v.value)})`;
    case 'enum':
      return `(enum.const ${JSON.stringify(v.label)})`;
    case 'flags':
      return `(flags.const${v.labels.map((l) => ' ' + JSON.stringify(l)).join('')})`;
    case 'option':
      return v.value === undefined ? '(option.none)' : `(option.some ${showWast(v.value)})`;
    case 'result':
      return `(result.${v.case}${v.value === undefined ? '' : ' ' + showWast(v.value)})`;
  }
}
