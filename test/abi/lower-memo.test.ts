/**
 * canonLower's general path keeps its compiled parameter lifting and result
 * lowering per function type object (lower.ts `generalPieces`), so instances
 * that lower the same type share closures. Sharing is only sound because the
 * closures take everything per instance (memory, realloc, string encoding,
 * poisoning) from the `cx` of each call: these tests lower one type object
 * for two instances that differ in all of those.
 */
import { describe, expect, it } from 'vitest';
import { canonLower, canonResourceNew } from '../../host/abi/index.ts';
import { ResourceObject, ResourceType } from '../../host/abi/resource-type.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { type Mem, makeMem, opts } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const rec: ValType = { kind: 'record', fields: [{ name: 'label', type: p('string') }, { name: 'n', type: p('u32') }] };
// (string, u32) in: three flat parameters; the same record out: through the out-pointer (the fourth).
const ft: FuncType = { async: false, params: [{ name: 'r', type: rec }], result: rec };

type Enc = 'utf8' | 'utf16';

/** Writes `s` at `at` in `enc`; returns its length in code units. */
function put(mem: Mem, enc: Enc, at: number, s: string): number {
  if (enc === 'utf8') {
    const b = new TextEncoder().encode(s);
    new Uint8Array(mem.memory.buffer).set(b, at);
    return b.length;
  }
  for (let i = 0; i < s.length; i++) new DataView(mem.memory.buffer).setUint16(at + 2 * i, s.charCodeAt(i), true);
  return s.length;
}

/** The record stored at `out`. */
function got(mem: Mem, enc: Enc, out: number): { label: string; n: number } {
  const dv = new DataView(mem.memory.buffer);
  const ptr = dv.getUint32(out, true);
  const len = dv.getUint32(out + 4, true);
  const bytes = new Uint8Array(mem.memory.buffer, ptr, enc === 'utf8' ? len : 2 * len);
  return { label: new TextDecoder(enc === 'utf8' ? 'utf-8' : 'utf-16le').decode(bytes), n: dv.getUint32(out + 8, true) };
}

async function lowerFor(name: string, enc: Enc, callee: (r: unknown) => unknown) {
  const mem = await makeMem();
  const inst = new ComponentInstance(name);
  const f = canonLower(ft, opts(mem, enc), inst, callee);
  const call = (label: string, n: number) => {
    const len = put(mem, enc, 200, label);
    f(200, len, n, 64);
    return got(mem, enc, 64);
  };
  return { mem, inst, f, call };
}

const upper = (r: unknown) => {
  const { label, n } = r as { label: string; n: number };
  return { label: label.toUpperCase(), n: n + 1 };
};

describe('canon lower: one function type lowered for two instances', () => {
  it('each call lifts and lowers strings in its own instance’s encoding and memory', async () => {
    const a = await lowerFor('a', 'utf8', upper);
    const b = await lowerFor('b', 'utf16', upper);
    expect(a.call('héllo', 1)).toEqual({ label: 'HÉLLO', n: 2 });
    expect(b.call('wörld', 7)).toEqual({ label: 'WÖRLD', n: 8 });
    // Interleaved again: nothing from the other instance's call stuck.
    expect(a.call('ab', 3)).toEqual({ label: 'AB', n: 4 });
    expect(b.call('ç', 0)).toEqual({ label: 'Ç', n: 1 });
  });

  it('a bad result traps and poisons only the instance that returned it; the other keeps working', async () => {
    const a = await lowerFor('a', 'utf8', () => ({ label: 5, n: 1 }));
    const b = await lowerFor('b', 'utf16', upper);
    let err: unknown;
    try {
      a.call('x', 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/^result\.label: expected a string/);
    expect(a.inst.poisoned).toBeDefined();
    expect(b.inst.poisoned).toBeUndefined();
    expect(b.call('ok', 1)).toEqual({ label: 'OK', n: 2 });
    expect(() => a.call('x', 1)).toThrow(TrapError); // poisoned
  });

  it('an out-pointer out of one instance’s memory traps there, whatever the other’s memory holds', async () => {
    const a = await lowerFor('a', 'utf8', upper);
    const b = await lowerFor('b', 'utf8', upper);
    b.mem.memory.grow(4);
    const len = put(a.mem, 'utf8', 200, 'x');
    // 2 pages: past a's single page, inside b's grown memory.
    expect(() => a.f(200, len, 1, 2 * 65536)).toThrow(/out of bounds of memory \(65536 bytes\)/);
    expect(b.call('y', 1)).toEqual({ label: 'Y', n: 2 });
  });
});

describe('canon lower: a handle, then a type shared by per-instance function types', () => {
  // As for shapes' canvas methods at each instantiation: a new function type (its borrow names this
  // instance's resource type) whose other parameter is the same string type object every time.
  const text = p('string');
  async function method(name: string, enc: Enc) {
    const mem = await makeMem();
    const inst = new ComponentInstance(name);
    const rt = new ResourceType(`canvas-${name}`, inst);
    const seen: [number, string][] = [];
    const ft: FuncType = { async: false, params: [{ name: 'self', type: { kind: 'borrow', resource: rt } }, { name: 'text', type: text }], result: undefined };
    const f = canonLower(ft, opts(mem, enc), inst, (self, s) => void seen.push([(self as ResourceObject).rep, s as string]));
    const h = canonResourceNew(rt, inst)(enc === 'utf8' ? 8 : 16);
    const call = (handle: number, s: string) => f(handle, 200, put(mem, enc, 200, s));
    return { inst, rt, seen, h, call };
  }

  it('each lifts its own resource’s handles and its own encoding', async () => {
    const a = await method('a', 'utf8');
    const b = await method('b', 'utf16');
    a.call(a.h, 'héllo');
    b.call(b.h, 'wörld');
    expect(a.seen).toEqual([[8, 'héllo']]);
    expect(b.seen).toEqual([[16, 'wörld']]);
  });

  it('a handle of the other instance’s resource is not accepted', async () => {
    const a = await method('a', 'utf8');
    const b = await method('b', 'utf8');
    // A handle in b's table, but of a's resource type: b's method must refuse it (a's would take it).
    const h2 = canonResourceNew(a.rt, b.inst)(9);
    expect(() => b.call(h2, 'x')).toThrow(/handle 2 is a canvas-a, expected a canvas-b/);
    expect(b.seen).toEqual([]);
    const h3 = canonResourceNew(a.rt, a.inst)(9);
    a.call(h3, 'y');
    expect(a.seen).toEqual([[9, 'y']]);
  });

  it('the shared type at another position is lifted from that position', async () => {
    const a = await method('a', 'utf8');
    a.call(a.h, 'one');
    const mem = await makeMem();
    const got: unknown[] = [];
    const plain: FuncType = { async: false, params: [{ name: 'text', type: text }, { name: 'n', type: p('u32') }], result: undefined };
    const f = canonLower(plain, opts(mem), new ComponentInstance('c'), (s, n) => void got.push(s, n));
    f(200, put(mem, 'utf8', 200, 'two'), 7);
    a.call(a.h, 'three');
    expect(got).toEqual(['two', 7]);
    expect(a.seen).toEqual([[8, 'one'], [8, 'three']]);
  });
});
