/**
 * instantiate.ts LiftedOnFirstUse: a function lifted without tasks makes its
 * canonical options (memory, realloc, post-return) at its first call, from
 * the lifting scope's core index spaces. They must be the items the lift
 * named, whatever definitions after the lift add (another core instance's
 * memory, realloc and post-return, here all trapping), each load its own
 * (the post-return counts its calls in its instance);
 * and the options' memory check still fails the load, at the lift, when
 * the options name no memory for a type that needs one.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { compile, load } from '../../host/load.ts';
import { LoadError } from '../../host/errors.ts';

/** Core module `a` echoes a string through its own memory; `b`, instantiated after the lift, only traps. */
const ECHO = `(component
  (core module $a
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (global $posts (mut i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 0) (local.get 0))
      (i32.store (i32.const 4) (local.get 1))
      (i32.const 0))
    (func (export "post") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
    (func (export "posts") (result i32) (global.get $posts)))
  (core module $b
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
    (func (export "echo") (param i32 i32) (result i32) unreachable)
    (func (export "post") (param i32) unreachable))
  (core instance $ia (instantiate $a))
  (alias core export $ia "mem" (core memory $mem-a))
  (alias core export $ia "realloc" (core func $realloc-a))
  (alias core export $ia "echo" (core func $echo-a))
  (alias core export $ia "post" (core func $post-a))
  (alias core export $ia "posts" (core func $posts-a))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $echo-a) (memory $mem-a) (realloc $realloc-a) (post-return $post-a)))
  (core instance $ib (instantiate $b))
  (alias core export $ib "mem" (core memory $mem-b))
  (alias core export $ib "realloc" (core func $realloc-b))
  (alias core export $ib "echo" (core func $echo-b))
  (alias core export $ib "post" (core func $post-b))
  (func $echo2 (param "s" string) (result string)
    (canon lift (core func $echo-b) (memory $mem-b) (realloc $realloc-b) (post-return $post-b)))
  (func $posts (result u32) (canon lift (core func $posts-a)))
  (export "echo" (func $echo))
  (export "posts" (func $posts))
  (export "echo-b" (func $echo2)))`;

type Echo = (s: string) => string;

describe('canonical options of functions lifted without tasks', () => {
  it('are the memory, realloc and post-return the lift named, made at the first call, each load its own', async () => {
    const bytes = await parse(ECHO);
    const one = await load(bytes, { unchecked: true });
    const two = await load(bytes, { unchecked: true });
    // Both loads exist before either calls: each function's options come from its own instance.
    expect((two.exports.echo as Echo)('second')).toBe('second');
    expect((one.exports.echo as Echo)('first, longer')).toBe('first, longer');
    expect((one.exports.echo as Echo)('again')).toBe('again');
    expect((one.exports.posts as () => number)()).toBe(2);
    expect((two.exports.posts as () => number)()).toBe(1);
    // The function lifted after it has the other instance's items, which trap.
    expect(() => (one.exports['echo-b'] as Echo)('x')).toThrow(expect.objectContaining({ name: 'TrapError' }));
    await one.unload();
    expect((two.exports.echo as Echo)('still')).toBe('still');
    await two.unload();
  });

  it('without a memory for a type that needs one, fail the load at the lift, as before the first call', async () => {
    // Not from the compile cache: this component is changed below.
    const compiled = compile(await parse(ECHO), { cache: false });
    const vc = compiled.validated;
    // Lying metadata: the validator refuses such a lift, so take one it passed and drop its memory.
    const at = vc.info.findIndex((i) => i.kind === 'lift');
    const lift = vc.info[at]!;
    if (lift.kind !== 'lift') throw new Error('no lift');
    (vc.info as unknown[])[at] = { ...lift, options: { ...lift.options, memory: undefined } };
    for (let i = 0; i < 2; i++) {
      expect(() => compiled.instantiate({}, 'lying')).toThrow(LoadError);
      expect(() => compiled.instantiate({}, 'lying')).toThrow(/canon lift: the function type needs the memory option/);
    }
  });
});
