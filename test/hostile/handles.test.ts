/**
 * Hostile handle use: forged, stale and double-dropped handle indices, a
 * handle of the wrong type, a borrow kept past its call, a destructor that
 * panics, and traps around unload. Each gets a TrapError (or, for unload, a
 * clean refusal) and leaves the bystander working with its state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { load, type Plugin } from '../../host/load.ts';
import { TrapError, UnloadedError } from '../../host/errors.ts';
import { bystander, component, expectTyped, type Bystander } from './support.ts';
import { HOARD } from './wat.ts';

/**
 * Defines resources `thing` (destructor traps when the rep is 13) and `other`,
 * and exports top-level functions that misuse their handles, plus `keep` which
 * takes a borrow of the host's imported `host-thing` and never drops it.
 */
const HANDLES = `(component
  (import "host-thing" (type $ht (sub resource)))
  (core module $dt
    (func (export "dtor") (param i32) (if (i32.eq (local.get 0) (i32.const 13)) (then unreachable))))
  (core instance $dti (instantiate $dt))
  (alias core export $dti "dtor" (core func $dtor))
  (type $thing (resource (rep i32) (dtor (core func $dtor))))
  ;; Exported at component level first, and used through that export's type
  ;; index: a bag-of-exports instance resolves [constructor]thing against
  ;; the component's exports, and an export may only use externally named types.
  (export $thing' "thing" (type $thing))
  (type $other (resource (rep i32)))
  (core func $new (canon resource.new $thing))
  (core func $drop (canon resource.drop $thing))
  (core func $rep (canon resource.rep $thing))
  (core func $onew (canon resource.new $other))
  (core func $htdrop (canon resource.drop $ht))
  (core module $m
    (import "r" "new" (func $new (param i32) (result i32)))
    (import "r" "drop" (func $drop (param i32)))
    (import "r" "rep" (func $rep (param i32) (result i32)))
    (import "r" "onew" (func $onew (param i32) (result i32)))
    (import "r" "htdrop" (func $htdrop (param i32)))
    (global $kept (mut i32) (i32.const 0))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "get") (param i32) (result i32) (local.get 0))
    (func (export "forge") (result i32) (i32.const 999))
    (func (export "zero") (result i32) (i32.const 0))
    (func (export "stale") (result i32) (local $h i32)
      (local.set $h (call $new (i32.const 1))) (call $drop (local.get $h)) (local.get $h))
    (func (export "double-drop") (local $h i32)
      (local.set $h (call $new (i32.const 1))) (call $drop (local.get $h)) (call $drop (local.get $h)))
    (func (export "wrong-type") (result i32) (call $onew (i32.const 5)))
    (func (export "rep-of-forged") (result i32) (call $rep (i32.const 77)))
    (func (export "drop-own-panicking") (call $drop (call $new (i32.const 13))))
    (func (export "keep") (param i32) (global.set $kept (local.get 0)))
    (func (export "keep-then-drop") (param i32) (global.set $kept (local.get 0)) (call $htdrop (local.get 0)))
    (func (export "use-kept") (call $htdrop (global.get $kept))))
  (core instance $ri (export "new" (func $new)) (export "drop" (func $drop)) (export "rep" (func $rep))
    (export "onew" (func $onew)) (export "htdrop" (func $htdrop)))
  (core instance $i (instantiate $m (with "r" (instance $ri))))
  (func $make (param "v" u32) (result (own $thing')) (canon lift (core func $i "make")))
  (func $get (param "self" (borrow $thing')) (result u32) (canon lift (core func $i "get")))
  (func $forge (result (own $thing')) (canon lift (core func $i "forge")))
  (func $zero (result (own $thing')) (canon lift (core func $i "zero")))
  (func $stale (result (own $thing')) (canon lift (core func $i "stale")))
  (func $double-drop (canon lift (core func $i "double-drop")))
  (func $wrong-type (result (own $thing')) (canon lift (core func $i "wrong-type")))
  (func $rep-of-forged (result u32) (canon lift (core func $i "rep-of-forged")))
  (func $drop-own-panicking (canon lift (core func $i "drop-own-panicking")))
  (func $keep (param "t" (borrow $ht)) (canon lift (core func $i "keep")))
  (func $keep-then-drop (param "t" (borrow $ht)) (canon lift (core func $i "keep-then-drop")))
  (func $use-kept (canon lift (core func $i "use-kept")))
  (instance $api
    (export "thing" (type $thing'))
    (export "[constructor]thing" (func $make))
    (export "[method]thing.get" (func $get))
    (export "forge" (func $forge))
    (export "zero" (func $zero))
    (export "stale" (func $stale))
    (export "double-drop" (func $double-drop))
    (export "wrong-type" (func $wrong-type))
    (export "rep-of-forged" (func $rep-of-forged))
    (export "drop-own-panicking" (func $drop-own-panicking))
    (export "keep" (func $keep))
    (export "keep-then-drop" (func $keep-then-drop))
    (export "use-kept" (func $use-kept)))
  (export "rdylib:hostile/handles@0.1.0" (instance $api)))`;

