/**
 * instantiate.ts LiftedOnFirstUse: a function lifted without tasks makes its
 * type (the validated type with this instance's resource identities) at its
 * first use, from the identities as they were at the lift. The type must be
 * the one an eager substitution gave: this instance's own resources, never
 * another load's, never changed by definitions after the lift; its arity
 * (`paramCount`) and whether it returns a Promise are known without it.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { compile, load } from '../../host/load.ts';
import { Store, type ComponentInstance } from '../../host/abi/index.ts';
import { DEFAULT_LIMITS } from '../../host/abi/limits.ts';
import { instantiateStarted, paramCount, type RuntimeFunc, type RuntimeInstance } from '../../host/runtime/instantiate.ts';
import type { ResourceTypeRef, ValType } from '../../host/types.ts';
import { CELLS } from './fixtures/cells.ts';

function instantiate(vc: Parameters<typeof instantiateStarted>[0]): RuntimeInstance {
  const instances: ComponentInstance[] = [];
  const made = instantiateStarted(vc, undefined, new Map(), 'cells', instances, DEFAULT_LIMITS, new Store(), undefined, 'never');
  if (made instanceof Promise) throw new Error('a synchronous instantiation waited');
  return made;
}

function api(exports: RuntimeInstance): RuntimeInstance {
  const item = exports.get('rdylib:test/cells@0.1.0');
  if (item?.kind !== 'instance') throw new Error('no api instance');
  return item.instance;
}

function funcOf(inst: RuntimeInstance, name: string): RuntimeFunc {
  const item = inst.get(name);
  if (item?.kind !== 'func') throw new Error(`no function ${name}`);
  return item.func;
}

function resourceOf(inst: RuntimeInstance, name: string): ResourceTypeRef {
  const item = inst.get(name);
  if (item?.kind !== 'type' || item.entry.kind !== 'resource') throw new Error(`no resource ${name}`);
  return item.entry.ref;
}

function handleResource(t: ValType | undefined): ResourceTypeRef {
  if (t === undefined || (t.kind !== 'own' && t.kind !== 'borrow')) throw new Error(`not a handle: ${t?.kind}`);
  return t.resource;
}

describe('types of functions lifted without tasks', () => {
  it('name the resources of their own instantiation, each load its own', async () => {
    const vc = compile(await parse(CELLS)).validated;
    const one = api(instantiate(vc));
    const two = api(instantiate(vc));
    for (const inst of [one, two]) {
      expect(handleResource(funcOf(inst, '[constructor]cell').type.result)).toBe(resourceOf(inst, 'cell'));
      expect(handleResource(funcOf(inst, '[method]cell.get').type.params[0]!.type)).toBe(resourceOf(inst, 'cell'));
      expect(handleResource(funcOf(inst, '[method]later.two').type.params[0]!.type)).toBe(resourceOf(inst, 'later'));
    }
    expect(resourceOf(one, 'cell')).not.toBe(resourceOf(two, 'cell'));
    // Made once: the same type object at every read.
    expect(funcOf(one, '[method]cell.get').type).toBe(funcOf(one, '[method]cell.get').type);
  });

  it('are made from the identities at the lift, whatever later definitions add', async () => {
    const vc = compile(await parse(CELLS)).validated;
    const inst = api(instantiate(vc));
    // `later` was defined after cell's lifts: their types mention only cell, as validated.
    const get = funcOf(inst, '[method]cell.get');
    expect(get.type.params.map((p) => p.name)).toEqual(['self']);
    expect(get.type.result).toEqual({ kind: 'u32' });
    expect(handleResource(get.type.params[0]!.type)).not.toBe(resourceOf(inst, 'later'));
  });

  it('give their arity and async-ness without the type', async () => {
    const vc = compile(await parse(CELLS)).validated;
    const inst = api(instantiate(vc));
    for (const [name, arity] of [['[constructor]cell', 1], ['[method]cell.get', 1], ['[method]later.two', 2]] as const) {
      const f = funcOf(inst, name);
      expect(paramCount(f)).toBe(arity);
      expect(f.returnsPromise).toBe(false);
      expect(paramCount(f)).toBe(f.type.params.length);
      expect(f.returnsPromise).toBe(f.type.async);
    }
  });

  it('work through the JS face: calls, wrong arities and wrong handles refused as before', async () => {
    const bytes = await parse(CELLS);
    for (let i = 0; i < 2; i++) {
      const plugin = await load(bytes, { unchecked: true });
      const a = plugin.exports['rdylib:test/cells@0.1.0'] as { Cell: new (v: number) => { get(): number } };
      const c = new a.Cell(5 + i);
      expect(c.get()).toBe(5 + i);
      expect(() => (a.Cell.prototype.get as (this: unknown) => number).call({})).toThrow(TypeError);
      await plugin.unload();
      expect(() => c.get()).toThrow(expect.objectContaining({ name: 'UnloadedError' }));
    }
  });
});
