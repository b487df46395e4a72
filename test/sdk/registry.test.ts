import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { readGuest } from '../support/guests.ts';
import { expectTrap, instantiatePlugin } from './transpiled.ts';
import type { Registry } from '../support/example-apis.ts';

describe('registry: the rdylib:abi section', () => {
  const abi = readRdylibAbi(readGuest('registry'))!;
  const fns = new Map(abi.interfaces[0]!.functions.map((f) => [f.name, f]));

  it('marks &\'static results as library-static, wherever they sit in the result', () => {
    expect(fns.get('registry')?.results).toEqual([{ path: [], resource: 'unit-registry', lifetime: 'static' }]);
    expect(fns.get('[method]unit-registry.find')?.results).toEqual([{ path: ['some'], resource: 'unit', lifetime: 'static' }]);
    expect(fns.get('[method]unit-registry.all')?.results).toEqual([{ path: ['elem'], resource: 'unit', lifetime: 'static' }]);
  });

  it("records `&'static self` receivers as static parameters", () => {
    expect(fns.get('[method]unit-registry.find')).toMatchObject({ receiver: 'shared', staticParams: [0] });
    expect(fns.get('[method]unit-registry.len')).toMatchObject({ receiver: 'shared', staticParams: [] });
    expect(fns.get('[method]unit.rescale')).toMatchObject({ receiver: 'exclusive', staticParams: [] });
  });
});

describe('registry through jco transpile', () => {
  it('hands out handles to the same static data; dropping them frees nothing', async () => {
    const { exports } = await instantiatePlugin('registry');
    const api = exports['registry'] as Registry;
    const a = api.registry();
    expect(a.len()).toBe(5);
    a[Symbol.dispose]();
    const b = api.registry();
    expect(b.convert(1, 'mi', 'km')).toBeCloseTo(1.609344, 12);
    expect(() => b.convert(1, 'm', 'parsec')).toThrow(expect.objectContaining({ payload: 'unknown unit `parsec`' }));
    const ft = b.find('ft')!;
    b[Symbol.dispose]();
    expect(ft.info()).toEqual({ name: 'foot', symbol: 'ft', factor: 0.3048 });
    expect(api.registry().find('nope')).toBeUndefined();
    expect(api.registry().all().map((u) => u.symbol())).toEqual(['m', 'km', 'in', 'ft', 'mi']);
  });

  it('mutating library-static data traps with a clear message', async () => {
    const plugin = await instantiatePlugin('registry');
    const unit = (plugin.exports['registry'] as Registry).registry().find('m')!;
    const report = expectTrap(plugin, () => unit.rescale(2));
    expect(report.message).toContain('`unit.rescale` needs exclusive access');
    expect(report.message).toContain('library-static');
  });
});
