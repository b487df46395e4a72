/**
 * plugin-cell.ts revoke: a slot that was called gets its thrower at unload;
 * one never called stays empty until its first call after unload, which
 * `compile` answers with the thrower. Either way every use after unload
 * throws (or, for an async export, rejects with) UnloadedError naming the
 * plugin and the item, through every way JS reaches a slot: the export
 * functions, methods on the prototype (read before or after unload), and
 * a face made only at unload.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { load } from '../../host/load.ts';
import { UnloadedError } from '../../host/errors.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';

const CELLS = `(component
  (type $cell (resource (rep i32)))
  (core func $new (canon resource.new $cell))
  (core module $m
    (import "r" "new" (func $new (param i32) (result i32)))
    (func (export "ctor") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "get") (param i32) (result i32) local.get 0)
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $ri (export "new" (func $new)))
  (core instance $i (instantiate $m (with "r" (instance $ri))))
  (alias core export $i "ctor" (core func $ctor))
  (alias core export $i "get" (core func $get))
  (alias core export $i "add" (core func $add))
  (export $cell' "cell" (type $cell))
  (func $c (param "v" u32) (result (own $cell')) (canon lift (core func $ctor)))
  (func $g (param "self" (borrow $cell')) (result u32) (canon lift (core func $get)))
  (func $a (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $add)))
  (instance $api
    (export "cell" (type $cell'))
    (export "[constructor]cell" (func $c))
    (export "[method]cell.get" (func $g))
    (export "add" (func $a)))
  (export "rdylib:test/cells@0.1.0" (instance $api)))`;

interface Api {
  Cell: new (v: number) => { get(): number };
  add(a: number, b: number): number;
}

const unloaded = (item: string) => expect.objectContaining({ name: 'UnloadedError', message: expect.stringContaining(`\`${item}\``) });

describe('revoked slots', () => {
  it('in the cell: a called slot holds its thrower at once, an uncalled one gets it at its first call', async () => {
    const cell = new PluginCell('p');
    const called = cell.addFunction('called', () => () => 1);
    const never = cell.addFunction('never', () => () => 2);
    const neverAsync = cell.addFunction('never-async', () => () => Promise.resolve(3), 'async');
    expect(cell.compile(called)()).toBe(1);
    cell.revoke();
    expect(cell.fns[called]).toBeTypeOf('function');
    expect(() => cell.fns[called]!()).toThrow(UnloadedError);
    expect(cell.fns[never]).toBeUndefined();
    const thrower = cell.compile(never);
    expect(cell.fns[never]).toBe(thrower);
    expect(() => thrower()).toThrow(unloaded('never'));
    await expect((cell.fns[neverAsync] ?? cell.compile(neverAsync))()).rejects.toThrow(unloaded('never-async'));
    // Never the maker: nothing of the instance is reached after revoke.
    expect(() => cell.compile(called)()).toThrow(unloaded('called'));
  });

  it('through the face: called and never-called functions and methods, read before or after unload', async () => {
    const plugin = await load(await parse(CELLS), { unchecked: true, name: 'cells' });
    const api = plugin.exports['rdylib:test/cells@0.1.0'] as Api;
    const c = new api.Cell(7);
    const get = api.Cell.prototype.get;
    expect(api.add(1, 2)).toBe(3);
    const d = new api.Cell(8);
    await plugin.unload();
    expect(() => api.add(1, 2)).toThrow(unloaded('rdylib:test/cells@0.1.0#add'));
    // `get` was never called: its first call after unload makes it throw too.
    expect(() => c.get()).toThrow(UnloadedError);
    expect(() => get.call(d)).toThrow(UnloadedError);
    expect(() => new api.Cell(1)).toThrow(unloaded('rdylib:test/cells@0.1.0#[constructor]cell'));
  });

  it('through a face made only at unload', async () => {
    const plugin = await load(await parse(CELLS), { unchecked: true, name: 'cells' });
    await plugin.unload();
    const api = plugin.exports['rdylib:test/cells@0.1.0'] as Api;
    expect(() => api.add(1, 2)).toThrow(unloaded('rdylib:test/cells@0.1.0#add'));
    expect(() => new api.Cell(1)).toThrow(UnloadedError);
    expect(() => api.Cell.prototype.get.call({})).toThrow(UnloadedError);
  });
});
