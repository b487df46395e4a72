import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import {
  RDYLIB_ABI_MAGIC,
  RDYLIB_ABI_SECTION,
  decodeRdylibAbi,
  readRdylibAbi,
  readTopLevelCustomSections,
} from '../../host/rdylib/section.ts';
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
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
      functions: [{ name: 'f', rust: 'f', receiver: null, staticParams: [], params: [], results: [], futureKey: 1 }],
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
    expect(abi.interfaces[0]!.functions[0]).toEqual({ name: 'f', rust: 'f', receiver: null, async: false, staticParams: [], params: [], results: [] });
  });

  it('reads version 2, whose functions may be async, and refuses `async` in a version-1 document', () => {
    const withAsync = (value: unknown): typeof minimal => {
      const doc = structuredClone(minimal) as { interfaces: { functions: Record<string, unknown>[] }[] };
      doc.interfaces[0]!.functions[0]!.async = value;
      return doc as unknown as typeof minimal;
    };
    const v2 = decodeRdylibAbi(payload(withAsync(true), 2));
    expect(v2.formatVersion).toBe(2);
    expect(v2.interfaces[0]!.functions[0]!.async).toBe(true);
    // Absent or false: a sync function, in either version.
    expect(decodeRdylibAbi(payload(minimal, 2)).interfaces[0]!.functions[0]!.async).toBe(false);
    expect(decodeRdylibAbi(payload(withAsync(false), 2)).interfaces[0]!.functions[0]!.async).toBe(false);
    // `false` says nothing new, so a version-1 document may carry it (a decoded document re-encoded does).
    expect(decodeRdylibAbi(payload(withAsync(false), 1)).interfaces[0]!.functions[0]!.async).toBe(false);
    const inV1 = loadErrorOf(() => decodeRdylibAbi(payload(withAsync(true), 1)));
    expect(inV1.kind).toBe('invalid');
    expect(inV1.message).toContain('$.interfaces[0].functions[0].async: only format version 2 documents may describe async functions; this one is version 1');
    expect(loadErrorOf(() => decodeRdylibAbi(payload(withAsync('yes'), 2))).message).toContain('$.interfaces[0].functions[0].async: expected a boolean');
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
    const future = loadErrorOf(() => decodeRdylibAbi(payload(minimal, 3)));
    expect(future.kind).toBe('unsupported');
    expect(future.message).toContain('format version 3; this host reads versions 1 and 2');
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

  it('decodes parameter handles and rejects ill-formed ones, naming the field', () => {
    const withParams = (params: unknown): Uint8Array => {
      const doc = structuredClone(minimal) as { interfaces: { functions: Record<string, unknown>[] }[] };
      if (params === undefined) delete doc.interfaces[0]!.functions[0]!.params;
      else doc.interfaces[0]!.functions[0]!.params = params;
      return payload(doc);
    };
    const entry = { param: 1, name: 'other', path: ['some'], mode: 'exclusive', laterKey: true };
    expect(decodeRdylibAbi(withParams([entry])).interfaces[0]!.functions[0]!.params).toEqual([
      { param: 1, name: 'other', path: ['some'], mode: 'exclusive' },
    ]);
    const cases: [unknown, string][] = [
      [undefined, '$.interfaces[0].functions[0].params: expected an array'],
      [{}, '$.interfaces[0].functions[0].params: expected an array'],
      [[null], '$.interfaces[0].functions[0].params[0]: expected an object'],
      [[{ ...entry, param: -1 }], '$.interfaces[0].functions[0].params[0].param: expected a parameter index'],
      [[{ ...entry, param: 1.5 }], '$.interfaces[0].functions[0].params[0].param: expected a parameter index'],
      [[{ ...entry, param: '1' }], '$.interfaces[0].functions[0].params[0].param: expected a parameter index'],
      [[{ ...entry, name: 7 }], '$.interfaces[0].functions[0].params[0].name: expected a string'],
      [[{ ...entry, path: 'some' }], '$.interfaces[0].functions[0].params[0].path: expected an array'],
      [[{ ...entry, path: [0] }], '$.interfaces[0].functions[0].params[0].path[0]: expected a string'],
      [[entry, { ...entry, mode: 'moved' }], '$.interfaces[0].functions[0].params[1].mode: expected one of shared, exclusive, consume'],
      [[{ param: 0, name: 'self', path: [] }], '$.interfaces[0].functions[0].params[0].mode: expected one of shared, exclusive, consume'],
    ];
    for (const [params, message] of cases) {
      const e = loadErrorOf(() => decodeRdylibAbi(withParams(params)));
      expect(e.kind).toBe('invalid');
      expect(e.message).toBe(`rdylib:abi: ${message}`);
    }
  });

  it('rejects a component with two top-level sections', () => {
    const kv = readGuest('kv');
    const twice = appendCustomSection(kv, { name: RDYLIB_ABI_SECTION, data: payload(minimal) });
    expect(loadErrorOf(() => readRdylibAbi(twice)).message).toContain('2 top-level rdylib:abi sections');
  });
});

