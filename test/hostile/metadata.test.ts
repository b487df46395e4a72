/**
 * A plugin whose rdylib:abi metadata claims weaker borrow rules than its
 * component types: `[static]store.into-pairs` takes `own<store>` (it consumes
 * the store) but the forged section says it only borrows it (`&self`). The
 * section verifier refuses the claim with a LoadError, and even when the
 * metadata is ignored the host enforces the types: the store is moved.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../host/load.ts';
import { LoadError } from '../../host/errors.ts';
import { parseComponent } from '../../host/binary/parse.ts';
import { validateComponent } from '../../host/validate/validate.ts';
import { readRdylibAbi, type RdylibAbi } from '../../host/rdylib/section.ts';
import { verifyAbi } from '../../host/rdylib/verify.ts';
import { readGuest } from '../support/guests.ts';
import { withForgedAbi } from '../support/abi-section.ts';
import { bystander, type Bystander } from './support.ts';

function forged(): Uint8Array {
  return withForgedAbi(readGuest('kv'), (abi: RdylibAbi) => {
    const fn = abi.interfaces.flatMap((i) => i.functions).find((f) => f.name === '[static]store.into-pairs');
    if (fn === undefined) throw new Error('kv has no [static]store.into-pairs');
    (fn as { receiver: string | null }).receiver = 'shared';
    return abi;
  });
}

interface Store {
  put(k: string, v: string): string | undefined;
  len(): number;
}
interface Kv {
  Store: (new () => Store) & { intoPairs(s: Store): [string, string][] };
}

describe('hostile metadata', () => {
  let by: Bystander;
  beforeAll(async () => {
    by = await bystander();
  });

  it('a section claiming a borrowed receiver for a consuming function is refused by verification', () => {
    const bytes = forged();
    const abi = readRdylibAbi(bytes);
    expect(abi).toBeDefined();
    expect(() => verifyAbi(abi!, validateComponent(parseComponent(bytes)).type)).toThrow(LoadError);
    expect(() => verifyAbi(abi!, validateComponent(parseComponent(bytes)).type)).toThrow(/receiver/);
    by.check();
  });

  it('the types win over the claim: the consumed store cannot be used again', async () => {
    const p = await load(forged(), { name: 'liar', imports: { 'rdylib-panic': () => undefined } }).catch((e: unknown) => e);
    // Once load verifies the section (see the report), loading fails here instead; both are safe.
    if (p instanceof LoadError) {
      expect(p.message).toMatch(/rdylib:abi/);
      return;
    }
    const kv = (p as { exports: Record<string, unknown> }).exports['rdylib-guest:kv/kv@0.1.0'] as Kv;
    const s = new kv.Store();
    s.put('k', 'v');
    expect(kv.Store.intoPairs(s)).toEqual([['k', 'v']]);
    expect(() => s.len()).toThrow(TypeError);
    by.check();
  });
});
