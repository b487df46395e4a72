/**
 * import-matching.ts keeps a matching plan per compiled component (what the
 * declared import types alone decide): every load of the same compiled
 * component uses it. Nothing of one load may reach another through it: each
 * load gets its own host resource types and function types naming them, its
 * own functions around its own imports; unloading one instance leaves the
 * other working; and a bad import is refused with the same error whether the
 * plan is new or kept, before and after a good load.
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompiledComponent } from '../../host/load.ts';
import { LoadError, UnloadedError } from '../../host/errors.ts';
import { matchImports } from '../../host/runtime/import-matching.ts';
import type { RuntimeItem } from '../../host/runtime/instantiate.ts';
import { component } from '../hostile/support.ts';

const IFACE = 'ns:p/iface';

/**
 * Imports an interface with a resource (constructor, method, static) and a
 * free function; `run(n)` = `r(n).get()` + `add(r.twice(n), 1000)`, dropping
 * the resource it made.
 */
const WAT = `(component
  (import "${IFACE}" (instance $i
    (export "r" (type $r (sub resource)))
    (export "[constructor]r" (func (param "n" u32) (result (own $r))))
    (export "[method]r.get" (func (param "self" (borrow $r)) (result u32)))
    (export "[static]r.twice" (func (param "n" u32) (result u32)))
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (alias export $i "r" (type $R))
  (alias export $i "[constructor]r" (func $ctor))
  (alias export $i "[method]r.get" (func $get))
  (alias export $i "[static]r.twice" (func $twice))
  (alias export $i "add" (func $add))
  (core func $ctor-c (canon lower (func $ctor)))
  (core func $get-c (canon lower (func $get)))
  (core func $twice-c (canon lower (func $twice)))
  (core func $add-c (canon lower (func $add)))
  (core func $drop (canon resource.drop $R))
  (core module $m
    (import "h" "ctor" (func $ctor (param i32) (result i32)))
    (import "h" "get" (func $get (param i32) (result i32)))
    (import "h" "twice" (func $twice (param i32) (result i32)))
    (import "h" "add" (func $add (param i32 i32) (result i32)))
    (import "h" "drop" (func $drop (param i32)))
    (func (export "run") (param $n i32) (result i32) (local $h i32) (local $r i32)
      (local.set $h (call $ctor (local.get $n)))
      (local.set $r (call $get (local.get $h)))
      (call $drop (local.get $h))
      (i32.add (local.get $r) (call $add (call $twice (local.get $n)) (i32.const 1000)))))
  (core instance $hi
    (export "ctor" (func $ctor-c)) (export "get" (func $get-c)) (export "twice" (func $twice-c))
    (export "add" (func $add-c)) (export "drop" (func $drop)))
  (core instance $mi (instantiate $m (with "h" (instance $hi))))
  (func $run (param "n" u32) (result u32) (canon lift (core func $mi "run")))
  (export "run" (func $run)))`;

/** The interface's JS side: `R(n).get()` is n * k, `R.twice(n)` is 2n + t, `add` adds; `log` records which instance's functions ran. */
function iface(k: number, t: number, log: string[]) {
  class R {
    constructor(readonly n: number) {
      log.push(`new ${k}`);
    }
    get(): number {
      return this.n * k;
    }
    static twice(n: number): number {
      return 2 * n + t;
    }
  }
  return { R, add: (a: number, b: number) => (log.push(`add ${k}`), a + b) };
}

type Run = { run(n: number): number };

