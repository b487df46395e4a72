/**
 * Runs one peer validation script (wasm-tools' `tests/cli/component-model`)
 * against the host's load-time checks. The scripts are read by the
 * conformance runner's WAST reader and encoded the same way; only the
 * verdict differs: wasm-tools validates, it instantiates nothing.
 *
 * What each command expects of the host (features: see features.ts):
 * - `(component ...)` / `(component definition ...)`: accepted; in a script
 *   that enables features wasm-tools leaves off by default, accepted or
 *   refused as `unsupported`;
 * - `assert_invalid`, `assert_malformed`: refused (a LoadError of any kind:
 *   where wasm-tools draws the line between decoding and validating is its
 *   own); a quoted component the text parser rejects counts as refused;
 * - in a script run with default features switched off, refusals say nothing
 *   about the defaults, so they are skipped;
 * - invoke, assert_return and the other instance commands are not validation: skipped.
 *
 * A refusal where acceptance was expected is a `difference` (listable in
 * known-differences.txt with its reason), and so is a component the text
 * parser can no longer encode, and an acceptance where wasm-tools' refusal
 * says only that a feature it gates is off, for the features the host
 * implements (features.ts `HOST_ENABLED_GATES`); any other acceptance where a
 * refusal was expected is a `false-accept`, which nothing excuses. A core module in an assertion is
 * skipped (core validation is the JS engine's).
 */

import { LoadError, type LoadErrorKind } from '../../host/errors.ts';
import { compile } from '../../host/load.ts';
import { encodeComponent } from '../conformance/encode.ts';
import { CORE_MODULE_SKIP, runScript } from '../conformance/runner.ts';
import type { Command, ComponentSource } from '../conformance/wast-commands.ts';
import { hostEnabledGate, type ScriptFeatures } from './features.ts';

export type PeerStatus = 'passed' | 'difference' | 'false-accept' | 'failed' | 'skipped';

export interface PeerCase {
  /** `file:line` (`#n` for the n-th command on one line), the file relative to the suite folder. */
  readonly id: string;
  readonly kind: Command['kind'] | 'script';
  readonly status: PeerStatus;
  readonly detail: string;
}

/** What the host did with one component's bytes. */
export type HostVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly kind: LoadErrorKind; readonly message: string };

/** The host's load-time checks (parse, validate, compile core modules), without instantiation. */
export type Validate = (bytes: Uint8Array) => HostVerdict;

/** Anything but a LoadError escapes: a host that throws something else has a bug the run must show. */
export const validateWithHost: Validate = (bytes) => {
  try {
    compile(bytes);
    return { accepted: true };
  } catch (e) {
    if (e instanceof LoadError) return { accepted: false, kind: e.kind, message: e.message };
    throw e;
  }
};

type Verdict = { readonly status: PeerStatus; readonly detail: string };

export async function runPeerScript(validate: Validate, file: string, source: string, features: ScriptFeatures): Promise<PeerCase[]> {
  return runScript(file, source, (cmd) => runCommand(validate, cmd, features));
}

const NOT_VALIDATION = 'instantiation and calls: wasm-tools only validates these scripts';

async function runCommand(validate: Validate, cmd: Command, features: ScriptFeatures): Promise<Verdict> {
  switch (cmd.kind) {
    case 'component':
    case 'component definition':
      return expectAccepted(validate, cmd.component, features);
    case 'assert_invalid':
    case 'assert_malformed':
      if (cmd.coreModule === true) return { status: 'skipped', detail: CORE_MODULE_SKIP };
      if (features.kind === 'reduced') {
        return { status: 'skipped', detail: `refused with ${features.removed.join(', ')} switched off; says nothing about the default features` };
      }
      return expectRefused(validate, cmd.component, cmd.message);
    default:
      return { status: 'skipped', detail: NOT_VALIDATION };
  }
}

async function expectAccepted(validate: Validate, c: ComponentSource, features: ScriptFeatures): Promise<Verdict> {
  const encoded = await encodeComponent(c.body);
  // The scripts' wasm-tools and the text parser jco ships are different versions: syntax one has dropped is a difference of the pipeline, listed like any other.
  if (!encoded.ok) return { status: 'difference', detail: `the text parser could not encode a component wasm-tools accepts: ${encoded.message}` };
  const v = validate(encoded.bytes);
  if (v.accepted) return { status: 'passed', detail: '' };
  if (features.kind === 'extended' && v.kind === 'unsupported') {
    return { status: 'passed', detail: `refused as unsupported (valid only with ${features.added.join(', ')}): ${v.message}` };
  }
  const valid = features.kind === 'extended' ? `valid with ${features.added.join(', ')}` : 'valid with default features';
  return { status: 'difference', detail: `${valid}, refused as ${v.kind}: ${v.message}` };
}

async function expectRefused(validate: Validate, c: ComponentSource, message: string): Promise<Verdict> {
  const encoded = await encodeComponent(c.body);
  if (!encoded.ok) {
    if (c.body.encoding === 'quote') return { status: 'passed', detail: `rejected by the text parser: ${encoded.message}` };
    return { status: 'skipped', detail: `the text parser rejected the component before the host saw it: ${encoded.message}` };
  }
  const v = validate(encoded.bytes);
  if (v.accepted) {
    const gate = hostEnabledGate(message);
    if (gate !== undefined) return { status: 'difference', detail: `accepted: wasm-tools gates it behind ${gate}, which the host implements (${JSON.stringify(message)})` };
    return { status: 'false-accept', detail: `accepted a component wasm-tools refuses (${JSON.stringify(message)})` };
  }
  return { status: 'passed', detail: `refused as ${v.kind}: ${v.message}` };
}
