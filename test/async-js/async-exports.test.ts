/**
 * The JS face of async exports (host/runtime/async-calls.ts through
 * js-exports.ts and the plugin's cell), over lifted functions played by the
 * test: a Promise back, the `{ signal }` options argument, refusals as
 * rejections, pending calls and streams named by the cell and ended by
 * `abortAll`, and severed slots that reject after unload.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError, UnloadedError } from '../../host/errors.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';
import { exportsToJs } from '../../host/runtime/js-exports.ts';
import { hostImportCall } from '../../host/runtime/async-calls.ts';
import type { RuntimeFunc, RuntimeInstance } from '../../host/runtime/instantiate.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { CopyResult } from '../../host/runtime/stream-seam.ts';
import { SpecStream, GuestSink } from './spec-shared.ts';

const U32: ValType = { kind: 'u32' };
const streamOf = (element: ValType) => ({ kind: 'stream', element }) as unknown as ValType;
const asyncType = (params: { name: string; type: ValType }[], result?: ValType): FuncType => ({ async: true, params, result }) as FuncType;

function face(funcs: Record<string, RuntimeFunc>) {
  const cell = new PluginCell('p');
  const inst: RuntimeInstance = new Map(Object.entries(funcs).map(([n, func]) => [n, { kind: 'func' as const, func }]));
  const exports = exportsToJs(inst, { cell, wrapCall: undefined, slotFuncs: [], planKey: inst }) as Record<string, (...a: unknown[]) => unknown>;
  return { cell, exports };
}

/** A lifted async function whose tasks the test finishes; records the arguments it got. */
function controlled(type: FuncType) {
  const calls: { args: unknown[]; resolve(v: unknown): void; reject(e: unknown): void }[] = [];
  const func: RuntimeFunc = {
    type,
    call: (...args: unknown[]) => new Promise((resolve, reject) => void calls.push({ args, resolve, reject })),
  };
  return { func, calls };
}