/** What a load with `imports` threw (undefined when it loaded). */
function refusal(c: CompiledComponent, imports: Record<string, unknown>): unknown {
  try {
    c.instantiate(imports, 'p');
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The kind and message of a LoadError, for comparing two refusals. */
function described(e: unknown): { kind: string; message: string } {
  expect(e).toBeInstanceOf(LoadError);
  return { kind: (e as LoadError).kind, message: (e as LoadError).message };
}

describe('import matching plans', () => {
  it('two instances of one compiled component call their own imports; unloading one leaves the other working', async () => {
    const c = compile(await component(WAT));
    const logA: string[] = [];
    const logB: string[] = [];
    const a = c.instantiate({ [IFACE]: iface(10, 1, logA) }, 'a');
    const b = c.instantiate({ [IFACE]: iface(100, 2, logB) }, 'b');
    const runA = (a.exports as Run).run;
    const runB = (b.exports as Run).run;
    // 3 * 10 + (2 * 3 + 1) + 1000, and 3 * 100 + (2 * 3 + 2) + 1000.
    expect(runA(3)).toBe(1037);
    expect(runB(3)).toBe(1308);
    expect(runA(4)).toBe(1049);
    expect(logA).toEqual(['new 10', 'add 10', 'new 10', 'add 10']);
    expect(logB).toEqual(['new 100', 'add 100']);
    await a.unload();
    expect(() => runA(3)).toThrow(UnloadedError);
    expect(runB(5)).toBe(1512);
    // A load after the unload gets the plan again, with its own imports.
    const logC: string[] = [];
    const c2 = c.instantiate({ [IFACE]: iface(7, 0, logC) }, 'c');
    expect((c2.exports as Run).run(2)).toBe(1018);
    expect(logC).toEqual(['new 7', 'add 7']);
    expect(runB(1)).toBe(1104);
    await b.unload();
    await c2.unload();
  });

  it('each match makes its own host resource type, and the function types name it', async () => {
    const c = compile(await component(WAT));
    const imports = c.validated.type.imports;
    const items = [matchImports(imports, { [IFACE]: iface(1, 0, []) }), matchImports(imports, { [IFACE]: iface(2, 0, []) })];
    const parts = items.map((m) => {
      const inst = (m.get(IFACE) as Extract<RuntimeItem, { kind: 'instance' }>).instance;
      const r = inst.get('r') as Extract<RuntimeItem, { kind: 'type' }>;
      const fn = (n: string) => (inst.get(n) as Extract<RuntimeItem, { kind: 'func' }>).func;
      if (r.entry.kind !== 'resource') throw new Error('r is not a resource');
      return { rt: r.entry.ref, ctor: fn('[constructor]r'), get: fn('[method]r.get'), twice: fn('[static]r.twice'), add: fn('add') };
    });
    const [first, second] = parts as [(typeof parts)[0], (typeof parts)[0]];
    expect(first.rt).not.toBe(second.rt);
    for (const p of parts) {
      expect(p.ctor.type.result).toEqual({ kind: 'own', resource: p.rt });
      expect(p.get.type.params[0]!.type).toEqual({ kind: 'borrow', resource: p.rt });
    }
    // Types that name no resource are the declared ones, the same for every load; the functions are each load's own.
    expect(first.add.type).toBe(second.add.type);
    expect(first.twice.type).toBe(second.twice.type);
    expect(first.add.call).not.toBe(second.add.call);
    expect(first.get.call).not.toBe(second.get.call);
    expect(first.twice.call(4)).toBe(8);
    expect(first.add.call(4, 5)).toBe(9);
  });

  it('refuses a bad import with the same error whether the plan is new or kept, before and after good loads', async () => {
    const bytes = await component(WAT);
    const good = { [IFACE]: iface(1, 0, []) };
    const { R, add } = iface(1, 0, []);
    const hostile: Record<string, unknown>[] = [
      {},
      { [IFACE]: 42 },
      { [IFACE]: null },
      { [IFACE]: { R: 5, add } },
      { [IFACE]: { R, add: 'add' } },
      { [IFACE]: { R } },
      { [IFACE]: { R: {}, add: 1 } },
      { [IFACE]: () => undefined },
    ];
    for (const imports of hostile) {
      // A fresh compile (no cache): its plan is made by this load.
      const fresh = described(refusal(compile(bytes, { cache: false }), imports));
      const kept = compile(bytes, { cache: false });
      expect(described(refusal(kept, imports))).toEqual(fresh);
      const p = kept.instantiate(good, 'p');
      expect((p.exports as Run).run(1)).toBe(1003);
      expect(described(refusal(kept, imports))).toEqual(fresh);
      // The refused loads changed nothing: the good instance still works, and so does another good load.
      expect((p.exports as Run).run(2)).toBe(1006);
      const q = kept.instantiate(good, 'q');
      expect((q.exports as Run).run(3)).toBe(1009);
      await p.unload();
      await q.unload();
    }
  });

  it('names every problem of an interface at once, as a new plan does', async () => {
    const c = compile(await component(WAT), { cache: false });
    const e = described(refusal(c, { [IFACE]: { R: 5, add: 'add' } }));
    expect(e.kind).toBe('unlinkable');
    expect(e.message).toContain(`import \`${IFACE}/r\` must be a class implementing the resource, or left out`);
    expect(e.message).toContain(`import \`${IFACE}/add\` must be a function, got string`);
    expect(described(refusal(c, { [IFACE]: 42 })).message).toBe(`import \`${IFACE}\` must be an object with the interface's functions`);
    expect(described(refusal(c, {})).message).toBe(`missing import \`${IFACE}\``);
  });
});
