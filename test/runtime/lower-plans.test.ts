/**
 * abi/lower.ts compiles the general path of a lowered import whose type names a per-instance
 * resource from a plan kept per source function type (the type as the cached component declares
 * it): what the shape decides is made once, each instantiation compiles only its own handles'
 * liftings and, when the result holds a handle, its result lowering. Nothing of one load may reach
 * another through it: two instances of one compiled component with their own host resource types
 * each accept their own handles, a handle of another resource type is refused with the same trap at
 * every load, and unloading one leaves the other working.
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompiledComponent } from '../../host/load.ts';
import { TrapError, UnloadedError } from '../../host/errors.ts';
import { ALLOC, component } from '../hostile/support.ts';

const IFACE = 'ns:p/iface';

/**
 * Imports an interface with resources `r` and `s`; `r.label(text)` (a borrow and a string: the
 * general path) and `r.twin(text)` (the same, returning an own<r>: a result lowering per load).
 * `run(n, mode)`: makes r(n), then mode 0: `label(r, "hello")`; 1: `label(twin(r, "hi"), "hello")`;
 * 2: `label` on an `s` handle (refused); 3: `label` on handle index 77 (refused); 4: `twin` on an `s`.
 */
const WAT = `(component
  (import "${IFACE}" (instance $i
    (export "r" (type $r (sub resource)))
    (export "s" (type $s (sub resource)))
    (export "[constructor]r" (func (param "n" u32) (result (own $r))))
    (export "[constructor]s" (func (result (own $s))))
    (export "[method]r.label" (func (param "self" (borrow $r)) (param "text" string) (result u32)))
    (export "[method]r.twin" (func (param "self" (borrow $r)) (param "text" string) (result (own $r))))))
  (alias export $i "r" (type $R))
  (alias export $i "[constructor]r" (func $new-r))
  (alias export $i "[constructor]s" (func $new-s))
  (alias export $i "[method]r.label" (func $label))
  (alias export $i "[method]r.twin" (func $twin))
  (core module $mem ${ALLOC})
  (core instance $mi (instantiate $mem))
  (alias core export $mi "mem" (core memory $memory))
  (core func $new-r-c (canon lower (func $new-r)))
  (core func $new-s-c (canon lower (func $new-s)))
  (core func $label-c (canon lower (func $label) (memory $memory)))
  (core func $twin-c (canon lower (func $twin) (memory $memory)))
  (core func $drop (canon resource.drop $R))
  (core module $m
    (import "h" "new-r" (func $new-r (param i32) (result i32)))
    (import "h" "new-s" (func $new-s (result i32)))
    (import "h" "label" (func $label (param i32 i32 i32) (result i32)))
    (import "h" "twin" (func $twin (param i32 i32 i32) (result i32)))
    (import "h" "drop" (func $drop (param i32)))
    (import "env" "mem" (memory 1))
    (data (i32.const 100) "hello")
    (func (export "run") (param $n i32) (param $mode i32) (result i32) (local $h i32) (local $t i32) (local $x i32)
      (local.set $h (call $new-r (local.get $n)))
      (if (i32.eq (local.get $mode) (i32.const 0))
        (then (local.set $x (call $label (local.get $h) (i32.const 100) (i32.const 5)))))
      (if (i32.eq (local.get $mode) (i32.const 1))
        (then
          (local.set $t (call $twin (local.get $h) (i32.const 100) (i32.const 2)))
          (local.set $x (call $label (local.get $t) (i32.const 100) (i32.const 5)))
          (call $drop (local.get $t))))
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then (local.set $x (call $label (call $new-s) (i32.const 100) (i32.const 5)))))
      (if (i32.eq (local.get $mode) (i32.const 3))
        (then (local.set $x (call $label (i32.const 77) (i32.const 100) (i32.const 5)))))
      (if (i32.eq (local.get $mode) (i32.const 4))
        (then (local.set $x (call $twin (call $new-s) (i32.const 100) (i32.const 5)))))
      (call $drop (local.get $h))
      (local.get $x)))
  (core instance $hi
    (export "new-r" (func $new-r-c)) (export "new-s" (func $new-s-c)) (export "label" (func $label-c))
    (export "twin" (func $twin-c)) (export "drop" (func $drop)))
  (core instance $env (export "mem" (memory $memory)))
  (core instance $ci (instantiate $m (with "h" (instance $hi)) (with "env" (instance $env))))
  (func $run (param "n" u32) (param "mode" u32) (result u32) (canon lift (core func $ci "run")))
  (export "run" (func $run)))`;

