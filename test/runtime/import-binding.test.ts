/**
 * import-matching.ts `bindImportResources` pairs the resources an imported instance declares with
 * the ones supplied and checks the supplied item's shape (a linked plugin's item, an inner
 * component's argument), walking a list of the instance type's exports made once per type. What it
 * refuses, and the order it finds problems in, must be what walking the declared exports at every
 * load gave: each hostile argument is refused with its error whether the list is new or kept, a
 * refused instantiation leaves a good one working, and a good one after it gets its own resources.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../host/load.ts';
import { LoadError } from '../../host/errors.ts';
import { DEFAULT_LIMITS } from '../../host/abi/limits.ts';
import { Store } from '../../host/abi/store.ts';
import type { ComponentInstance } from '../../host/abi/component-instance.ts';
import { matchImports, bindImportResources } from '../../host/runtime/import-matching.ts';
import { instantiateStarted, type RuntimeItem } from '../../host/runtime/instantiate.ts';
import type { ResourceTypeRef } from '../../host/types.ts';
import { component } from '../hostile/support.ts';

const IFACE = 'ns:p/iface';

/** Imports an interface with a resource and a method on it; exports a function of the core module that calls nothing. */
const WAT = `(component
  (import "${IFACE}" (instance $i
    (export "r" (type $r (sub resource)))
    (export "[method]r.get" (func (param "self" (borrow $r)) (result u32)))
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (alias export $i "add" (func $add))
  (core func $add-c (canon lower (func $add)))
  (core module $m
    (import "h" "add" (func $add (param i32 i32) (result i32)))
    (func (export "run") (param $n i32) (result i32) (call $add (local.get $n) (i32.const 1))))
  (core instance $hi (export "add" (func $add-c)))
  (core instance $mi (instantiate $m (with "h" (instance $hi))))
  (func $run (param "n" u32) (result u32) (canon lift (core func $mi "run")))
  (export "run" (func $run)))`;

class R {
  get(): number {
    return 1;
  }
}

describe('binding the resources of an imported instance', () => {
  it('refuses each hostile argument with its error, new or kept, and a refusal changes nothing', async () => {
    const c = compile(await component(WAT), { cache: false });
    const vc = c.validated;
    const good = () => matchImports(vc.type.imports, { [IFACE]: { R, add: (a: number, b: number) => a + b } }).get(IFACE)!;
    const instance = (entries: [string, RuntimeItem][]): RuntimeItem => ({ kind: 'instance', instance: new Map(entries) });
    const g = good() as Extract<RuntimeItem, { kind: 'instance' }>;
    const func = g.instance.get('add')!;
    const hostile: [RuntimeItem | undefined, string][] = [
      [undefined, `missing import \`${IFACE}\` (at byte offset 73)`],
      [func, `import \`${IFACE}\` must be an instance`],
      [instance([['r', g.instance.get('r')!], ['add', func]]), `import \`${IFACE}\` is missing export \`[method]r.get\``],
      [instance([['[method]r.get', func], ['add', func]]), `import \`${IFACE}\` is missing export \`r\``],
      [instance([['r', func], ['[method]r.get', func], ['add', func]]), `import \`${IFACE}/r\` must be a resource type`],
    ];
    const run = (args: Map<string, RuntimeItem>): { value?: number; error?: string } => {
      const all: ComponentInstance[] = [];
      try {
        const out = instantiateStarted(vc, undefined, args, 'p', all, DEFAULT_LIMITS, new Store(), undefined, 'never');
        if (out instanceof Promise) throw new Error('a synchronous instantiation waited');
        const f = out.get('run') as Extract<RuntimeItem, { kind: 'func' }>;
        return { value: f.func.call(41) as number };
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
        expect((e as LoadError).kind).toBe('unlinkable');
        return { error: (e as Error).message };
      }
    };
    const args = (item: RuntimeItem | undefined) => new Map(item === undefined ? [] : [[IFACE, item]]);
    const first = hostile.map(([item]) => run(args(item)));
    expect(first).toEqual(hostile.map(([, message]) => ({ error: message })));
    expect(run(args(good()))).toEqual({ value: 42 });
    expect(hostile.map(([item]) => run(args(item)))).toEqual(first);
    expect(run(args(good()))).toEqual({ value: 42 });
  });

  it('pairs each declared resource with the one supplied, per call', async () => {
    const c = compile(await component(WAT), { cache: false });
    const desc = c.validated.type.imports.get(IFACE)!;
    const items = [0, 1].map(() => matchImports(c.validated.type.imports, { [IFACE]: { R, add: () => 0 } }).get(IFACE)!);
    const substs = items.map((item) => {
      const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
      bindImportResources(desc, item, subst, IFACE);
      return subst;
    });
    const rts = items.map((item) => ((item as Extract<RuntimeItem, { kind: 'instance' }>).instance.get('r') as Extract<RuntimeItem, { kind: 'type' }>).entry);
    for (let i = 0; i < 2; i++) {
      expect(substs[i]!.size).toBe(1);
      expect([...substs[i]!.values()]).toEqual([(rts[i] as { ref: ResourceTypeRef }).ref]);
    }
    expect([...substs[0]!.values()][0]).not.toBe([...substs[1]!.values()][0]);
  });
});
