import { describe, expect, it } from 'vitest';
import { LoadError } from '../../host/errors.ts';
import { parseComponent } from '../../host/binary/parse.ts';
import { validateComponent } from '../../host/validate/validate.ts';
import { RDYLIB_ABI_ASYNC_FORMAT_VERSION, RDYLIB_ABI_SECTION, readRdylibAbi, type RdylibAbi } from '../../host/rdylib/section.ts';
import { verifyAbi } from '../../host/rdylib/verify.ts';
import { readGuest } from '../support/guests.ts';
import { encodeAbiPayload, withForgedAbi, withoutAbiSection } from '../support/abi-section.ts';
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import { componentEmbed, componentNew } from '../../scripts/lib/jco.ts';

/** Verifies the section of `bytes` against its own types, as load does. */
function verify(bytes: Uint8Array): void {
  const abi = readRdylibAbi(bytes);
  if (!abi) throw new Error('no rdylib:abi section');
  verifyAbi(abi, validateComponent(parseComponent(bytes)).type);
}

type MutableParam = { param: number; name: string; path: string[]; mode: string };
type MutableFn = { name: string; receiver: string | null; staticParams: number[]; params: MutableParam[]; results: { path: string[]; resource: string; lifetime: string; borrows?: { param: number; name: string; mode: string }[] }[] };
function fnOf(abi: RdylibAbi, name: string): MutableFn {
  const fn = abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in the section`);
  return fn as unknown as MutableFn;
}

function forgedKv(edit: (abi: RdylibAbi) => void): Uint8Array {
  return forged('kv', edit);
}

function forged(guest: string, edit: (abi: RdylibAbi) => void): Uint8Array {
  return withForgedAbi(readGuest(guest), (abi) => {
    edit(abi);
    return abi;
  });
}

describe('rdylib:abi verification against the component types', () => {
  it.each(['kv', 'registry', 'shapes', 'types', 'consumer', 'pipeline'])('accepts the section the SDK wrote for %s', (name) => {
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

  // Parameter handles (`params`): how each handle parameter is borrowed or moved.
  const merge = (abi: RdylibAbi) => fnOf(abi, '[method]store.merge');
  const paramForgeries: [string, string, (abi: RdylibAbi) => void, RegExp][] = [
    ['kv', 'a parameter handle naming a parameter out of range', (abi) => { merge(abi).params[1]!.param = 5; },
      /function `\[method\]store\.merge` \(Store::merge\), parameter handle `other`: names parameter 5, but the function has 2 parameters/],
    ['kv', 'a parameter handle under the wrong name', (abi) => { merge(abi).params[1]!.name = 'source'; },
      /`\[method\]store\.merge` \(Store::merge\), parameter handle `source`: parameter 1 is `other`, not `source`/],
    ['kv', 'a parameter path that does not fit the type', (abi) => { merge(abi).params[1]!.path = ['some']; },
      /`\[method\]store\.merge`.*parameter handle `other` at `some`: step 1 \(`some`\) does not fit the parameter type there/],
    ['kv', 'a parameter path that leads to a value, not a handle', (abi) => {
      fnOf(abi, '[static]store.from-pairs').params.push({ param: 0, name: 'pairs', path: ['elem', '0'], mode: 'consume' });
    }, /`\[static\]store\.from-pairs` \(Store::from_pairs\), parameter handle `pairs` at `elem\.0`: the parameter type there is string, not a handle/],
    ['kv', 'a shared borrow claimed on an own<..> parameter', (abi) => { fnOf(abi, '[static]store.into-pairs').params[0]!.mode = 'shared'; },
      /`\[static\]store\.into-pairs`.*parameter handle `this`: claims a shared borrow, but the parameter type there is store, an owned handle that moves in/],
    ['kv', 'a consume claimed on a borrow<..> parameter', (abi) => { merge(abi).params[1]!.mode = 'consume'; },
      /`\[method\]store\.merge`.*parameter handle `other`: claims the handle is moved in \(consume\), but the parameter type there is borrow<store>, a borrow/],
    ['kv', 'a dependent result claimed to borrow a `&Store` parameter exclusively', (abi) => {
      const f = fnOf(abi, 'entries-from');
      f.results[0]!.borrows![0]!.mode = 'exclusive';
    }, /`entries-from` \(entries_from\), result handle at `\(result\)`: borrows `store` exclusively, but the function takes it shared/],
    ['kv', 'a receiver entry weaker than the receiver', (abi) => { merge(abi).params[0]!.mode = 'shared'; },
      /`\[method\]store\.merge` \(Store::merge\), parameter handle `self`: is taken shared, but the receiver is exclusive/],
    ['kv', 'a handle parameter left out', (abi) => { merge(abi).params.pop(); },
      /`\[method\]store\.merge` \(Store::merge\): parameter `other` has a handle that the section does not describe in `params`/],
    ['kv', 'a parameter handle described twice', (abi) => { merge(abi).params.push({ param: 1, name: 'other', path: [], mode: 'shared' }); },
      /`\[method\]store\.merge`.*parameter handle `other`: described twice/],
    ['registry', 'a library-static parameter taken exclusively', (abi) => {
      const f = fnOf(abi, '[method]unit-registry.find');
      f.receiver = 'exclusive';
      f.params[0]!.mode = 'exclusive';
    }, /`\[method\]unit-registry\.find` \(UnitRegistry::find\), parameter handle `self`: is taken exclusive, but it is a library-static parameter, which is only ever shared/],
    ['shapes', 'an element of a list<own<..>> left out', (abi) => { fnOf(abi, 'total-area').params = []; },
      /`total-area` \(total_area\): parameter `shapes` has a handle at `elem` that the section does not describe in `params`/],
    ['shapes', 'an imported trait method whose receiver entry disagrees', (abi) => { fnOf(abi, '[method]canvas.move-to').params[0]!.mode = 'shared'; },
      /interface `rdylib-guest:shapes\/canvas@0\.1\.0`, function `\[method\]canvas\.move-to` \(Canvas::move_to\), parameter handle `self`: is taken shared, but the receiver is exclusive/],
    ['consumer', 'a `&dyn Shape` parameter claimed moved in', (abi) => { fnOf(abi, 'compactness').params[0]!.mode = 'consume'; },
      /`compactness` \(compactness\), parameter handle `shape`: claims the handle is moved in \(consume\), but the parameter type there is borrow<shape>, a borrow/],
  ];

  // Async functions (format version 2): the flag must be the function type's.
  const asyncForgeries: [string, string, (abi: RdylibAbi) => void, RegExp][] = [
    ['kv', 'a sync function claimed async', (abi) => { (fnOf(abi, '[method]store.get') as { async?: boolean }).async = true; },
      /`\[method\]store\.get` \(Store::get\): claims an async function, but its type is a sync `func`/],
    ['pipeline', 'an async method not marked async (its loans would end when the call returns)', (abi) => {
      (fnOf(abi, '[method]tally.consume') as { async?: boolean }).async = false;
    }, /`\[method\]tally\.consume` \(Tally::consume\): is an `async func`, but the section does not mark it `"async": true`/],
    ['pipeline', 'an async method of the host-implemented trait not marked async', (abi) => {
      (fnOf(abi, '[method]source.next-chunk') as { async?: boolean }).async = false;
    }, /interface `rdylib-guest:pipeline\/source@0\.1\.0`, function `\[method\]source\.next-chunk` \(Source::next_chunk\): is an `async func`/],
  ];

  it.each(asyncForgeries)('%s: rejects %s, naming the item', (guest, _what, edit, message) => {
    expectInvalid(forged(guest, edit), message);
  });

  it('rejects a described function whose stream or future carries resource handles, which the section cannot describe', async () => {
    const wit = `package t:s@0.1.0;
interface i {
  resource r;
  take: async func(rs: stream<r>);
  give: func() -> future<option<r>>;
}
world plugin { export i; }`;
    const component = await componentNew(await componentEmbed({ dummy: true, witSource: wit, world: 'plugin' }));
    const fn = (name: string, isAsync: boolean) => ({ name, rust: name, receiver: null, async: isAsync, staticParams: [], params: [], results: [] });
    const doc = (functions: object[]) => ({
      crate: { name: 's', version: '0.1.0' }, package: 't:s', interfaceVersion: '0.1.0', world: 'plugin',
      interfaces: [{ name: 't:s/i@0.1.0', direction: 'export', resources: [{ name: 'r', dependent: false }], functions }],
    });
    const withSection = (functions: object[]) =>
      appendCustomSection(component, { name: RDYLIB_ABI_SECTION, data: encodeAbiPayload(doc(functions), RDYLIB_ABI_ASYNC_FORMAT_VERSION) });
    expectInvalid(withSection([fn('take', true), fn('give', false)]), /function `take` \(take\): parameter `rs` has a resource handle inside a stream or future, which the section cannot describe/);
    expectInvalid(withSection([fn('give', false), fn('take', true)]), /function `give` \(give\): the result has a resource handle inside a stream or future/);
  });

  it.each(paramForgeries)('%s: rejects %s, naming the item', (guest, _what, edit, message) => {
    expectInvalid(forged(guest, edit), message);
  });

  it.each(forgeries)('rejects %s, naming the item', (_what, edit, message) => {
    expectInvalid(forgedKv(edit), message);
  });
});

function expectInvalid(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    verify(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LoadError);
  expect((error as LoadError).kind).toBe('invalid');
  expect((error as Error).message).toMatch(message);
}