describe('async exports from JS', () => {
  it('return a Promise; while it is pending the cell names the call', async () => {
    const add = controlled(asyncType([{ name: 'a', type: U32 }, { name: 'b', type: U32 }], U32));
    const { cell, exports } = face({ add: add.func });
    const p = exports['add']!(1, 2);
    expect(p).toBeInstanceOf(Promise);
    expect(cell.pending.labels()).toEqual(['`add` (call)']);
    add.calls[0]!.resolve(3);
    await expect(p).resolves.toBe(3);
    expect(cell.pending.size).toBe(0);
  });

  it('take `{ signal }` after the parameters and pass it to the lifted call; a fired signal refuses the call without entering', async () => {
    const f = controlled(asyncType([{ name: 'a', type: U32 }], U32));
    const { cell, exports } = face({ f: f.func });
    const ac = new AbortController();
    const p = exports['f']!(1, { signal: ac.signal });
    expect(f.calls[0]!.args).toEqual([1, { signal: ac.signal }]);
    f.calls[0]!.reject(new CancelledError('`f` was cancelled'));
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    ac.abort(new Error('stop'));
    const q = exports['f']!(1, { signal: ac.signal });
    await expect(q).rejects.toBeInstanceOf(CancelledError);
    await expect(q).rejects.toMatchObject({ cause: new Error('stop') });
    expect(f.calls.length).toBe(1);
    expect(cell.pending.size).toBe(0);
  });

  it('refuse bad options as a rejected promise (never a synchronous throw), the plugin not entered', async () => {
    const f = controlled(asyncType([], U32));
    const { exports } = face({ f: f.func });
    await expect(exports['f']!({ signal: 'no' })).rejects.toThrow(/options.signal must be an AbortSignal/);
    await expect(exports['f']!({ timeout: 5 })).rejects.toThrow(/unknown call option `timeout`/);
    await expect(exports['f']!(7)).rejects.toThrow(/must be the call options \{ signal \}/);
    expect(f.calls.length).toBe(0);
  });

  it('abortAll (unload with pending: cancel) rejects every pending call and errors every stream with the one error', async () => {
    const f = controlled(asyncType([], U32));
    const g = controlled(asyncType([], streamOf({ kind: 'u8' })));
    const { cell, exports } = face({ f: f.func, g: g.func });
    const p = exports['f']!() as Promise<unknown>;
    const shared = new SpecStream({ kind: 'u8' });
    const q = exports['g']!() as Promise<ReadableStream<Uint8Array>>;
    g.calls[0]!.resolve(shared);
    const rs = await q;
    expect(rs).toBeInstanceOf(ReadableStream);
    expect(cell.pending.labels()).toEqual(['`f` (call)', 'stream from `g`']);
    const gone = new UnloadedError('p was unloaded');
    cell.pending.abortAll(gone);
    await expect(p).rejects.toBe(gone);
    await expect(rs.getReader().read()).rejects.toBe(gone);
    expect(shared.dropped).toBe(true);
    // The task finishing later changes nothing.
    f.calls[0]!.resolve(1);
    await expect(p).rejects.toBe(gone);
    expect(cell.pending.size).toBe(0);
  });

  it('convert a ReadableStream argument into a host writer the lifted call gets; a refused call leaves the stream unlocked', async () => {
    const consume = controlled(asyncType([{ name: 's', type: streamOf({ kind: 'u8' }) }], U32));
    const { cell, exports } = face({ consume: consume.func });
    const rs = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.close(); } });
    const p = exports['consume']!(rs);
    const writer = consume.calls[0]!.args[0] as SpecStream;
    expect(rs.locked).toBe(false); // not started until the guest reads
    const sink = new GuestSink({ kind: 'u8' }, 8);
    const r = await new Promise((res) => writer.read(undefined, sink, () => res('copy'), res));
    expect(r).toBe(CopyResult.COMPLETED);
    expect(sink.got).toEqual([1, 2]);
    consume.calls[0]!.resolve(2);
    await expect(p).resolves.toBe(2);
    expect(cell.pending.labels()).toEqual(['stream passed as `consume` argument `s`']);

    // A call the lifted function refuses (as lowering would) forgets the writer: the stream stays the caller's.
    const refusing: RuntimeFunc = { type: asyncType([{ name: 's', type: streamOf({ kind: 'u8' }) }], U32), call: () => { throw new TypeError('refused'); } };
    const other = face({ consume: refusing });
    const rs2 = new ReadableStream<Uint8Array>();
    await expect(other.exports['consume']!(rs2)).rejects.toThrow('refused');
    expect(rs2.locked).toBe(false);
    expect(other.cell.pending.size).toBe(0);
  });

  it('after revoke (unload) an async export rejects with UnloadedError instead of throwing', async () => {
    const f = controlled(asyncType([], U32));
    const { cell, exports } = face({ f: f.func });
    cell.revoke();
    const p = exports['f']!();
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toBeInstanceOf(UnloadedError);
  });

  it('leave synchronous exports without streams as they were (a plain value, synchronous throws)', () => {
    const { exports } = face({ id: { type: { async: false, params: [{ name: 'x', type: U32 }], result: U32 }, call: (x: unknown) => x } });
    expect(exports['id']!(5)).toBe(5);
  });
});

describe('hostImportCall: host functions get and give streams and futures in their JS shapes', () => {
  it('a stream argument arrives as a ReadableStream; a returned ReadableStream goes back as a host writer', async () => {
    const ft = { async: false, params: [{ name: 's', type: streamOf({ kind: 'u8' }) }], result: streamOf({ kind: 'u8' }) } as FuncType;
    let got: unknown;
    const fn = hostImportCall(ft, (s: unknown) => {
      got = s;
      return new ReadableStream({ start(c) { c.enqueue(new Uint8Array([4, 5])); c.close(); } });
    }, 'echo');
    const fromGuest = new SpecStream({ kind: 'u8' });
    const writer = fn(fromGuest) as SpecStream;
    expect(got).toBeInstanceOf(ReadableStream);
    const sink = new GuestSink({ kind: 'u8' }, 8);
    expect(await new Promise((r) => writer.read(undefined, sink, () => r('copy'), r))).toBe(CopyResult.COMPLETED);
    expect(sink.got).toEqual([4, 5]);
  });

  it('a function without streams or futures is passed through as it is', () => {
    const f = (x: unknown) => x;
    expect(hostImportCall({ async: false, params: [{ name: 'x', type: U32 }], result: U32 }, f, 'id')).toBe(f);
  });
});
