/**
 * One example plugin instantiated twice: through our runtime (`compile` once,
 * then `instantiate`, the public API) and through jco's transpiled bindings
 * (test/sdk/transpiled.ts, which records `rdylib-panic` reports). A test that
 * makes a plugin trap takes a fresh pair: after a trap an instance is not
 * reused.
 */
import { compile, type CompiledComponent, type Plugin } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';
import { instantiatePlugin, type TranspiledPlugin } from '../sdk/transpiled.ts';
import { importsFor, jco, ours, type Outcome } from './normalise.ts';

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
 * exports. `imports` are keyed by full import name, the same for both sides
 * unless given per side.
 */
export async function pair<T>(name: string, iface: string, imports: Record<string, unknown> | SideImports = {}): Promise<Pair<T>> {
  let c = compiled.get(name);
  if (!c) {
    c = compile(readGuest(name));
    compiled.set(name, c);
  }
  const keyed = imports instanceof SideImports ? { ours: importsFor(imports.ours).ours, jco: importsFor(imports.jco).jco } : importsFor(imports);
  const oursPlugin = c.instantiate(keyed.ours, name);
  const jcoPlugin = await instantiatePlugin(name, keyed.jco);
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
