/**
 * The call-path optimisations keep the spec's behaviour: records of every
 * unrolled size and beyond, exact float bits, views refreshed after the memory
 * grows between calls, short-string decoding, and unforgeable resource objects.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { alignment, elemSize, flattenType } from '../../host/abi/index.ts';
import { compileLiftFlat, compileLowerFlat } from '../../host/abi/flat.ts';
import { compileLoad, compileStore } from '../../host/abi/load-store.ts';
import { UNROLLED } from '../../host/abi/records.ts';
import { ComponentInstance, ResourceType } from '../../host/abi/index.ts';
import { GuestClassBinding, GuestResource, handleOf, makeGuestClass } from '../../host/runtime/guest-resources.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';
import { HandleError } from '../../host/errors.ts';
import type { ValType } from '../../host/types.ts';
import { context, makeMem, type Mem } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const KINDS = ['u8', 'string', 'f64', 'bool', 's32', 'u64', 'f32', 'char', 'u16', 's8', 'string', 'u32'] as const;
const VALUES: Record<(typeof KINDS)[number], unknown> = {
  u8: 200,
  string: 'héllo',
  f64: -Math.PI,
  bool: true,
  s32: -5,
  u64: 2n ** 63n + 1n,
  f32: 1.5,
  char: '😀',
  u16: 65535,
  s8: -128,
  u32: 4_000_000_000,
};

/** A record of `n` fields named `field-0` ... with the value it should round-trip. */
function record(n: number): [ValType, Record<string, unknown>] {
  const fields = Array.from({ length: n }, (_, i) => ({ name: `field-${i}`, type: p(KINDS[i % KINDS.length]!) }));
  const value: Record<string, unknown> = {};
  fields.forEach((f, i) => (value[`field${i}`] = VALUES[KINDS[i % KINDS.length]!]));
  return [{ kind: 'record', fields } as ValType, value];
}

let mem: Mem;
beforeEach(async () => {
  mem = await makeMem();
});

describe('records of every field count', () => {
  for (let n = 0; n <= UNROLLED + 3; n++) {
    it(`${n} field(s) round-trip through memory and flat values, keys in order`, () => {
      const [t, v] = record(n);
      const cx = context(mem);
      const ptr = cx.allocate(alignment(t), elemSize(t));
      compileStore(t, 'r')(cx, v, ptr);
      const loaded = compileLoad(t)(cx, ptr) as Record<string, unknown>;
      expect(loaded).toEqual(v);
      expect(Object.keys(loaded)).toEqual(Object.keys(v));

      const slots = flattenType(t);
      const out: unknown[] = new Array(slots.length);
      compileLowerFlat(t, 0, slots, 'r')(cx, v, out);
      const lifted = compileLiftFlat(t, 0, slots)(cx, out) as Record<string, unknown>;
      expect(lifted).toEqual(v);
      expect(Object.keys(lifted)).toEqual(Object.keys(v));
    });
  }

  it('names the bad field of an unrolled record', () => {
    const [t, v] = record(5);
    const cx = context(mem);
    expect(() => compileStore(t, 'r')(cx, { ...v, field4: 'nope' }, 64)).toThrow(/r\.field4: expected an integer \(s32\)/);
    const slots = flattenType(t);
    expect(() => compileLowerFlat(t, 0, slots, 'r')(cx, { ...v, field2: 'x' }, new Array(slots.length))).toThrow(/r\.field2/);
  });
});

