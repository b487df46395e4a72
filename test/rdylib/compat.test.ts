import { describe, expect, it } from 'vitest';
import { AbiMismatchError } from '../../host/errors.ts';
import { checkCompatible, versionProblem } from '../../host/rdylib/compat.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { readAbiSurface } from '../../host/rdylib/surface.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { readGuest } from '../support/guests.ts';

function differences(expected: Uint8Array, found: Uint8Array): string[] {
  try {
    checkCompatible(readAbiSurface(expected, 'reference'), readAbiSurface(found, 'plugin'));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(AbiMismatchError);
    return [...(e as AbiMismatchError).differences];
  }
}

type Fn = { name: string; receiver: string | null; params: { param: number; name: string; path: string[]; mode: string }[]; results: { path: string[]; resource: string; lifetime: string; borrows?: { param: number; name: string; mode: string }[] }[] };
const fn = (abi: RdylibAbi, name: string) => abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name) as unknown as Fn;
const kvWith = (edit: (abi: RdylibAbi) => void) => withForgedAbi(readGuest('kv'), (abi) => { edit(abi); return abi; });

/** A component exporting interface `name` whose functions are given in component text. */
async function exporting(name: string, funcs: string): Promise<Uint8Array> {
  return parse(`(component
    (import "dep" (instance $i ${funcs}))
    (export "${name}" (instance $i)))`);
}

describe('expectation check: async lifetimes', () => {
  it('the async pipeline example is compatible with its own reference build', () => {
    expect(differences(readGuest('pipeline'), readGuest('pipeline'))).toEqual([]);
  });

  it('refuses an async method whose receiver went from &self to &mut self, and accepts the reverse', () => {
    const exclusiveDescribe = withForgedAbi(readGuest('pipeline'), (abi) => {
      const f = fn(abi, '[method]tally.describe');
      f.receiver = 'exclusive';
      f.params[0]!.mode = 'exclusive';
      return abi;
    });
    expect(differences(readGuest('pipeline'), exclusiveDescribe)).toEqual([
      '`rdylib-guest:pipeline/pipeline@0.1.0` `[method]tally.describe` receiver: expected `&self`, found `&mut self`',
    ]);
    expect(differences(exclusiveDescribe, readGuest('pipeline'))).toEqual([]);
  });

  it('refuses an async method whose result used to be owned and now borrows, and one whose view now borrows self exclusively', () => {
    // The reference: an older build in which `sizes` resolved to an independent copy.
    const ownedSizes = withForgedAbi(readGuest('pipeline'), (abi) => {
      (abi.interfaces.find((i) => i.name === 'rdylib-guest:pipeline/pipeline@0.1.0')!.resources.find((r) => r.name === 'sizes') as { dependent: boolean }).dependent = false;
      const r = fn(abi, '[method]tally.sizes').results[0]!;
      r.lifetime = 'owned';
      delete r.borrows;
      return abi;
    });
    expect(differences(ownedSizes, readGuest('pipeline'))).toEqual([
      '`rdylib-guest:pipeline/pipeline@0.1.0` `[method]tally.sizes` result handle at `(result)`: expected owned `sizes`, found `sizes` borrowing `self` (shared): the result now borrows, where it used to be owned',
    ]);
    const exclusiveView = withForgedAbi(readGuest('pipeline'), (abi) => {
      const f = fn(abi, '[method]tally.sizes');
      f.receiver = 'exclusive';
      f.params[0]!.mode = 'exclusive';
      f.results[0]!.borrows![0]!.mode = 'exclusive';
      return abi;
    });
    expect(differences(readGuest('pipeline'), exclusiveView)).toEqual([
      '`rdylib-guest:pipeline/pipeline@0.1.0` `[method]tally.sizes` receiver: expected `&self`, found `&mut self`',
      '`rdylib-guest:pipeline/pipeline@0.1.0` `[method]tally.sizes` result handle at `(result)`: expected `sizes` borrowing `self` (shared), found `sizes` borrowing `self` (exclusive): it now borrows `self` exclusively',
    ]);
  });
});

