/**
 * Component-level value constants as the reference tests write them:
 * `(u32.const 1)`, `(str.const "a")`, `(char.const "x")`, `(list.const ...)`,
 * `(tuple.const ...)`, `(record.const (field "n" u32.const 7) ...)`,
 * `(variant.const "case" v?)`, `(enum.const "l")`, `(flags.const "a" ...)`,
 * `(option.none)`, `(option.some v)`, `(result.ok v?)`, `(result.err v?)`.
 *
 * The values carry no types: conversion to JS (js-values.ts) follows the form.
 */

import { type SExpr, type SList, isAtom, stringText } from './sexpr.ts';

export type IntKind = 'u8' | 's8' | 'u16' | 's16' | 'u32' | 's32';
export type FloatKind = 'f32' | 'f64';

export type WastValue =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: IntKind; readonly value: number }
  | { readonly kind: 'u64' | 's64'; readonly value: bigint }
  /** `value` is NaN for every NaN pattern: the Canonical ABI canonicalizes NaNs, so only "is NaN" is checkable. */
  | { readonly kind: FloatKind; readonly value: number }
  | { readonly kind: 'char'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly elements: readonly WastValue[] }
  | { readonly kind: 'tuple'; readonly elements: readonly WastValue[] }
  | { readonly kind: 'record'; readonly fields: readonly { readonly name: string; readonly value: WastValue }[] }
  | { readonly kind: 'variant'; readonly label: string; readonly value: WastValue | undefined }
  | { readonly kind: 'enum'; readonly label: string }
  | { readonly kind: 'flags'; readonly labels: readonly string[] }
  | { readonly kind: 'option'; readonly value: WastValue | undefined }
  | { readonly kind: 'result'; readonly case: 'ok' | 'err'; readonly value: WastValue | undefined };

export class WastValueError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'WastValueError';
  }
}

const INT_RANGES: Record<IntKind | 'u64' | 's64', readonly [bigint, bigint]> = {
  u8: [0n, 0xffn],
  s8: [-0x80n, 0x7fn],
  u16: [0n, 0xffffn],
  s16: [-0x8000n, 0x7fffn],
  u32: [0n, 0xffff_ffffn],
  s32: [-0x8000_0000n, 0x7fff_ffffn],
  u64: [0n, 0xffff_ffff_ffff_ffffn],
  s64: [-0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn],
};

/** Every value head the reader understands; wast-commands uses it to tell values from other forms. */
export const VALUE_HEADS: ReadonlySet<string> = new Set([
  'bool.const', 'u8.const', 's8.const', 'u16.const', 's16.const', 'u32.const', 's32.const',
  'u64.const', 's64.const', 'f32.const', 'f64.const', 'char.const', 'str.const',
  'list.const', 'tuple.const', 'record.const', 'variant.const', 'enum.const', 'flags.const',
  'option.none', 'option.some', 'result.ok', 'result.err',
]);

export function parseValue(form: SExpr): WastValue {
  if (form.kind !== 'list') throw new WastValueError(form.span.line, 'expected a value form like (u32.const 1)');
  const head = form.items[0];
  if (!isAtom(head)) throw new WastValueError(form.span.line, 'a value form starts with a keyword such as u32.const');
  return parseValueParts(head.text, form.items.slice(1), form);
}

/**
 * `head` and its arguments, separately, because record fields write values
 * without their own parentheses: `(field "n" u32.const 7)`.
 */