describe('records of scalars lowered at their flat positions', () => {
  const inner = { kind: 'record', fields: [{ name: 'a', type: p('u8') }, { name: 'b-c', type: p('f32') }, { name: 'd', type: p('u64') }] } as ValType;

  it('writes each field at its own position after earlier members (flat position > 0), and names a bad field', () => {
    const t = { kind: 'tuple', types: [p('u32'), inner] } as ValType;
    const slots = flattenType(t);
    const out: unknown[] = new Array(slots.length).fill('untouched');
    const lower = compileLowerFlat(t, 0, slots, 'x');
    lower(context(mem), [9, { a: 255, bC: 1.1, d: 5n }], out);
    expect(out).toEqual([9, 255, Math.fround(1.1), 5n]);
    expect(compileLiftFlat(t, 0, slots)(context(mem), out)).toEqual([9, { a: 255, bC: Math.fround(1.1), d: 5n }]);
    expect(() => lower(context(mem), [9, { a: 256, bC: 1, d: 5n }], out)).toThrow(/x\[1\]\.a: 256 is out of range for u8/);
    expect(() => lower(context(mem), [9, { a: 1, bC: 1, d: 5 }], out)).toThrow(/x\[1\]\.d: expected a bigint \(u64\)/);
    expect(() => lower(context(mem), [9, { a: 1, d: 5n }], out)).toThrow(/x\[1\]\.bC: expected a number \(f32\)/);
    expect(() => lower(context(mem), [9, 'r'], out)).toThrow(/x\[1\]: expected a record object/);
  });

  it('inside a variant payload, whose joined slots need coercion, lowers and lifts back the same record', () => {
    // result<record, f64>: the payload positions hold the join (i32 for u8, i32 for f32 as bits, i64 for u64).
    const t = { kind: 'result', ok: inner, err: p('f64') } as ValType;
    const slots = flattenType(t);
    const out: unknown[] = new Array(slots.length);
    compileLowerFlat(t, 0, slots, 'x')(context(mem), { tag: 'ok', val: { a: 7, bC: 0.5, d: 2n ** 63n } }, out);
    expect(compileLiftFlat(t, 0, slots)(context(mem), out)).toEqual({ tag: 'ok', val: { a: 7, bC: 0.5, d: 2n ** 63n } });
  });
});

describe('floats in memory', () => {
  it('stores exact bits and the canonical NaN', () => {
    const cx = context(mem);
    const f64 = compileStore(p('f64'), 'x');
    const f32 = compileStore(p('f32'), 'x');
    f64(cx, -0, 64);
    expect(cx.dv.getBigUint64(64, true)).toBe(0x8000000000000000n);
    f64(cx, Number.MIN_VALUE, 64);
    expect(cx.dv.getBigUint64(64, true)).toBe(1n);
    f64(cx, NaN, 64);
    expect(cx.dv.getBigUint64(64, true)).toBe(0x7ff8000000000000n);
    f32(cx, 1.1, 64); // rounded to the nearest f32, as the spec's f32 conversion does
    expect(cx.dv.getFloat32(64, true)).toBe(Math.fround(1.1));
    f32(cx, NaN, 64);
    expect(cx.dv.getUint32(64, true)).toBe(0x7fc00000);
  });

  it('lifts any NaN bit pattern as NaN and keeps -0', () => {
    const cx = context(mem);
    cx.dv.setUint32(64, 0x7fa00001, true); // a signalling f32 NaN with a payload
    expect(compileLoad(p('f32'))(cx, 64)).toBeNaN();
    cx.dv.setBigUint64(64, 0xfff0000000000001n, true);
    expect(compileLoad(p('f64'))(cx, 64)).toBeNaN();
    cx.dv.setFloat64(64, -0, true);
    expect(Object.is(compileLoad(p('f64'))(cx, 64), -0)).toBe(true);
  });
});

describe('memory views', () => {
  it('are re-read after the memory grows between calls (the old buffer is detached)', () => {
    const cx = context(mem);
    const before = cx.u8.length;
    mem.memory.grow(1);
    cx.refresh();
    expect(cx.u8.length).toBe(before + 65536);
    // A value at the end of the grown memory is reachable.
    const end = cx.u8.length - 8;
    cx.dv.setUint32(end, 7, true);
    expect(compileLoad(p('u32'))(cx, end)).toBe(7);
  });
});

describe('short strings', () => {
  const t = p('string');
  for (const s of ['', 'a', 'exactly8', 'sixteen chars!!!', 'x'.repeat(31), 'x'.repeat(32), 'ab\u007f', 'abcdefgé', 'abcdefgh\u0080']) {
    it(`round-trip ${JSON.stringify(s)}`, () => {
      const cx = context(mem);
      const ptr = cx.allocate(4, 8);
      compileStore(t, 's')(cx, s, ptr);
      expect(compileLoad(t)(cx, ptr)).toBe(s);
    });
  }

  it('still traps on invalid UTF-8 after an ASCII prefix', () => {
    const cx = context(mem);
    cx.u8.set([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xff], 100);
    cx.dv.setUint32(64, 100, true);
    cx.dv.setUint32(68, 9, true);
    expect(() => compileLoad(t)(cx, 64)).toThrow(/invalid UTF-8/);
  });
});

