/**
 * Issue 10 item 4: section verification demands completeness. Every
 * interface the component imports or exports, every function of every
 * described interface, every handle parameter and every handle in every
 * result (constructors included) must be described; otherwise the plugin is
 * refused with LoadError('invalid') naming what is missing, before any of
 * its code runs, with or without an expectation, in-process and in a worker.
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../host/index.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { readGuest } from '../support/guests.ts';
import { MODES, refused, type Mode } from './support.ts';

type Fn = { name: string; receiver: string | null; params: { param: number; mode: string }[]; results: { path: string[]; lifetime: string; resource: string }[] };
const fns = (abi: RdylibAbi): Fn[] => abi.interfaces.flatMap((i) => i.functions) as unknown as Fn[];
const fn = (abi: RdylibAbi, name: string): Fn => {
  const f = fns(abi).find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in the section`);
  return f;
};
const mutableInterfaces = (abi: RdylibAbi) => abi.interfaces as unknown as { name: string; functions: Fn[] }[];

const forged = {
  noInterfaces: () => withForgedAbi(readGuest('kv'), (abi) => ({ ...abi, interfaces: [] })),
  noPut: () =>
    withForgedAbi(readGuest('kv'), (abi) => {
      const kv = mutableInterfaces(abi).at(-1)!;
      kv.functions = kv.functions.filter((f) => f.name !== '[method]store.put');
      return abi;
    }),
  iterResultUndescribed: () =>
    withForgedAbi(readGuest('kv'), (abi) => {
      fn(abi, '[method]store.iter').results = [];
      return abi;
    }),
  constructorResultUndescribed: () =>
    withForgedAbi(readGuest('kv'), (abi) => {
      fn(abi, '[constructor]store').results = [];
      return abi;
    }),
  mergeOtherUndescribed: () =>
    withForgedAbi(readGuest('kv'), (abi) => {
      const merge = fn(abi, '[method]store.merge');
      merge.params = merge.params.filter((p) => p.param === 0);
      return abi;
    }),
  consumerImportUndescribed: () =>
    withForgedAbi(readGuest('consumer'), (abi) => {
      (abi as unknown as { interfaces: { name: string }[] }).interfaces = abi.interfaces.filter((i) => !i.name.startsWith('rdylib-guest:shapes/shape'));
      return abi;
    }),
};

async function loadIn(mode: Mode, bytes: Uint8Array, options: { expect?: Uint8Array } = {}): Promise<unknown> {
  const p = mode === 'worker' ? await load(bytes, { isolate: 'worker', name: 'forged', ...options }) : await load(bytes, { name: 'forged', ...options });
  await p.unload();
  return p;
}

describe.each(MODES)('incomplete sections are refused (%s)', (mode) => {
  it('`interfaces: []` on a component that exports kv: LoadError invalid, not `lifetimes: checked`', async () => {
    await refused(() => loadIn(mode, forged.noInterfaces()), { code: 'LOAD', kind: 'invalid', message: /rdylib-guest:kv\/kv@0\.1\.0/ });
  });

  it('a described interface missing a function (`[method]store.put`): LoadError invalid naming it', async () => {
    await refused(() => loadIn(mode, forged.noPut()), { code: 'LOAD', kind: 'invalid', message: /\[method\]store\.put/ });
  });
});

describe('incomplete sections are refused (in-process details)', () => {
  it('`interfaces: []` does not pass `expect` either (the comparison is not skipped)', async () => {
    await refused(() => loadIn('in-process', forged.noInterfaces(), { expect: readGuest('kv') }), { code: ['LOAD', 'ABI_MISMATCH'], message: /kv/ });
  });

  it('a dependent result without its entry (`[method]store.iter` results: []): LoadError invalid', async () => {
    await refused(() => loadIn('in-process', forged.iterResultUndescribed()), { code: 'LOAD', kind: 'invalid', message: /\[method\]store\.iter/ });
  });

  it('a constructor whose owned result has no entry: LoadError invalid; the SDK describes it', async () => {
    await refused(() => loadIn('in-process', forged.constructorResultUndescribed()), { code: 'LOAD', kind: 'invalid', message: /\[constructor\]store/ });
    let real: Fn | undefined;
    withForgedAbi(readGuest('kv'), (abi) => {
      real = fn(abi, '[constructor]store');
      return abi;
    });
    expect(real!.results).toEqual([expect.objectContaining({ path: [], resource: 'store', lifetime: 'owned' })]);
  });

  it('a handle parameter without its entry (`other` of `[method]store.merge`): LoadError invalid', async () => {
    await refused(() => loadIn('in-process', forged.mergeOtherUndescribed()), { code: 'LOAD', kind: 'invalid', message: /\[method\]store\.merge/ });
  });

  it('an imported interface the section does not describe (consumer without `shape`): LoadError invalid', async () => {
    const shapesPlugin = await load(readGuest('shapes'), { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas: class {} } } });
    await refused(() => load(forged.consumerImportUndescribed(), { name: 'consumer', link: [shapesPlugin] }), { code: 'LOAD', kind: 'invalid', message: /shape/ });
    expect(shapesPlugin.dependents).toEqual([]);
  });

  it('a reference build whose result has no entry cannot vouch for a plugin whose result borrows (docs/abi.md §6: owned, now borrows)', async () => {
    await refused(() => loadIn('in-process', readGuest('kv'), { expect: forged.iterResultUndescribed() }), { code: ['LOAD', 'ABI_MISMATCH'], message: /\[method\]store\.iter/ });
  });

  it('allowed: the real sections load checked', async () => {
    // (mutator needs a link: its section is checked in linked.test.ts.)
    for (const name of ['kv', 'statics', 'keeper', 'registry']) {
      const imports = name === 'keeper' ? { 'rdylib-guest:keeper/obj@0.1.0': { Obj: class {} } } : {};
      const p = await load(readGuest(name), { name, imports, expect: readGuest(name) });
      expect(p.lifetimes).toBe('checked');
      await p.unload();
    }
  });
});
