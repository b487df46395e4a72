/**
 * The bench guest, written as WebAssembly text so the bench needs no Rust
 * toolchain. One source of truth for the core code: the same two core module
 * texts are embedded in the component (measured through our host and through
 * jco) and compiled on their own (measured as raw core wasm), so every column
 * runs the very same machine code.
 *
 * The exported interface, in WIT terms:
 *
 *   package rdylib:bench@0.1.0;
 *   interface api {
 *     record fields { a: u8, b: u16, c: u32, d: u64, e: f32, f: f64, g: bool, h: s32 }
 *     resource counter {
 *       constructor(start: u32);
 *       increment: func(by: u32) -> u32;
 *       value: func() -> u32;
 *     }
 *     add: func(a: u32, b: u32) -> u32;
 *     echo: func(s: string) -> string;
 *     echo-bytes: func(b: list<u8>) -> list<u8>;
 *     echo-fields: func(r: fields) -> fields;
 *   }
 *
 * Memory layout of the `mem` core instance (shared by `main`):
 *   [16, 24)        return area for string/list results: (ptr, len)
 *   [32, 72)        return area for `fields` (size 40, align 8)
 *   [1024, 65536)   counter slots, 8 bytes each: (value, next-free)
 *   [65536, ...)    bump heap for realloc; reset by every post-return
 *
 * The echo functions return the argument's own buffer (the callee owns it
 * after lowering), so the guest does no work proportional to the payload:
 * what is measured is the host's lowering and lifting.
 */
import { parse } from '../../scripts/lib/jco.ts';

export const BENCH_INTERFACE = 'rdylib:bench/api@0.1.0';

const HEAP_BASE = 65536;
const SLOTS_BASE = 1024;

/** Owns the memory, the allocator and the counter slots; imports nothing. */
export const MEM_CORE_WAT = `(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const ${HEAP_BASE}))
  (global $free (mut i32) (i32.const 0))
  (global $next-slot (mut i32) (i32.const ${SLOTS_BASE}))

  ;; cabi_realloc: a bump allocator that grows memory on demand.
  (func (export "realloc") (param $orig i32) (param $orig-size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i32) (local $have i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.shr_u
                  (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535))
                  (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (if (local.get $orig)
      (then
        (memory.copy (local.get $ptr) (local.get $orig)
          (select (local.get $orig-size) (local.get $size)
            (i32.lt_u (local.get $orig-size) (local.get $size))))))
    (local.get $ptr))

  ;; Called by every post-return: results have been lifted, the heap is free.
  (func (export "reset-heap")
    (global.set $heap (i32.const ${HEAP_BASE})))

  (func (export "alloc-slot") (result i32)
    (local $slot i32)
    (if (global.get $free)
      (then
        (local.set $slot (global.get $free))
        (global.set $free (i32.load offset=4 (local.get $slot)))
        (return (local.get $slot))))
    (local.set $slot (global.get $next-slot))
    (if (i32.ge_u (local.get $slot) (i32.const ${HEAP_BASE}))
      (then unreachable))
    (global.set $next-slot (i32.add (local.get $slot) (i32.const 8)))
    (local.get $slot))

  ;; The counter's destructor: its rep is the slot address.
  (func (export "drop-counter") (param $slot i32)
    (i32.store offset=4 (local.get $slot) (global.get $free))
    (global.set $free (local.get $slot)))
)`;

/**
 * Padding functions make the load case's core module realistically large
 * (~100 KB) with real code to validate and compile, not just a data blob.
 */
function paddingFunctions(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      `  (func $pad${i} (param $x i32) (param $y i32) (result i32)
    (i32.xor
      (i32.mul (i32.add (local.get $x) (i32.const ${i * 7919})) (local.get $y))
      (i32.rotl (i32.sub (local.get $y) (i32.const ${i * 104729})) (i32.const ${i % 31}))))`,
    );
  }
  return out.join('\n');
}

/** The exports' code; takes its memory and allocator from `mem`. */
export function mainCoreWat(padding = 0): string {
  return `(module
  (import "mem" "memory" (memory 1))
  (import "mem" "reset-heap" (func $reset-heap))
  (import "mem" "alloc-slot" (func $alloc-slot (result i32)))
  (import "res" "counter-new" (func $counter-new (param i32) (result i32)))

  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  ;; string and list<u8> share one core shape: (ptr, len) in, return area out.
  (func $echo (export "echo") (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (i32.const 16))
  (func (export "echo-bytes") (param i32 i32) (result i32)
    (call $echo (local.get 0) (local.get 1)))
  (func (export "post-echo") (param i32)
    (call $reset-heap))

  ;; record fields flattens to 8 params; its 40-byte result goes through memory.
  (func (export "echo-fields")
    (param $a i32) (param $b i32) (param $c i32) (param $d i64)
    (param $e f32) (param $f f64) (param $g i32) (param $h i32) (result i32)
    (i32.store8 (i32.const 32) (local.get $a))
    (i32.store16 (i32.const 34) (local.get $b))
    (i32.store (i32.const 36) (local.get $c))
    (i64.store (i32.const 40) (local.get $d))
    (f32.store (i32.const 48) (local.get $e))
    (f64.store (i32.const 56) (local.get $f))
    (i32.store8 (i32.const 64) (local.get $g))
    (i32.store (i32.const 68) (local.get $h))
    (i32.const 32))

  (func (export "counter-new") (param $start i32) (result i32)
    (local $slot i32)
    (local.set $slot (call $alloc-slot))
    (i32.store (local.get $slot) (local.get $start))
    (call $counter-new (local.get $slot)))
  (func (export "counter-increment") (param $slot i32) (param $by i32) (result i32)
    (local $v i32)
    (local.set $v (i32.add (i32.load (local.get $slot)) (local.get $by)))
    (i32.store (local.get $slot) (local.get $v))
    (local.get $v))
  (func (export "counter-value") (param $slot i32) (result i32)
    (i32.load (local.get $slot)))
${paddingFunctions(padding)}
)`;
}

