/**
 * Decoder for the `rdylib:abi` custom section written by `#[rdylib::export]`
 * (format: docs/abi.md). The section sits at the component's top level, so a
 * host can read what the component-model types cannot say (receiver modes,
 * how each handle parameter is borrowed or moved, which parameters a
 * returned handle borrows, library-static results)
 * without instantiating anything.
 */

import { LoadError } from '../errors.ts';
import type { CustomSection } from '../binary/ast.ts';
import { Reader as ByteReader } from '../binary/reader.ts';

export const RDYLIB_ABI_SECTION = 'rdylib:abi';
export const RDYLIB_WIT_SECTION = 'rdylib:wit';
/** `RDYLABI\0`: first bytes of every section payload. */
export const RDYLIB_ABI_MAGIC = new Uint8Array([0x52, 0x44, 0x59, 0x4c, 0x41, 0x42, 0x49, 0x00]);
/** The format version of a document without async functions (docs/abi.md §3.2). */
export const RDYLIB_ABI_FORMAT_VERSION = 1;
/** The format version of a document with an async function (docs/abi.md §3.4); this host reads both. */
export const RDYLIB_ABI_ASYNC_FORMAT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [RDYLIB_ABI_FORMAT_VERSION, RDYLIB_ABI_ASYNC_FORMAT_VERSION];
const HEADER_SIZE = 14;
/** Made once: a fatal TextDecoder costs ~20-40 µs to construct after a GC, more than decoding a section. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ReceiverMode = 'shared' | 'exclusive' | 'consume';
export type BorrowMode = 'shared' | 'exclusive';
/** How a function takes a handle among its parameters: borrowed shared (`&R`), exclusive (`&mut R`), or moved in (`R`, `own`). */
export type ParamMode = 'shared' | 'exclusive' | 'consume';

/** A parameter a dependent handle borrows from. `param` indexes the WIT params (`self` is 0 for methods). */
export interface HandleBorrow {
  readonly param: number;
  readonly name: string;
  readonly mode: BorrowMode;
}

/**
 * One handle among a function's parameters (the receiver included) and how
 * the function takes it. `shared`/`exclusive` are on `borrow<..>` handles,
 * `consume` on `own<..>` handles, which move into the callee.
 */
export interface ParamHandle {
  /** Index among the WIT parameters (`self` / `this` is 0 for methods and consuming methods). */
  readonly param: number;
  /** The WIT parameter name, as in the component's function type. */
  readonly name: string;
  /** Steps from the parameter's value to the handle, as for results; `[]` when the parameter is the handle. */
  readonly path: readonly string[];
  readonly mode: ParamMode;
}

interface HandleBase {
  /** Steps from the result's root to the handle: `some`, `ok`, `err`, `elem`, tuple index, field or case name. */
  readonly path: readonly string[];
  readonly resource: string;
}

/** A handle in a result: owned by the caller, library-static, or borrowing from parameters. */
export type ResultHandle =
  | (HandleBase & { readonly lifetime: 'owned' })
  | (HandleBase & { readonly lifetime: 'static' })
  | (HandleBase & { readonly lifetime: 'dependent'; readonly borrows: readonly HandleBorrow[] });

export interface AbiFunction {
  /** Name as in the component: `f`, `[constructor]r`, `[method]r.m`, `[static]r.m`. */
  readonly name: string;
  /** The Rust item it came from, for messages. */
  readonly rust: string;
  /** `null` for free functions, constructors and static functions. */
  readonly receiver: ReceiverMode | null;
  /**
   * An `async func` (format version 2, §3.4): the borrows of `params` (the
   * receiver's included) last until the call's task completes, not until it returns.
   */
  readonly async: boolean;
  /**
   * WIT parameter indices (`self` is 0 for methods) that must be handles to
   * library-static data (`&'static self`, `&'static R`); any other handle traps.
   */
  readonly staticParams: readonly number[];
  /** Every handle among the parameters, in parameter order: how the function borrows or consumes it. */
  readonly params: readonly ParamHandle[];
  readonly results: readonly ResultHandle[];
}

export interface AbiResource {
  readonly name: string;
  /** True when the resource's handles borrow from other handles. */
  readonly dependent: boolean;
}

export interface AbiInterface {
  /** Fully qualified interface name, e.g. `rdylib-guest:kv/kv@0.1.0`. */
  readonly name: string;
  readonly direction: 'export' | 'import';
  readonly resources: readonly AbiResource[];
  readonly functions: readonly AbiFunction[];
}