describe('guest resource objects', () => {
  function binding(): { Cls: new (...args: unknown[]) => GuestResource; b: GuestClassBinding; drops: number[] } {
    const drops: number[] = [];
    const rt = new ResourceType('cell', new ComponentInstance('guest'), (rep: number) => void drops.push(rep));
    const made = makeGuestClass('Cell');
    const b = new GuestClassBinding(rt, made.cls, new PluginCell('guest'));
    return { Cls: made.cls, b, drops };
  }

  it('are instances of their class and lower to their rep', () => {
    const { Cls, b } = binding();
    const o = b.liftOwn(42) as object;
    expect(o).toBeInstanceOf(Cls);
    expect(o.constructor.name).toBe('Cell');
    expect(b.lowerBorrow(o, 'x')).toBe(42);
    expect(b.lowerOwn(o, 'x')).toBe(42);
    // Checked only: the object moves when the whole call's lowering commits it.
    expect(b.lowerOwn(o, 'x')).toBe(42);
    b.commitOwn(o);
    expect(() => b.lowerOwn(o, 'x')).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-move' }));
  });

  it('cannot be forged from the prototype, another binding, or the base class', () => {
    const { Cls, b } = binding();
    const other = binding();
    expect(() => b.lowerBorrow(Object.create(Cls.prototype), 'x')).toThrow(TypeError);
    expect(() => b.lowerBorrow(other.b.liftOwn(1), 'x')).toThrow(HandleError);
    expect(() => new (GuestResource as unknown as new (...a: unknown[]) => object)(Symbol('rdylib resource object'), b, 1, 'owned')).toThrow(TypeError);
    expect(() => new Cls(1)).toThrow(/no exported constructor/);
  });

  it('get a state only from the host: JS constructions are refused and take no state, before and after the host made objects', () => {
    const { Cls, b } = binding();
    const Base = GuestResource as unknown as new (...a: unknown[]) => object;
    const lookalike = Symbol('rdylib resource object');
    class Sub extends Cls {
      constructor() {
        super(lookalike, b, 9, 1, undefined);
      }
    }
    const forge: [string, () => unknown][] = [
      ['the base class', () => new Base(lookalike, b, 9, 1, undefined)],
      ['the base class with no arguments', () => new Base()],
      ['the base class, the class as new.target', () => Reflect.construct(Base, [lookalike], Cls)],
      ['the class', () => new Cls(lookalike, b, 9, 1, undefined)],
      ['a subclass', () => new Sub()],
    ];
    const attempt = (): unknown[] =>
      forge.map(([what, f]) => {
        try {
          return { what, made: handleOf(f()) };
        } catch (e) {
          return { what, threw: (e as Error).constructor.name };
        }
      });
    const refused = forge.map(([what]) => ({ what, threw: 'TypeError' }));
    expect(attempt()).toEqual(refused);
    // The host makes objects (each with its own state), in between and after the attempts.
    const owned = b.liftOwn(5) as object;
    expect(attempt()).toEqual(refused);
    const lent = b.liftBorrow(6, new ComponentInstance('caller'));
    expect(attempt()).toEqual(refused);
    expect([b.lowerBorrow(owned, 'x'), b.lowerBorrow(lent, 'x'), handleOf(owned) === handleOf(lent)]).toEqual([5, 6, false]);
  });

  it('cannot have their state changed through their class: the base class exposes no functions', () => {
    const { Cls, b } = binding();
    const o = b.liftOwn(3) as object;
    b.lowerOwn(o, 'x');
    b.commitOwn(o);
    // Anyone holding an object reaches the base class; nothing there may read or set a state (say, moved back to owned).
    const base = Object.getPrototypeOf(Cls) as Record<string, unknown>;
    expect(base).toBe(GuestResource);
    const callable = Object.getOwnPropertyNames(base).filter((k) => typeof base[k] === 'function');
    expect(callable).toEqual([]);
    expect(() => b.lowerOwn(o, 'x')).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-move' }));
  });

  it("lowerBorrow (its checks in one test, the refusals out of line) refuses what lowerOwn refuses, with lowerOwn's error, and changes nothing", () => {
    /** The class, kind and message of what `f` threw (or its value). */
    const outcome = (f: () => unknown): unknown => {
      try {
        return { value: f() };
      } catch (e) {
        return { threw: (e as Error).constructor.name, kind: (e as { kind?: string }).kind, message: (e as Error).message };
      }
    };
    const lineage = {};
    const made = makeGuestClass('Cell');
    const cell = new PluginCell('guest', lineage);
    const b = new GuestClassBinding(new ResourceType('cell', new ComponentInstance('guest'), () => {}), made.cls, cell);
    const other = binding();
    // The same plugin's next generation (reload): same lineage, another cell.
    const nextCell = new PluginCell('guest', lineage);
    const next = new GuestClassBinding(new ResourceType('cell', new ComponentInstance('guest'), () => {}), makeGuestClass('Cell').cls, nextCell);
    const disposed = b.liftOwn(1) as object;
    b.dispose(disposed);
    const moved = b.liftOwn(2) as object;
    b.lowerOwn(moved, 'x');
    b.commitOwn(moved);
    const revoked = b.liftBorrow(3, new ComponentInstance('caller'));
    b.endBorrow(revoked);
    const hostile: [string, unknown][] = [
      ['undefined', undefined],
      ['null', null],
      ['a number', 4],
      ['a string', 'cell'],
      ['a function', () => 4],
      ['a plain object', { rep: 4 }],
      ['an object made from the prototype', Object.create(made.cls.prototype)],
      ["another plugin's object", other.b.liftOwn(4)],
      ["the next generation's object", next.liftOwn(4)],
      ['a disposed object', disposed],
      ['a moved object', moved],
      ['a lent object whose call returned', revoked],
    ];
    const owned = b.liftOwn(5) as object;
    for (const [what, v] of hostile) {
      const refused = outcome(() => b.lowerBorrow(v, 'self'));
      expect(refused, what).toEqual(outcome(() => b.lowerOwn(v, 'self')));
      expect(refused, what).toHaveProperty('threw');
      // Nothing changed: the owned object still lowers, the refused one is still refused the same way.
      expect(b.lowerBorrow(owned, 'self')).toBe(5);
      expect(outcome(() => b.lowerBorrow(v, 'self')), what).toEqual(refused);
    }
    // A lent object lowers as a borrow (its rep), never as an own.
    const lent = b.liftBorrow(6, new ComponentInstance('caller'));
    expect(b.lowerBorrow(lent, 'self')).toBe(6);
    expect(outcome(() => b.lowerOwn(lent, 'self'))).toMatchObject({ threw: 'BorrowError' });
    // Unloaded: every object of the plugin, owned or lent, is refused by name, as lowerOwn refuses it.
    cell.revoke();
    for (const v of [owned, lent]) {
      const refused = outcome(() => b.lowerBorrow(v, 'self'));
      expect(refused).toEqual({ threw: 'UnloadedError', kind: undefined, message: 'self: the cell belongs to guest, which was unloaded' });
      expect(outcome(() => b.lowerOwn(v, 'self'))).toEqual(refused);
    }
  });

  it("a borrow of the instance's own resource lowered in its own i32 slot (stored directly) and in a joined i64 slot (through the writer) gives the rep and refuses alike", () => {
    // The same error either way; the payload's path only adds `<ok>` to the item named.
    const outcome = (f: () => unknown): unknown => {
      try {
        return { value: f() };
      } catch (e) {
        return { threw: (e as Error).constructor.name, kind: (e as { kind?: string }).kind, message: (e as Error).message.replace('self<ok>', 'self') };
      }
    };
    const inst = new ComponentInstance('guest');
    const rt = new ResourceType('cell', inst, () => {});
    const made = makeGuestClass('Cell');
    const cell = new PluginCell('guest');
    const b = new GuestClassBinding(rt, made.cls, cell);
    rt.js = b;
    const own = { kind: 'borrow', resource: rt } as ValType;
    const joined = { kind: 'result', ok: own, err: p('u64') } as ValType;
    expect([flattenType(own), flattenType(joined)]).toEqual([['i32'], ['i32', 'i64']]);
    const direct = compileLowerFlat(own, 0, flattenType(own), 'self');
    const viaWriter = compileLowerFlat(joined, 0, flattenType(joined), 'self');
    const cx = context(mem, 'utf8', inst);
    const good = b.liftOwn(7) as object;
    const a: unknown[] = ['untouched'];
    direct(cx, good, a);
    const j: unknown[] = [];
    viaWriter(cx, { tag: 'ok', val: good }, j);
    expect([a, j]).toEqual([[7], [0, 7n]]);
    const disposed = b.liftOwn(8) as object;
    b.dispose(disposed);
    const hostile: [string, unknown][] = [
      ['undefined', undefined],
      ['a number', 7],
      ['a plain object', { rep: 7 }],
      ['an object made from the prototype', Object.create(made.cls.prototype)],
      ['a disposed object', disposed],
    ];
    for (const [what, v] of hostile) {
      const out = ['untouched'];
      const refused = outcome(() => direct(cx, v, out));
      expect(refused, what).toHaveProperty('threw');
      expect(outcome(() => viaWriter(cx, { tag: 'ok', val: v }, [])), what).toEqual(refused);
      expect(out, what).toEqual(['untouched']);
    }
    cell.revoke();
    const out = ['untouched'];
    const unloaded = outcome(() => direct(cx, good, out));
    expect(unloaded).toMatchObject({ threw: 'UnloadedError' });
    expect(outcome(() => viaWriter(cx, { tag: 'ok', val: good }, []))).toEqual(unloaded);
    expect(out).toEqual(['untouched']);
  });

  it('run the destructor once on dispose, and revoke ended borrows', () => {
    const { b, drops } = binding();
    const o = b.liftOwn(7) as object;
    b.dispose(o);
    b.dispose(o);
    expect(drops).toEqual([7]);
    expect(() => b.lowerBorrow(o, 'x')).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-dispose' }));
    const lent = b.liftBorrow(8, new ComponentInstance('caller'));
    b.endBorrow(lent);
    expect(() => b.lowerBorrow(lent, 'x')).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'borrow-ended' }));
  });

  it("lent to a linked export (a lowered import's keep), the kept object serves the next lend of the same rep, holder and binding once its lend ended, and no other", () => {
    const { b } = binding();
    const caller = new ComponentInstance('caller');
    const other = new ComponentInstance('other');
    const keep = { kept: undefined as unknown };
    const ended = (v: unknown): void => expect(() => b.lowerBorrow(v, 'x')).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'borrow-ended' }));
    const v = b.liftBorrow(1, caller, keep);
    expect(b.lowerBorrow(v, 'x')).toBe(1);
    expect(handleOf(v)).toMatchObject({ rep: 1, via: caller });
    // Still lent (the same handle twice in one call): another object, each ended by its own end.
    const w = b.liftBorrow(1, caller, keep);
    expect(w).not.toBe(v);
    b.endBorrow(w);
    b.endBorrow(v);
    ended(v);
    ended(w);
    // Ended: the kept object (the last made) is lent again, usable for this lend only.
    expect(b.liftBorrow(1, caller, keep)).toBe(w);
    expect(b.lowerBorrow(w, 'x')).toBe(1);
    ended(v);
    b.endBorrow(w);
    ended(w);
    // Another rep, another holder, another keep: a new object; the ended one stays ended.
    const r2 = b.liftBorrow(2, caller, keep);
    b.endBorrow(r2);
    const o2 = b.liftBorrow(2, other, keep);
    b.endBorrow(o2);
    const k2 = b.liftBorrow(2, other, { kept: undefined });
    b.endBorrow(k2);
    expect([r2 === w, o2 === r2, k2 === o2, handleOf(r2)?.rep, handleOf(o2)?.via === other]).toEqual([false, false, false, 2, true]);
    ended(w);
    // Another binding's kept object (a keep is per parameter, and its binding may change at reload): not lent by this one.
    const next = binding();
    const n1 = next.b.liftBorrow(2, other, keep);
    expect(n1).not.toBe(o2);
    expect(next.b.lowerBorrow(n1, 'x')).toBe(2);
    next.b.endBorrow(n1);
    // A lend to JS (no keep) is always a new object, and once ended is never lent again, whatever follows.
    const js = b.liftBorrow(1, other);
    b.endBorrow(js);
    expect(b.liftBorrow(1, other, keep)).not.toBe(js);
    ended(js);
  });

  it('lent to a linked export, the kept object is refused once its plugin is unloaded, as any lent object is', () => {
    const cell = new PluginCell('guest');
    const b = new GuestClassBinding(new ResourceType('cell', new ComponentInstance('guest'), () => {}), makeGuestClass('Cell').cls, cell);
    cell.addBinding(b);
    const caller = new ComponentInstance('caller');
    const keep = { kept: undefined as unknown };
    const kept = b.liftBorrow(3, caller, keep);
    b.endBorrow(kept);
    const lent = b.liftBorrow(3, caller, keep);
    expect(lent).toBe(kept);
    cell.revoke();
    expect(() => b.lowerBorrow(lent, 'self')).toThrow(expect.objectContaining({ name: 'UnloadedError', message: 'self: the cell belongs to guest, which was unloaded' }));
  });
});

