/**
 * The compile cache (host/plugin/compile-cache.ts): the same bytes loaded
 * again reuse their validated, compiled component (found by comparing the
 * bytes, under the same memory cap); any changed byte misses; every check that depends on the
 * caller still runs; each load gets its own instances; bounded; bypassable.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AbiMismatchError, LoadError } from '../../host/errors.ts';
import { clearCompileCache, compile, load, type Plugin } from '../../host/index.ts';
import { COMPILE_CACHE_MAX_ENTRIES, compileCacheSize, sameBytes, sameBytesByWords } from '../../host/plugin/compile-cache.ts';
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import type { RdylibAbi } from '../../host/rdylib/section.ts';
import { withForgedAbi, withoutAbiSection } from '../support/abi-section.ts';
import { readGuest } from '../support/guests.ts';

interface Store { get(k: string): string | undefined; put(k: string, v: string): unknown; len(): number }
interface Kv { Store: new () => Store }
const kvOf = (p: Plugin) => p.exports['rdylib-guest:kv/kv@0.1.0'] as Kv;

/** hello has no rdylib:abi section (its WIT is hand-written): loaded `unchecked`. */
/** `bytes` with one more custom section: a different component that behaves the same. */
const variant = (bytes: Uint8Array, tag: string): Uint8Array => appendCustomSection(bytes, { name: 'cache-test', data: new TextEncoder().encode(tag) });