export interface RdylibAbi {
  readonly formatVersion: number;
  readonly crate: { readonly name: string; readonly version: string };
  readonly package: string;
  readonly interfaceVersion: string;
  readonly world: string;
  readonly interfaces: readonly AbiInterface[];
}

/**
 * The custom sections at the top level of a component (or core module):
 * nested modules and components are skipped, since their sections are not
 * the component's own. Framing is read with host/binary's Reader, so bad
 * bytes fail as everywhere else in the host: LoadError('malformed').
 */
export function readTopLevelCustomSections(binary: Uint8Array): CustomSection[] {
  if (binary.length < 8 || binary[0] !== 0 || binary[1] !== 0x61 || binary[2] !== 0x73 || binary[3] !== 0x6d) {
    throw new LoadError('malformed', 'not a wasm binary: missing the \\0asm magic', 0);
  }
  const out: CustomSection[] = [];
  const r = new ByteReader(binary, 8);
  while (!r.atEnd()) {
    const offset = r.offset;
    const id = r.byte('section id');
    const body = r.sub(r.u32('section size'), `section ${id}`);
    if (id === 0) out.push({ name: body.name('custom section name'), data: body.take(body.remaining, 'custom section'), offset });
  }
  return out;
}

/**
 * The `rdylib:abi` section among a component's top-level custom sections
 * (as `readTopLevelCustomSections` or the component parser found them),
 * decoded; `undefined` when there is none.
 */
export function rdylibAbiOf(sections: readonly CustomSection[]): RdylibAbi | undefined {
  const found = sections.filter((s) => s.name === RDYLIB_ABI_SECTION);
  if (found.length > 1) {
    throw new LoadError('invalid', `the component has ${found.length} top-level ${RDYLIB_ABI_SECTION} sections; exactly one is allowed`, found[1]!.offset);
  }
  const only = found[0];
  return only === undefined ? undefined : decodeRdylibAbi(only.data);
}

/** Reads and decodes the top-level `rdylib:abi` section of a component's bytes; `undefined` when there is none. */
export function readRdylibAbi(component: Uint8Array): RdylibAbi | undefined {
  return rdylibAbiOf(readTopLevelCustomSections(component));
}

