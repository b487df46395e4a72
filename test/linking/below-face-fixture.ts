/**
 * A provider and an importer written by hand, for the linked call below the
 * provider's face (host/abi/below-face.ts, below-face.test.ts): calls that
 * the SDK examples cannot make, because the importer must meet the
 * provider's rules at the linked call itself, not at its own face.
 *
 * - `provider` exports `test:p/things@0.1.0`: resource `thing` (its rep is
 *   the number it was made with), `[method]thing.get(self) -> u32` (shared;
 *   calls the host's `hook(rep)` first, traps on rep 99, returns rep * 2),
 *   `[method]thing.bump(self, n) -> u32` (exclusive; rep + n) and
 *   `[method]thing.hold(self)` (exclusive; calls `hook(rep)` while it holds
 *   `self`). With `section`, its rdylib:abi section says so (checked: call
 *   plans); without, it loads unchecked (no plan).
 * - `importer` imports that interface and `test:c/host` `before()`, and
 *   exports `test:c/api@0.1.0` `call-get(t) -> u32` and `call-bump(t, n) -> u32`: each calls
 *   `before()`, then the linked method, then ends its borrow. Without its
 *   section it makes no loans of its own, so whatever the test does in
 *   `before` or in `hook` meets the provider's rules at the linked call;
 *   with it, its own calls hold loans on `t` (held by the importer's
 *   instance) that its linked calls must pass as the holder's reborrows.
 */
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { encodeAbiPayload } from '../support/abi-section.ts';

export const THINGS = 'test:p/things@0.1.0';
export const API = 'test:c/api@0.1.0';

const PROVIDER = `(component
  (import "test:p/host" (instance $host (export "hook" (func (param "v" u32)))))
  (alias export $host "hook" (func $hook))
  (core func $hook_core (canon lower (func $hook)))
  (type $thing (resource (rep i32)))
  (core func $new (canon resource.new $thing))
  (core module $m
    (import "" "hook" (func $hook (param i32)))
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "ctor") (param $v i32) (result i32) (call $new (local.get $v)))
    (func (export "get") (param $rep i32) (result i32)
      (call $hook (local.get $rep))
      (if (i32.eq (local.get $rep) (i32.const 99)) (then unreachable))
      (i32.mul (local.get $rep) (i32.const 2)))
    (func (export "bump") (param $rep i32) (param $n i32) (result i32) (i32.add (local.get $rep) (local.get $n)))
    (func (export "hold") (param $rep i32) (call $hook (local.get $rep))))
  (core instance $i (instantiate $m (with "" (instance (export "hook" (func $hook_core)) (export "new" (func $new))))))
  (func $ctor (param "v" u32) (result (own $thing)) (canon lift (core func $i "ctor")))
  (func $get (param "self" (borrow $thing)) (result u32) (canon lift (core func $i "get")))
  (func $bump (param "self" (borrow $thing)) (param "n" u32) (result u32) (canon lift (core func $i "bump")))
  (func $hold (param "self" (borrow $thing)) (canon lift (core func $i "hold")))
  ;; Annotated names in a bag of exports name a resource the component already exported.
  (export "thing" (type $thing))
  (instance $out
    (export "thing" (type $thing))
    (export "[constructor]thing" (func $ctor))
    (export "[method]thing.get" (func $get))
    (export "[method]thing.bump" (func $bump))
    (export "[method]thing.hold" (func $hold)))
  (export "${THINGS}" (instance $out)))`;

