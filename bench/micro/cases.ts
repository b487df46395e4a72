/**
 * The bench cases, written once against the shared `BenchApi` shape. Each
 * case checks one result before it is timed: an implementation that returns
 * a wrong value is reported n/a with the reason, not timed.
 */
import { expectEqual, pseudoRandomBytes } from '../check.ts';
import type { SyncCase } from '../sync-section.ts';
import type { Target } from '../suite.ts';
import { consume, keep } from '../timing.ts';
import type { BenchApi, Fields } from './api.ts';

export type CallCase = SyncCase<BenchApi>;

// Issue 15's targets: a scalar call within 1.3x of raw, every other
// small-value case within 2x; the jco and large-payload goals are older.
const SCALAR: Target = { kind: 'ours/raw', atMost: 1.3 };
const SMALL_VS_RAW: Target = { kind: 'ours/raw', atMost: 2 };
const SMALL_VS_JCO: Target = { kind: 'jco/ours', atLeast: 20 };
const LARGE_VS_RAW: Target = { kind: 'ours/raw', atMost: 2 };
const SMALL: readonly Target[] = [SMALL_VS_RAW, SMALL_VS_JCO];

const MIB = 1 << 20;

function asciiString(bytes: number): string {
  const unit = 'The quick brown fox jumps over the lazy dog 0123456789 !#%&()*+';
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

function echoStringCase(name: string, bytes: number, targets: readonly Target[]): CallCase {
  return {
    name,
    targets,
    prepare(api) {
      const s = asciiString(bytes);
      expectEqual(api.echo(s) === s, true, `echo of a ${bytes}-byte string`);
      expectEqual(api.echo('héllo, wörld ✓ 🦀'), 'héllo, wörld ✓ 🦀', 'echo of a non-ASCII string');
      return () => consume(api.echo(s).length);
    },
  };
}

export const CALL_CASES: readonly CallCase[] = [
  {
    name: 'add(u32,u32)->u32',
    targets: [SCALAR, SMALL_VS_JCO],
    prepare(api) {
      expectEqual(api.add(2, 3), 5, 'add(2, 3)');
      expectEqual(api.add(0xffffffff, 2), 1, 'add(0xffffffff, 2) (u32 wrap)');
      let i = 0;
      return () => consume(api.add(i++ & 0xffff, 7));
    },
  },
  echoStringCase('echo string 16 B', 16, SMALL),
  echoStringCase('echo string 1 MiB', MIB, [LARGE_VS_RAW]),
  {
    name: 'echo list<u8> 1 MiB',
    targets: [LARGE_VS_RAW],
    prepare(api) {
      const bytes = pseudoRandomBytes(MIB);
      const back = api.echoBytes(bytes);
      expectEqual(back instanceof Uint8Array && Buffer.compare(back, bytes) === 0, true, 'echo-bytes of 1 MiB');
      return () => consume(api.echoBytes(bytes).length);
    },
  },
  {
    name: 'echo record of 8 fields',
    targets: SMALL,
    prepare(api) {
      const r: Fields = { a: 200, b: 60000, c: 4_000_000_000, d: 2n ** 60n + 7n, e: 1.5, f: Math.PI, g: true, h: -5 };
      expectEqual(api.echoFields(r), r, 'echo-fields');
      return () => consume(keep(api.echoFields(r)).c);
    },
  },
  {
    name: 'resource method call',
    targets: SMALL,
    prepare(api) {
      const probe = new api.Counter(5);
      expectEqual(probe.increment(2), 7, 'counter.increment');
      expectEqual(probe.value(), 7, 'counter.value');
      probe[Symbol.dispose]();
      // Deliberately never disposed: it lives as long as the timed op.
      const counter = new api.Counter(0);
      return () => consume(counter.increment(1));
    },
  },
  {
    name: 'resource create+drop',
    targets: SMALL,
    prepare(api) {
      return () => {
        const counter = new api.Counter(1);
        counter[Symbol.dispose]();
      };
    },
  },
];
