/**
 * instantiate.ts instantiates a component made only of imports, exports and
 * kept types (wit-component's wrapper of each exported interface) from a
 * plan resolved once per compiled component (`forwardingOf`): its exports are
 * its arguments. Each instantiation must still get its own items (its
 * instance's resource types), unloading one instance must leave the other
 * working, and it must behave, and refuse bad imports, exactly as the general
 * plan does: each case runs on a twin of the component with one definition
 * more (an empty core module), which the forwarding plan does not take.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../host/load.ts';
import { LoadError, UnloadedError } from '../../host/errors.ts';
import { component } from '../hostile/support.ts';

const API = 'ns:p/api';

/** Defines resource `r` with `make(n)` and `r.get()` (= n), and exports them through an inner component that only forwards. */
const nested = (extra: string): string => `(component
  (type $R (resource (rep i32)))
  (core func $new (canon resource.new $R))
  (core module $m
    (import "h" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $hi (export "new" (func $new)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func $make (param "n" u32) (result (own $R)) (canon lift (core func $i "make")))
  (func $get (param "self" (borrow $R)) (result u32) (canon lift (core func $i "get")))
  (component $fwd
    (import "import-type-r" (type $r (sub resource)))
    (import "import-func-make" (func $make (param "n" u32) (result (own $r))))
    (import "import-method-get" (func $get (param "self" (borrow $r)) (result u32)))
    ${extra}
    (export $er "r" (type $r))
    (export "make" (func $make) (func (param "n" u32) (result (own $er))))
    (export "[method]r.get" (func $get) (func (param "self" (borrow $er)) (result u32))))
  (instance $fi (instantiate $fwd (with "import-type-r" (type $R)) (with "import-func-make" (func $make)) (with "import-method-get" (func $get))))
  (export "${API}" (instance $fi)))`;

/** A top-level component that only forwards its imports: an interface with a resource and a function, and a free function. */
const topLevel = (extra: string): string => `(component
  (import "ns:p/host" (instance $h
    (export "c" (type $c (sub resource)))
    (export "[method]c.size" (func (param "self" (borrow $c)) (result u32)))
    (export "twice" (func (param "n" u32) (result u32)))))
  (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
  ${extra}
  (export "host" (instance $h))
  (export "sum" (func $add)))`;

const EXTRA = '(core module)';

type Api = { make(n: number): { get(): number }; R: abstract new (...a: never[]) => unknown };

describe('forwarding components', () => {
  for (const [label, extra] of [['forwarding plan', ''], ['general plan', EXTRA]] as const) {
    it(`${label}: each instance exports its own resource type and functions; unloading one leaves the other working`, async () => {
      const c = compile(await component(nested(extra)));
      const a = c.instantiate({}, 'a');
      const b = c.instantiate({}, 'b');
      const apiA = (a.exports as Record<string, Api>)[API]!;
      const apiB = (b.exports as Record<string, Api>)[API]!;
      const x = apiA.make(5);
      const y = apiB.make(7);
      expect(x.get()).toBe(5);
      expect(y.get()).toBe(7);
      expect(x).toBeInstanceOf(apiA.R);
      expect(x).not.toBeInstanceOf(apiB.R);
      expect(apiA.R).not.toBe(apiB.R);
      expect(Object.keys(apiA).sort()).toEqual(['R', 'make']);
      await a.unload();
      expect(() => x.get()).toThrow(UnloadedError);
      expect(() => apiA.make(1)).toThrow(UnloadedError);
      expect(y.get()).toBe(7);
      expect(apiB.make(9).get()).toBe(9);
      await b.unload();
    });
  }

  it('a top-level forwarding component exports what it was given, as the general plan does', async () => {
    const results = [];
    for (const extra of ['', EXTRA]) {
      const c = compile(await component(topLevel(extra)), { cache: false });
      const p = c.instantiate({ add: (x: number, y: number) => x + y, 'ns:p/host': { twice: (n: number) => 2 * n } }, 'p');
      const e = p.exports as { sum(a: number, b: number): number; host: { twice(n: number): number } };
      results.push([e.sum(2, 3), e.host.twice(21), Object.keys(e).sort(), Object.keys(e.host).sort()]);
      await p.unload();
      expect(() => e.sum(1, 1)).toThrow(UnloadedError);
    }
    expect(results[0]!.slice(0, 3)).toEqual([5, 42, ['host', 'sum']]);
    expect(results[1]).toEqual(results[0]);
  });

  it('refuses bad imports to a forwarding component with the general plan’s errors, before and after good loads', async () => {
    const twice = (n: number) => 2 * n;
    const hostile: Record<string, unknown>[] = [
      {},
      { add: 1, 'ns:p/host': { twice } },
      { add: () => 0 },
      { add: () => 0, 'ns:p/host': 5 },
      { add: () => 0, 'ns:p/host': { twice: 'no', C: 3 } },
    ];
    const good = { add: (x: number, y: number) => x + y, 'ns:p/host': { twice } };
    const [fwd, general] = await Promise.all(['', EXTRA].map(async (extra) => compile(await component(topLevel(extra)), { cache: false })));
    const refusal = (imports: Record<string, unknown>, c: typeof fwd): { kind: string; message: string } => {
      try {
        c!.instantiate(imports, 'p');
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
        return { kind: (e as LoadError).kind, message: (e as LoadError).message };
      }
      throw new Error('loaded');
    };
    for (const imports of hostile) {
      const expected = refusal(imports, general);
      expect(refusal(imports, fwd)).toEqual(expected);
      const p = fwd!.instantiate(good, 'p');
      expect(refusal(imports, fwd)).toEqual(expected);
      expect((p.exports as { sum(a: number, b: number): number }).sum(4, 5)).toBe(9);
      await p.unload();
    }
  });
});