describe('expectation check: lifetimes', () => {
  it('a plugin is compatible with its own reference build', () => {
    expect(differences(readGuest('kv'), readGuest('kv'))).toEqual([]);
  });

  it('refuses a method that now takes &mut self and whose result borrows self exclusively', () => {
    const found = kvWith((abi) => {
      fn(abi, '[method]store.iter').receiver = 'exclusive';
      fn(abi, '[method]store.iter').params[0]!.mode = 'exclusive';
      fn(abi, '[method]store.iter').results[0]!.borrows![0]!.mode = 'exclusive';
    });
    expect(differences(readGuest('kv'), found)).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`',
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.iter` result handle at `(result)`: expected `iter` borrowing `self` (shared), found `iter` borrowing `self` (exclusive): it now borrows `self` exclusively',
    ]);
  });

  it('refuses a result that used to be owned and now borrows', () => {
    // The reference: an older build in which `lock` returned an independent guard.
    const reference = kvWith((abi) => {
      (abi.interfaces[0]!.resources.find((r) => r.name === 'guard') as { dependent: boolean }).dependent = false;
      const r = fn(abi, '[method]store.lock').results[0]!;
      r.lifetime = 'owned';
      delete r.borrows;
    });
    expect(differences(reference, readGuest('kv'))).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.lock` result handle at `(result)`: expected owned `guard`, found `guard` borrowing `self` (exclusive): the result now borrows, where it used to be owned',
    ]);
  });

  it('refuses a receiver that went from &self to &mut self, and accepts the reverse', () => {
    const stricter = kvWith((abi) => {
      fn(abi, '[method]store.get').receiver = 'exclusive';
      fn(abi, '[method]store.get').params[0]!.mode = 'exclusive';
    });
    expect(differences(readGuest('kv'), stricter)).toEqual(['`rdylib-guest:kv/kv@0.1.0` `[method]store.get` receiver: expected `&self`, found `&mut self`']);
    const relaxed = kvWith((abi) => {
      fn(abi, '[method]store.lock').receiver = 'shared';
      fn(abi, '[method]store.lock').params[0]!.mode = 'shared';
      fn(abi, '[method]store.lock').results[0]!.borrows![0]!.mode = 'shared';
    });
    expect(differences(readGuest('kv'), relaxed)).toEqual([]);
  });

  it('refuses a handle parameter that went from & to &mut, and accepts the reverse', () => {
    const param = (abi: RdylibAbi) => fn(abi, '[method]store.merge').params.find((p) => p.name === 'other')!;
    const reference = kvWith((abi) => { param(abi).mode = 'shared'; });
    expect(differences(reference, readGuest('kv'))).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` `[method]store.merge` parameter `other`: expected a shared borrow (`&`), found an exclusive borrow (`&mut`)',
    ]);
    const relaxed = kvWith((abi) => { param(abi).mode = 'shared'; });
    expect(differences(readGuest('kv'), relaxed)).toEqual([]);
  });

  it('accepts a result that no longer borrows (less demanding)', () => {
    const found = kvWith((abi) => {
      (abi.interfaces[0]!.resources.find((r) => r.name === 'iter') as { dependent: boolean }).dependent = false;
      const r = fn(abi, '[method]store.iter').results[0]!;
      r.lifetime = 'owned';
      delete r.borrows;
    });
    expect(differences(readGuest('kv'), found)).toEqual([]);
  });

  it('refuses a plugin without the section when the reference has one', () => {
    expect(differences(readGuest('kv'), readGuest('hello'))).toContain('(component): expected an rdylib:abi section describing lifetimes, found none');
  });
});

describe('expectation check: types and names', () => {
  const v1 = `(export "get" (func (param "key" string) (result u32)))
              (export "put" (func (param "key" string) (param "value" u32)))`;

  it('accepts added functions', async () => {
    const found = await exporting('t:api/store@0.1.0', `${v1} (export "len" (func (result u32)))`);
    const ref = await exporting('t:api/store@0.1.0', v1);
    expect(differences(ref, found).filter((d) => !d.startsWith('`dep`'))).toEqual([]);
  });

  it('refuses removed functions, changed types and renamed parameters, all at once', async () => {
    const ref = await exporting('t:api/store@0.1.0', v1);
    const found = await exporting('t:api/store@0.1.0', `(export "get" (func (param "name" string) (result u64)))`);
    const diff = differences(ref, found).filter((d) => d.startsWith('`t:api'));
    expect(diff).toEqual([
      '`t:api/store@0.1.0` `get` parameter 0: expected `key`, found `name`',
      '`t:api/store@0.1.0` `get` result: expected u32, found u64',
      '`t:api/store@0.1.0` `put`: expected, found none (removed or renamed)',
    ]);
  });

  it('refuses a missing interface and an incompatible version; accepts a compatible one', async () => {
    const ref = await exporting('t:api/store@0.1.0', v1);
    expect(differences(ref, await exporting('t:api/other@0.1.0', v1))).toContain('`t:api/store@0.1.0`: expected an exported interface, found none');
    expect(differences(ref, await exporting('t:api/store@0.2.0', v1))).toContain(
      '`t:api/store@0.1.0`: incompatible interface version: expected 0.1.0, found 0.2.0 (found `t:api/store@0.2.0`)',
    );
    expect(differences(ref, await exporting('t:api/store@0.1.3', v1)).filter((d) => d.startsWith('`t:api'))).toEqual([]);
  });

  it('refuses a function that went from sync to async or back, and a stream or future of another element type', async () => {
    const ref = await exporting('t:api/pipe@0.1.0', `(export "flush" (func async (result u32)))
      (export "len" (func (result u32)))
      (export "pipe" (func async (param "input" (stream u8)) (result (stream u8))))
      (export "later" (func (result (future string))))`);
    const found = await exporting('t:api/pipe@0.1.0', `(export "flush" (func (result u32)))
      (export "len" (func async (result u32)))
      (export "pipe" (func async (param "input" (stream string)) (result (stream u8))))
      (export "later" (func (result (future u32))))`);
    expect(differences(ref, found).filter((d) => d.startsWith('`t:api'))).toEqual([
      '`t:api/pipe@0.1.0` `flush`: expected an async function, found a sync one',
      '`t:api/pipe@0.1.0` `len`: expected a sync function, found an async one',
      '`t:api/pipe@0.1.0` `pipe` parameter `input`: expected stream<u8>, found stream<string>',
      '`t:api/pipe@0.1.0` `later` result: expected future<string>, found future<u32>',
    ]);
    expect(differences(ref, ref).filter((d) => d.startsWith('`t:api'))).toEqual([]);
  });

  it('semver rules', () => {
    expect(versionProblem('1.2.0', '1.3.1')).toBeUndefined();
    expect(versionProblem('1.2.0', '1.1.9')).toMatch(/older/);
    expect(versionProblem('1.2.0', '2.0.0')).toMatch(/incompatible/);
    expect(versionProblem('0.1.0', '0.1.7')).toBeUndefined();
    expect(versionProblem('0.1.0', '0.2.0')).toMatch(/incompatible/);
  });
});