/** The last position of `needle` in `haystack` (the rdylib:abi section comes last), or -1. */
function findLastBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('compile cache', () => {
  beforeEach(() => clearCompileCache());

  it('compares bytes exactly: every length, every position of a difference, unaligned views, natively and in plain JS', () => {
    const backing = new Uint8Array(64 + 3);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 37 + 11) & 0xff;
    for (const compare of [sameBytes, sameBytesByWords]) {
      for (let len = 0; len <= 40; len++) {
        for (const offset of [0, 1, 2, 3]) {
          const a = backing.subarray(offset, offset + len);
          const b = new Uint8Array(a); // same bytes, aligned, another buffer
          expect(compare(a, b)).toBe(true);
          expect(compare(b, a)).toBe(true);
          for (let at = 0; at < len; at++) {
            const c = new Uint8Array(a);
            c[at] = c[at]! ^ 0x80;
            expect(compare(a, c)).toBe(false);
            expect(compare(c, a)).toBe(false);
          }
          if (len > 0) expect(compare(a, a.subarray(0, len - 1))).toBe(false);
        }
      }
    }
  });

  it('equal bytes in another buffer hit; bytes of the same length that differ in their last byte miss', async () => {
    const bytes = readGuest('hello');
    const a = await load(variant(bytes, 'x'), { name: 'a', unchecked: true });
    expect((await load(variant(bytes, 'x'), { name: 'a again', unchecked: true })).component).toBe(a.component);
    const last = variant(bytes, 'x');
    last[last.length - 1] = 'z'.charCodeAt(0);
    expect((await load(last, { name: 'z', unchecked: true })).component).not.toBe(a.component);
    expect(compileCacheSize().entries).toBe(2);
  });

  it('compile() shares the cache with load, both ways; compile(bytes, { cache: false }) neither reads nor fills it', async () => {
    const kv = readGuest('kv');
    const loaded = await load(kv, { name: 'kv' });
    const compiled = compile(new Uint8Array(kv));
    expect(compiled.validated).toBe(loaded.component);
    expect(compile(new Uint8Array(kv).buffer).validated).toBe(loaded.component);
    // Each instantiation still gets its own instance.
    const p = compiled.instantiate({}, 'from compile');
    expect(p.memories[0]).not.toBe(loaded.memories[0]);
    const hello = readGuest('hello');
    const first = compile(hello);
    expect((await load(hello, { name: 'hello', unchecked: true })).component).toBe(first.validated);
    const fresh = compile(hello, { cache: false });
    expect(fresh.validated).not.toBe(first.validated);
    clearCompileCache();
    compile(hello, { cache: false });
    expect(compileCacheSize().entries).toBe(0);
  });

  it('compile() of refused bytes throws and keeps nothing; a caller changing its buffer afterwards changes nothing cached', () => {
    const bytes = new Uint8Array(readGuest('hello'));
    const good = compile(bytes);
    bytes[4] = bytes[4]! ^ 0xff;
    expect(() => compile(bytes)).toThrow(LoadError);
    expect(compileCacheSize().entries).toBe(1);
    expect(compile(readGuest('hello')).validated).toBe(good.validated);
  });

  it('keeps a copy of a Node Buffer too (Buffer#slice is a view): the caller changing it afterwards misses', async () => {
    const buffer = Buffer.from(readGuest('hello'));
    const good = compile(buffer);
    buffer[4] = buffer[4]! ^ 0xff;
    expect(() => compile(buffer)).toThrow(LoadError);
    const loaded = Buffer.from(readGuest('hello'));
    const first = await load(loaded, { unchecked: true });
    loaded[4] = loaded[4]! ^ 0xff;
    await expect(load(loaded, { unchecked: true })).rejects.toBeInstanceOf(LoadError);
    expect(compile(readGuest('hello')).validated).toBe(good.validated);
    expect(first.component).toBe(good.validated);
  });

  it('the same bytes loaded again reuse the compiled component, with instances of their own', async () => {
    const bytes = readGuest('kv');
    const a = await load(bytes, { name: 'a' });
    const b = await load(new Uint8Array(bytes), { name: 'b' }); // equal bytes in another buffer
    expect(b.component).toBe(a.component);
    expect(compileCacheSize().entries).toBe(1);
    expect(b.memories[0]).not.toBe(a.memories[0]);
    const sa = new (kvOf(a).Store)();
    sa.put('k', 'from a');
    const sb = new (kvOf(b).Store)();
    expect(sb.get('k')).toBeUndefined();
    expect(b.lifetimes).toBe('checked');
    await a.unload();
    sb.put('k', 'from b'); // unloading one leaves the other working
    expect(sb.get('k')).toBe('from b');
  });

  it('one changed byte misses', async () => {
    const bytes = readGuest('hello');
    const a = await load(variant(bytes, 'x'), { name: 'a', unchecked: true });
    const b = await load(variant(bytes, 'y'), { name: 'b', unchecked: true });
    expect(b.component).not.toBe(a.component);
    expect(compileCacheSize().entries).toBe(2);
  });

  it('a caller changing its buffer after the load cannot change what the cache gives later', async () => {
    const original = readGuest('kv');
    const buffer = new Uint8Array(original);
    const first = await load(buffer, { unchecked: true, name: 'first' });
    // Change the caller's buffer in place: the section now names an interface the component does not export.
    const at = findLastBytes(buffer, new TextEncoder().encode('"rdylib-guest:kv/kv@0.1.0"'));
    expect(at).toBeGreaterThan(0);
    buffer[at + 15] = 'x'.charCodeAt(0);
    // The original bytes still hit, and the cached component still has the true section.
    const again = await load(original, { name: 'again' });
    expect(again.component).toBe(first.component);
    expect(again.lifetimes).toBe('checked');
    expect(new (kvOf(again).Store)().len()).toBe(0);
    // The changed buffer is new bytes: checked from scratch, and refused.
    await expect(load(buffer, { name: 'forged' })).rejects.toBeInstanceOf(LoadError);
  });

  it('the checks that depend on the caller run on a hit: unchecked, expectation', async () => {
    const bare = withoutAbiSection(readGuest('kv'));
    await load(bare, { name: 'bare', unchecked: true });
    expect(compileCacheSize().entries).toBe(1);
    await expect(load(bare, { name: 'bare' })).rejects.toMatchObject({ kind: 'missing-lifetimes' });
    const kv = readGuest('kv');
    const stricter = withForgedAbi(kv, (abi: RdylibAbi) => {
      const f = abi.interfaces.flatMap((i) => i.functions).find((x) => x.name === '[method]store.iter') as unknown as { receiver: string; params: { mode: string }[]; results: { borrows?: { mode: string }[] }[] };
      f.receiver = 'exclusive';
      f.params[0]!.mode = 'exclusive';
      f.results[0]!.borrows![0]!.mode = 'exclusive';
      return abi;
    });
    await load(stricter, { name: 'kv' });
    await expect(load(stricter, { name: 'kv', expect: kv })).rejects.toBeInstanceOf(AbiMismatchError);
  });

  it('a refused build is not kept', async () => {
    const bytes = new Uint8Array(readGuest('hello'));
    bytes[4] = bytes[4]! ^ 0xff; // the version
    await expect(load(bytes, { unchecked: true, name: 'broken' })).rejects.toBeInstanceOf(LoadError);
    expect(compileCacheSize().entries).toBe(0);
    await expect(load(bytes, { unchecked: true, name: 'broken' })).rejects.toBeInstanceOf(LoadError);
  });

  it('the memory cap is part of the key', async () => {
    const bytes = readGuest('hello');
    const capped = await load(bytes, { unchecked: true, name: 'capped', maxMemoryBytes: 64 * 65536 });
    const free = await load(bytes, { unchecked: true, name: 'free' });
    expect(free.component).not.toBe(capped.component);
    expect(compileCacheSize().entries).toBe(2);
    expect((await load(bytes, { unchecked: true, name: 'capped again', maxMemoryBytes: 64 * 65536 })).component).toBe(capped.component);
  });

  it('reload of unchanged bytes reuses the compiled component, and still replaces the instance', async () => {
    const bytes = readGuest('kv');
    const p = await load(bytes, { name: 'kv' });
    const before = p.component;
    const memory = p.memories[0];
    await p.reload(bytes);
    expect(p.component).toBe(before);
    expect(p.memories[0]).not.toBe(memory);
  });

  it('cache: false compiles afresh and keeps nothing', async () => {
    const bytes = readGuest('hello');
    const a = await load(bytes, { name: 'a', unchecked: true, cache: false });
    const b = await load(bytes, { name: 'b', unchecked: true, cache: false });
    expect(b.component).not.toBe(a.component);
    expect(compileCacheSize().entries).toBe(0);
  });

  it('is bounded: the least recently used component goes first', async () => {
    const bytes = readGuest('hello');
    const first = await load(variant(bytes, 'first'), { unchecked: true, name: 'first' });
    const second = await load(variant(bytes, 'second'), { unchecked: true, name: 'second' });
    // Touch the first, so the second is now the least recently used.
    expect((await load(variant(bytes, 'first'), { unchecked: true, name: 'first' })).component).toBe(first.component);
    for (let i = 0; i < COMPILE_CACHE_MAX_ENTRIES - 1; i++) await load(variant(bytes, `filler ${i}`), { unchecked: true, name: 'filler' });
    expect(compileCacheSize().entries).toBe(COMPILE_CACHE_MAX_ENTRIES);
    expect((await load(variant(bytes, 'first'), { unchecked: true, name: 'first' })).component).toBe(first.component);
    expect((await load(variant(bytes, 'second'), { unchecked: true, name: 'second' })).component).not.toBe(second.component);
  });

  it('clearCompileCache makes the next load compile again', async () => {
    const bytes = readGuest('hello');
    const a = await load(bytes, { name: 'a', unchecked: true });
    clearCompileCache();
    expect(compileCacheSize()).toEqual({ entries: 0, bytes: 0 });
    expect((await load(bytes, { name: 'b', unchecked: true })).component).not.toBe(a.component);
  });
});
