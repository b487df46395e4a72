import { describe, expect, it } from 'vitest';
import { canonLift, canonLower, canonResourceDrop, canonResourceNew, canonResourceRep } from '../../host/abi/index.ts';
import { PluginInUseError, ResultError, TrapError } from '../../host/errors.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { ResourceObject, ResourceType } from '../../host/abi/resource-type.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { makeMem, opts, wat } from './helpers.ts';

const p = (kind: string) => ({ kind }) as ValType;
const fn = (params: [string, ValType][], result?: ValType): FuncType => ({
  async: false,
  params: params.map(([name, type]) => ({ name, type })),
  result,
});

function expectTrap(f: () => unknown, rule: RegExp): TrapError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TrapError);
  expect((err as Error).message).toMatch(rule);
  return err as TrapError;
}

describe('canon lift with a real core module', () => {
  it('scalar fast path calls through and applies post-return', async () => {
    const m = await wat(`(module
      (global $last (export "last") (mut i32) (i32.const 0))
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "post") (param i32) (global.set $last (local.get 0))))`);
    const ex = m.exports as { add: (...a: unknown[]) => unknown; post: (...a: unknown[]) => void; last: WebAssembly.Global };
    const inst = new ComponentInstance('adder');
    const add = canonLift(fn([['a', p('u32')], ['b', p('u32')]], p('u32')), opts(undefined, 'utf8', ex.post), inst, ex.add);
    expect(add(0xffffffff, 2)).toBe(1);
    expect(add(2, 3)).toBe(5);
    expect(ex.last.value).toBe(5);
    expect(() => add(-1, 2)).toThrow(RangeError);
    expect(() => add('x', 2)).toThrow(/a: expected an integer/);
    expect(inst.poisoned).toBeUndefined();
  });

  it('strings in and out, with the result returned through memory', async () => {
    // echo(ptr, len) -> retptr: stores (ptr, len) at address 16 and returns 16.
    const m = await wat(`(module
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
        (local.set $p (global.get $bump))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (global.set $bump (i32.add (global.get $bump) (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
        (local.get $p))
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        (i32.const 16)))`);
    const ex = m.exports as unknown as { memory: WebAssembly.Memory; realloc: (a: number, b: number, c: number, d: number) => number; echo: (...a: unknown[]) => unknown };
    const inst = new ComponentInstance('echo');
    for (const enc of ['utf8', 'utf16', 'latin1+utf16'] as const) {
      const echo = canonLift(fn([['s', p('string')]], p('string')), { memory: ex.memory, realloc: ex.realloc, postReturn: undefined, stringEncoding: enc }, inst, ex.echo);
      expect(echo('héllo 😀')).toBe('héllo 😀');
      expect(echo('plain')).toBe('plain');
    }
  });
});

