/**
 * instantiate.ts `planOf` appends runs of type definitions that keep their
 * validated form with one step per run of at most 1024 (`pushTypes`). A
 * resource type defined after such runs must still get this instance's
 * identity: its runtime index must equal its validated one (`pushType`
 * pairs them by index), whether the runs stop short of, at or past the
 * step size. A run of 250,000 must instantiate: one call passing all of
 * them would exhaust the stack.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../host/load.ts';
import { component } from '../hostile/support.ts';

/** `n` list types, resource `a`, `m` more list types, resource `b`; each resource with `make-*(n)` and `[method]*.get` (= n). */
const runs = (n: number, m: number): string => `(component
  ${'(type (list u8))\n'.repeat(n)}
  (type $A (resource (rep i32)))
  ${'(type (list u8))\n'.repeat(m)}
  (type $B (resource (rep i32)))
  (core func $newA (canon resource.new $A))
  (core func $newB (canon resource.new $B))
  (core module $m
    (import "h" "a" (func $a (param i32) (result i32)))
    (import "h" "b" (func $b (param i32) (result i32)))
    (func (export "make-a") (param i32) (result i32) (call $a (local.get 0)))
    (func (export "make-b") (param i32) (result i32) (call $b (local.get 0)))
    (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $hi (export "a" (func $newA)) (export "b" (func $newB)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (export $ea "a" (type $A))
  (export $eb "b" (type $B))
  (func (export "make-a") (param "n" u32) (result (own $ea)) (canon lift (core func $i "make-a")))
  (func (export "make-b") (param "n" u32) (result (own $eb)) (canon lift (core func $i "make-b")))
  (func (export "[method]a.get") (param "self" (borrow $ea)) (result u32) (canon lift (core func $i "get")))
  (func (export "[method]b.get") (param "self" (borrow $eb)) (result u32) (canon lift (core func $i "get"))))`;

type Exports = {
  makeA(n: number): { get(): number };
  makeB(n: number): { get(): number };
  A: abstract new (...a: never[]) => unknown;
  B: abstract new (...a: never[]) => unknown;
};

describe('runs of kept type definitions', () => {
  for (const [n, m] of [
    [0, 0],
    [1023, 1],
    [1024, 1024],
    [1025, 2047],
    [2049, 3],
  ] as const) {
    it(`${n} types, a resource, ${m} types, a resource: each resource is this instance's, twice`, async () => {
      const c = compile(await component(runs(n, m)), { cache: false });
      for (const name of ['first', 'second']) {
        const p = c.instantiate({}, name);
        const e = p.exports as Exports;
        const a = e.makeA(3);
        const b = e.makeB(4);
        expect([a.get(), b.get()]).toEqual([3, 4]);
        expect(a).toBeInstanceOf(e.A);
        expect(b).toBeInstanceOf(e.B);
        expect(a).not.toBeInstanceOf(e.B);
        await p.unload();
      }
    });
  }

  it('250,000 types in a row, then a resource: instantiates, the resource is this instance\'s', async () => {
    const c = compile(await component(runs(250_000, 0)), { cache: false });
    const p = c.instantiate({}, 'long');
    const e = p.exports as Exports;
    expect(e.makeA(5).get()).toBe(5);
    expect(e.makeA(5)).toBeInstanceOf(e.A);
    await p.unload();
  }, 60_000);
});
