import { describe, expect, it } from 'vitest';
import { BorrowError, GuestPanicError, TrapError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';

interface Kv {
  fail(message: string): number;
  Store: new () => { lock(): object; put(key: string, value: string): void };
}

async function loadKv(): Promise<Kv> {
  const plugin = await load(guestPath('kv'), { name: 'kv' });
  return plugin.exports['rdylib-guest:kv/kv@0.1.0'] as Kv;
}

describe('guest panics through the host runtime', () => {
  it('a panic becomes a GuestPanicError with the message and the Rust source location; the plugin is poisoned', async () => {
    const kv = await loadKv();
    let error: unknown;
    try {
      kv.fail('quota');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GuestPanicError);
    expect((error as Error).message).toMatch(/^the plugin panicked at .*examples\/kv\/src\/lib\.rs:\d+:\d+: kv failed: quota$/);
    expect((error as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    // Later calls: a TrapError that still says why.
    expect(() => kv.fail('again')).toThrow(TrapError);
    expect(() => kv.fail('again')).toThrow(/kv failed: quota/);
  });

  it('a borrow violation the plugin itself detects becomes a BorrowError', async () => {
    const kv = await loadKv();
    const store = new kv.Store();
    const guard = store.lock();
    expect(() => store.put('a', 'b')).toThrow(BorrowError);
    void guard;
  });
});