const IMPORTER = `(component
  (import "${THINGS}" (instance $p
    (export "thing" (type $thing (sub resource)))
    (export "[method]thing.get" (func (param "self" (borrow $thing)) (result u32)))
    (export "[method]thing.bump" (func (param "self" (borrow $thing)) (param "n" u32) (result u32)))))
  (import "test:c/host" (instance $host (export "before" (func))))
  (alias export $p "thing" (type $thing))
  (alias export $p "[method]thing.get" (func $get))
  (alias export $p "[method]thing.bump" (func $bump))
  (alias export $host "before" (func $before))
  (core func $get_core (canon lower (func $get)))
  (core func $bump_core (canon lower (func $bump)))
  (core func $before_core (canon lower (func $before)))
  (core func $end_borrow (canon resource.drop $thing))
  (core module $m
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "bump" (func $bump (param i32 i32) (result i32)))
    (import "" "before" (func $before))
    (import "" "end-borrow" (func $endBorrow (param i32)))
    (func (export "call-get") (param $t i32) (result i32) (local $r i32)
      (call $before)
      (local.set $r (call $get (local.get $t)))
      (call $endBorrow (local.get $t))
      (local.get $r))
    (func (export "call-bump") (param $t i32) (param $n i32) (result i32) (local $r i32)
      (call $before)
      (local.set $r (call $bump (local.get $t) (local.get $n)))
      (call $endBorrow (local.get $t))
      (local.get $r)))
  (core instance $i (instantiate $m (with "" (instance
    (export "get" (func $get_core)) (export "bump" (func $bump_core))
    (export "before" (func $before_core)) (export "end-borrow" (func $end_borrow))))))
  (func $callGet (param "t" (borrow $thing)) (result u32) (canon lift (core func $i "call-get")))
  (func $callBump (param "t" (borrow $thing)) (param "n" u32) (result u32) (canon lift (core func $i "call-bump")))
  (instance $out (export "call-get" (func $callGet)) (export "call-bump" (func $callBump)))
  (export "${API}" (instance $out)))`;

const self = (mode: 'shared' | 'exclusive') => ({ param: 0, name: 'self', path: [] as string[], mode });
const fn = (name: string, receiver: string | null, params: object[], results: object[] = []) => ({ name, rust: name, receiver, staticParams: [], params, results });

/** The provider's section: what its exports do with their handles. */
const PROVIDER_ABI = {
  crate: { name: 'provider', version: '0.1.0' },
  package: 'test:p',
  interfaceVersion: '0.1.0',
  world: 'plugin',
  interfaces: [
    { name: 'test:p/host', direction: 'import', resources: [], functions: [fn('hook', null, [])] },
    {
      name: THINGS,
      direction: 'export',
      resources: [{ name: 'thing', dependent: false }],
      functions: [
        fn('[constructor]thing', null, [], [{ path: [], resource: 'thing', lifetime: 'owned' }]),
        fn('[method]thing.get', 'shared', [self('shared')]),
        fn('[method]thing.bump', 'exclusive', [self('exclusive')]),
        fn('[method]thing.hold', 'exclusive', [self('exclusive')]),
      ],
    },
  ],
};

/** The provider's bytes; with its rdylib:abi section (`section`), or without (it then loads only `unchecked`). */
export async function providerComponent(section: boolean): Promise<Uint8Array> {
  const bytes = (await parse(PROVIDER)) as Uint8Array;
  // The section's name is part of the format (docs/abi.md §3.1).
  return section ? appendCustomSection(bytes, { name: 'rdylib:abi', data: encodeAbiPayload(PROVIDER_ABI) }) : bytes;
}

/** The importer's section: `t` shared for `call-get`, exclusive for `call-bump`, as the methods it calls take it. */
const IMPORTER_ABI = {
  crate: { name: 'importer', version: '0.1.0' },
  package: 'test:c',
  interfaceVersion: '0.1.0',
  world: 'plugin',
  interfaces: [
    { name: 'test:c/host', direction: 'import', resources: [], functions: [fn('before', null, [])] },
    {
      name: THINGS,
      direction: 'import',
      resources: [{ name: 'thing', dependent: false }],
      functions: [fn('[method]thing.get', 'shared', [self('shared')]), fn('[method]thing.bump', 'exclusive', [self('exclusive')])],
    },
    {
      name: API,
      direction: 'export',
      resources: [],
      functions: [
        fn('call-get', null, [{ param: 0, name: 't', path: [], mode: 'shared' }]),
        fn('call-bump', null, [{ param: 0, name: 't', path: [], mode: 'exclusive' }]),
      ],
    },
  ],
};

/** The importer's bytes; with its rdylib:abi section (`section`: its own call plans lend `t` to its calls), or without. */
export async function importerComponent(section = false): Promise<Uint8Array> {
  const bytes = (await parse(IMPORTER)) as Uint8Array;
  return section ? appendCustomSection(bytes, { name: 'rdylib:abi', data: encodeAbiPayload(IMPORTER_ABI) }) : bytes;
}