function parseValueParts(head: string, args: readonly SExpr[], at: SList): WastValue {
  const line = at.span.line;
  const fail = (problem: string): never => {
    throw new WastValueError(line, `${head}: ${problem}`);
  };
  const arity = (n: number): void => {
    if (args.length !== n) fail(`expected ${n} argument(s), found ${args.length}`);
  };
  const atomArg = (): string => {
    arity(1);
    const a = args[0]!;
    if (a.kind !== 'atom') fail('expected a literal');
    return (a as { text: string }).text;
  };
  const stringArg = (e: SExpr | undefined): string => {
    if (e === undefined || e.kind !== 'string') return fail('expected a string');
    try {
      return stringText(e);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const optionalPayload = (): WastValue | undefined => {
    if (args.length > 1) fail('expected at most one payload value');
    return args[0] === undefined ? undefined : parseValue(args[0]);
  };

  switch (head) {
    case 'bool.const': {
      const t = atomArg();
      if (t !== 'true' && t !== 'false') fail(`expected true or false, found ${t}`);
      return { kind: 'bool', value: t === 'true' };
    }
    case 'u8.const': case 's8.const': case 'u16.const': case 's16.const': case 'u32.const': case 's32.const': {
      const kind = head.slice(0, -'.const'.length) as IntKind;
      return { kind, value: Number(parseInteger(atomArg(), kind, fail)) };
    }
    case 'u64.const': case 's64.const': {
      const kind = head.slice(0, -'.const'.length) as 'u64' | 's64';
      return { kind, value: parseInteger(atomArg(), kind, fail) };
    }
    case 'f32.const': case 'f64.const': {
      const kind = head.slice(0, -'.const'.length) as FloatKind;
      const v = parseFloatLiteral(atomArg(), fail);
      return { kind, value: kind === 'f32' ? Math.fround(v) : v };
    }
    case 'char.const': {
      arity(1);
      const s = stringArg(args[0]);
      if ([...s].length !== 1) fail(`expected exactly one Unicode scalar value, found ${JSON.stringify(s)}`);
      return { kind: 'char', value: s };
    }
    case 'str.const':
      arity(1);
      return { kind: 'string', value: stringArg(args[0]) };
    case 'list.const':
      return { kind: 'list', elements: args.map(parseValue) };
    case 'tuple.const':
      return { kind: 'tuple', elements: args.map(parseValue) };
    case 'record.const':
      return { kind: 'record', fields: args.map((f) => parseField(f)) };
    case 'variant.const': {
      if (args.length < 1 || args.length > 2) fail('expected a case label and at most one payload');
      const label = stringArg(args[0]);
      return { kind: 'variant', label, value: args[1] === undefined ? undefined : parseValue(args[1]) };
    }
    case 'enum.const':
      arity(1);
      return { kind: 'enum', label: stringArg(args[0]) };
    case 'flags.const':
      return { kind: 'flags', labels: args.map((a) => stringArg(a)) };
    case 'option.none':
      arity(0);
      return { kind: 'option', value: undefined };
    case 'option.some':
      arity(1);
      return { kind: 'option', value: parseValue(args[0]!) };
    case 'result.ok':
    case 'result.err':
      return { kind: 'result', case: head === 'result.ok' ? 'ok' : 'err', value: optionalPayload() };
    default:
      return fail('unknown value form');
  }
}

/** `(field "name" v)` or, as the tests write it, `(field "name" u32.const 7)`. */
function parseField(form: SExpr): { name: string; value: WastValue } {
  if (form.kind !== 'list' || !isAtom(form.items[0], 'field')) {
    throw new WastValueError(form.span.line, 'record.const: expected (field "name" value)');
  }
  const name = form.items[1];
  if (name === undefined || name.kind !== 'string') throw new WastValueError(form.span.line, 'field: expected a name string');
  const rest = form.items.slice(2);
  const first = rest[0];
  if (rest.length === 1 && first !== undefined && first.kind === 'list') return { name: stringText(name), value: parseValue(first) };
  if (!isAtom(first)) throw new WastValueError(form.span.line, 'field: expected a value');
  return { name: stringText(name), value: parseValueParts(first.text, rest.slice(1), form) };
}

/** wat integer syntax: optional sign, decimal or `0x` hex, `_` between digits. */
export function parseInteger(text: string, kind: IntKind | 'u64' | 's64', fail: (p: string) => never): bigint {
  const m = /^([+-]?)(0x[0-9a-fA-F](?:_?[0-9a-fA-F])*|[0-9](?:_?[0-9])*)$/.exec(text);
  if (m === null) return fail(`malformed integer ${JSON.stringify(text)}`);
  let v = BigInt(m[2]!.replaceAll('_', ''));
  if (m[1] === '-') v = -v;
  const [lo, hi] = INT_RANGES[kind];
  if (v < lo || v > hi) return fail(`${text} is out of range for ${kind}`);
  return v;
}

/**
 * wat float syntax: decimal or hex (`0x1.8p3`) magnitudes, `inf`, `nan`,
 * `nan:0x...`, and the script patterns `nan:canonical` / `nan:arithmetic`.
 */
export function parseFloatLiteral(text: string, fail: (p: string) => never): number {
  const m = /^([+-]?)(.*)$/.exec(text)!;
  const negative = m[1] === '-';
  const body = m[2]!.replaceAll('_', '');
  let magnitude: number;
  if (body === 'inf') {
    magnitude = Infinity;
  } else if (body === 'nan' || body === 'nan:canonical' || body === 'nan:arithmetic' || /^nan:0x[0-9a-fA-F]+$/.test(body)) {
    return NaN;
  } else if (/^0x/i.test(body)) {
    const h = /^0x([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(body);
    if (h === null || (h[1] === '' && (h[2] ?? '') === '')) return fail(`malformed hex float ${JSON.stringify(text)}`);
    const digits = (h[1] ?? '') + (h[2] ?? '');
    const exp = Number(h[3] ?? '0') - 4 * (h[2] ?? '').length;
    magnitude = Number(BigInt('0x' + (digits === '' ? '0' : digits))) * 2 ** exp;
  } else if (/^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$/.test(body)) {
    magnitude = Number(body);
  } else {
    return fail(`malformed float ${JSON.stringify(text)}`);
  }
  return negative ? -magnitude : magnitude;
}