/** The interface's JS side: `label` is n * k plus the text's length; `twin` makes an R of n + the text's length. */
function iface(k: number, log: string[]) {
  class R {
    constructor(readonly n: number) {}
    label(text: string): number {
      log.push(`label ${k} ${this.n} ${text}`);
      return this.n * k + text.length;
    }
    twin(text: string): R {
      return new R(this.n + text.length);
    }
  }
  class S {}
  return { R, S };
}

type Run = { run(n: number, mode: number): number };

/** The class and message of what `f` threw. */
function thrown(f: () => unknown): { name: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TrapError);
    return { name: (e as Error).constructor.name, message: (e as Error).message };
  }
  throw new Error('nothing was thrown');
}

/** What modes 2, 3 and 4 of a fresh load of `c` are refused with (each poisons its instance). */
function refusals(c: CompiledComponent): { name: string; message: string }[] {
  return [2, 3, 4].map((mode) => {
    const p = c.instantiate({ [IFACE]: iface(1, []) }, 'p');
    return thrown(() => (p.exports as Run).run(1, mode));
  });
}

describe('lowered imports compiled from a plan per source type', () => {
  it('two instances of one compiled component lift their own handles; unloading one leaves the other working', async () => {
    const c = compile(await component(WAT));
    const logA: string[] = [];
    const logB: string[] = [];
    const a = c.instantiate({ [IFACE]: iface(10, logA) }, 'a');
    const b = c.instantiate({ [IFACE]: iface(100, logB) }, 'b');
    const runA = (a.exports as Run).run;
    const runB = (b.exports as Run).run;
    expect(runA(3, 0)).toBe(35);
    expect(runB(3, 0)).toBe(305);
    // twin: an own<r> made by the host, lowered into each instance's table as its own resource type.
    expect(runA(3, 1)).toBe(55);
    expect(runB(3, 1)).toBe(505);
    expect(logA).toEqual(['label 10 3 hello', 'label 10 5 hello']);
    expect(logB).toEqual(['label 100 3 hello', 'label 100 5 hello']);
    await a.unload();
    expect(() => runA(3, 0)).toThrow(UnloadedError);
    expect(runB(4, 1)).toBe(605);
    const c2 = c.instantiate({ [IFACE]: iface(7, []) }, 'c');
    expect((c2.exports as Run).run(2, 1)).toBe(4 * 7 + 5);
    await b.unload();
    await c2.unload();
  });

  it('refuses a handle of another resource type, or no handle, with the same trap whether the plan is new or kept', async () => {
    const bytes = await component(WAT);
    const fresh = compile(bytes, { cache: false });
    const first = refusals(fresh);
    expect(first.map((e) => e.message)).toEqual([
      'lift borrow: handle 2 is a s, expected a r',
      'handle table: handle index 77 out of range',
      'lift borrow: handle 2 is a s, expected a r',
    ]);
    // Kept: the same compiled component again (its plans made), then after a good load.
    expect(refusals(fresh)).toEqual(first);
    const good = fresh.instantiate({ [IFACE]: iface(2, []) }, 'good');
    expect((good.exports as Run).run(1, 1)).toBe(2 * 3 + 5);
    expect(refusals(fresh)).toEqual(first);
    // The refused loads changed nothing of the good one.
    expect((good.exports as Run).run(2, 0)).toBe(9);
    await good.unload();
    // Another compiled component of the same bytes (its own types, so its own plans) refuses alike.
    expect(refusals(compile(bytes, { cache: false }))).toEqual(first);
  });
});
