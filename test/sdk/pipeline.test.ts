/**
 * The async `pipeline` example's rdylib:abi section: format version 2, each
 * async function marked, and its borrows recorded as for sync ones (their
 * span, until the task completes, is what version 2 means; docs/abi.md §3.4).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { guestPath, readGuest } from '../support/guests.ts';

describe('pipeline: the rdylib:abi section of an async plugin', () => {
  const abi = readRdylibAbi(readGuest('pipeline'))!;
  const fns = new Map(abi.interfaces.flatMap((i) => i.functions.map((f) => [f.name, f] as const)));
  const self = (mode: string) => ({ param: 0, name: 'self', path: [], mode });

  it('is format version 2, because some functions are async', () => {
    expect(abi.formatVersion).toBe(2);
    expect(abi.interfaces.map((i) => [i.name, i.direction])).toEqual([
      ['rdylib-guest:pipeline/source@0.1.0', 'import'],
      ['rdylib-guest:pipeline/stage@0.1.0', 'export'],
      ['rdylib-guest:pipeline/pipeline@0.1.0', 'export'],
    ]);
  });

  it('marks every async function, and only those', () => {
    const asyncOnes = [...fns.values()].filter((f) => f.async).map((f) => f.name).sort();
    expect(asyncOnes).toEqual([
      '[method]source.name',
      '[method]source.next-chunk',
      '[method]stage.run',
      '[method]tally.absorb',
      '[method]tally.consume',
      '[method]tally.describe',
      '[method]tally.drain',
      '[method]tally.lock',
      '[method]tally.sizes',
      'health',
      'uppercase',
    ]);
  });

  it('records the borrows an async method holds until its task completes', () => {
    expect(fns.get('[method]tally.consume')).toMatchObject({
      receiver: 'exclusive',
      params: [self('exclusive'), { param: 1, name: 'source', path: [], mode: 'exclusive' }],
      results: [],
    });
    expect(fns.get('[method]tally.describe')).toMatchObject({
      receiver: 'shared',
      params: [self('shared'), { param: 1, name: 'source', path: [], mode: 'shared' }],
    });
    // A resource parameter of an async method: `&other` held (shared) with `&mut self` until the task completes.
    expect(fns.get('[method]tally.absorb')).toMatchObject({
      receiver: 'exclusive',
      params: [self('exclusive'), { param: 1, name: 'other', path: [], mode: 'shared' }, { param: 2, name: 'source', path: [], mode: 'shared' }],
    });
    // A dependent result of an async method: the view borrows `self` (shared) as in the sync case.
    expect(fns.get('[method]tally.sizes')).toMatchObject({
      receiver: 'shared',
      async: true,
      params: [self('shared'), { param: 1, name: 'source', path: [], mode: 'shared' }],
      results: [{ path: [], resource: 'sizes', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'shared' }] }],
    });
    // An exclusive resource parameter: `&mut other` held with `&mut self` until the task completes.
    expect(fns.get('[method]tally.drain')).toMatchObject({
      receiver: 'exclusive',
      async: true,
      params: [self('exclusive'), { param: 1, name: 'other', path: [], mode: 'exclusive' }, { param: 2, name: 'source', path: [], mode: 'shared' }],
    });
    // An exclusive dependent result of an async method: the guard borrows `self` (exclusive).
    expect(fns.get('[method]tally.lock')).toMatchObject({
      receiver: 'exclusive',
      async: true,
      params: [self('exclusive'), { param: 1, name: 'source', path: [], mode: 'shared' }],
      results: [{ path: [], resource: 'tally-guard', lifetime: 'dependent', borrows: [{ param: 0, name: 'self', mode: 'exclusive' }] }],
    });
    // The trait the plugin implements: `run` holds `&mut self` (the Box<dyn Stage>) until its task completes.
    expect(fns.get('[method]stage.run')).toMatchObject({ receiver: 'exclusive', async: true, params: [self('exclusive')], results: [] });
    expect(fns.get('counter')).toMatchObject({ async: false, results: [{ path: [], resource: 'stage', lifetime: 'owned' }] });
    expect(abi.interfaces[2]!.resources).toEqual([
      { name: 'tally', dependent: false },
      { name: 'sizes', dependent: true },
      { name: 'tally-guard', dependent: true },
    ]);
    // By value: `self` moves (a static func taking `this`).
    expect(fns.get('[static]tally.finish')).toMatchObject({ receiver: 'consume', async: false, params: [{ param: 0, name: 'this', path: [], mode: 'consume' }] });
    // The host-implemented trait: the plugin calls `next_chunk` holding `&mut` on the source.
    expect(fns.get('[method]source.next-chunk')).toMatchObject({ receiver: 'exclusive', params: [self('exclusive')] });
    // Streams are not resource handles: nothing to describe.
    expect(fns.get('uppercase')).toMatchObject({ receiver: null, params: [], results: [] });
    expect(fns.get('health')).toMatchObject({ receiver: null, params: [], results: [] });
  });

  it('derives async funcs and stream<u8> in its WIT', () => {
    const wit = readFileSync(guestPath('pipeline').replace(/\.wasm$/, '.wit'), 'utf8');
    for (const line of [
      'next-chunk: async func() -> option<list<u8>>;',
      'consume: async func(source: borrow<source>) -> u64;',
      'absorb: async func(other: borrow<tally>, source: borrow<source>) -> u64;',
      'finish: static func(this: tally) -> u64;',
      'describe: async func(source: borrow<source>) -> string;',
      'sizes: async func(source: borrow<source>) -> sizes;',
      'lock: async func(source: borrow<source>) -> tally-guard;',
      'drain: async func(other: borrow<tally>, source: borrow<source>) -> u64;',
      'bump: func(bytes: u64) -> u64;',
      'next-size: func() -> option<u32>;',
      'run: async func(steps: u32) -> u32;',
      'taken: func() -> u32;',
      'counter: func() -> stage;',
      'add: func(bytes: u64);',
      'health: async func() -> string;',
      'uppercase: async func(input: stream<u8>) -> stream<u8>;',
    ]) {
      expect(wit).toContain(line);
    }
  });
});
