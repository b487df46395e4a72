/**
 * canonLower's general path keeps its compiled parameter lifting and result
 * lowering per function type object (lower.ts `generalPieces`), so instances
 * that lower the same type share closures. Sharing is only sound because the
 * closures take everything per instance (memory, realloc, string encoding,
 * poisoning) from the `cx` of each call: these tests lower one type object
 * for two instances that differ in all of those.
 */
import { describe, expect, it } from 'vitest';
import { canonLower } from '../../host/abi/index.ts';
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