/** Decodes one `rdylib:abi` section payload: header, then a JSON document. */
export function decodeRdylibAbi(payload: Uint8Array): RdylibAbi {
  if (payload.length < HEADER_SIZE || !RDYLIB_ABI_MAGIC.every((b, i) => payload[i] === b)) {
    throw new LoadError('malformed', `${RDYLIB_ABI_SECTION}: payload does not start with the RDYLABI\\0 magic`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const version = view.getUint16(8, true);
  if (!READABLE_VERSIONS.includes(version)) {
    throw new LoadError('unsupported', `${RDYLIB_ABI_SECTION}: format version ${version}; this host reads versions ${READABLE_VERSIONS.join(' and ')}`);
  }
  const length = view.getUint32(10, true);
  if (HEADER_SIZE + length !== payload.length) {
    // Two objects' sections concatenated by a linker, or a truncated one.
    throw new LoadError(
      'invalid',
      `${RDYLIB_ABI_SECTION}: header declares ${length} bytes of JSON but the section has ${payload.length - HEADER_SIZE}; ` +
        'sections from several objects were concatenated (two #[rdylib::export] modules in one plugin?) or it was truncated',
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(payload.subarray(HEADER_SIZE)));
  } catch (cause) {
    throw new LoadError('malformed', `${RDYLIB_ABI_SECTION}: the document is not UTF-8 JSON`, undefined, { cause });
  }
  return validateDocument(doc, version);
}

class Reader {
  constructor(readonly path: string) {}
  fail(what: string): never {
    throw new LoadError('invalid', `${RDYLIB_ABI_SECTION}: ${this.path}: ${what}`);
  }
  object(v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('expected an object');
    return v as Record<string, unknown>;
  }
  at(key: string): Reader {
    return new Reader(`${this.path}.${key}`);
  }
  string(o: Record<string, unknown>, key: string): string {
    const v = o[key];
    return typeof v === 'string' ? v : this.at(key).fail('expected a string');
  }
  array(o: Record<string, unknown>, key: string): unknown[] {
    const v = o[key];
    return Array.isArray(v) ? (v as unknown[]) : this.at(key).fail('expected an array');
  }
  /** The `path` key: an array of step strings. */
  steps(o: Record<string, unknown>): string[] {
    return this.array(o, 'path').map((s, i) => (typeof s === 'string' ? s : this.at(`path[${i}]`).fail('expected a string')));
  }
  oneOf<T extends string>(o: Record<string, unknown>, key: string, values: readonly T[]): T {
    const v = o[key];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.at(key).fail(`expected one of ${values.join(', ')}`);
    }
    return v as T;
  }
}

function validateDocument(doc: unknown, formatVersion: number): RdylibAbi {
  const r = new Reader('$');
  const o = r.object(doc);
  const crate = r.at('crate').object(o.crate);
  const interfaces = r.array(o, 'interfaces').map((v, i) => validateInterface(r.at(`interfaces[${i}]`), v, formatVersion));
  return {
    formatVersion,
    crate: { name: r.at('crate').string(crate, 'name'), version: r.at('crate').string(crate, 'version') },
    package: r.string(o, 'package'),
    interfaceVersion: r.string(o, 'interfaceVersion'),
    world: r.string(o, 'world'),
    interfaces,
  };
}

function validateInterface(r: Reader, v: unknown, formatVersion: number): AbiInterface {
  const o = r.object(v);
  const resources = r.array(o, 'resources').map((x, i) => {
    const rr = r.at(`resources[${i}]`);
    const ro = rr.object(x);
    if (typeof ro.dependent !== 'boolean') rr.at('dependent').fail('expected a boolean');
    return { name: rr.string(ro, 'name'), dependent: ro.dependent as boolean };
  });
  const functions = r.array(o, 'functions').map((x, i) => validateFunction(r.at(`functions[${i}]`), x, formatVersion));
  return { name: r.string(o, 'name'), direction: r.oneOf(o, 'direction', ['export', 'import'] as const), resources, functions };
}

function validateFunction(r: Reader, v: unknown, formatVersion: number): AbiFunction {
  const o = r.object(v);
  const receiver = o.receiver === null ? null : r.oneOf(o, 'receiver', ['shared', 'exclusive', 'consume'] as const);
  // Version 2's key: a version-1 reader would ignore it and end an async call's borrows too early.
  if (o.async !== undefined && typeof o.async !== 'boolean') r.at('async').fail('expected a boolean');
  const isAsync = o.async === true;
  if (isAsync && formatVersion < RDYLIB_ABI_ASYNC_FORMAT_VERSION) {
    r.at('async').fail(`only format version ${RDYLIB_ABI_ASYNC_FORMAT_VERSION} documents may describe async functions; this one is version ${formatVersion}`);
  }
  const staticParams = r.array(o, 'staticParams').map((x, i) =>
    typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : r.at(`staticParams[${i}]`).fail('expected a parameter index'),
  );
  const params = r.array(o, 'params').map((x, i) => validateParamHandle(r.at(`params[${i}]`), x));
  const results = r.array(o, 'results').map((x, i) => validateHandle(r.at(`results[${i}]`), x));
  return { name: r.string(o, 'name'), rust: r.string(o, 'rust'), receiver, async: isAsync, staticParams, params, results };
}

function validateParamHandle(r: Reader, v: unknown): ParamHandle {
  const o = r.object(v);
  const raw = o.param;
  const param = typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : r.at('param').fail('expected a parameter index');
  return { param, name: r.string(o, 'name'), path: r.steps(o), mode: r.oneOf(o, 'mode', ['shared', 'exclusive', 'consume'] as const) };
}

function validateHandle(r: Reader, v: unknown): ResultHandle {
  const o = r.object(v);
  const path = r.steps(o);
  const resource = r.string(o, 'resource');
  const lifetime = r.oneOf(o, 'lifetime', ['owned', 'static', 'dependent'] as const);
  if (lifetime !== 'dependent') return { path, resource, lifetime };
  const borrows = r.array(o, 'borrows').map((x, i) => {
    const br = r.at(`borrows[${i}]`);
    const bo = br.object(x);
    const raw = bo.param;
    const param = typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : br.at('param').fail('expected a parameter index');
    return { param, name: br.string(bo, 'name'), mode: br.oneOf(bo, 'mode', ['shared', 'exclusive'] as const) };
  });
  if (borrows.length === 0) r.at('borrows').fail('a dependent handle must borrow from at least one parameter');
  return { path, resource, lifetime, borrows };
}
