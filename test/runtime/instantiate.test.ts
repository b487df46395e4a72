import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { compile, instantiateComponent, load, validateComponent } from '../../host/load.ts';
import { LoadError, UnloadedError } from '../../host/errors.ts';
import { ALLOC } from '../hostile/support.ts';

async function bytes(wat: string): Promise<Uint8Array> {
  return parse(wat);
}

describe('instantiation', () => {
  it('calls a lifted core function', async () => {
    const ex = instantiateComponent(
      await bytes(`(component
        (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
        (core instance $i (instantiate $m))
        (alias core export $i "add" (core func $add))
        (func $f (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $add)))
        (export "add-two" (func $f)))`),
    );
    expect((ex['add-two'] as (a: number, b: number) => number)(2, 40)).toBe(42);
    expect((ex.addTwo as (a: number, b: number) => number)(1, 2)).toBe(3);
  });

  it('passes strings through linear memory', async () => {
    const ex = instantiateComponent(
      await bytes(`(component
        (core module $m ${ALLOC}
          (func (export "echo") (param i32 i32) (result i32)
            (i32.store (i32.const 16) (local.get 0))
            (i32.store (i32.const 20) (local.get 1))
            i32.const 16))
        (core instance $i (instantiate $m))
        (alias core export $i "echo" (core func $echo))
        (alias core export $i "mem" (core memory $mem))
        (alias core export $i "realloc" (core func $re))
        (func $f (param "s" string) (result string) (canon lift (core func $echo) (memory $mem) (realloc $re)))
        (export "echo" (func $f)))`),
    );
    expect((ex.echo as (s: string) => string)('héllo, wörld')).toBe('héllo, wörld');
  });

  it('lowers a host function imported through an interface', async () => {
    const seen: string[] = [];
    const ex = instantiateComponent(
      await bytes(`(component
        (import "rdylib:test/log@0.1.0" (instance $log (export "log-it" (func (param "msg" string)))))
        (alias export $log "log-it" (func $log-it))
        (core module $mem ${ALLOC})
        (core instance $mi (instantiate $mem))
        (alias core export $mi "mem" (core memory $memory))
        (core func $lowered (canon lower (func $log-it) (memory $memory)))
        (core module $m
          (import "host" "log" (func $log (param i32 i32)))
          (import "env" "mem" (memory 1))
          (data (i32.const 100) "hi there")
          (func (export "run") (call $log (i32.const 100) (i32.const 8))))
        (core instance $hi (export "log" (func $lowered)))
        (core instance $env (export "mem" (memory $memory)))
        (core instance $i (instantiate $m (with "host" (instance $hi)) (with "env" (instance $env))))
        (alias core export $i "run" (core func $run))
        (func $r (canon lift (core func $run)))
        (export "run" (func $r)))`),
      { 'rdylib:test/log@0.1.0': { logIt: (m: string) => seen.push(m) } },
    );
    (ex.run as () => void)();
    expect(seen).toEqual(['hi there']);
  });

  it('refuses missing imports as unlinkable', async () => {
    const b = await bytes(`(component (import "f" (func)))`);
    expect(() => instantiateComponent(b, {})).toThrow(expect.objectContaining({ kind: 'unlinkable', message: expect.stringMatching(/missing import `f`/) }));
    expect(() => instantiateComponent(b, { f: 5 })).toThrow(LoadError);
  });

  it('finds an interface import under its unversioned key, as jco users key it; the exact key wins', async () => {
    const b = await bytes(`(component
      (import "rdylib:test/num@0.1.0" (instance $a (export "get" (func (result u32)))))
      (alias export $a "get" (func $get))
      (core func $lowered (canon lower (func $get)))
      (core module $m (import "h" "get" (func $g (result i32))) (func (export "twice") (result i32) (i32.mul (call $g) (i32.const 2))))
      (core instance $h (export "get" (func $lowered)))
      (core instance $i (instantiate $m (with "h" (instance $h))))
      (alias core export $i "twice" (core func $t))
      (func $twice (result u32) (canon lift (core func $t)))
      (export "twice" (func $twice)))`);
    const twice = (imports: Record<string, unknown>) => (instantiateComponent(b, imports).twice as () => number)();
    expect(twice({ 'rdylib:test/num': { get: () => 21 } })).toBe(42);
    expect(twice({ 'rdylib:test/num@0.1.0': { get: () => 5 }, 'rdylib:test/num': { get: () => 21 } })).toBe(10);
    // Only the version's absence falls back: another version's key is not this import.
    expect(() => twice({ 'rdylib:test/num@0.2.0': { get: () => 21 } })).toThrow(
      expect.objectContaining({ kind: 'unlinkable', message: expect.stringMatching(/missing import `rdylib:test\/num@0\.1\.0`/) }),
    );
  });

  it('refuses an unversioned key that would serve two versions of one interface, naming both', async () => {
    const b = await bytes(`(component
      (import "rdylib:test/num@0.1.0" (instance $a (export "get" (func (result u32)))))
      (import "rdylib:test/num@0.2.0" (instance $b (export "get" (func (result u32)))))
      (alias export $a "get" (func $ga))
      (alias export $b "get" (func $gb))
      (core func $la (canon lower (func $ga)))
      (core func $lb (canon lower (func $gb)))
      (core module $m (import "h" "a" (func $a (result i32))) (import "h" "b" (func $b (result i32)))
        (func (export "both") (result i32) (i32.add (i32.mul (call $a) (i32.const 100)) (call $b))))
      (core instance $h (export "a" (func $la)) (export "b" (func $lb)))
      (core instance $i (instantiate $m (with "h" (instance $h))))
      (alias core export $i "both" (core func $s))
      (func $both (result u32) (canon lift (core func $s)))
      (export "both" (func $both)))`);
    const both = (imports: Record<string, unknown>) => (instantiateComponent(b, imports).both as () => number)();
    expect(() => both({ 'rdylib:test/num': { get: () => 1 } })).toThrow(
      expect.objectContaining({
        kind: 'unlinkable',
        message: 'imports `rdylib:test/num@0.1.0` and `rdylib:test/num@0.2.0` would both be served by the unversioned key `rdylib:test/num`; key them by their full names',
      }),
    );
    // One version keyed exactly: the unversioned key serves only the other.
    expect(both({ 'rdylib:test/num@0.2.0': { get: () => 3 }, 'rdylib:test/num': { get: () => 4 } })).toBe(403);
    expect(both({ 'rdylib:test/num@0.1.0': { get: () => 3 }, 'rdylib:test/num@0.2.0': { get: () => 4 } })).toBe(304);
  });

  /** A nested component exporting `twice`, which doubles what its import `base` returns. */
  const TWICE_IMPORTED_BASE = `(component $inner
          (import "base" (func $base (result u32)))
          (core func $lb (canon lower (func $base)))
          (core module $m (import "x" "base" (func $b (result i32))) (func (export "twice") (result i32) (i32.mul (call $b) (i32.const 2))))
          (core instance $xi (export "base" (func $lb)))
          (core instance $i (instantiate $m (with "x" (instance $xi))))
          (alias core export $i "twice" (core func $t))
          (func $tw (result u32) (canon lift (core func $t)))
          (export "twice" (func $tw)))`;

  /** A guest resource `cell` (a dtor counting drops, a constructor, `get`), exported in interface `rdylib:test/cells@0.1.0`. */
  const CELLS_EXPORT = `(core module $dtor-log (global (export "drops") (mut i32) (i32.const 0))
          (func (export "dtor") (param i32) (global.set 0 (i32.add (global.get 0) (i32.const 1)))))
        (core instance $dl (instantiate $dtor-log))
        (alias core export $dl "dtor" (core func $dtor))
        (type $cell (resource (rep i32) (dtor (core func $dtor))))
        (export $cell' "cell" (type $cell))
        (core func $new (canon resource.new $cell))
        (core func $rep (canon resource.rep $cell))
        (core module $m
          (import "r" "new" (func $new (param i32) (result i32)))
          (func (export "ctor") (param i32) (result i32) (call $new (local.get 0)))
          (func (export "get") (param i32) (result i32) local.get 0))
        (core instance $ri (export "new" (func $new)))
        (core instance $i (instantiate $m (with "r" (instance $ri))))
        (alias core export $i "ctor" (core func $ctor))
        (alias core export $i "get" (core func $get))
        (func $c (param "v" u32) (result (own $cell')) (canon lift (core func $ctor)))
        (func $g (param "self" (borrow $cell')) (result u32) (canon lift (core func $get)))
        (instance $api
          (export "cell" (type $cell'))
          (export "[constructor]cell" (func $c))
          (export "[method]cell.get" (func $g)))
        (export "rdylib:test/cells@0.1.0" (instance $api))`;
  type Cells = { Cell: new (v: number) => { get(): number; [Symbol.dispose](): void } };

  it('instantiates nested components and re-exports their functions', async () => {
    const ex = instantiateComponent(
      await bytes(`(component
${TWICE_IMPORTED_BASE}
        (component $provider
          (core module $m (func (export "seven") (result i32) i32.const 7))
          (core instance $i (instantiate $m))
          (alias core export $i "seven" (core func $s))
          (func $seven (result u32) (canon lift (core func $s)))
          (export "seven" (func $seven)))
        (instance $p (instantiate $provider))
        (alias export $p "seven" (func $seven))
        (instance $x (instantiate $inner (with "base" (func $seven))))
        (alias export $x "twice" (func $tw))
        (export "fourteen" (func $tw)))`),
    );
    expect((ex.fourteen as () => number)()).toBe(14);
  });

  it('traps a call from a nested instance into its parent (trap-on-reenter.wast: "for now")', async () => {
    const ex = instantiateComponent(
      await bytes(`(component
${TWICE_IMPORTED_BASE}
        (core module $m (func (export "seven") (result i32) i32.const 7))
        (core instance $i (instantiate $m))
        (alias core export $i "seven" (core func $s))
        (func $seven (result u32) (canon lift (core func $s)))
        (instance $x (instantiate $inner (with "base" (func $seven))))
        (alias export $x "twice" (func $tw))
        (export "fourteen" (func $tw)))`),
    );
    expect(() => (ex.fourteen as () => number)()).toThrow(/cannot enter component instance/);
  });

  it('exports a guest resource as a class with constructor, methods and dispose', async () => {
    const ex = instantiateComponent(
      await bytes(`(component
${CELLS_EXPORT})`),
    );
    const api = ex['rdylib:test/cells@0.1.0'] as Cells;
    expect(api.Cell.name).toBe('Cell');
    // jco's shape: dispose is the class's own method, as a class body declares one.
    const dispose = Object.getOwnPropertyDescriptor(api.Cell.prototype, Symbol.dispose);
    expect(dispose).toMatchObject({ writable: true, enumerable: false, configurable: true });
    expect(typeof dispose?.value).toBe('function');
    const c = new api.Cell(9);
    expect(c).toBeInstanceOf(api.Cell);
    expect(c.get()).toBe(9);
    c[Symbol.dispose]();
    expect(() => c.get()).toThrow(expect.objectContaining({ code: 'HANDLE', kind: 'use-after-dispose' }));
  });

  it('validates without instantiating', async () => {
    expect(() => validateComponent(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))).not.toThrow();
    expect(() => validateComponent(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1]))).toThrow(LoadError);
  });

  it('compiles once and instantiates independently', async () => {
    const c = compile(
      await bytes(`(component
        (core module $m (global $n (mut i32) (i32.const 0)) (func (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
        (core instance $i (instantiate $m))
        (alias core export $i "next" (core func $f))
        (func $g (result u32) (canon lift (core func $f)))
        (export "next" (func $g)))`),
    );
    const a = c.instantiate();
    const b = c.instantiate();
    const next = (p: typeof a) => (p.exports.next as () => number)();
    expect([next(a), next(a), next(b)]).toEqual([1, 2, 1]);
    a.unload();
    expect(() => next(a)).toThrow(UnloadedError);
    expect(next(b)).toBe(2);
  });

  it('two live instances of one compiled component (nested components, a resource) keep apart everything per instance', async () => {
    // The steps of an instantiation are prepared once per compiled component (instantiate.ts planOf) and reused
    // by every instantiation of it: what they make must still be each instance's own.
    const c = compile(
      await bytes(`(component
${TWICE_IMPORTED_BASE}
        (component $provider
          (core module $counter (global $n (mut i32) (i32.const 0)) (func (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
          (core instance $ci (instantiate $counter))
          (alias core export $ci "next" (core func $next))
          (func $f (result u32) (canon lift (core func $next)))
          (export "next" (func $f)))
        (instance $p (instantiate $provider))
        (alias export $p "next" (func $seven))
        (instance $x (instantiate $inner (with "base" (func $seven))))
        (alias export $x "twice" (func $tw))
        (export "twice" (func $tw))
${CELLS_EXPORT})`),
    );
    const a = c.instantiate({}, 'a');
    const b = c.instantiate({}, 'b');
    const twice = (p: typeof a) => (p.exports.twice as () => number)();
    // Each instance's nested instances call their own sibling's counter.
    expect([twice(a), twice(a), twice(b)]).toEqual([2, 4, 2]);
    const A = a.exports['rdylib:test/cells@0.1.0'] as Cells;
    const B = b.exports['rdylib:test/cells@0.1.0'] as Cells;
    expect(A.Cell).not.toBe(B.Cell);
    expect(a.instances.some((i) => b.instances.includes(i))).toBe(false);
    expect(a.memories.some((m) => b.memories.includes(m))).toBe(false);
    const ca = new A.Cell(1);
    const cb = new B.Cell(2);
    expect(ca).not.toBeInstanceOf(B.Cell);
    expect([ca.get(), cb.get()]).toEqual([1, 2]);
    // A handle of one instance is not one of the other's resource type.
    expect(() => B.Cell.prototype.get.call(ca)).toThrow();
    await a.unload();
    expect(() => ca.get()).toThrow(UnloadedError);
    expect(() => twice(a)).toThrow(UnloadedError);
    expect([cb.get(), twice(b)]).toEqual([2, 4]);
    const c2 = c.instantiate({}, 'c');
    expect(twice(c2)).toBe(2);
    expect(new (c2.exports['rdylib:test/cells@0.1.0'] as Cells).Cell(3).get()).toBe(3);
    await b.unload();
    await c2.unload();
  });

  it('reports unreadable files as io errors', async () => {
    await expect(load('/nonexistent/plugin.wasm')).rejects.toMatchObject({ kind: 'io' });
  });
});