describe('rdylib:abi parameter handles match the Rust signatures', () => {
  /** `name -> params` of every function of one interface of a built example. */
  function paramsOf(guest: string, iface: string): Map<string, unknown> {
    const abi = readRdylibAbi(readGuest(guest))!;
    const found = abi.interfaces.find((i) => i.name === iface);
    if (!found) throw new Error(`${guest} has no interface ${iface}`);
    return new Map(found.functions.map((f) => [f.name, f.params]));
  }
  const self = (mode: string) => ({ param: 0, name: 'self', path: [], mode });

  it('kv: receivers, `&Store`, `&mut Store` and `self` by value', () => {
    const p = paramsOf('kv', 'rdylib-guest:kv/kv@0.1.0');
    expect(p.get('[constructor]store')).toEqual([]);
    expect(p.get('[method]store.get')).toEqual([self('shared')]); // &self, key: &str
    expect(p.get('[method]store.put')).toEqual([self('exclusive')]); // &mut self
    expect(p.get('[method]store.iter')).toEqual([self('shared')]); // &'a self
    expect(p.get('[method]store.lock')).toEqual([self('exclusive')]); // &'a mut self
    expect(p.get('[static]store.into-pairs')).toEqual([{ param: 0, name: 'this', path: [], mode: 'consume' }]); // self
    expect(p.get('[static]store.from-pairs')).toEqual([]); // Vec<(String, String)>: no handle
    // fn merge(&mut self, other: &mut Store): both exclusive.
    expect(p.get('[method]store.merge')).toEqual([self('exclusive'), { param: 1, name: 'other', path: [], mode: 'exclusive' }]);
    expect(p.get('[static]guard.commit')).toEqual([{ param: 0, name: 'this', path: [], mode: 'consume' }]);
    expect(p.get('[static]batch.apply')).toEqual([{ param: 0, name: 'this', path: [], mode: 'consume' }]);
    expect(p.get('[method]iter.next')).toEqual([self('exclusive')]);
    // Free functions taking `&Store` / `&'a Store`.
    expect(p.get('count-prefix')).toEqual([{ param: 0, name: 'store', path: [], mode: 'shared' }]);
    expect(p.get('entries-from')).toEqual([{ param: 0, name: 'store', path: [], mode: 'shared' }]);
    expect(p.get('fail')).toEqual([]);
  });

  it('shapes: `&dyn Shape`, `&mut dyn Canvas`, `Vec<Box<dyn Shape>>`, and the imported Canvas from the caller\'s side', () => {
    const p = paramsOf('shapes', 'rdylib-guest:shapes/shapes@0.1.0');
    expect(p.get('describe')).toEqual([{ param: 0, name: 'shape', path: [], mode: 'shared' }]);
    expect(p.get('render')).toEqual([
      { param: 0, name: 'shape', path: [], mode: 'shared' },
      { param: 1, name: 'canvas', path: [], mode: 'exclusive' },
    ]);
    expect(p.get('total-area')).toEqual([{ param: 0, name: 'shapes', path: ['elem'], mode: 'consume' }]);
    expect(p.get('circle')).toEqual([]);
    const shape = paramsOf('shapes', 'rdylib-guest:shapes/shape@0.1.0');
    expect(shape.get('[method]shape.scale')).toEqual([self('exclusive')]);
    // fn draw(&self, canvas: &mut dyn Canvas)
    expect(shape.get('[method]shape.draw')).toEqual([self('shared'), { param: 1, name: 'canvas', path: [], mode: 'exclusive' }]);
    const canvas = paramsOf('shapes', 'rdylib-guest:shapes/canvas@0.1.0');
    expect(canvas.get('[method]canvas.move-to')).toEqual([self('exclusive')]); // fn move_to(&mut self, ..)
    expect(canvas.get('[method]canvas.resolution')).toEqual([self('shared')]); // fn resolution(&self)
  });

  it('consumer: the imported Shape and its `&dyn Shape` / `Vec<Box<dyn Shape>>` parameters', () => {
    const p = paramsOf('consumer', 'rdylib-guest:consumer/consumer@0.1.0');
    expect(p.get('compactness')).toEqual([{ param: 0, name: 'shape', path: [], mode: 'shared' }]);
    expect(p.get('summarize')).toEqual([{ param: 0, name: 'shapes', path: ['elem'], mode: 'consume' }]);
    expect(p.get('union-bounds')).toEqual([
      { param: 0, name: 'a', path: [], mode: 'shared' },
      { param: 1, name: 'b', path: [], mode: 'shared' },
    ]);
    const shape = paramsOf('consumer', 'rdylib-guest:shapes/shape@0.1.0');
    // name, area, perimeter, bounds: only the receiver (a record result holds no handle).
    expect([...shape.values()]).toEqual([[self('shared')], [self('shared')], [self('shared')], [self('shared')]]);
  });

  it('registry: `&\'static self` is a shared borrow that must be library-static', () => {
    const abi = readRdylibAbi(readGuest('registry'))!;
    const fns = new Map(abi.interfaces[0]!.functions.map((f) => [f.name, f]));
    expect(fns.get('[method]unit-registry.find')).toMatchObject({ staticParams: [0], params: [self('shared')] });
    expect(fns.get('[method]unit.rescale')).toMatchObject({ staticParams: [], params: [self('exclusive')] });
    expect(fns.get('registry')?.params).toEqual([]);
  });

  it('types: value parameters carry no handles', () => {
    const abi = readRdylibAbi(readGuest('types'))!;
    const fns = abi.interfaces.flatMap((i) => i.functions);
    expect(fns.length).toBeGreaterThan(10);
    for (const f of fns) expect(f.params, f.name).toEqual([]);
  });
});
