/**
 * Errors raised inside a worker cross to the host as data (host/isolate/protocol.ts) and must
 * come back as the same class with the same code and fields, as in-process callers see them.
 * The wire goes through structuredClone here, as postMessage sends it.
 */
import { describe, expect, it } from 'vitest';
import { errorFromWire, errorToWire } from '../../host/isolate/protocol.ts';
import {
  AbiMismatchError,
  BorrowError,
  GuestPanicError,
  HandleError,
  LoadError,
  MissingMethodError,
  PluginInUseError,
  ResultError,
  TimeoutError,
  TrapError,
  UnloadedError,
} from '../../host/index.ts';

const crossed = (e: Error): Error => errorFromWire(structuredClone(errorToWire(e)));

describe('errors crossing the worker boundary', () => {
  const cases: [string, Error][] = [
    ['LoadError', new LoadError('unlinkable', 'missing import `a:b/c`', 12)],
    ['TrapError', new TrapError('unreachable executed')],
    ['AbiMismatchError', new AbiMismatchError('1 difference')],
    ['BorrowError', new BorrowError('store #1 is borrowed by iter #2')],
    ['HandleError', new HandleError('use-after-move', 'store #1 was moved into `take`')],
    ['PluginInUseError', new PluginInUseError('kv is busy')],
    ['UnloadedError', new UnloadedError('kv was unloaded')],
    ['TimeoutError', new TimeoutError('spin ran past 50 ms')],
    ['GuestPanicError', new GuestPanicError('panicked at src/lib.rs:3:5: boom')],
    ['ResultError', new ResultError({ tag: 'too-large', val: 5n })],
    ['MissingMethodError', new MissingMethodError('canvas lacks fill', 'canvas', ['fill', 'stroke'])],
  ];

  it.each(cases)('%s comes back as itself, with its code, message and fields', (name, original) => {
    const back = crossed(original);
    expect(back.constructor.name).toBe(name);
    expect(back).toBeInstanceOf(original.constructor);
    expect(back.message).toBe(original.message);
    expect((back as { code?: string }).code).toBe((original as { code?: string }).code);
    for (const field of ['kind', 'offset', 'payload', 'resource', 'missing'] as const) {
      if (field in original) expect((back as unknown as Record<string, unknown>)[field], field).toEqual((original as unknown as Record<string, unknown>)[field]);
    }
  });

  it('keeps a cause chain typed', () => {
    const back = crossed(new TrapError('poisoned', { cause: new GuestPanicError('panicked at a.rs:1:1') }));
    expect(back.cause).toBeInstanceOf(GuestPanicError);
  });
});