describe('scalar fields lowered at their flat position and loaded at their offset', () => {
  // A record whose scalar fields sit after a u8 (flat position > 0, memory offset > 0), one per kind.
  const SCALARS = ['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char'] as const;
  const GOOD: Record<(typeof SCALARS)[number], unknown> = {
    bool: false, u8: 255, s8: -128, u16: 65535, s16: -32768, u32: 4294967295, s32: -2147483648,
    u64: 2n ** 64n - 1n, s64: -(2n ** 63n), f32: -0.5, f64: Number.MAX_VALUE, char: '\u{10ffff}',
  };
  const BAD: Record<(typeof SCALARS)[number], [unknown, RegExp][]> = {
    bool: [[1, /r\.v: expected a boolean, got/]],
    u8: [[256, /r\.v: 256 is out of range for u8 \[0, 255\]/], [1.5, /r\.v: expected an integer \(u8\)/], ['1', /expected an integer \(u8\)/]],
    s8: [[-129, /r\.v: -129 is out of range for s8 \[-128, 127\]/]],
    u16: [[-1, /r\.v: -1 is out of range for u16/]],
    s16: [[32768, /r\.v: 32768 is out of range for s16/]],
    u32: [[2 ** 32, /r\.v: 4294967296 is out of range for u32/], [NaN, /expected an integer \(u32\)/]],
    s32: [[2 ** 31, /r\.v: 2147483648 is out of range for s32/]],
    u64: [[-1n, /r\.v: -1 is out of range for u64/], [1, /r\.v: expected a bigint \(u64\)/]],
    s64: [[2n ** 63n, /r\.v: 9223372036854775808 is out of range for s64/], [1, /r\.v: expected a bigint \(s64\)/]],
    f32: [[1n, /r\.v: expected a number \(f32\)/]],
    f64: [['1', /r\.v: expected a number \(f64\)/]],
    char: [['ab', /r\.v: expected a char/], ['\ud800', /r\.v: expected a char/]],
  };
  for (const kind of SCALARS) {
    const t = { kind: 'record', fields: [{ name: 'pad', type: p('u8') }, { name: 'v', type: p(kind) }] } as ValType;
    it(`${kind}: round-trips at offset/position > 0 and refuses what it refused before, naming the field`, () => {
      const cx = context(mem);
      const good = { pad: 7, v: GOOD[kind] };
      const ptr = cx.allocate(alignment(t), elemSize(t));
      const store = compileStore(t, 'r');
      store(cx, good, ptr);
      expect(compileLoad(t)(cx, ptr)).toEqual(good);
      const slots = flattenType(t);
      const lower = compileLowerFlat(t, 0, slots, 'r');
      const out: unknown[] = new Array(slots.length);
      lower(cx, good, out);
      expect(compileLiftFlat(t, 0, slots)(cx, out)).toEqual(good);
      for (const [bad, message] of BAD[kind]) {
        expect(() => lower(cx, { pad: 7, v: bad }, new Array(slots.length))).toThrow(message);
        expect(() => store(cx, { pad: 7, v: bad }, ptr)).toThrow(message);
      }
    });
  }

  it('a record that is not an object is refused by name', () => {
    const t = { kind: 'record', fields: [{ name: 'v', type: p('u8') }] } as ValType;
    const lower = compileLowerFlat(t, 0, flattenType(t), 'r');
    expect(() => lower(context(mem), null, [0])).toThrow(/r: expected a record object, got null/);
    expect(() => lower(context(mem), 5, [0])).toThrow(/r: expected a record object, got number/);
  });
});
