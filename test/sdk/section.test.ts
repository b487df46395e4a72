import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import {
  RDYLIB_ABI_MAGIC,
  RDYLIB_ABI_SECTION,
  decodeRdylibAbi,
  readRdylibAbi,
  readTopLevelCustomSections,
} from '../../host/rdylib/section.ts';
import { appendCustomSection } from '../../scripts/lib/wasm-custom-sections.ts';
import { readGuest } from '../support/guests.ts';

/** A section payload as docs/abi.md §3.2 lays it out. */
function payload(doc: unknown, version = 1, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));
  const out = new Uint8Array(14 + json.length);
  out.set(RDYLIB_ABI_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, version, true);
  view.setUint32(10, declaredLength ?? json.length, true);
  out.set(json, 14);
  return out;
}

const minimal = {
  crate: { name: 'x', version: '1.0.0' },
  package: 'rdylib-guest:x',
  interfaceVersion: '1.0.0',
  world: 'plugin',
  interfaces: [
    {
      name: 'rdylib-guest:x/x@1.0.0',
      direction: 'export',
      resources: [{ name: 'r', dependent: false }],
      functions: [{ name: 'f', rust: 'f', receiver: null, staticParams: [], results: [], futureKey: 1 }],
    },
  ],
};

function loadErrorOf(f: () => unknown): LoadError {
  try {
    f();
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
  throw new Error('expected a LoadError');
}

describe('rdylib:abi decoding', () => {
  it('finds the section at the top level of every SDK-built example, and not in hand-written hello', () => {
    for (const name of ['kv', 'types', 'registry', 'shapes', 'consumer']) {
      const names = readTopLevelCustomSections(readGuest(name)).map((s) => s.name);
      expect(names.filter((n) => n === RDYLIB_ABI_SECTION)).toHaveLength(1);
      // The WIT travels to the build only; it is not copied into the component.
      expect(names).not.toContain('rdylib:wit');
      expect(readRdylibAbi(readGuest(name))?.crate.name).toBe(name);
    }
    expect(readRdylibAbi(readGuest('hello'))).toBeUndefined();
  });

  it('decodes a minimal document and ignores keys it does not know', () => {
    const abi = decodeRdylibAbi(payload(minimal));
    expect(abi.formatVersion).toBe(1);
    expect(abi.interfaces[0]!.functions[0]).toEqual({ name: 'f', rust: 'f', receiver: null, staticParams: [], results: [] });
  });

  it('rejects two payloads concatenated by a linker', () => {
    const one = payload(minimal);
    const two = new Uint8Array(one.length * 2);
    two.set(one, 0);
    two.set(one, one.length);
    const e = loadErrorOf(() => decodeRdylibAbi(two));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('concatenated');
  });

  it('rejects a truncated payload, a bad magic and a future format version', () => {
    expect(loadErrorOf(() => decodeRdylibAbi(payload(minimal, 1, 9999))).kind).toBe('invalid');
    const bad = payload(minimal);
    bad[0] = 0x58;
    expect(loadErrorOf(() => decodeRdylibAbi(bad)).kind).toBe('malformed');
    const future = loadErrorOf(() => decodeRdylibAbi(payload(minimal, 2)));
    expect(future.kind).toBe('unsupported');
    expect(future.message).toContain('format version 2');
  });

  it('names the field at fault in an ill-formed document', () => {
    const doc = structuredClone(minimal) as { interfaces: { functions: { receiver: unknown }[] }[] };
    doc.interfaces[0]!.functions[0]!.receiver = 'borrowed';
    const e = loadErrorOf(() => decodeRdylibAbi(payload(doc)));
    expect(e.message).toContain('$.interfaces[0].functions[0].receiver: expected one of shared, exclusive, consume');
    expect(loadErrorOf(() => decodeRdylibAbi(payload('{not json'))).kind).toBe('malformed');
    const dependent = structuredClone(minimal) as { interfaces: { functions: { results: unknown[] }[] }[] };
    dependent.interfaces[0]!.functions[0]!.results = [{ path: [], resource: 'r', lifetime: 'dependent', borrows: [] }];
    expect(loadErrorOf(() => decodeRdylibAbi(payload(dependent))).message).toContain('must borrow from at least one parameter');
  });

  it('rejects a component with two top-level sections', () => {
    const kv = readGuest('kv');
    const twice = appendCustomSection(kv, { name: RDYLIB_ABI_SECTION, payload: payload(minimal) });
    expect(loadErrorOf(() => readRdylibAbi(twice)).message).toContain('2 top-level rdylib:abi sections');
  });
});
