/**
 * Differential: the `registry` example (library-static data handed out as
 * handles) through our runtime and through jco, on the same inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f64, unicodeString } from './arbitraries.ts';
import { expectSameReturns, pair } from './hosts.ts';
import type { Registry } from '../support/example-apis.ts';

const IFACE = 'rdylib-guest:registry/registry@0.1.0';
const symbol = fc.oneof(fc.constantFrom('m', 'km', 'in', 'ft', 'mi'), unicodeString(4));

type Step =
  | { op: 'find'; symbol: string; drop: boolean }
  | { op: 'all' }
  | { op: 'convert'; value: number; from: string; to: string }
  | { op: 'sizes' }
  | { op: 'fresh-registry' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('find' as const), symbol, drop: fc.boolean() }),
  fc.constant({ op: 'all' as const }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant('convert' as const), value: f64, from: symbol, to: symbol }) },
  fc.constant({ op: 'sizes' as const }),
  fc.constant({ op: 'fresh-registry' as const }),
);

/** Runs `steps`, logging what each observes; a convert error is logged as its payload. */
function run(api: Registry, steps: readonly Step[]): unknown[] {
  const log: unknown[] = [];
  let reg = api.registry();
  for (const s of steps) {
    switch (s.op) {
      case 'find': {
        const u = reg.find(s.symbol);
        log.push(u === undefined ? 'none' : [u.info(), u.symbol()]);
        if (s.drop) u?.[Symbol.dispose]();
        break;
      }
      case 'all':
        log.push(reg.all().map((u) => u.info()));
        break;
      case 'convert':
        try {
          log.push(reg.convert(s.value, s.from, s.to));
        } catch (e) {
          log.push({ err: (e as { payload?: unknown }).payload });
        }
        break;
      case 'sizes':
        log.push([reg.len(), reg.isEmpty()]);
        break;
      case 'fresh-registry':
        // Dropping a handle to static data frees nothing; the next one sees the same units.
        reg[Symbol.dispose]();
        reg = api.registry();
        break;
    }
  }
  return log;
}

describe('registry: our runtime agrees with jco', () => {
  it('the same lookups, listings and conversions give the same results', async () => {
    const p = await pair<Registry>('registry', IFACE);
    expectSameReturns(fc.array(step, { maxLength: 20 }), 150, p.jcoPlugin, (steps) => run(p.ours, steps), (steps) => run(p.jco, steps));
  });

  it('rescaling a library-static unit: the same BorrowError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('m', 'km', 'in', 'ft', 'mi'), f64, async (sym, factor) => {
        const p = await pair<Registry>('registry', IFACE);
        const [o, j] = p.both((api) => api.registry().find(sym)!.rescale(factor));
        expect(o).toMatchObject({ kind: 'trap', error: 'BorrowError' });
        expect(o).toEqual(j);
      }),
      { numRuns: 10 },
    );
  });
});
