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

/** Core module `m` instantiated, and its `echo` lifted as `$func` with that instance's memory, realloc and post-return. */
const liftedFrom = (m: string, func: string): string => `(core instance $i${m} (instantiate $${m}))
  (alias core export $i${m} "mem" (core memory $mem-${m}))
  (alias core export $i${m} "realloc" (core func $realloc-${m}))
  (alias core export $i${m} "echo" (core func $echo-${m}))
  (alias core export $i${m} "post" (core func $post-${m}))
  (func $${func} (param "s" string) (result string)
    (canon lift (core func $echo-${m}) (memory $mem-${m}) (realloc $realloc-${m}) (post-return $post-${m})))`;

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
  ${liftedFrom('a', 'echo')}
  (alias core export $ia "posts" (core func $posts-a))
  ${liftedFrom('b', 'echo2')}
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
