/**
 * Hand-written importers of a plugin's *main* interface, for the linked-plugin
 * route the SDK cannot express (an SDK plugin imports only traits, docs/abi.md
 * §1.3, so no SDK plugin can take kv's `store` or statics' `cfg`):
 *
 * - `peeker` imports `rdylib-guest:kv/kv@0.1.0` and exports
 *   `peek(s: borrow<store>) -> u32`, which calls kv's `[method]store.len`
 *   (issue 10 item 1: `peek(&Store)` while `store.lock()` lives);
 * - `relay` imports `rdylib-guest:statics/statics@0.1.0` and exports
 *   `value-of(c: borrow<cfg>)` (calls `[method]cfg.value`), `set-via(c:
 *   borrow<cfg>, v)` (calls `[method]cfg.set`, exclusive), `bounce(c: cfg) ->
 *   cfg` (moves the handle in and out), `hold-view(c: borrow<cfg>)` (calls
 *   `[method]cfg.view` and keeps the dependent view in a global) and
 *   `drop-view()` (drops it), and `fetch-config() -> cfg`, which returns what
 *   statics' `config()` gave it (a library-static handle) while its own
 *   section calls the result merely `owned`: static-ness belongs to the
 *   handle, whatever the plugin it passed through says.
 *
 * Each carries an rdylib:abi section describing all of it, as the SDK would,
 * so it loads `checked` and links under the same rules as an SDK plugin.
 */
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { encodeAbiPayload } from '../support/abi-section.ts';

const shared = (param: number, name: string) => ({ param, name, path: [] as string[], mode: 'shared' });
const exclusive = (param: number, name: string) => ({ param, name, path: [] as string[], mode: 'exclusive' });
const consume = (param: number, name: string) => ({ param, name, path: [] as string[], mode: 'consume' });
const fn = (name: string, receiver: string | null, params: object[], results: object[] = []) => ({ name, rust: name, receiver, staticParams: [], params, results });

async function withSection(wat: string, abi: object): Promise<Uint8Array> {
  const bytes = (await parse(wat)) as Uint8Array;
  // The section's name is part of the format (docs/abi.md §3.1).
  return appendCustomSection(bytes, { name: 'rdylib:abi', data: encodeAbiPayload(abi) });
}

export const PEEKER = 'rdylib-guest:peeker/peeker@0.1.0';
export const RELAY = 'rdylib-guest:relay/relay@0.1.0';

export function peekerComponent(): Promise<Uint8Array> {
  return withSection(
    `(component
      (import "rdylib-guest:kv/kv@0.1.0" (instance $kv
        (export "store" (type $store (sub resource)))
        (export "[method]store.len" (func (param "self" (borrow $store)) (result u32)))))
      (alias export $kv "store" (type $store))
      (alias export $kv "[method]store.len" (func $len))
      (core func $len_core (canon lower (func $len)))
      (core func $end_borrow (canon resource.drop $store))
      (core module $m
        (import "kv" "len" (func $len (param i32) (result i32)))
        (import "kv" "end-borrow" (func $endBorrow (param i32)))
        ;; A lifted function must end the borrows it received before it returns (the Component Model's rule).
        (func (export "peek") (param $s i32) (result i32) (local $n i32)
          (local.set $n (call $len (local.get $s)))
          (call $endBorrow (local.get $s))
          (local.get $n)))
      (core instance $kvi (export "len" (func $len_core)) (export "end-borrow" (func $end_borrow)))
      (core instance $i (instantiate $m (with "kv" (instance $kvi))))
      (func $peek (param "s" (borrow $store)) (result u32) (canon lift (core func $i "peek")))
      (instance $out (export "store" (type $store)) (export "peek" (func $peek)))
      (export "${PEEKER}" (instance $out)))`,
    {
      crate: { name: 'peeker', version: '0.1.0' },
      package: 'rdylib-guest:peeker',
      interfaceVersion: '0.1.0',
      world: 'plugin',
      interfaces: [
        {
          name: 'rdylib-guest:kv/kv@0.1.0',
          direction: 'import',
          resources: [{ name: 'store', dependent: false }],
          functions: [fn('[method]store.len', 'shared', [shared(0, 'self')])],
        },
        { name: PEEKER, direction: 'export', resources: [], functions: [fn('peek', null, [shared(0, 's')])] },
      ],
    },
  );
}

