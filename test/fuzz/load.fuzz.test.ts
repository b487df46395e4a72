/**
 * Load fuzzing: mutated and truncated versions of the example components (and
 * small hand-written ones), plus random bytes, fed to `load` (every other one
 * through `capLinearMemory` first). The only
 * acceptable outcomes are a loaded plugin or a LoadError; anything else (a
 * crash, an untyped exception, another error class) is collected and fails
 * the test with the input's seed and strategy so it can be replayed.
 *
 * Bounded by input count, not time. FUZZ_INPUTS and FUZZ_SEED override the
 * defaults (e.g. a longer run in CI's nightly job).
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../host/load.ts';
import { LoadError } from '../../host/errors.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { readGuest } from '../support/guests.ts';
import { mutate, Rng, STRATEGIES, type Strategy } from './mutator.ts';
import { capLinearMemory } from '../../host/plugin/memory-cap.ts';

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** Small components covering sections the Rust examples do not use (nested components, resources, imports). */
const WAT_SEEDS = [
  `(component
    (import "log" (func $log (param "msg" string)))
    (core module $mem (memory (export "mem") 1) (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 64))
    (core instance $mi (instantiate $mem))
    (core func $l (canon lower (func $log) (memory (core memory $mi "mem"))))
    (core module $m (import "h" "log" (func (param i32 i32))) (func (export "run") (call 0 (i32.const 0) (i32.const 0))))
    (core instance $hi (export "log" (func $l)))
    (core instance $i (instantiate $m (with "h" (instance $hi))))
    (func $run (canon lift (core func $i "run")))
    (export "run" (func $run)))`,
  `(component
    (core module $dt (func (export "dtor") (param i32)))
    (core instance $d (instantiate $dt))
    (type $r (resource (rep i32) (dtor (core func $d "dtor"))))
    (core func $new (canon resource.new $r))
    (core module $m (import "r" "new" (func (param i32) (result i32))) (func (export "mk") (result i32) (call 0 (i32.const 1))))
    (core instance $ri (export "new" (func $new)))
    (core instance $i (instantiate $m (with "r" (instance $ri))))
    (func $mk (result (own $r)) (canon lift (core func $i "mk")))
    (type $v' (variant (case "a" u32) (case "b" string) (case "c")))
    (instance $api (export "r" (type $r)) (export "mk" (func $mk)) (export "v" (type $v')))
    (export "rdylib:fuzz/api@0.1.0" (instance $api)))`,
  `(component
    (component $inner
      (import "base" (func $base (result u32)))
      (core func $lb (canon lower (func $base)))
      (core module $m (import "x" "b" (func (result i32))) (func (export "t") (result i32) (i32.mul (call 0) (i32.const 2))))
      (core instance $xi (export "b" (func $lb)))
      (core instance $i (instantiate $m (with "x" (instance $xi))))
      (func $t (result u32) (canon lift (core func $i "t")))
      (export "t" (func $t)))
    (core module $m (func (export "s") (result i32) i32.const 7))
    (core instance $i (instantiate $m))
    (func $s (result u32) (canon lift (core func $i "s")))
    (instance $x (instantiate $inner (with "base" (func $s))))
    (export "t" (func $x "t")))`,
];

const IMPORTS = {
  'rdylib-panic': () => undefined,
  log: () => undefined,
};

interface Finding {
  input: number;
  strategy: Strategy;
  seedName: string;
  error: string;
}

describe('load fuzzing', () => {
  it(`loads ${INPUTS} mutated/random inputs: only a Plugin or a LoadError`, async () => {
    const seeds: [string, Uint8Array][] = [
      ['hello.wasm', readGuest('hello')],
      ['kv.wasm', readGuest('kv')],
    ];
    for (const [i, w] of WAT_SEEDS.entries()) seeds.push([`wat${i}`, (await parse(w)) as Uint8Array]);
    // The seeds themselves must load, or the mutations say little.
    for (const [, b] of seeds) (await load(b, { unchecked: true, imports: IMPORTS })).unload();

    const rng = new Rng(SEED);
    const tally = new Map<string, number>();
    const findings: Finding[] = [];
    let tried = 0;
    for (let input = 0; input < INPUTS; input++) {
      const strategy = STRATEGIES[input % STRATEGIES.length]!;
      const [seedName, seed] = rng.pick(seeds);
      const [, other] = rng.pick(seeds);
      const bytes = mutate(rng, strategy, seed, other);
      tried++;
      let outcome: string;
      try {
        // Every other input also goes through the linear-memory cap's rewriter first, which must hold to the same rule.
        const p = await load(input % 2 === 1 ? capLinearMemory(bytes, 16 * 1024 * 1024) : bytes, { unchecked: true, imports: IMPORTS });
        p.unload();
        outcome = 'loaded';
      } catch (e) {
        if (e instanceof LoadError) {
          outcome = `LoadError/${e.kind}`;
        } else {
          outcome = `UNEXPECTED ${e instanceof Error ? e.constructor.name : typeof e}`;
          if (findings.length < 50) {
            findings.push({ input, strategy, seedName, error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) });
          }
        }
      }
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    }
    console.log(`load fuzzing: ${tried} inputs tried (seed 0x${SEED.toString(16)}); outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
    for (const f of findings) console.log(`  finding: input ${f.input} (${f.strategy} of ${f.seedName}): ${f.error}`);
    expect(tried).toBe(INPUTS);
    expect(findings).toEqual([]);
  });
});
