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
