/**
 * The wasm-tools features a peer script runs with, read from its `;; RUN:`
 * line, compared with wasm-tools' default feature set: a component that only
 * validates with a feature wasm-tools leaves off by default may be refused as
 * `unsupported`, while anything valid with the defaults must be accepted.
 */

/**
 * `WasmFeatures::default()` of wasmparser at the suite's commit
 * (crates/wasmparser/src/features.rs, a7ef4778): the features on unless a
 * script names them with `-f`.
 */
export const WASM_TOOLS_DEFAULT_FEATURES: ReadonlySet<string> = new Set([
  'mutable-global', 'saturating-float-to-int', 'sign-extension', 'reference-types', 'multi-value',
  'bulk-memory', 'simd', 'relaxed-simd', 'threads', 'tail-call', 'floats', 'multi-memory', 'exceptions',
  'memory64', 'extended-const', 'component-model', 'function-references', 'gc', 'gc-types',
  'wide-arithmetic', 'cm-async', 'call-indirect-overlong', 'bulk-memory-opt', 'compact-imports',
]);

export type ScriptFeatures =
  /** The defaults, possibly with default features named again. */
  | { readonly kind: 'default' }
  /** The defaults plus features wasm-tools leaves off by default. */
  | { readonly kind: 'extended'; readonly added: readonly string[] }
  /** Default features switched off (so its refusals do not say what the defaults decide). */
  | { readonly kind: 'reduced'; readonly removed: readonly string[] };

export interface RunLine {
  readonly features: ScriptFeatures;
  /** Uses the older index syntax (`WAST_STRICT_COMPONENT_INDICES=0`). */
  readonly lenientIndices: boolean;
}

export class RunLineError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'RunLineError';
  }
}

/** Reads the first `;; RUN` line: `-f a,b` and `--features=a,-b` (a leading `-` switches a feature off). */
export function readRunLine(source: string, file: string): RunLine {
  const line = source.split('\n').find((l) => /^;;\s*RUN(\[[a-z]+\])?:/.test(l));
  if (line === undefined) throw new RunLineError(file, 'no `;; RUN:` line naming the features the script runs with');
  const words = line.replace(/^;;\s*RUN(\[[a-z]+\])?:/, '').trim().split(/\s+/);
  const named: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-f' || w === '--features') {
      const list = words[++i];
      if (list === undefined) throw new RunLineError(file, `\`${w}\` without a feature list`);
      named.push(...list.split(','));
    } else if (w.startsWith('--features=')) {
      named.push(...w.slice('--features='.length).split(','));
    }
  }
  const removed = named.filter((f) => f.startsWith('-')).map((f) => f.slice(1));
  const added = named.filter((f) => !f.startsWith('-') && !WASM_TOOLS_DEFAULT_FEATURES.has(f));
  const lenientIndices = /WAST_STRICT_COMPONENT_INDICES=0/.test(line);
  if (removed.length > 0) return { features: { kind: 'reduced', removed }, lenientIndices };
  if (added.length > 0) return { features: { kind: 'extended', added }, lenientIndices };
  return { features: { kind: 'default' }, lenientIndices };
}

/**
 * wasm-tools features off by default that the host implements anyway, because
 * the Component Model's reference tests (../shared/conformance) need them, by
 * the name wasm-tools' refusals give them ("requires the component model
 * <name> feature"). A refusal that says only that such a feature is off is a
 * difference in the feature set, listed in known-differences.txt with its
 * reason, not a false accept.
 */
export const HOST_ENABLED_GATES: ReadonlyMap<string, string> = new Map([
  ['more async builtins', 'cm-more-async-builtins (🚝): async stream/future cancels, as the reference tests use them'],
]);

/** The host-enabled feature a wasm-tools refusal message says is off, if it is one. */
export function hostEnabledGate(message: string): string | undefined {
  const m = /requires the component model (.+?) feature/.exec(message);
  return m === null ? undefined : HOST_ENABLED_GATES.get(m[1]!);
}
