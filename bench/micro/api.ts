/**
 * The JS shape of the bench guest's `rdylib:bench/api@0.1.0` export, in jco's
 * value conventions (camelCase names, records as objects, u64 as bigint,
 * list<u8> as Uint8Array, resources as classes with `[Symbol.dispose]`).
 * All three implementations measured (ours, raw, jco) present this shape,
 * so each case is written once.
 */

export interface Fields {
  a: number;
  b: number;
  c: number;
  d: bigint;
  e: number;
  f: number;
  g: boolean;
  h: number;
}

export interface Counter {
  increment(by: number): number;
  value(): number;
  [Symbol.dispose](): void;
}

export interface BenchApi {
  add(a: number, b: number): number;
  echo(s: string): string;
  echoBytes(b: Uint8Array): Uint8Array;
  echoFields(r: Fields): Fields;
  Counter: new (start: number) => Counter;
}

/** An implementation's API, or why it cannot be measured (printed as n/a). */
export type Availability<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Checks at runtime that a value loaded from elsewhere has the bench shape. */
export function asBenchApi(value: unknown, where: string): BenchApi {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${where}: expected the ${'rdylib:bench/api@0.1.0'} interface object, got ${String(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const name of ['add', 'echo', 'echoBytes', 'echoFields', 'Counter']) {
    if (typeof o[name] !== 'function') throw new TypeError(`${where}: export ${name} is missing or not a function`);
  }
  return value as BenchApi;
}
