/**
 * The rdylib checks `load` runs before any plugin code: the section verified
 * against the component's types, and `expect` (the interface the host was
 * built against) checked with the evolution rules of docs/abi.md
 * ("Compatibility"), both ways.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AbiMismatchError, LoadError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import type { AbiSurface } from '../../host/rdylib/compat.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { readAbiSurface } from '../../host/rdylib/surface.ts';
import { AbstractResource, type ExternDesc } from '../../host/validate/type-space.ts';
import { withForgedAbi, withoutAbiSection } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';

const KV = 'rdylib-guest:kv/kv@0.1.0';

type MutableFn = { name: string; receiver: string | null; params: { mode: string }[]; results: { borrows?: { mode: string }[] }[] };
const fnOf = (abi: RdylibAbi, name: string) => abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name) as unknown as MutableFn;

/** The mismatch `load` reports, failing the test when it loads. */
async function mismatch(bytes: Uint8Array, options: Parameters<typeof load>[1]): Promise<AbiMismatchError> {
  const e = await load(bytes, options).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AbiMismatchError);
  return e as AbiMismatchError;
}

/** The kv reference surface with the interface's exports edited (types only; the section stays as built). */
function kvReference(edit: (exports: Map<string, ExternDesc>) => void, rename?: string): AbiSurface {
  const real = readAbiSurface(readGuest('kv'), 'kv reference');
  const desc = real.type.exports.get(KV)!;
  if (desc.kind !== 'instance') throw new Error('kv exports no instance');
  const exports = new Map(desc.type.exports);
  edit(exports);
  const name = rename ?? KV;
  const abi = real.abi && { ...real.abi, interfaces: real.abi.interfaces.map((i) => (i.name === KV ? { ...i, name } : i)) };
  return { ...real, abi, type: { imports: real.type.imports, exports: new Map([[name, { kind: 'instance', type: { exports } }]]) } };
}

describe('load verifies the rdylib:abi section against the component types', () => {
  it('rejects forged metadata with an error naming the item, before instantiating', async () => {
    const forged = withForgedAbi(readGuest('kv'), (abi) => {
      (fnOf(abi, "[method]store.iter").results[0]!.borrows![0] as unknown as { param: number }).param = 7;
      return abi;
    });
    const e = await load(forged, { name: 'kv' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).kind).toBe('invalid');
    expect((e as Error).message).toBe(
      'rdylib:abi section: interface `rdylib-guest:kv/kv@0.1.0`, function `[method]store.iter` (Store::iter), result handle at `(result)`: borrows parameter 7, but the function has 1 parameters',
    );
  });

  it('a component without the section is refused unless loaded unchecked; unchecked, its types are still compared', async () => {
    const bare = withoutAbiSection(readGuest('kv'));
    const refused = await load(bare, { name: 'bare-kv' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LoadError);
    expect((refused as LoadError).kind).toBe('missing-lifetimes');
    expect((refused as LoadError).message).toMatch(/^bare-kv has no rdylib:abi section.*pass `unchecked: true`/);
    expect((await load(bare, { unchecked: true })).lifetimes).toBe('unchecked');
    const p = await load(bare, { name: 'bare-kv', expect: readGuest('kv'), unchecked: true });
    expect(p.lifetimes).toBe('unchecked');
    expect((await mismatch(readGuest('hello'), { expect: readGuest('kv'), unchecked: true })).differences).toContain(
      '`rdylib-guest:kv/kv@0.1.0`: expected an exported interface, found none',
    );
  });
});

describe('load(bytes, { expect })', () => {
  it('accepts the reference build given as bytes, a path, a file URL or a surface', async () => {
    for (const expected of [readGuest('kv'), guestPath('kv'), pathToFileURL(guestPath('kv')), readAbiSurface(readGuest('kv'), 'kv')]) {
      const p = await load(guestPath('kv'), { name: 'kv', expect: expected });
      expect(p.lifetimes).toBe('checked');
      await p.unload();
    }
  });

  it('refuses a result that now borrows self exclusively, field by field', async () => {
    const stricter = withForgedAbi(readGuest('kv'), (abi) => {
      const iter = fnOf(abi, '[method]store.iter');
      iter.receiver = 'exclusive';
      iter.params[0]!.mode = 'exclusive';
      iter.results[0]!.borrows![0]!.mode = 'exclusive';
      return abi;
    });
    const e = await mismatch(stricter, { name: 'kv v2', expect: guestPath('kv') });
    expect(e.message).toBe(
      `kv v2 does not provide the interface ${guestPath('kv')} was built against\n` +
        '  `rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`\n' +
        '  `rdylib-guest:kv/kv@0.1.0` `[method]store.iter` result handle at `(result)`: expected `iter` borrowing `self` (shared), found `iter` borrowing `self` (exclusive): it now borrows `self` exclusively',
    );
  });

  it('allows added functions and resources; refuses removed ones (both directions of the same edit)', async () => {
    // The host was built against an older interface without `fail` and without the `entries` resource: the plugin adds them.
    const older = kvReference((x) => {
      for (const n of [...x.keys()]) if (n === 'fail' || n === 'entries' || n.includes('entries')) x.delete(n);
    });
    await expect(load(guestPath('kv'), { expect: older })).resolves.toBeDefined();
    // The host was built against a newer interface with `clear` and resource `cursor`: the plugin lacks them.
    const newer = kvReference((x) => {
      x.set('clear', x.get('fail')!);
      x.set('cursor', { kind: 'type', type: { kind: 'resource', ref: new AbstractResource('cursor') } } as ExternDesc);
    });
    expect((await mismatch(readGuest('kv'), { name: 'kv', expect: newer })).differences).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` resource `cursor`: expected, found none (removed or renamed)',
      '`rdylib-guest:kv/kv@0.1.0` `clear`: expected, found none (removed or renamed)',
    ]);
  });

  it('refuses a changed function type, naming expected and found', async () => {
    const changed = kvReference((x) => {
      const fail = x.get('fail')!;
      if (fail.kind !== 'func') throw new Error('fail is not a function');
      x.set('fail', { kind: 'func', type: { ...fail.type, result: { kind: 'u64' } } });
    });
    expect((await mismatch(readGuest('kv'), { name: 'kv', expect: changed })).differences).toEqual([
      '`rdylib-guest:kv/kv@0.1.0` `fail` result: expected u64, found u32',
    ]);
  });

  it('refuses an incompatible interface version', async () => {
    const v2 = kvReference(() => {}, 'rdylib-guest:kv/kv@0.2.0');
    expect((await mismatch(readGuest('kv'), { name: 'kv', expect: v2 })).differences).toContain(
      '`rdylib-guest:kv/kv@0.2.0`: incompatible interface version: expected 0.2.0, found 0.1.0 (found `rdylib-guest:kv/kv@0.1.0`)',
    );
  });

  it('an unreadable expectation is an io LoadError', async () => {
    await expect(load(guestPath('kv'), { expect: '/nonexistent/reference.wasm' })).rejects.toMatchObject({ kind: 'io' });
  });
});
