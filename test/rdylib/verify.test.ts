import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import { parseComponent } from '../../host/binary/parse.ts';
import { validateComponent } from '../../host/validate/validate.ts';
import { readRdylibAbi, type RdylibAbi } from '../../host/rdylib/section.ts';
import { verifyAbi } from '../../host/rdylib/verify.ts';
import { readGuest } from '../support/guests.ts';
import { withForgedAbi, withoutAbiSection } from '../support/abi-section.ts';

/** Verifies the section of `bytes` against its own types, as load does. */
function verify(bytes: Uint8Array): void {
  const abi = readRdylibAbi(bytes);
  if (!abi) throw new Error('no rdylib:abi section');
  verifyAbi(abi, validateComponent(parseComponent(bytes)).type);
}

type MutableFn = { name: string; receiver: string | null; staticParams: number[]; results: { path: string[]; resource: string; lifetime: string; borrows?: { param: number; name: string; mode: string }[] }[] };
function fnOf(abi: RdylibAbi, name: string): MutableFn {
  const fn = abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in the section`);
  return fn as unknown as MutableFn;
}

function forgedKv(edit: (abi: RdylibAbi) => void): Uint8Array {
  return withForgedAbi(readGuest('kv'), (abi) => {
    edit(abi);
    return abi;
  });
}

describe('rdylib:abi verification against the component types', () => {
  it.each(['kv', 'registry', 'shapes', 'types'])('accepts the section the SDK wrote for %s', (name) => {
    expect(() => verify(readGuest(name))).not.toThrow();
  });

  it('re-encoding the real section unchanged still verifies (the fixture is faithful)', () => {
    expect(() => verify(forgedKv(() => {}))).not.toThrow();
    expect(readRdylibAbi(withoutAbiSection(readGuest('kv')))).toBeUndefined();
  });

  const forgeries: [string, (abi: RdylibAbi) => void, RegExp][] = [
    ['a parameter reference out of range', (abi) => { fnOf(abi, '[method]store.iter').results[0]!.borrows![0]!.param = 5; },
      /function `\[method\]store\.iter` \(Store::iter\), result handle at `\(result\)`: borrows parameter 5, but the function has 1 parameters/],
    ['a receiver mode that disagrees with borrow<store>', (abi) => { fnOf(abi, '[method]store.lock').receiver = 'consume'; },
      /`\[method\]store\.lock`.*claims a `self` \(consuming\) receiver, but its first parameter is borrow<store>/],
    ['a dependent handle claimed owned (weaker rules than its types)', (abi) => {
      const r = fnOf(abi, '[method]store.lock').results[0]!;
      r.lifetime = 'owned';
      delete r.borrows;
    }, /`guard` is a dependent resource \(it borrows\), but this handle is claimed owned/],
    ['an exclusive borrow of self from a &self method', (abi) => { fnOf(abi, '[method]store.iter').results[0]!.borrows![0]!.mode = 'exclusive'; },
      /borrows `self` exclusively, but the method takes `&self` \(shared\)/],
    ['a function the component does not have', (abi) => { fnOf(abi, '[method]store.iter').name = '[method]store.iterate'; },
      /function `\[method\]store\.iterate`: the interface has no function of that name/],
    ['an interface the component does not export', (abi) => { (abi.interfaces[0] as { name: string }).name = 'rdylib-guest:kv/other@0.1.0'; },
      /exported interface `rdylib-guest:kv\/other@0\.1\.0`: the component exports no such interface \(it exports `rdylib-guest:kv\/kv@0\.1\.0`\)/],
    ['a result path that does not fit the type', (abi) => { fnOf(abi, '[method]store.iter').results[0]!.path = ['some']; },
      /result handle at `some`: step 1 \(`some`\) does not fit the result type there/],
    ['the wrong resource at a result', (abi) => { fnOf(abi, '[method]store.iter').results[0]!.resource = 'guard'; },
      /the handle there is a `iter`, not a `guard`/],
  ];

  it.each(forgeries)('rejects %s, naming the item', (_what, edit, message) => {
    const bytes = forgedKv(edit);
    let error: unknown;
    try {
      verify(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).kind).toBe('invalid');
    expect((error as Error).message).toMatch(message);
  });
});
