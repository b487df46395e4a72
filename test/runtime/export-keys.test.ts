/**
 * Export keys (docs/abi.md §6.1): an exported interface is reachable by its
 * exact name, its unversioned name and jco's short name, in process and in a
 * worker; with `expect`, also by the reference's exact name. A key two
 * interfaces would share names neither and throws AmbiguousExportError.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AbiMismatchError, AmbiguousExportError, load, type IsolatedPlugin, type Plugin } from '../../host/index.ts';
import { exportKeys } from '../../host/runtime/export-keys.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { withInterfaceVersion } from '../support/versioned-build.ts';

const KV = 'rdylib-guest:kv/kv@0.1.0';

/** What host code written against kv 0.1.0 does with the interface it reads, whatever key it used. */
interface KvApi {
  Store: new () => { put(k: string, v: string): string | undefined; get(k: string): string | undefined; [Symbol.dispose](): void };
  countPrefix(store: object, prefix: string): number;
}
function useKv(kv: KvApi): [string | undefined, number] {
  const store = new kv.Store();
  store.put('apple', '1');
  store.put('avocado', '2');
  const result: [string | undefined, number] = [store.get('apple'), kv.countPrefix(store, 'a')];
  store[Symbol.dispose]();
  return result;
}

/** A component exporting interfaces by these names, each with one function `get` returning `n` (its position + 1). */
function exporting(names: readonly string[]): Promise<Uint8Array> {
  const parts = names.map((name, i) => `
    (core module $m${i} (func (export "f") (result i32) i32.const ${i + 1}))
    (core instance $c${i} (instantiate $m${i}))
    (func $f${i} (result u32) (canon lift (core func $c${i} "f")))
    (instance $i${i} (export "get" (func $f${i})))
    (export "${name}" (instance $i${i}))`);
  return parse(`(component ${parts.join('\n')})`);
}

type Get = { get(): number };
type AsyncGet = { get(): Promise<number> };

describe('export keys: the rule', () => {
  it('gives each interface its unversioned and short name', () => {
    expect(exportKeys(['a:b/my-store@0.1.0'], new Set(['a:b/my-store@0.1.0']))).toEqual(
      new Map([
        ['a:b/my-store', { kind: 'alias', target: 'a:b/my-store@0.1.0' }],
        ['myStore', { kind: 'alias', target: 'a:b/my-store@0.1.0' }],
      ]),
    );
  });

  it('marks a name two versions of one interface share, and a short name two packages share, ambiguous', () => {
    const versions = exportKeys(['a:b/kv@0.1.0', 'a:b/kv@0.2.0'], new Set());
    expect(versions.get('a:b/kv')).toEqual({ kind: 'ambiguous', candidates: ['a:b/kv@0.1.0', 'a:b/kv@0.2.0'] });
    expect(versions.get('kv')).toEqual({ kind: 'ambiguous', candidates: ['a:b/kv@0.1.0', 'a:b/kv@0.2.0'] });
    const packages = exportKeys(['z:z/kv@0.1.0', 'a:b/kv@0.1.0'], new Set());
    expect(packages.get('kv')).toEqual({ kind: 'ambiguous', candidates: ['a:b/kv@0.1.0', 'z:z/kv@0.1.0'] });
    expect(packages.get('z:z/kv')).toEqual({ kind: 'alias', target: 'z:z/kv@0.1.0' });
  });

  it('never takes a key the exports already have (a world-level function `kv`)', () => {
    const keys = exportKeys(['a:b/kv@0.1.0'], new Set(['a:b/kv@0.1.0', 'kv']));
    expect(keys.has('kv')).toBe(false);
    expect(keys.get('a:b/kv')).toEqual({ kind: 'alias', target: 'a:b/kv@0.1.0' });
  });

  it("maps the reference's exact names to the versions found", () => {
    const keys = exportKeys(['a:b/kv@0.1.3'], new Set(), ['a:b/kv@0.1.0', 'a:b/kv@0.1.3']);
    expect(keys.get('a:b/kv@0.1.0')).toEqual({ kind: 'alias', target: 'a:b/kv@0.1.3' });
    expect(keys.has('a:b/kv@0.1.3')).toBe(false);
  });
});

