/**
 * A small deterministic mutator for load fuzzing: a seeded PRNG and byte-level
 * strategies chosen to hit a binary parser where it is weak (lengths, counts,
 * truncation, splices), plus wholly random inputs with and without the
 * component header.
 */
import { concatBytes } from '../support/bytes.ts';

/** xorshift32: tiny, seedable, good enough to spread mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }
}

export const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0x0d, 0x60, 0x70];

export type Strategy =
  | 'bit-flip'
  | 'interesting-byte'
  | 'truncate'
  | 'delete-range'
  | 'duplicate-range'
  | 'huge-leb'
  | 'splice-seeds'
  | 'random-with-header'
  | 'random';

export const STRATEGIES: readonly Strategy[] = [
  'bit-flip',
  'interesting-byte',
  'truncate',
  'delete-range',
  'duplicate-range',
  'huge-leb',
  'splice-seeds',
  'random-with-header',
  'random',
];

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.below(256);
  return out;
}


/** One mutated input from `seed` (or from nothing, for the random strategies). */
export function mutate(rng: Rng, strategy: Strategy, seed: Uint8Array, other: Uint8Array): Uint8Array {
  const n = seed.length;
  switch (strategy) {
    case 'bit-flip': {
      const out = seed.slice();
      const flips = 1 + rng.below(4);
      for (let i = 0; i < flips; i++) {
        const at = rng.below(n);
        out[at] = out[at]! ^ (1 << rng.below(8));
      }
      return out;
    }
    case 'interesting-byte': {
      const out = seed.slice();
      out[rng.below(n)] = rng.pick(INTERESTING);
      return out;
    }
    case 'truncate':
      return seed.slice(0, rng.below(n));
    case 'delete-range': {
      const at = rng.below(n);
      const len = 1 + rng.below(Math.min(64, n - at));
      return concatBytes([seed.subarray(0, at), seed.subarray(at + len)]);
    }
    case 'duplicate-range': {
      const at = rng.below(n);
      const len = 1 + rng.below(Math.min(64, n - at));
      return concatBytes([seed.subarray(0, at + len), seed.subarray(at, at + len), seed.subarray(at + len)]);
    }
    case 'huge-leb': {
      // Overwrite what may be a length or count with a 5-byte LEB128 near 2^32.
      const at = 8 + rng.below(Math.max(1, n - 8));
      return concatBytes([seed.subarray(0, at), [0xff, 0xff, 0xff, 0xff, 0x0f], seed.subarray(Math.min(n, at + 1))]);
    }
    case 'splice-seeds': {
      const a = rng.below(n);
      const b = rng.below(other.length);
      return concatBytes([seed.subarray(0, a), other.subarray(b)]);
    }
    case 'random-with-header':
      return concatBytes([COMPONENT_HEADER, randomBytes(rng, rng.below(256))]);
    case 'random':
      return randomBytes(rng, rng.below(128));
  }
}
