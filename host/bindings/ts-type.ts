/**
 * A WIT value type written as the TypeScript type of its JS value, by the
 * conventions host/abi lifts and lowers (docs/host-architecture.md): records
 * as objects with camelCase fields, variants as `{ tag, val }`, enums as
 * their labels, flags as objects of booleans, `option<T>` as `T | undefined`
 * (nested options tagged), nested results tagged, tuples as arrays, numeric
 * lists as typed arrays, 64-bit integers as `bigint`, handles as their
 * resource's interface; `stream<T>` as a WHATWG ReadableStream (byte chunks
 * for `stream<u8>`), `future<T>` as a Promise, `error-context` as an object
 * with its debug message (the shapes agreed with the JS face, issue 13).
 */
import type { ResourceTypeRef, ValType } from '../types.ts';
import { typedArrayFor, optionIsTagged } from '../abi/load-store.ts';
import { camel, propertyKey, type References } from './names.ts';

/** How a type refers to what is declared elsewhere in the module. */
export interface TypeNaming {
  /** The qualified name of a named value type (record, variant, enum, flags) in scope, if it has one. */
  valueType(t: ValType): string | undefined;
  /** The qualified name of a resource's handle type. */
  resource(ref: ResourceTypeRef): string;
  /** Whether some function hands out library-static handles of this resource. */
  canBeStatic(ref: ResourceTypeRef): boolean;
  /** Global and module-level types, safe from shadowing. */
  readonly refs: References;
}

/**
 * What the section says about the handle at a path (docs/abi.md §3.3 steps,
 * joined by `/`): `Static` for a library-static result or a `&'static`
 * parameter; `Owned` for a handle used by `&mut` or by value, which a
 * library-static handle may not be (only where the resource can be static).
 */
export type HandleMarks = ReadonlyMap<string, 'Static' | 'Owned'>;

/**
 * Which way a value crosses: `from-guest` values are what the host receives
 * (an export's result, an import's parameters), `to-guest` ones what the host
 * supplies. Only streams and futures differ by it: the host receives a
 * ReadableStream or a Promise, and may supply any stream-like or promise-like
 * value. Named types are written as received.
 */
export type Flow = 'from-guest' | 'to-guest';

export function tsType(t: ValType, naming: TypeNaming, marks: HandleMarks = new Map(), path = '', flow: Flow = 'from-guest'): string {
  const at = (step: string) => (path === '' ? step : `${path}/${step}`);
  const inner = (u: ValType, step: string) => tsType(u, naming, marks, at(step), flow);
  switch (t.kind) {
    case 'bool':
      return 'boolean';
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'f32':
    case 'f64':
      return 'number';
    case 's64':
    case 'u64':
      return 'bigint';
    case 'char':
    case 'string':
      return 'string';
    case 'list': {
      const typed = typedArrayFor(t.element);
      return typed !== undefined ? naming.refs.global(typed.name as Parameters<References['global']>[0]) : `${naming.refs.global('Array')}<${inner(t.element, 'elem')}>`;
    }
    case 'tuple':
      return `[${t.types.map((u, i) => inner(u, String(i))).join(', ')}]`;
    case 'option':
      if (optionIsTagged(t)) return tagged([['none', undefined], ['some', inner(t.type, 'some')]]);
      return `${inner(t.type, 'some')} | undefined`;
    case 'result':
      return tagged([
        ['ok', t.ok && inner(t.ok, 'ok')],
        ['err', t.err && inner(t.err, 'err')],
      ]);
    case 'own':
    case 'borrow': {
      const name = naming.resource(t.resource);
      const mark = marks.get(path);
      if (mark === 'Static' || (mark === 'Owned' && naming.canBeStatic(t.resource))) return `${naming.refs.module(mark)}<${name}>`;
      return name;
    }
    case 'record':
    case 'variant':
    case 'enum':
    case 'flags':
      return naming.valueType(t) ?? structure(t, naming, marks, path);
    case 'stream': {
      const chunk = t.element === undefined ? 'undefined' : t.element.kind === 'u8' ? naming.refs.global('Uint8Array') : inner(t.element, 'stream');
      const readable = `${naming.refs.global('ReadableStream')}<${chunk}>`;
      return flow === 'from-guest' ? readable : `${readable} | ${naming.refs.global('AsyncIterable')}<${chunk}> | ${naming.refs.global('Iterable')}<${chunk}>`;
    }
    case 'future': {
      const value = t.element === undefined ? 'void' : inner(t.element, 'future');
      return flow === 'from-guest' ? `${naming.refs.global('Promise')}<${value}>` : `${naming.refs.global('PromiseLike')}<${value}>${t.element === undefined ? '' : ` | ${value}`}`;
    }
    case 'error-context':
      // Its debug message is for people: programs must not depend on it (Explainer.md "error-context").
      return '{ readonly debugMessage: string }';
  }
}

/** The definition of a record, variant, enum or flags type (what a named type is declared as). */
export function structure(t: ValType & { kind: 'record' | 'variant' | 'enum' | 'flags' }, naming: TypeNaming, marks: HandleMarks = new Map(), path = ''): string {
  const at = (step: string) => (path === '' ? step : `${path}/${step}`);
  switch (t.kind) {
    case 'record':
      return `{ ${t.fields.map((f) => `${propertyKey(camel(f.name))}: ${tsType(f.type, naming, marks, at(f.name))};`).join(' ')} }`;
    case 'variant':
      return tagged(t.cases.map((c) => [c.name, c.type && tsType(c.type, naming, marks, at(c.name))]));
    case 'enum':
      return t.labels.map((l) => JSON.stringify(l)).join(' | ');
    case 'flags':
      return `{ ${t.labels.map((l) => `${propertyKey(camel(l))}: boolean;`).join(' ')} }`;
  }
}

/** `{ tag, val }` objects, one per case; a case without a payload has no `val` (lifted ones carry `val: undefined`). */
function tagged(cases: readonly (readonly [string, string | undefined])[]): string {
  return cases.map(([tag, val]) => `{ tag: ${JSON.stringify(tag)}; ${val === undefined ? 'val?: undefined' : `val: ${val}`} }`).join(' | ');
}
