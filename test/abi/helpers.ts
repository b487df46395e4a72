/** Test support for host/abi: a real wasm memory with a bump allocator written in WAT. */
import { parse } from '../../scripts/lib/jco.ts';
import type { CanonOptions, StringEncoding } from '../../host/abi/index.ts';
import { LiftLowerContext } from '../../host/abi/context.ts';
import { ComponentInstance } from '../../host/abi/index.ts';

/**
 * realloc(old, oldSize, align, newSize): shrinking keeps the block; otherwise
 * bumps an aligned block from `$bump` and copies the old contents, growing the
 * memory when needed (so tests also see `memory.buffer` replaced).
 */
const ALLOC_WAT = `(module
  (memory (export "memory") 1)
  (global $bump (export "bump") (mut i32) (i32.const 1024))
  (func (export "realloc") (param $old i32) (param $oldSize i32) (param $align i32) (param $newSize i32) (result i32)
    (local $p i32) (local $end i32)
    (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.le_u (local.get $newSize) (local.get $oldSize)))
      (then (return (local.get $old))))
    (local.set $p (i32.and
      (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
      (i32.xor (i32.sub (local.get $align) (i32.const 1)) (i32.const -1))))
    (local.set $end (i32.add (local.get $p) (local.get $newSize)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.const 1)
        (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)))))))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $oldSize))))
    (global.set $bump (local.get $end))
    (local.get $p))
)`;

let allocModule: WebAssembly.Module | undefined;

export interface Mem {
  memory: WebAssembly.Memory;
  realloc: (a: number, b: number, c: number, d: number) => number;
  /** Every realloc call, for checking the spec's allocation sequences. */
  calls: [number, number, number, number][];
}

export async function makeMem(): Promise<Mem> {
  allocModule ??= new WebAssembly.Module((await parse(ALLOC_WAT)) as Uint8Array<ArrayBuffer>);
  const inst = new WebAssembly.Instance(allocModule);
  const ex = inst.exports as { memory: WebAssembly.Memory; realloc: (a: number, b: number, c: number, d: number) => number };
  const calls: Mem['calls'] = [];
  return {
    memory: ex.memory,
    calls,
    realloc: (a, b, c, d) => {
      calls.push([a, b, c, d]);
      return ex.realloc(a, b, c, d);
    },
  };
}

export function opts(mem: Mem | undefined, stringEncoding: StringEncoding = 'utf8', postReturn?: CanonOptions['postReturn']): CanonOptions {
  return { memory: mem?.memory, realloc: mem?.realloc, postReturn, stringEncoding };
}

export function context(mem: Mem, stringEncoding: StringEncoding = 'utf8', inst = new ComponentInstance('test')): LiftLowerContext {
  const cx = new LiftLowerContext(opts(mem, stringEncoding), inst);
  cx.refresh();
  return cx;
}

export async function wat(text: string, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  return new WebAssembly.Instance(new WebAssembly.Module((await parse(text)) as Uint8Array<ArrayBuffer>), imports);
}