describe('canon lift: results, errors and poisoning', () => {
  it('top-level result: ok returned, err thrown as ResultError without poisoning', async () => {
    const inst = new ComponentInstance('r');
    let disc = 0;
    const f = canonLift(fn([], { kind: 'result', ok: p('u32'), err: p('u32') }), opts(await makeMem()), inst, () => {
      // result<u32,u32> flattens to [i32 disc, i32 payload]: 2 > MAX_FLAT_RESULTS, so return a pointer.
      return 0;
    });
    void f;
    const mem = await makeMem();
    const dv = new DataView(mem.memory.buffer);
    const g = canonLift(fn([], { kind: 'result', ok: p('u32'), err: p('string') }), opts(mem), inst, () => {
      dv.setUint8(64, disc);
      dv.setUint32(68, disc === 0 ? 42 : 200, true);
      dv.setUint32(72, 2, true);
      new Uint8Array(mem.memory.buffer).set([111, 104], 200);
      return 64;
    });
    expect(g()).toBe(42);
    disc = 1;
    const e = (() => {
      try {
        g();
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ResultError);
    expect((e as ResultError).payload).toBe('oh');
    expect(inst.poisoned).toBeUndefined();
  });

  it('a wasm trap poisons the instance; later calls throw TrapError with the original as cause', async () => {
    const m = await wat(`(module (func (export "boom") (unreachable)) (func (export "ok")))`);
    const ex = m.exports as { boom: () => void; ok: () => void };
    const inst = new ComponentInstance('boomer');
    const boom = canonLift(fn([]), opts(undefined), inst, ex.boom);
    const ok = canonLift(fn([]), opts(undefined), inst, ex.ok);
    const first = expectTrap(() => boom(), /wasm trap/);
    expect(first.cause).toBeInstanceOf(WebAssembly.RuntimeError);
    const later = expectTrap(() => ok(), /poisoned/);
    expect(later.cause).toBe(first);
  });

  it('misaligned and out-of-bounds result pointers trap', async () => {
    const mem = await makeMem();
    const t = fn([], p('string'));
    expectTrap(() => canonLift(t, opts(mem), new ComponentInstance(), () => 6)(), /result: pointer 6 is not aligned to 4/);
    expectTrap(() => canonLift(t, opts(mem), new ComponentInstance(), () => 65532)(), /out of bounds/);
  });

  it('string range checks: out of bounds, invalid UTF-8, invalid UTF-16, misaligned UTF-16', async () => {
    const mem = await makeMem();
    const dv = new DataView(mem.memory.buffer);
    const u8 = new Uint8Array(mem.memory.buffer);
    const call = (enc: 'utf8' | 'utf16' | 'latin1+utf16', ptr: number, len: number) => {
      dv.setUint32(32, ptr, true);
      dv.setUint32(36, len, true);
      return canonLift(fn([], p('string')), opts(mem, enc), new ComponentInstance(), () => 32)();
    };
    expectTrap(() => call('utf8', 65530, 10), /out of bounds/);
    u8.set([0xc3, 0x28], 100);
    expectTrap(() => call('utf8', 100, 2), /invalid UTF-8/);
    dv.setUint16(200, 0xd800, true);
    dv.setUint16(202, 0x0041, true);
    expectTrap(() => call('utf16', 200, 2), /invalid UTF-16/);
    expectTrap(() => call('utf16', 201, 1), /not aligned to 2/);
    expectTrap(() => call('latin1+utf16', 200, (2 | 0x80000000) >>> 0), /invalid UTF-16/);
    expectTrap(() => call('utf8', 100, 2 ** 28), /MAX_STRING_BYTE_LENGTH/);
    u8.set([0xe9], 300);
    expect(call('latin1+utf16', 300, 1)).toBe('é');
  });

  it('invalid char and bad discriminants trap', () => {
    const inst = () => new ComponentInstance();
    expectTrap(() => canonLift(fn([], p('char')), opts(undefined), inst(), () => 0xd800)(), /char: code point 0xd800 is a surrogate/);
    expectTrap(() => canonLift(fn([], p('char')), opts(undefined), inst(), () => 0x110000)(), /not below 0x110000/);
    expectTrap(() => canonLift(fn([], { kind: 'enum', labels: ['a', 'b', 'c'] }), opts(undefined), inst(), () => 3)(), /enum: discriminant 3 is out of range \(3 cases\)/);
    expectTrap(() => canonLift(fn([], { kind: 'variant', cases: [{ name: 'a', type: undefined }, { name: 'b', type: undefined }] }), opts(undefined), inst(), () => 2)(), /variant: discriminant 2/);
    expectTrap(() => canonLower(fn([['o', { kind: 'option', type: p('u8') }]]), opts(undefined), inst(), () => {})(2, 0), /option: discriminant 2/);
  });

  it('list checks: misaligned list pointer and realloc results', async () => {
    const mem = await makeMem();
    const dv = new DataView(mem.memory.buffer);
    dv.setUint32(32, 2, true);
    dv.setUint32(36, 1, true);
    expectTrap(() => canonLift(fn([], { kind: 'list', element: p('u32') }), opts(mem), new ComponentInstance(), () => 32)(), /list: pointer 2 is not aligned to 4/);
    const badRealloc = { ...opts(mem), realloc: () => 3 };
    expectTrap(() => canonLift(fn([['xs', { kind: 'list', element: p('u32') }]]), badRealloc, new ComponentInstance(), () => {})([1]), /realloc returned 3, which is not aligned to 4/);
    const oobRealloc = { ...opts(mem), realloc: () => 65536 };
    expectTrap(() => canonLift(fn([['s', p('string')]]), oobRealloc, new ComponentInstance(), () => {})('abc'), /out of bounds/);
  });

  it('too many flat params are spilled into memory allocated with realloc', async () => {
    const mem = await makeMem();
    const params: [string, ValType][] = Array.from({ length: 17 }, (_, i) => [`p${i}`, p('u32')]);
    let seen: number[] = [];
    const f = canonLift(fn(params), opts(mem), new ComponentInstance(), (ptr) => {
      const dv = new DataView(mem.memory.buffer);
      seen = Array.from({ length: 17 }, (_, i) => dv.getUint32((ptr as number) + 4 * i, true));
    });
    f(...Array.from({ length: 17 }, (_, i) => i * 10));
    expect(seen).toEqual(Array.from({ length: 17 }, (_, i) => i * 10));
    expect(mem.calls[0]).toEqual([0, 0, 4, 68]);
  });

  it('reentrance is refused (may_enter) before entering: a caught refusal does not poison', () => {
    const inst = new ComponentInstance('re');
    let refusal: unknown;
    let f: (...a: unknown[]) => unknown = () => 0;
    f = canonLift(fn([]), opts(undefined), inst, () => {
      try {
        f();
      } catch (e) {
        refusal = e;
      }
    });
    f();
    expect(refusal).toBeInstanceOf(PluginInUseError);
    expect((refusal as Error).message).toMatch(/may_enter/);
    expect(inst.poisoned).toBeUndefined();
    // Let through, the refusal unwinds the running guest, which is then poisoned.
    const g = canonLift(fn([]), opts(undefined), inst, () => g());
    expect(() => g()).toThrow(PluginInUseError);
    expect(inst.poisoned).toBeInstanceOf(TrapError);
  });

  it('may_leave: calling an import from post-return traps', () => {
    const inst = new ComponentInstance('ml');
    const imp = canonLower(fn([]), opts(undefined), inst, () => {});
    const f = canonLift(fn([]), opts(undefined, 'utf8', () => imp()), inst, () => {});
    expectTrap(() => f(), /may_leave/);
  });
});

describe('canon lower', () => {
  it('lifts string params from memory and stores a string result through the out-pointer', async () => {
    const mem = await makeMem();
    const inst = new ComponentInstance('guest');
    const upper = canonLower(fn([['s', p('string')]], p('string')), opts(mem), inst, (s) => (s as string).toUpperCase());
    new Uint8Array(mem.memory.buffer).set(new TextEncoder().encode('abé'), 100);
    upper(100, 4, 40);
    const dv = new DataView(mem.memory.buffer);
    const ptr = dv.getUint32(40, true);
    const len = dv.getUint32(44, true);
    expect(new TextDecoder().decode(new Uint8Array(mem.memory.buffer, ptr, len))).toBe('ABÉ');
    expectTrap(() => upper(100, 4, 42), /out-pointer 42 is not aligned to 4/);
  });

  it('scalar imports: a thin wrapper; the host result is validated', () => {
    const inst = new ComponentInstance('g');
    const neg = canonLower(fn([['x', p('s32')]], p('s32')), opts(undefined), inst, (x) => -(x as number));
    expect(neg(5)).toBe(-5);
    const bad = canonLower(fn([], p('u8')), opts(undefined), new ComponentInstance(), () => 300);
    expect(() => bad()).toThrow(RangeError);
  });

  it('top-level result import: ResultError from the host becomes err', async () => {
    const mem = await makeMem();
    const f = canonLower(fn([], { kind: 'result', ok: p('u32'), err: p('u32') }), opts(mem), new ComponentInstance(), () => {
      throw new ResultError(9);
    });
    f(48);
    const dv = new DataView(mem.memory.buffer);
    expect(dv.getUint8(48)).toBe(1);
    expect(dv.getUint32(52, true)).toBe(9);
  });
});

describe('resources and handles', () => {
  function setup() {
    const guest = new ComponentInstance('guest');
    const dropped: number[] = [];
    const rt = new ResourceType('file', guest, (rep) => void dropped.push(rep));
    return { guest, rt, dropped };
  }

  it('resource.new / rep / drop, calling the destructor', () => {
    const { guest, rt, dropped } = setup();
    const h = canonResourceNew(rt, guest)(77);
    expect(h).toBeGreaterThan(0);
    expect(canonResourceRep(rt, guest)(h)).toBe(77);
    canonResourceDrop(rt, guest)(h);
    expect(dropped).toEqual([77]);
    expectTrap(() => canonResourceRep(rt, guest)(h), /not in use/);
  });

  it('wrong resource type and unknown handles trap', () => {
    const { guest, rt } = setup();
    const other = new ResourceType('other', guest);
    const h = canonResourceNew(rt, guest)(1);
    expectTrap(() => canonResourceDrop(other, guest)(h), /is a file, not a other/);
    const g2 = new ComponentInstance();
    expectTrap(() => canonResourceRep(rt, g2)(99), /out of range/);
  });

  it('own handles move out of the guest on return and back in as arguments', () => {
    const { guest, rt } = setup();
    const own: ValType = { kind: 'own', resource: rt };
    const make = canonLift(fn([], own), opts(undefined), guest, () => canonResourceNew(rt, guest)(5));
    const obj = make() as ResourceObject;
    expect(obj).toBeInstanceOf(ResourceObject);
    expect(obj.rep).toBe(5);
    expect(guest.handles.size).toBe(0);
    let got = -1;
    const take = canonLift(fn([['f', own]]), opts(undefined), guest, (h) => {
      got = canonResourceRep(rt, guest)(h as number);
    });
    take(obj);
    expect(got).toBe(5);
    expect(obj.state).toBe('moved');
    expect(() => take(obj)).toThrow(/f: expected an owned file, got a moved one/);
  });

  it('lift_own of a lent handle traps; dropping a lent handle traps', () => {
    const { guest, rt } = setup();
    const h = canonResourceNew(rt, guest)(3);
    const imp = canonLower(fn([['f', { kind: 'borrow', resource: rt }]]), opts(undefined), guest, (b) => {
      expect((b as ResourceObject).rep).toBe(3);
      canonResourceDrop(rt, guest)(h);
    });
    expectTrap(() => imp(h), /lent to 1 call/);
  });

  it('lends end when the import returns and borrowed objects are revoked', () => {
    const { guest, rt } = setup();
    const h = canonResourceNew(rt, guest)(3);
    let kept: ResourceObject | undefined;
    const imp = canonLower(fn([['f', { kind: 'borrow', resource: rt }]]), opts(undefined), guest, (b) => {
      kept = b as ResourceObject;
      expect(guest.handles.getResource(h, 'test').numLends).toBe(1);
    });
    imp(h);
    expect(guest.handles.getResource(h, 'test').numLends).toBe(0);
    expect(kept!.state).toBe('revoked');
    canonResourceDrop(rt, guest)(h);
  });

  it('a borrow passed to a non-implementing instance must be dropped before the call returns', () => {
    const host = new ComponentInstance('host');
    const rt = new ResourceType('conn', host);
    const guest = new ComponentInstance('guest');
    const borrow: ValType = { kind: 'borrow', resource: rt };
    const obj = rt.js.liftOwn(42);
    const polite = canonLift(fn([['c', borrow]]), opts(undefined), guest, (h) => {
      expect(canonResourceRep(rt, guest)(h as number)).toBe(42);
      canonResourceDrop(rt, guest)(h as number);
    });
    polite(obj);
    const rude = canonLift(fn([['c', borrow]]), opts(undefined), guest, () => {});
    expectTrap(() => rude(obj), /1 borrowed handle\(s\) were not dropped/);
    expect(guest.poisoned).toBeDefined();
  });

  it('a borrow JS lent lifts back as the lent value itself when the binding leaves lent values to the ABI (liftsLentValue), else the binding is asked', () => {
    for (const liftsLentValue of [true, false]) {
      const host = new ComponentInstance('host');
      const rt = new ResourceType('canvas', host);
      const canvas = { name: 'the canvas JS lent' };
      const asked: number[] = [];
      const unused = (): never => {
        throw new Error('not used by this test');
      };
      rt.js = {
        liftsLentValue,
        liftOwn: unused,
        lowerOwn: unused,
        commitOwn: unused,
        lowerBorrow: () => 7,
        liftBorrow: (rep) => {
          asked.push(rep);
          return { name: `the binding's object for rep ${rep}` };
        },
      };
      const guest = new ComponentInstance('guest');
      const borrow: ValType = { kind: 'borrow', resource: rt };
      const seen: unknown[] = [];
      const callback = canonLower(fn([['self', borrow]]), opts(undefined), guest, (self) => void seen.push(self));
      const render = canonLift(fn([['c', borrow]]), opts(undefined), guest, (h) => {
        callback(h);
        callback(h);
        canonResourceDrop(rt, guest)(h as number);
      });
      render(canvas);
      if (liftsLentValue) {
        expect(seen).toEqual([canvas, canvas]);
        expect(seen[0]).toBe(canvas);
        expect(asked).toEqual([]);
      } else {
        expect(seen).toEqual([{ name: "the binding's object for rep 7" }, { name: "the binding's object for rep 7" }]);
        expect(asked).toEqual([7, 7]);
      }
      // The handle (and with it the lent value) is gone once the guest dropped it.
      expect(guest.handles.size).toBe(0);
    }
  });

  it('a borrow passed to the implementing instance is just the rep', () => {
    const { guest, rt } = setup();
    const obj = rt.js.liftOwn(9);
    let got: unknown;
    canonLift(fn([['c', { kind: 'borrow', resource: rt }]]), opts(undefined), guest, (rep) => {
      got = rep;
    })(obj);
    expect(got).toBe(9);
    expect(guest.handles.size).toBe(0);
  });

  it('a method of a resource its instance implements (self as the rep, a scalar, an own result) keeps every rule of the general path', () => {
    const { guest, rt } = setup();
    const own: ValType = { kind: 'own', resource: rt };
    const borrow: ValType = { kind: 'borrow', resource: rt };
    const seen: unknown[][] = [];
    // [method]file.split(self: borrow<file>, at: u32) -> own<file>: a new resource with rep self + at.
    const split = canonLift(fn([['self', borrow], ['at', p('u32')]], own), opts(undefined), guest, (self, at) => {
      seen.push([self, at]);
      if (at === 13) throw new WebAssembly.RuntimeError('unreachable');
      return canonResourceNew(rt, guest)((self as number) + (at as number));
    });
    const file = rt.js.liftOwn(100) as ResourceObject;
    const part = split(file, 7) as ResourceObject;
    expect(seen).toEqual([[100, 7]]);
    expect(part).toBeInstanceOf(ResourceObject);
    expect([part.rep, part.state, file.state]).toEqual([107, 'owned', 'owned']);
    expect(guest.handles.size).toBe(0);

    // Refused before the guest runs: nothing called, nothing in the table, the instance usable.
    expect(() => split(file, -1)).toThrow(RangeError);
    expect(() => split({}, 1)).toThrow(/self: expected a resource of type file/);
    expect(() => split(file)).toThrow(/expected 2 argument\(s\), got 1/);
    rt.js.commitOwn(part);
    expect(() => split(part, 1)).toThrow(/cannot lend a moved file/);
    expect(seen).toHaveLength(1);
    expect(guest.handles.size).toBe(0);
    expect(guest.poisoned).toBeUndefined();

    // A trap inside poisons the instance, as on every other path.
    expectTrap(() => split(file, 13), /unreachable/);
    expect(guest.poisoned).toBeDefined();
    expect(() => split(file, 1)).toThrow(TrapError);
    expect(seen).toHaveLength(2);
  });

  it('resource.drop of an own handle from another instance enters the implementer to run the destructor', () => {
    const impl = new ComponentInstance('impl');
    const ran: number[] = [];
    const rt = new ResourceType('x', impl, (rep) => void ran.push(rep));
    const user = new ComponentInstance('user');
    const h1 = user.handles.add({ kind: 'resource', rt, rep: 1, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
    impl.mayEnter = false; // the implementer is busy: the destructor call would be reentrance
    expectTrap(() => canonResourceDrop(rt, user)(h1), /may not be entered/);
    impl.mayEnter = true;
    const h2 = user.handles.add({ kind: 'resource', rt, rep: 2, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
    canonResourceDrop(rt, user)(h2);
    expect(ran).toEqual([2]);
  });

  it('a destructor that traps in another instance poisons the implementer and leaves it enterable (may_enter restored)', () => {
    const impl = new ComponentInstance('impl');
    const rt = new ResourceType('x', impl, (rep) => {
      if (rep === 13) throw new WebAssembly.RuntimeError('unreachable');
    });
    const user = new ComponentInstance('user');
    const add = (rep: number): number => user.handles.add({ kind: 'resource', rt, rep, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
    const h = add(13);
    expectTrap(() => canonResourceDrop(rt, user)(h), /destructor of a resource trapped.*unreachable/);
    expect(impl.poisoned?.message).toMatch(/unreachable/);
    expect(impl.mayEnter).toBe(true);
    // The drop's caller is poisoned too (the trap unwound it), and the handle is gone from its table.
    expect(user.poisoned).toBeDefined();
    expect(user.handles.size).toBe(0);
    // A later drop into the poisoned implementer traps before any destructor runs.
    const other = new ComponentInstance('other');
    const h2 = other.handles.add({ kind: 'resource', rt, rep: 2, own: true, borrowScope: undefined, numLends: 0, lent: undefined });
    expectTrap(() => canonResourceDrop(rt, other)(h2), /poisoned/);
    expect(impl.mayEnter).toBe(true);
  });

  it('resource.new and resource.drop trap when may_leave is false', () => {
    const { guest, rt } = setup();
    guest.mayLeave = false;
    expectTrap(() => canonResourceNew(rt, guest)(1), /may_leave/);
  });
});

describe("a lowered import whose first parameter is a borrow (a trait object's `&self`) lends and refuses as the general path does", () => {
  // 1-3 parameters take lower.ts selfBorrowPath (the lend kept in locals); 4 take the general canonLower (cx.lenders).
  const variants = [
    { name: '&self only (fast)', extra: [] as ValType[] },
    { name: '&self + u32 (fast)', extra: [p('u32')] },
    { name: '&self + char + u32 (fast)', extra: [p('char'), p('u32')] },
    { name: '&self + char + u32 + u32 (general)', extra: [p('char'), p('u32'), p('u32')] },
  ];
  function setup(extra: ValType[], callee: (self: unknown, ...rest: unknown[]) => unknown) {
    const guest = new ComponentInstance('guest');
    const rt = new ResourceType('file', guest);
    const other = new ResourceType('other', guest);
    const params: [string, ValType][] = [['self', { kind: 'borrow', resource: rt }], ...extra.map((t, i): [string, ValType] => [`a${i}`, t])];
    const imp = canonLower(fn(params), opts(undefined), guest, callee);
    const h = canonResourceNew(rt, guest)(7);
    const wrong = canonResourceNew(other, guest)(8);
    // Valid core values for the scalars after `self` ('a' for a char).
    const rest = extra.map(() => 97);
    return { guest, rt, imp, h, wrong, rest };
  }

  for (const v of variants) {
    it(`${v.name}: lends for the call, then ends the lend and revokes the object`, () => {
      let seen: ResourceObject | undefined;
      let lends = -1;
      const { guest, imp, h, rest } = setup(v.extra, (self, ...args) => {
        seen = self as ResourceObject;
        lends = guest.handles.getResource(h, 'test').numLends;
        expect(args).toEqual(v.extra.map((t) => (t.kind === 'char' ? 'a' : 97)));
      });
      imp(h, ...rest);
      expect(seen!.rep).toBe(7);
      expect(lends).toBe(1);
      expect(guest.handles.getResource(h, 'test').numLends).toBe(0);
      expect(seen!.state).toBe('revoked');
    });

    it(`${v.name}: a bad index, a handle of another type, a bad scalar after it, a throwing callee and a drop of the lent handle all trap, poison and leave no lend`, () => {
      const cases: [string, (s: ReturnType<typeof setup>) => unknown[], RegExp][] = [
        ['bad index', (s) => [99, ...s.rest], /handle index 99 out of range/],
        ['wrong type', (s) => [s.wrong, ...s.rest], /lift borrow: handle \d+ is a other, expected a file/],
      ];
      if (v.extra[0]?.kind === 'char') cases.push(['bad char', (s) => [s.h, 0xd800, ...s.rest.slice(1)], /char/]);
      for (const [what, args, rule] of cases) {
        const s = setup(v.extra, () => {
          throw new Error(`the callee must not run (${what})`);
        });
        expectTrap(() => s.imp(...args(s)), rule);
        expect(s.guest.poisoned, what).toBeDefined();
        expect(s.guest.handles.getResource(s.h, 'test').numLends, what).toBe(0);
      }
      let kept: ResourceObject | undefined;
      const throwing = setup(v.extra, (self) => {
        kept = self as ResourceObject;
        throw new Error('the host callback failed');
      });
      expect(() => throwing.imp(throwing.h, ...throwing.rest)).toThrow(/the host callback failed/);
      expect(throwing.guest.poisoned).toBeDefined();
      expect(throwing.guest.handles.getResource(throwing.h, 'test').numLends).toBe(0);
      expect(kept!.state).toBe('revoked');
      const dropping = setup(v.extra, () => canonResourceDrop(dropping.rt, dropping.guest)(dropping.h));
      expectTrap(() => dropping.imp(dropping.h, ...dropping.rest), /lent to 1 call/);
      expect(dropping.guest.poisoned).toBeDefined();
    });
  }
});

describe('lifted functions of 1-3 parameters take their arguments without a rest array', () => {
  const rec = (kind: string): ValType => ({ kind: 'record', fields: [{ name: 'x', type: p(kind) }] }) as ValType;
  for (const n of [1, 2, 3]) {
    it(`${n} parameter(s): values reach the core function, a wrong count is refused without poisoning`, () => {
      const inst = new ComponentInstance(`args${n}`);
      const seen: unknown[][] = [];
      const params = Array.from({ length: n }, (_, i): [string, ValType] => [`p${i}`, rec('u32')]);
      const f = canonLift(fn(params, p('u32')), opts(undefined), inst, (...flat: unknown[]) => {
        seen.push(flat);
        return 1;
      });
      const args = Array.from({ length: n }, (_, i) => ({ x: i + 10 }));
      expect(f(...args)).toBe(1);
      expect(seen).toEqual([args.map((a) => a.x)]);
      expect(() => f(...args, { x: 0 })).toThrow(new TypeError(`expected ${n} argument(s), got ${n + 1}`));
      expect(() => f(...args.slice(1))).toThrow(new TypeError(`expected ${n} argument(s), got ${n - 1}`));
      expect(inst.poisoned).toBeUndefined();
      expect(f(...args.map((a) => ({ x: a.x + 1 })))).toBe(1);
      expect(seen[1]).toEqual(args.map((a) => a.x + 1));
    });
  }

  it('a field getter that calls the same function while its arguments are lowered is refused (may_enter); the outer call completes', () => {
    const inst = new ComponentInstance('getter');
    const seen: unknown[] = [];
    let refusal: unknown;
    const f = canonLift(fn([['a', rec('u32')], ['b', rec('u32')]], p('u32')), opts(undefined), inst, (a: unknown, b: unknown) => {
      seen.push([a, b]);
      return 0;
    });
    const sneaky = {
      get x() {
        try {
          f({ x: 99 }, { x: 98 });
        } catch (e) {
          refusal = e;
        }
        return 2;
      },
    };
    expect(f({ x: 1 }, sneaky)).toBe(0);
    expect(refusal).toBeInstanceOf(PluginInUseError);
    expect(seen).toEqual([[1, 2]]);
    expect(inst.poisoned).toBeUndefined();
  });

  it('a bad argument is refused before entering and leaves the instance usable', () => {
    const inst = new ComponentInstance('bad-arg');
    const f = canonLift(fn([['a', rec('u8')]], p('u32')), opts(undefined), inst, (a: unknown) => a);
    expect(() => f({ x: 256 })).toThrow(/a\.x: 256 is out of range for u8/);
    expect(() => f(7)).toThrow(/a: expected a record object, got number/);
    expect(inst.poisoned).toBeUndefined();
    expect(inst.mayEnter).toBe(true);
    expect(f({ x: 255 })).toBe(255);
  });
});

describe("a lifted function's entry refuses in one order on each path: poisoned, then may_enter, then the argument count", () => {
  // One function of each path canonLift picks: scalars (directFastPath), a record of scalars
  // (flatDirectPath), an option (the general path).
  const paths: [string, ValType, unknown][] = [
    ['direct', p('u32'), 7],
    ['flat direct', { kind: 'record', fields: [{ name: 'x', type: p('u32') }] } as ValType, { x: 7 }],
    ['general', { kind: 'option', type: p('u32') } as ValType, 7],
  ];
  for (const [path, type, arg] of paths) {
    it(`${path} path: a refused call changes nothing and throws the first refusal's error`, () => {
      const inst = new ComponentInstance(`entry-${path}`);
      let calls = 0;
      const inner: unknown[] = [];
      let poisonInside = false;
      const f: (...a: unknown[]) => unknown = canonLift(fn([['a', type]], p('u32')), opts(undefined), inst, () => {
        calls++;
        // Inside the call may_enter is false: wrong count and reentrance together refuse as reentrance.
        inner.push(outcome(() => f(arg, arg)));
        if (poisonInside) {
          inst.poison(new TrapError('poisoned inside'));
          // Poisoned, reentrant and a wrong count: the trap comes first.
          inner.push(outcome(() => f()));
        }
        return 1;
      });
      // Not entered: only the count is wrong.
      expect(() => f(arg, arg)).toThrow(new TypeError('expected 1 argument(s), got 2'));
      expect(() => f()).toThrow(new TypeError('expected 1 argument(s), got 0'));
      expect(calls).toBe(0);
      expect(inst.mayEnter).toBe(true);
      expect(inst.poisoned).toBeUndefined();

      expect(f(arg)).toBe(1);
      expect(inner).toHaveLength(1);
      expect(inner[0]).toBeInstanceOf(PluginInUseError);
      expect(calls).toBe(1);
      expect(inst.mayEnter).toBe(true);

      poisonInside = true;
      expectTrap(() => f(arg), /poisoned/);
      expect(inner).toHaveLength(3);
      expect(inner[1]).toBeInstanceOf(PluginInUseError);
      expect(inner[2]).toBeInstanceOf(TrapError);
      expect((inner[2] as Error).message).toMatch(/is poisoned by an earlier trap: poisoned inside/);
      expect(inst.mayEnter).toBe(true);
      // Poisoned: every entry traps first, whatever the argument count.
      for (const args of [[], [arg], [arg, arg]]) expectTrap(() => f(...args), /is poisoned by an earlier trap/);
      expect(calls).toBe(2);
    });
  }
});

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return e;
  }
}