const FIELDS_RECORD =
  '(record (field "a" u8) (field "b" u16) (field "c" u32) (field "d" u64) (field "e" f32) (field "f" f64) (field "g" bool) (field "h" s32))';

/**
 * The component: instantiates `mem`, defines the resource with `mem`'s
 * destructor (so no core instance depends on itself), instantiates `main`,
 * lifts the exports, and re-exports them through a nested component so the
 * exported interface names its own `fields` and `counter` types, as
 * wit-component does.
 */
export function benchComponentWat(padding = 0): string {
  const mem = `(core memory $mem "memory")`;
  return `(component
  (core module $Mem ${MEM_CORE_WAT.slice('(module'.length, -1)})
  (core instance $mem (instantiate $Mem))
  (type $counter (resource (rep i32) (dtor (core func $mem "drop-counter"))))
  (core func $counter-new (canon resource.new $counter))
  (core module $Main ${mainCoreWat(padding).slice('(module'.length, -1)})
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "res" (instance (export "counter-new" (func $counter-new))))))

  (type $fields ${FIELDS_RECORD})
  (func $add (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $main "add")))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $main "echo") (memory ${mem}) (realloc (core func $mem "realloc"))
      string-encoding=utf8 (post-return (core func $main "post-echo"))))
  (func $echo-bytes (param "b" (list u8)) (result (list u8))
    (canon lift (core func $main "echo-bytes") (memory ${mem}) (realloc (core func $mem "realloc"))
      (post-return (core func $main "post-echo"))))
  (func $echo-fields (param "r" $fields) (result $fields)
    (canon lift (core func $main "echo-fields") (memory ${mem})))
  (func $counter-ctor (param "start" u32) (result (own $counter))
    (canon lift (core func $main "counter-new")))
  (func $counter-increment (param "self" (borrow $counter)) (param "by" u32) (result u32)
    (canon lift (core func $main "counter-increment")))
  (func $counter-value (param "self" (borrow $counter)) (result u32)
    (canon lift (core func $main "counter-value")))

  (component $Api
    (import "import-type-counter" (type $c (sub resource)))
    (type $fields0 ${FIELDS_RECORD})
    (import "import-type-fields" (type $f (eq $fields0)))
    (import "import-func-add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (import "import-func-echo" (func $echo (param "s" string) (result string)))
    (import "import-func-echo-bytes" (func $echo-bytes (param "b" (list u8)) (result (list u8))))
    (import "import-func-echo-fields" (func $echo-fields (param "r" $f) (result $f)))
    (import "import-constructor-counter" (func $ctor (param "start" u32) (result (own $c))))
    (import "import-method-counter-increment" (func $inc (param "self" (borrow $c)) (param "by" u32) (result u32)))
    (import "import-method-counter-value" (func $value (param "self" (borrow $c)) (result u32)))
    (export $fields-e "fields" (type $f))
    (export $counter-e "counter" (type $c))
    (export "add" (func $add))
    (export "echo" (func $echo))
    (export "echo-bytes" (func $echo-bytes))
    (export "echo-fields" (func $echo-fields) (func (param "r" $fields-e) (result $fields-e)))
    (export "[constructor]counter" (func $ctor) (func (param "start" u32) (result (own $counter-e))))
    (export "[method]counter.increment" (func $inc) (func (param "self" (borrow $counter-e)) (param "by" u32) (result u32)))
    (export "[method]counter.value" (func $value) (func (param "self" (borrow $counter-e)) (result u32)))
  )
  (instance $api (instantiate $Api
    (with "import-type-counter" (type $counter))
    (with "import-type-fields" (type $fields))
    (with "import-func-add" (func $add))
    (with "import-func-echo" (func $echo))
    (with "import-func-echo-bytes" (func $echo-bytes))
    (with "import-func-echo-fields" (func $echo-fields))
    (with "import-constructor-counter" (func $counter-ctor))
    (with "import-method-counter-increment" (func $counter-increment))
    (with "import-method-counter-value" (func $counter-value))))
  (export "${BENCH_INTERFACE}" (instance $api))
)`;
}

export interface BenchGuest {
  /** The component binary. */
  readonly component: Uint8Array<ArrayBuffer>;
  /** The same core modules, compiled on their own for the raw baseline. */
  readonly memCore: Uint8Array<ArrayBuffer>;
  readonly mainCore: Uint8Array<ArrayBuffer>;
}

export async function buildBenchGuest(padding = 0): Promise<BenchGuest> {
  const [component, memCore, mainCore] = await Promise.all([
    parse(benchComponentWat(padding)),
    parse(MEM_CORE_WAT),
    parse(mainCoreWat(padding)),
  ]);
  // Copies into plain ArrayBuffers, which is what WebAssembly.compile accepts.
  return { component: new Uint8Array(component), memCore: new Uint8Array(memCore), mainCore: new Uint8Array(mainCore) };
}
