/**
 * inspectComponent: the lifetime table from the rdylib:abi section (or why
 * there is none), who provides each import, the exports, and where the bytes
 * go; nothing is instantiated.
 */
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import { describeProvider, formatInspection, importProvider, inspectComponent, lifetimeSummary } from '../../host/index.ts';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { readGuest } from '../support/guests.ts';

const fn = (abi: NonNullable<ReturnType<typeof readRdylibAbi>>, name: string) => abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name)!;

describe('the lifetime table', () => {
  it('says which results borrow what, shared or exclusive, and how each handle parameter is taken', () => {
    const kv = inspectComponent(readGuest('kv'), { source: 'kv.wasm' });
    expect(kv.lifetimes.status).toBe('checked');
    if (kv.lifetimes.status !== 'checked') return;
    const abi = kv.lifetimes.abi;
    expect(abi.crate).toEqual({ name: 'kv', version: '0.1.0' });
    expect(lifetimeSummary(fn(abi, '[method]store.iter'))).toBe('self: &  -> iter borrowing self (shared)');
    expect(lifetimeSummary(fn(abi, '[method]store.lock'))).toBe('self: &mut  -> guard borrowing self (exclusive)');
    expect(lifetimeSummary(fn(abi, '[method]store.merge'))).toBe('self: &mut, other: &mut');
    expect(lifetimeSummary(fn(abi, '[static]store.into-pairs'))).toBe('this: moved');
    expect(lifetimeSummary(fn(abi, '[method]store.entry'))).toBe('self: &  -> some entry borrowing self (shared)');
    expect(lifetimeSummary(fn(abi, 'fail'))).toBe('(no handles)');
  });

  it('marks library-static results and parameters', () => {
    const registry = inspectComponent(readGuest('registry'));
    if (registry.lifetimes.status !== 'checked') throw new Error('registry has no verified section');
    const text = formatInspection(registry);
    expect(text).toMatch(/\[method\]unit-registry\.find\s+self: &'static\s+-> some unit \(library-static\)/);
    expect(text).toMatch(/registry\s+registry\s+-> unit-registry \(library-static\)/);
  });

  it('reports a missing section, and a section that does not verify, instead of failing', () => {
    expect(inspectComponent(readGuest('hello')).lifetimes).toEqual({ status: 'missing' });
    const forged = withForgedAbi(readGuest('kv'), (abi) => {
      (fn(abi, '[method]store.iter').results[0] as unknown as { borrows: { param: number }[] }).borrows[0]!.param = 7;
      return abi;
    });
    const x = inspectComponent(forged);
    expect(x.lifetimes.status).toBe('invalid');
    expect(x.lifetimes.status === 'invalid' && x.lifetimes.error).toContain('`[method]store.iter` (Store::iter), result handle at `(result)`: borrows parameter 7');
    expect(formatInspection(x)).toContain('Lifetimes: the rdylib:abi section does not verify, so the component is refused:');
  });
});

describe('imports, exports and sizes', () => {
  it('says who provides each import', () => {
    const shapes = inspectComponent(readGuest('shapes'));
    expect(shapes.imports.map((i) => [i.name, i.provider.kind])).toEqual([
      ['rdylib-guest:shapes/canvas@0.1.0', 'host-trait'],
      ['rdylib-panic', 'rdylib-panic'],
    ]);
    expect(describeProvider(shapes.imports[0]!.provider)).toBe('implemented by the caller: pass `canvas` in `imports` (or `link` a plugin exporting it)');
    expect(importProvider('wasi:filesystem/preopens@0.2.3', undefined)).toEqual({
      kind: 'wasi',
      capability: 'wasi:filesystem/preopens',
      grant: 'option',
      option: 'preopens',
    });
    expect(importProvider('wasi:io/streams@0.2.0', undefined)).toMatchObject({ grant: 'always' });
    expect(importProvider('wasi:sockets/tcp@0.2.0', undefined)).toMatchObject({ grant: 'never' });
    expect(importProvider('acme:logger/log', undefined)).toEqual({ kind: 'caller' });
  });

  it('lists exports with their resources and functions', () => {
    expect(inspectComponent(readGuest('hello')).exports).toEqual([
      { name: 'rdylib:hello/greeter@0.1.0', sort: 'interface', resources: ['counter'], functions: ['greet', 'make-greeting'] },
    ]);
  });

  it('accounts for the bytes: core modules and custom sections, the section at top level', () => {
    const bytes = readGuest('kv');
    const { sizes } = inspectComponent(bytes);
    expect(sizes.bytes).toBe(bytes.length);
    expect(sizes.coreModules.length).toBeGreaterThan(0);
    const code = sizes.coreModules.reduce((n, m) => n + m.bytes, 0);
    expect(code).toBeLessThan(bytes.length);
    expect(sizes.customSections).toContainEqual(expect.objectContaining({ name: 'rdylib:abi', in: 'component' }));
  });

  it('is plain data: the JSON form holds everything', () => {
    const x = inspectComponent(readGuest('kv'), { source: 'kv.wasm' });
    expect(JSON.parse(JSON.stringify(x))).toEqual(x);
  });

  it('refuses a core module with a LoadError saying what to do', () => {
    const core = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(() => inspectComponent(core, { source: 'lib.wasm' })).toThrow(LoadError);
    expect(() => inspectComponent(core, { source: 'lib.wasm' })).toThrow(/lib\.wasm is a core WebAssembly module, not a component; build the crate with `rdylib build`/);
  });
});