describe('export keys on loaded plugins', () => {
  const isolated: IsolatedPlugin[] = [];
  afterAll(() => {
    for (const p of isolated) p.unload();
  });

  it('reaches kv by its exact, unversioned and short names, listing each export once', async () => {
    const plugin = await load(readGuest('kv'), { name: 'kv' });
    const ex = plugin.exports;
    expect(ex.kv).toBe(ex[KV]);
    expect(ex['rdylib-guest:kv/kv']).toBe(ex[KV]);
    expect(useKv(ex.kv as KvApi)).toEqual(['1', 2]);
    expect(Object.keys(ex)).toEqual([KV]);
    expect(plugin.exportKeys).toEqual(
      new Map([
        ['rdylib-guest:kv/kv', { kind: 'alias', target: KV }],
        ['kv', { kind: 'alias', target: KV }],
      ]),
    );
    await plugin.unload();
  });

  it('host code written for kv 0.1.0 works unchanged with a 0.1.1 build that `expect` accepts, in process and in a worker', async () => {
    const bumped = withInterfaceVersion(readGuest('kv'), KV, '0.1.1');
    const inProcess: Plugin = await load(bumped, { name: 'kv 0.1.1', expect: guestPath('kv') });
    expect(inProcess.exportNames).toContain('rdylib-guest:kv/kv@0.1.1');
    for (const key of [KV, 'rdylib-guest:kv/kv', 'kv']) expect(useKv(inProcess.exports[key] as KvApi)).toEqual(['1', 2]);
    // Without an expectation the plugin was not checked against 0.1.0, so that exact name is not there.
    const unchecked = await load(bumped, { name: 'kv 0.1.1' });
    expect(unchecked.exports[KV]).toBeUndefined();
    expect(useKv(unchecked.exports.kv as KvApi)).toEqual(['1', 2]);

    const worker = await load(bumped, { name: 'kv 0.1.1', expect: guestPath('kv'), isolate: 'worker' });
    isolated.push(worker);
    for (const key of [KV, 'rdylib-guest:kv/kv', 'kv']) {
      const kv = worker.exports[key] as { Store: new () => Promise<{ put(k: string, v: string): Promise<unknown>; get(k: string): Promise<string | undefined> }> };
      const store = await new kv.Store();
      await store.put('k', key);
      expect(await store.get('k')).toBe(key);
    }
    expect(worker.exports.kv).toBe(worker.exports[KV]);
    await Promise.all([inProcess.unload(), unchecked.unload()]);
  });

  it('a version `expect` refuses does not load, so no key can reach it', async () => {
    const minor = withInterfaceVersion(readGuest('kv'), KV, '0.2.0');
    await expect(load(minor, { name: 'kv 0.2.0', expect: guestPath('kv') })).rejects.toBeInstanceOf(AbiMismatchError);
  });

  it('refuses to guess between two versions of one interface or two interfaces with one short name, in process and in a worker', async () => {
    const twoVersions = await exporting(['a:b/kv@0.1.0', 'a:b/kv@0.2.0']);
    const plugin = await load(twoVersions, { name: 'two-kvs', unchecked: true });
    expect((plugin.exports['a:b/kv@0.1.0'] as Get).get()).toBe(1);
    expect((plugin.exports['a:b/kv@0.2.0'] as Get).get()).toBe(2);
    for (const key of ['a:b/kv', 'kv']) {
      const e = (() => {
        try {
          return plugin.exports[key];
        } catch (err) {
          return err;
        }
      })() as AmbiguousExportError;
      expect(e).toBeInstanceOf(AmbiguousExportError);
      expect(e.code).toBe('AMBIGUOUS_EXPORT');
      expect(e.candidates).toEqual(['a:b/kv@0.1.0', 'a:b/kv@0.2.0']);
      expect(e.message).toBe(`\`${key}\` could mean \`a:b/kv@0.1.0\` or \`a:b/kv@0.2.0\` in two-kvs; read the export by its full name`);
    }
    // Listing or spreading the exports never trips over an ambiguous key.
    expect(Object.keys({ ...plugin.exports })).toEqual(['a:b/kv@0.1.0', 'a:b/kv@0.2.0']);

    const twoPackages = await exporting(['z:z/kv@0.1.0', 'a:b/kv@0.1.0']);
    const worker = await load(twoPackages, { name: 'two-packages', unchecked: true, isolate: 'worker' });
    isolated.push(worker);
    expect(() => worker.exports.kv).toThrow(AmbiguousExportError);
    expect(await (worker.exports['z:z/kv'] as AsyncGet).get()).toBe(1);
    expect(await (worker.exports['a:b/kv'] as AsyncGet).get()).toBe(2);
    await plugin.unload();
  });
});