export function relayComponent(): Promise<Uint8Array> {
  return withSection(
    `(component
      (import "rdylib-guest:statics/statics@0.1.0" (instance $st
        (export "cfg" (type $cfg (sub resource)))
        (export "view" (type $view (sub resource)))
        (export "[method]cfg.value" (func (param "self" (borrow $cfg)) (result u32)))
        (export "[method]cfg.set" (func (param "self" (borrow $cfg)) (param "value" u32)))
        (export "[method]cfg.view" (func (param "self" (borrow $cfg)) (result (own $view))))
        (export "config" (func (result (own $cfg))))))
      (alias export $st "cfg" (type $cfg))
      (alias export $st "view" (type $view))
      (alias export $st "[method]cfg.value" (func $value))
      (alias export $st "[method]cfg.set" (func $set))
      (alias export $st "[method]cfg.view" (func $viewOf))
      (alias export $st "config" (func $config))
      (core func $value_core (canon lower (func $value)))
      (core func $set_core (canon lower (func $set)))
      (core func $view_core (canon lower (func $viewOf)))
      (core func $config_core (canon lower (func $config)))
      (core func $drop_view (canon resource.drop $view))
      (core func $end_borrow (canon resource.drop $cfg))
      (core module $m
        (import "st" "value" (func $value (param i32) (result i32)))
        (import "st" "set" (func $set (param i32 i32)))
        (import "st" "view" (func $view (param i32) (result i32)))
        (import "st" "drop-view" (func $dropView (param i32)))
        (import "st" "end-borrow" (func $endBorrow (param i32)))
        (import "st" "config" (func $config (result i32)))
        (func (export "fetch-config") (result i32) (call $config))
        (global $held (mut i32) (i32.const 0))
        ;; A lifted function must end the borrows it received before it returns (the Component Model's rule).
        (func (export "value-of") (param $c i32) (result i32) (local $n i32)
          (local.set $n (call $value (local.get $c)))
          (call $endBorrow (local.get $c))
          (local.get $n))
        (func (export "set-via") (param $c i32) (param $v i32)
          (call $set (local.get $c) (local.get $v))
          (call $endBorrow (local.get $c)))
        (func (export "bounce") (param i32) (result i32) (local.get 0))
        ;; Keeps the view past the call: it goes on borrowing the Cfg, which the owner must keep track of.
        (func (export "hold-view") (param $c i32)
          (global.set $held (call $view (local.get $c)))
          (call $endBorrow (local.get $c)))
        (func (export "drop-view")
          (if (global.get $held) (then (call $dropView (global.get $held)) (global.set $held (i32.const 0))))))
      (core instance $sti
        (export "value" (func $value_core))
        (export "set" (func $set_core))
        (export "view" (func $view_core))
        (export "drop-view" (func $drop_view))
        (export "end-borrow" (func $end_borrow))
        (export "config" (func $config_core)))
      (core instance $i (instantiate $m (with "st" (instance $sti))))
      (func $fetchConfig (result (own $cfg)) (canon lift (core func $i "fetch-config")))
      (func $valueOf (param "c" (borrow $cfg)) (result u32) (canon lift (core func $i "value-of")))
      (func $setVia (param "c" (borrow $cfg)) (param "v" u32) (canon lift (core func $i "set-via")))
      (func $bounce (param "c" (own $cfg)) (result (own $cfg)) (canon lift (core func $i "bounce")))
      (func $holdView (param "c" (borrow $cfg)) (canon lift (core func $i "hold-view")))
      (func $dropViewF (canon lift (core func $i "drop-view")))
      (instance $out
        (export "cfg" (type $cfg))
        (export "value-of" (func $valueOf))
        (export "set-via" (func $setVia))
        (export "bounce" (func $bounce))
        (export "hold-view" (func $holdView))
        (export "drop-view" (func $dropViewF))
        (export "fetch-config" (func $fetchConfig)))
      (export "${RELAY}" (instance $out)))`,
    {
      crate: { name: 'relay', version: '0.1.0' },
      package: 'rdylib-guest:relay',
      interfaceVersion: '0.1.0',
      world: 'plugin',
      interfaces: [
        {
          name: 'rdylib-guest:statics/statics@0.1.0',
          direction: 'import',
          resources: [
            { name: 'cfg', dependent: false },
            { name: 'view', dependent: true },
          ],
          functions: [
            fn('[method]cfg.value', 'shared', [shared(0, 'self')]),
            fn('[method]cfg.set', 'exclusive', [exclusive(0, 'self')]),
            fn('[method]cfg.view', 'shared', [shared(0, 'self')], [{ path: [], resource: 'view', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'shared' }] }]),
            fn('config', null, [], [{ path: [], resource: 'cfg', lifetime: 'static' }]),
          ],
        },
        {
          name: RELAY,
          direction: 'export',
          resources: [],
          functions: [
            fn('value-of', null, [shared(0, 'c')]),
            fn('set-via', null, [exclusive(0, 'c')]),
            fn('bounce', null, [consume(0, 'c')], [{ path: [], resource: 'cfg', lifetime: 'owned' }]),
            fn('hold-view', null, [shared(0, 'c')]),
            fn('drop-view', null, []),
            // Says `owned`: the relay does not know (or does not say) that the handle it passes on is static.
            fn('fetch-config', null, [], [{ path: [], resource: 'cfg', lifetime: 'owned' }]),
          ],
        },
      ],
    },
  );
}
