/**
 * Typed arrays crossing to and from a worker-isolated plugin: a `list<u8>`
 * goes as one bulk copy (the caller's array untouched, a view of part of a
 * buffer sent as only its own bytes), and a list the plugin returns comes
 * back with its buffer moved, never element by element.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInWorker, type IsolatedPlugin } from '../../host/isolate/index.ts';
import { copiedView, movedView, MOVED_VIEW_MIN_BYTES } from '../../host/isolate/protocol.ts';
import { UnloadedError } from '../../host/errors.ts';
import { readGuest } from '../support/guests.ts';

const TYPES = 'rdylib-guest:types/types@0.1.0';

function pattern(length: number, seed = 7): Uint8Array {
  const a = new Uint8Array(length);
  for (let i = 0; i < length; i++) a[i] = (i * 31 + seed) & 0xff;
  return a;
}

describe('copiedView: what a typed array argument crosses as', () => {
  it('a view of a whole buffer crosses as itself (structured clone copies it)', () => {
    const a = pattern(100);
    expect(copiedView(a)).toBe(a);
  });

  it('a view of part of a buffer is copied down to its own bytes; the original is left as it was', () => {
    const whole = pattern(1000);
    const part = whole.subarray(100, 164);
    const sent = copiedView(part) as Uint8Array;
    expect(sent).not.toBe(part);
    expect(sent.buffer.byteLength).toBe(64);
    expect([...sent]).toEqual([...part]);
    expect(part.byteOffset).toBe(100);
    expect(whole.buffer.byteLength).toBe(1000);
  });

  it('a Float64Array keeps its class; a partial DataView becomes a DataView of its own bytes', () => {
    const f = new Float64Array([1.5, -2, 3]).subarray(1);
    const sent = copiedView(f);
    expect(sent).toBeInstanceOf(Float64Array);
    expect([...(sent as Float64Array)]).toEqual([-2, 3]);
    const d = copiedView(new DataView(pattern(16).buffer, 4, 8)) as DataView;
    expect(d).toBeInstanceOf(DataView);
    expect(d.buffer.byteLength).toBe(8);
    expect(d.getUint8(0)).toBe(pattern(16)[4]);
  });

  it('a view of a SharedArrayBuffer is copied into a buffer of its own, so no memory is shared with the worker', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    shared.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const sent = copiedView(shared) as Uint8Array;
    expect(sent.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...sent]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('movedView: what a typed array result crosses as', () => {
  it('a large view of a whole buffer moves its buffer, listed once however often it occurs', () => {
    const a = pattern(MOVED_VIEW_MIN_BYTES);
    const transfer: Transferable[] = [];
    expect(movedView(a, transfer)).toBe(a);
    expect(movedView(a, transfer)).toBe(a);
    expect(transfer).toEqual([a.buffer]);
  });

  it('a small one, or a view of part of a buffer, is copied instead', () => {
    const transfer: Transferable[] = [];
    const small = pattern(MOVED_VIEW_MIN_BYTES - 1);
    expect(movedView(small, transfer)).toBe(small);
    const part = pattern(2 * MOVED_VIEW_MIN_BYTES).subarray(1);
    const sent = movedView(part, transfer) as Uint8Array;
    expect(sent.buffer.byteLength).toBe(part.length);
    expect(transfer).toEqual([]);
  });
});

describe('typed arrays through a worker-isolated plugin (types example)', () => {
  let plugin: IsolatedPlugin;
  let echoBytes: (b: unknown) => Promise<Uint8Array>;
  beforeAll(async () => {
    plugin = await loadInWorker(readGuest('types'), { name: 'types' });
    echoBytes = (plugin.exports[TYPES] as { echoBytes(b: unknown): Promise<Uint8Array> }).echoBytes;
  });
  afterAll(() => plugin.unload());

  it('echoes 1 MiB: the bytes come back equal, in a buffer of exactly their size; the caller keeps its array', async () => {
    const bytes = pattern(1 << 20);
    const back = await echoBytes(bytes);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(back.buffer.byteLength).toBe(1 << 20);
    expect(Buffer.compare(back, bytes)).toBe(0);
    // Copied, not transferred: still attached and unchanged.
    expect(bytes.byteLength).toBe(1 << 20);
    expect(Buffer.compare(bytes, pattern(1 << 20))).toBe(0);
  });

  it('a subarray crosses as exactly its own bytes', async () => {
    const whole = pattern(4096, 3);
    const back = await echoBytes(whole.subarray(1000, 1100));
    expect([...back]).toEqual([...whole.subarray(1000, 1100)]);
    expect(whole.byteLength).toBe(4096);
  });

  it('a plain array of numbers still crosses; an array holding a function is refused with a TypeError naming its index', async () => {
    expect([...(await echoBytes([1, 2, 255]))]).toEqual([1, 2, 255]);
    await expect(echoBytes([1, () => 2])).rejects.toThrow(/object with methods \(here `1`\) cannot be passed to an isolated plugin/);
  });

  it('a typed array of the wrong element type is refused in the worker, and the caller\'s array is untouched', async () => {
    const wrong = new Uint16Array([1, 2, 3]);
    await expect(echoBytes(wrong)).rejects.toBeInstanceOf(TypeError);
    expect([...wrong]).toEqual([1, 2, 3]);
    expect([...(await echoBytes(new Uint8Array([9])))]).toEqual([9]);
  });

  it('after unload the call is refused with UnloadedError', async () => {
    const p = await loadInWorker(readGuest('types'), { name: 'types-unloaded' });
    const echo = (p.exports[TYPES] as { echoBytes(b: unknown): Promise<Uint8Array> }).echoBytes;
    expect((await echo(pattern(MOVED_VIEW_MIN_BYTES))).length).toBe(MOVED_VIEW_MIN_BYTES);
    await p.unload();
    await expect(echo(pattern(10))).rejects.toBeInstanceOf(UnloadedError);
  });
});
