/**
 * One example plugin instantiated twice: through our runtime (`compile` once,
 * then `instantiate`, the public API) and through jco's transpiled bindings
 * (test/sdk/transpiled.ts, which records `rdylib-panic` reports). A test that
 * makes a plugin trap takes a fresh pair: after a trap an instance is not
 * reused.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { compile, type CompiledComponent, type Plugin } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';
import { instantiatePlugin, type TranspiledPlugin } from '../sdk/transpiled.ts';
import { jco, ours, type Outcome } from './normalise.ts';

export interface Pair<T> {
  readonly ours: T;
  readonly jco: T;
  readonly oursPlugin: Plugin;
  readonly jcoPlugin: TranspiledPlugin;
  /** Calls `f` on each side's API and returns both outcomes, ours first. */
  both(f: (api: T) => unknown): [Outcome, Outcome];
}

const compiled = new Map<string, CompiledComponent>();

/** Imports for each side separately, when they differ (e.g. another plugin's classes). */
export class SideImports {
  constructor(
    readonly ours: Record<string, unknown>,
    readonly jco: Record<string, unknown>,
  ) {}
}

/**
 * The guest `name` through both hosts, `iface` picked from each one's
 * exports. `imports` are keyed as jco takes them (interface names without
 * the version), the same for both sides unless given per side.
 */
export async function pair<T>(name: string, iface: string, imports: Record<string, unknown> | SideImports = {}): Promise<Pair<T>> {
  let c = compiled.get(name);
  if (!c) {
    c = compile(readGuest(name));
    compiled.set(name, c);
  }
  const sides = imports instanceof SideImports ? imports : { ours: imports, jco: imports };
  const oursPlugin = c.instantiate(sides.ours, name);
  const jcoPlugin = await instantiatePlugin(name, sides.jco);
  const o = oursPlugin.exports[iface] as T | undefined;
  const j = jcoPlugin.exports[iface] as T | undefined;
  if (o === undefined) throw new Error(`our runtime's ${name} has no export ${iface}: ${Object.keys(oursPlugin.exports).join(', ')}`);
  if (j === undefined) throw new Error(`jco's ${name} has no export ${iface}: ${Object.keys(jcoPlugin.exports).join(', ')}`);
  return {
    ours: o,
    jco: j,
    oursPlugin,
    jcoPlugin,
    both: (f) => [ours(() => f(o)), jco(jcoPlugin, () => f(j))],
  };
}

/**
 * For `numRuns` inputs drawn from `input`: `onOurs` returns normally through
 * our runtime, and `onJco` through jco (whose traps `jcoPlugin` explains)
 * has the same outcome.
 */
export function expectSameReturns<I>(
  input: fc.Arbitrary<I>,
  numRuns: number,
  jcoPlugin: TranspiledPlugin,
  onOurs: (x: I) => unknown,
  onJco: (x: I) => unknown,
): void {
  fc.assert(
    fc.property(input, (x) => {
      const o = ours(() => onOurs(x));
      expect(o.kind).toBe('return');
      expect(o).toEqual(jco(jcoPlugin, () => onJco(x)));
    }),
    { numRuns },
  );
}
