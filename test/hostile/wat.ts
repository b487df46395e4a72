/**
 * Hostile components shared by the in-process suite and the worker tests:
 * `recurse` (unbounded recursion), `bomb` (grows memory until refused, then
 * traps), `grab` (the same, returning the page count reached), `boom` (trap),
 * `spin` (infinite loop), `ok` and `pages` (honest).
 */
import { ALLOC } from './support.ts';

export const HOSTILE_CORE = `(component
  (core module $m ${ALLOC}
    (func $recurse (export "recurse") (param i32) (result i32)
      (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
    (func (export "bomb") (result i32)
      ;; Grow one page at a time until the host says no, then trap: a guest that wants all memory.
      (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
      unreachable)
    (func (export "boom") (result i32) unreachable)
    (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
    (func (export "ok") (result i32) (i32.const 42))
    (func (export "pages") (result i32) (memory.size))
    (func (export "grab") (result i32)
      ;; The same bomb, but reports how far it got instead of trapping.
      (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
      (memory.size)))
  (core instance $i (instantiate $m))
  (func $recurse (param "n" u32) (result u32) (canon lift (core func $i "recurse")))
  (func $bomb (result u32) (canon lift (core func $i "bomb")))
  (func $boom (result u32) (canon lift (core func $i "boom")))
  (func $spin (result u32) (canon lift (core func $i "spin")))
  (func $ok (result u32) (canon lift (core func $i "ok")))
  (func $pages (result u32) (canon lift (core func $i "pages")))
  (export "recurse" (func $recurse))
  (export "bomb" (func $bomb))
  (export "boom" (func $boom))
  (export "spin" (func $spin))
  (export "ok" (func $ok))
  (func $grab (result u32) (canon lift (core func $i "grab")))
  (export "pages" (func $pages))
  (export "grab" (func $grab)))`;

/** `hoard(n)` creates n handles of its own resource and keeps them all; `drop-all` is not offered. */
export const HOARD = `(component
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "r" "new" (func $new (param i32) (result i32)))
    (func (export "hoard") (param $n i32) (result i32) (local $i i32)
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (call $new (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $i)))
  (core instance $ri (export "new" (func $new)))
  (core instance $i (instantiate $m (with "r" (instance $ri))))
  (func $hoard (param "n" u32) (result u32) (canon lift (core func $i "hoard")))
  (export "hoard" (func $hoard)))`;

/** `text(n)` returns a string of n bytes of 'a'. */
export const TEXT = `(component
  (core module $m ${ALLOC}
    (func (export "text") (param $n i32) (result i32)
      (memory.fill (i32.const 2048) (i32.const 0x61) (local.get $n))
      (i32.store (i32.const 8) (i32.const 2048)) (i32.store (i32.const 12) (local.get $n)) (i32.const 8)))
  (core instance $i (instantiate $m))
  (func $text (param "n" u32) (result string) (canon lift (core func $i "text") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (export "text" (func $text)))`;

/**
 * Component fields: imports `log` and calls it with 1 from a core start
 * function, so guest code running during instantiation shows in the host's log.
 */
export const LOGS_AT_START = `(import "log" (func $log (param "n" u32)))
  (core func $llog (canon lower (func $log)))
  (core module $m
    (import "h" "log" (func $log (param i32)))
    (func $start (call $log (i32.const 1)))
    (start $start))
  (core instance $hi (export "log" (func $llog)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))`;
