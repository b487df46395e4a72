/**
 * An instance cannot be entered before its instantiation completes: a core
 * start function that calls (through `canon lower`) a function its own
 * component lifted traps, and the component does not instantiate.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { instantiateComponent } from '../../host/load.ts';
import { TrapError } from '../../host/errors.ts';

/** A component lifting `get` and lowering it back for a second core module, which calls it from its start function or not. */
function selfCalling(callFromStart: boolean): string {
  return `(component
    (core module $m (func (export "get") (result i32) i32.const 7))
    (core instance $i (instantiate $m))
    (func $get (result u32) (canon lift (core func $i "get")))
    (core func $lowered (canon lower (func $get)))
    (core module $n
      (import "" "get" (func $get (result i32)))
      (global $seen (mut i32) (i32.const 0))
      (func $start (global.set $seen (call $get)))
      (func (export "seen") (result i32) global.get $seen)
      ${callFromStart ? '(start $start)' : ''})
    (core instance $j (instantiate $n (with "" (instance (export "get" (func $lowered))))))
    (func (export "get") (result u32) (canon lift (core func $i "get")))
    (func (export "seen") (result u32) (canon lift (core func $j "seen"))))`;
}

describe('entering an instance during its instantiation', () => {
  it('traps when a core start function calls its own component’s lifted export', async () => {
    const bytes = await parse(selfCalling(true));
    expect(() => instantiateComponent(bytes)).toThrow(TrapError);
    expect(() => instantiateComponent(bytes)).toThrow(/may_enter/);
  });

  it('lets the same component instantiate without the start call, and its exports be called after', async () => {
    const ex = instantiateComponent(await parse(selfCalling(false)));
    expect((ex.get as () => number)()).toBe(7);
    expect((ex.seen as () => number)()).toBe(0);
  });
});
