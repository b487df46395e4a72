/**
 * plugin-cell.ts revoke: a slot that was called gets its thrower at unload;
 * one never called stays empty until its first call after unload, which
 * `compile` answers with the thrower. Either way every use after unload
 * throws (or, for an async export, rejects with) UnloadedError naming the
 * item, through every way JS reaches a slot: constructors, methods on the
 * prototype (read before or after unload), and a face made only at unload.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { load } from '../../host/load.ts';
import { UnloadedError } from '../../host/errors.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';
import { CELLS } from '../runtime/fixtures/cells.ts';

interface Api {
  Cell: new (v: number) => { get(): number };
  Later: { prototype: { two(b: number): number } };
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

  it('through the face: called and never-called constructors and methods, read before or after unload', async () => {
    const plugin = await load(await parse(CELLS), { unchecked: true, name: 'cells' });
    const api = plugin.exports['rdylib:test/cells@0.1.0'] as Api;
    const c = new api.Cell(7);
    const get = api.Cell.prototype.get;
    const two = api.Later.prototype.two;
    await plugin.unload();
    // The constructor was called before unload; `get` and `two` never were: their first call after it throws too.
    expect(() => new api.Cell(1)).toThrow(unloaded('rdylib:test/cells@0.1.0#[constructor]cell'));
    expect(() => c.get()).toThrow(unloaded('rdylib:test/cells@0.1.0#[method]cell.get'));
    expect(() => get.call(c)).toThrow(UnloadedError);
    expect(() => two.call({}, 1)).toThrow(unloaded('rdylib:test/cells@0.1.0#[method]later.two'));
  });

  it('through a face made only at unload', async () => {
    const plugin = await load(await parse(CELLS), { unchecked: true, name: 'cells' });
    await plugin.unload();
    const api = plugin.exports['rdylib:test/cells@0.1.0'] as Api;
    expect(() => new api.Cell(1)).toThrow(unloaded('rdylib:test/cells@0.1.0#[constructor]cell'));
    expect(() => api.Cell.prototype.get.call({})).toThrow(UnloadedError);
    expect(() => api.Later.prototype.two.call({}, 1)).toThrow(UnloadedError);
  });
});
