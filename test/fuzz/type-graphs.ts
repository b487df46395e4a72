/**
 * Structured inputs for validation-cost fuzzing: component texts whose types
 * are deeply nested and widely shared, reached through many aliases, and
 * instantiated in large graphs — the shapes where a validator that walks
 * types as trees does work exponential in the input's size. Each generator
 * takes a seeded Rng, so a failing input can be replayed from its seed.
 */
import type { Rng } from './mutator.ts';

export type Shape = 'nested-component-types' | 'shared-value-types' | 'instance-graph' | 'alias-chains' | 'nested-instance-types';

export const SHAPES: readonly Shape[] = ['nested-component-types', 'shared-value-types', 'instance-graph', 'alias-chains', 'nested-instance-types'];

const times = (n: number, f: (k: number) => string): string => Array.from({ length: n }, (_, k) => f(k)).join(' ');

/** `depth` levels of component types, each importing the previous one `fan` times (very-nested.wast's shape). */
function nestedComponentTypes(rng: Rng): string {
  const depth = 1 + rng.below(12);
  const fan = 1 + rng.below(12);
  const types = ['(type $t0 (component (import "f" (func))))'];
  for (let i = 1; i <= depth; i++) {
    types.push(`(type $t${i} (component ${times(fan, (k) => `(import "i${k}" (component (type $t${i - 1})))`)} (export "e" (component (type $t${i - 1})))))`);
  }
  const use = rng.below(2) === 0 ? `(import "top" (component (type $t${depth})))` : '';
  return `(component ${types.join('\n')} ${use})`;
}

/** Records, tuples, variants and lists whose members are the previous level `fan` times, then used in a function type. */
function sharedValueTypes(rng: Rng): string {
  const depth = 1 + rng.below(10);
  const fan = 1 + rng.below(12);
  const types = ['(type $v0 (enum "a" "b"))'];
  for (let i = 1; i <= depth; i++) {
    const prev = `$v${i - 1}`;
    switch (rng.below(4)) {
      case 0:
        types.push(`(type $v${i} (record ${times(fan, (k) => `(field "f${k}" ${prev})`)}))`);
        break;
      case 1:
        types.push(`(type $v${i} (tuple ${times(fan, () => prev)}))`);
        break;
      case 2:
        types.push(`(type $v${i} (variant ${times(fan, (k) => `(case "c${k}" ${prev})`)}))`);
        break;
      default:
        types.push(`(type $v${i} (list ${prev}))`);
    }
  }
  return `(component ${types.join('\n')} (type (func (param "p" $v${depth}) (result $v${depth}))))`;
}

/** Components each instantiating the previous one `fan` times and exporting the instances (a large instance graph). */
function instanceGraph(rng: Rng): string {
  const depth = 1 + rng.below(9);
  const fan = 1 + rng.below(12);
  const comps = ['(component $c0 (import "f" (func)) (export "f2" (func 0)))'];
  for (let i = 1; i <= depth; i++) {
    comps.push(`(component $c${i} (import "f" (func $f)) ${times(fan, (k) => `(instance (export "e${k}") (instantiate $c${i - 1} (with "f" (func $f))))`)})`);
  }
  return `(component (import "f" (func $f)) ${comps.join('\n')} (instance (instantiate $c${depth} (with "f" (func $f)))))`;
}

/** An imported instance whose exports are aliased, re-bundled and re-exported in a chain. */
function aliasChains(rng: Rng): string {
  const width = 1 + rng.below(20);
  const rounds = 1 + rng.below(8);
  const decls = times(width, (k) => `(type $r${k} (record (field "x" u32))) (export "t${k}" (type (eq $r${k}))) (export "f${k}" (func (param "p" u32)))`);
  const out = [`(import "base" (instance $i0 ${decls}))`];
  for (let r = 1; r <= rounds; r++) {
    out.push(times(width, (k) => `(alias export $i${r - 1} "t${k}" (type $a${r}-${k})) (alias export $i${r - 1} "f${k}" (func $g${r}-${k}))`));
    out.push(`(instance $i${r} ${times(width, (k) => `(export "t${k}" (type $a${r}-${k})) (export "f${k}" (func $g${r}-${k}))`)})`);
  }
  out.push(`(export "last" (instance $i${rounds}))`);
  return `(component ${out.join('\n')})`;
}

/** Instance types nesting the previous one `fan` times as exports, imported at the top. */
function nestedInstanceTypes(rng: Rng): string {
  const depth = 1 + rng.below(10);
  const fan = 1 + rng.below(12);
  const types = ['(type $n0 (instance (type $r (record (field "x" u32))) (export "r" (type (eq $r))) (export "g" (func))))'];
  for (let i = 1; i <= depth; i++) types.push(`(type $n${i} (instance ${times(fan, (k) => `(export "x${k}" (instance (type $n${i - 1})))`)}))`);
  return `(component ${types.join('\n')} (import "top" (instance (type $n${depth}))))`;
}

export function generate(shape: Shape, rng: Rng): string {
  switch (shape) {
    case 'nested-component-types':
      return nestedComponentTypes(rng);
    case 'shared-value-types':
      return sharedValueTypes(rng);
    case 'instance-graph':
      return instanceGraph(rng);
    case 'alias-chains':
      return aliasChains(rng);
    case 'nested-instance-types':
      return nestedInstanceTypes(rng);
  }
}
