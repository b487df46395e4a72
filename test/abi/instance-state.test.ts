/**
 * ComponentInstance and the handle tables assign each of their fields once, in the constructor
 * (declared fields, no class-field initializers): a field the constructor forgot would be absent,
 * not initialised. A fresh instance must hold the spec's initial state (definitions.py
 * `ComponentInstance`: empty tables, may_leave, no backpressure, no exclusive thread) plus ours, in
 * the order the class fields defined them (so instances keep the hidden class they had).
 */
import { describe, expect, it } from 'vitest';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { HandleTable, Table } from '../../host/abi/handle-table.ts';
import { DEFAULT_LIMITS } from '../../host/abi/limits.ts';
import { defaultStore, Store } from '../../host/abi/store.ts';
import { TrapError } from '../../host/errors.ts';

describe('a fresh ComponentInstance', () => {
  it('holds the initial state, every field its own property, in the class fields\' order', () => {
    const store = new Store();
    const inst = new ComponentInstance('p', { maxHandles: 7, maxLiftBytes: 99 }, store);
    expect(Object.keys(inst)).toEqual([
      'name', 'store', 'handles', 'threads', 'backpressure', 'numWaitingToEnter', 'exclusiveThread', 'parent', 'maxLiftBytes',
      'mayEnter', 'mayLeave', 'coreSuspension', 'usesTasks', 'poisoned', 'explainTrap', 'memories',
    ]);
    expect(inst.name).toBe('p');
    expect(inst.store).toBe(store);
    expect(inst.handles).toBeInstanceOf(HandleTable);
    expect(inst.handles.size).toBe(0);
    expect(inst.handles.maxLive).toBe(7);
    expect(inst.handles.owner).toBe('p');
    expect(inst.threads).toBeInstanceOf(Table);
    expect(inst.threads.size).toBe(0);
    expect(inst.threads.maxLive).toBe(7);
    expect(inst.threads.owner).toBe('p (threads)');
    expect([inst.backpressure, inst.numWaitingToEnter, inst.exclusiveThread, inst.parent]).toEqual([0, 0, undefined, undefined]);
    expect(inst.maxLiftBytes).toBe(99);
    expect([inst.mayEnter, inst.mayLeave, inst.coreSuspension, inst.usesTasks]).toEqual([true, true, 'not-needed', false]);
    expect([inst.poisoned, inst.explainTrap]).toEqual([undefined, undefined]);
    expect(inst.memories).toEqual([]);
    expect(new ComponentInstance('q').memories).not.toBe(inst.memories);
  });

  it('takes the default name, limits and store', () => {
    const inst = new ComponentInstance();
    expect(inst.name).toBe('component instance');
    expect(inst.store).toBe(defaultStore);
    expect(inst.handles.maxLive).toBe(DEFAULT_LIMITS.maxHandles);
    expect(inst.maxLiftBytes).toBe(DEFAULT_LIMITS.maxLiftBytes);
  });

  it('poisons once, releasing what waits on it, and keeps the first trap', () => {
    const inst = new ComponentInstance('p');
    const released: string[] = [];
    inst.whenPoisoned((t) => released.push(`a ${t.message}`));
    const cancel = inst.whenPoisoned((t) => released.push(`b ${t.message}`));
    cancel();
    inst.poison(new TrapError('first'));
    inst.poison(new TrapError('second'));
    expect(released).toEqual(['a first']);
    expect(() => inst.checkNotPoisoned()).toThrow('p is poisoned by an earlier trap: first');
  });
});

describe('a fresh Table', () => {
  it('is empty, with slot 0 reserved, its limit and owner as given or the defaults', () => {
    const t = new Table<string>(2, 'mine');
    expect(Object.keys(t)).toEqual(['maxLive', 'owner', 'array', 'free']);
    expect(t.size).toBe(0);
    expect(t.add('a')).toBe(1);
    expect(t.add('b')).toBe(2);
    expect(() => t.add('c')).toThrow('handle table: mine already holds 2 live handles, the per-plugin limit (maxHandles)');
    expect(t.remove(1)).toBe('a');
    expect(t.add('d')).toBe(1);
    expect(() => t.get(0)).toThrow('handle table: handle index 0 is not in use');
    const d = new Table<string>();
    expect([d.maxLive, d.owner]).toEqual([DEFAULT_LIMITS.maxHandles, 'component instance']);
  });
});
