/** wasi:clocks and wasi:random 0.2, stateless apart from each plugin's insecure seed. */
import { MAX_READ_CHUNK, monotonicNow, Pollable } from './io.ts';

export function clockInterfaces(): Record<string, Record<string, unknown>> {
  return {
    'monotonic-clock': {
      now: () => monotonicNow(),
      resolution: () => 1000n,
      subscribeInstant: (when: bigint) => new Pollable(when),
      subscribeDuration: (d: bigint) => new Pollable(monotonicNow() + d),
    },
    'wall-clock': {
      now: () => {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1e6 }),
    },
  };
}

function randomBytes(len: bigint): Uint8Array {
  // get-random-bytes has no short reads, so a request above the cap is refused (the plugin traps) rather than allocated.
  if (len > BigInt(16 * MAX_READ_CHUNK)) throw new RangeError(`get-random-bytes: ${len} bytes requested, at most ${16 * MAX_READ_CHUNK} allowed`);
  const out = new Uint8Array(Number(len));
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

function randomU64(): bigint {
  const b = new BigUint64Array(1);
  crypto.getRandomValues(b);
  return b[0]!;
}

export function randomInterfaces(): Record<string, Record<string, unknown>> {
  const seed: [bigint, bigint] = [randomU64(), randomU64()];
  return {
    random: { getRandomBytes: randomBytes, getRandomU64: randomU64 },
    insecure: { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    'insecure-seed': { insecureSeed: () => seed },
  };
}