interface Thing {
  get(): number;
  [Symbol.dispose](): void;
}
interface Api {
  Thing: new (v: number) => Thing;
  forge(): Thing;
  zero(): Thing;
  stale(): Thing;
  doubleDrop(): void;
  wrongType(): Thing;
  repOfForged(): number;
  dropOwnPanicking(): void;
  keep(t: object): void;
  keepThenDrop(t: object): void;
  useKept(): void;
}

class HostThing {
  disposed = 0;
  [Symbol.dispose](): void {
    this.disposed++;
  }
}

let bytes: Uint8Array;
async function hostile(): Promise<{ plugin: Plugin; api: Api }> {
  const plugin = await load(bytes, { unchecked: true, name: 'hostile', imports: { 'host-thing': HostThing } });
  return { plugin, api: plugin.exports['rdylib:hostile/handles@0.1.0'] as Api };
}

describe('hostile handles', () => {
  let by: Bystander;
  beforeAll(async () => {
    by = await bystander();
    bytes = await component(HANDLES);
  });

  it('the component works when used honestly', async () => {
    const { api } = await hostile();
    const t = new api.Thing(4);
    expect(t.get()).toBe(4);
    t[Symbol.dispose]();
    by.check();
  });

  const cases: [string, (api: Api) => unknown, RegExp][] = [
    ['a forged handle index in a result', (api) => api.forge(), /handle index 999 out of range/],
    ['handle index 0 in a result', (api) => api.zero(), /handle index 0/],
    ['a stale (already dropped) handle in a result', (api) => api.stale(), /not in use/],
    ['a double drop', (api) => api.doubleDrop(), /not in use/],
    ['a handle of another resource type returned as this one', (api) => api.wrongType(), /is a .* expected a/],
    ['resource.rep of a forged handle', (api) => api.repOfForged(), /out of range/],
    ['a panic in its own destructor (resource.drop from the guest)', (api) => api.dropOwnPanicking(), /unreachable|trap/i],
    ['a borrow kept past the call that lent it', (api) => api.keep(new HostThing()), /borrowed handle\(s\) were not dropped/],
  ];
  for (const [name, attack, message] of cases) {
    it(name, async () => {
      const { api } = await hostile();
      expectTyped(() => attack(api), TrapError, message);
      expectTyped(() => new api.Thing(1), TrapError, /poisoned/);
      by.check();
    });
  }

  it('a borrow index used in a later call, after its scope ended', async () => {
    const { api } = await hostile();
    const t = new HostThing();
    api.keepThenDrop(t);
    // Dropping a borrow never runs the host object's destructor.
    expect(t.disposed).toBe(0);
    expectTyped(() => api.useKept(), TrapError, /not in use|out of range/);
    by.check();
  });

  it('a panic in the destructor when the host disposes an object', async () => {
    const { api } = await hostile();
    const t = new api.Thing(13);
    expectTyped(() => t[Symbol.dispose](), TrapError);
    expectTyped(() => new api.Thing(1), TrapError, /poisoned/);
    by.check();
  });

  it('an object of the plugin\'s class fabricated by the host is refused before the guest runs', async () => {
    const { api } = await hostile();
    const t = new api.Thing(2);
    // Refused with a TypeError naming the parameter; the plugin stays usable.
    const fake = Object.create(api.Thing.prototype) as Thing;
    expect(() => fake.get()).toThrow(TypeError);
    expect(t.get()).toBe(2);
    by.check();
  });

  it('unload with live resources whose destructors would trap: unload completes, later use is refused', async () => {
    const { plugin, api } = await hostile();
    const live = [new api.Thing(13), new api.Thing(13), new api.Thing(3)];
    // unload() returns a promise: a refusal would reject it, so await what it settles to.
    await expect(plugin.unload()).resolves.toBeUndefined();
    expect(plugin.isUnloaded).toBe(true);
    expect(plugin.liveHandles).toBe(0);
    expectTyped(() => live[2]!.get(), UnloadedError);
    // Disposing after unload never calls into the unloaded plugin.
    for (const t of live) expect(() => t[Symbol.dispose]()).not.toThrow();
    expectTyped(() => new api.Thing(1), UnloadedError);
    by.check();
  });

  it('unload after the plugin trapped', async () => {
    const { plugin, api } = await hostile();
    expectTyped(() => api.forge(), TrapError);
    await expect(plugin.unload()).resolves.toBeUndefined();
    expect(plugin.isUnloaded).toBe(true);
    expectTyped(() => api.forge(), UnloadedError);
    by.check();
  });

  // The spec's table length (2^28-1) does not protect the host: a guest calling resource.new in a
  // loop would grow a host-side array by gigabytes. The per-instance handle limit (maxHandles,
  // default 2^20, host/abi/limits.ts) traps in HandleTable.add instead.
  it('a guest hoarding handles is stopped by a per-plugin handle limit', async () => {
    const p = await load(await component(HOARD), { unchecked: true, name: 'hoarder' });
    expectTyped(() => (p.exports.hoard as (n: number) => number)(1_100_000), TrapError, /handle/);
    by.check();
  });

  it('the hoarder works below any plausible limit (so the test above fails only for the missing cap)', async () => {
    const p = await load(await component(HOARD), { unchecked: true, name: 'hoarder-small' });
    expect((p.exports.hoard as (n: number) => number)(1000)).toBe(1000);
    expect(p.instances[0]!.handles.size).toBe(1000);
    by.check();
  });
});
