/**
 * OwnedObjects (host/runtime/owned-objects.ts): the order unload drops owned
 * objects in is the order they were handed out, newest first, also when a
 * freed slot was reused (slot order then differs from hand-out order); with
 * nothing owned (never, or no longer) it drops nothing. The newest 64
 * objects wait in a ring before they are registered for finalization; the
 * ring grows as it first fills, so the first wrap is checked here.
 */
import { describe, expect, it, vi } from 'vitest';
import { OwnedObjects, type OwnedObjectBinding } from '../../host/runtime/owned-objects.ts';

function recordingBinding(dropped: number[]): OwnedObjectBinding {
  return { canDropNow: () => true, destroyRep: (rep) => dropped.push(rep) };
}

describe('OwnedObjects', () => {
  it('close() drops every owned object newest first and leaves nothing', () => {
    const dropped: number[] = [];
    const b = recordingBinding(dropped);
    const owned = new OwnedObjects();
    for (const rep of [10, 11, 12]) owned.watch({}, owned.adopt(b, rep));
    expect([...owned.entries()].map(([, , rep]) => rep)).toEqual([10, 11, 12]);
    expect(owned.close()).toBe(3);
    expect(dropped).toEqual([12, 11, 10]);
    expect(owned.size).toBe(0);
    expect([...owned.entries()]).toEqual([]);
  });

  it('a reused slot keeps hand-out order: the object in it is the newest', () => {
    const dropped: number[] = [];
    const b = recordingBinding(dropped);
    const owned = new OwnedObjects();
    const objs = [{}, {}, {}];
    const slots = [20, 21, 22].map((rep, i) => {
      const slot = owned.adopt(b, rep);
      owned.watch(objs[i]!, slot);
      return slot;
    });
    // The first object leaves JS (disposed); its slot goes to the next one handed out.
    owned.forget(slots[0]!, objs[0]!);
    const reused = owned.adopt(b, 23);
    expect(reused).toBe(slots[0]);
    owned.watch({}, reused);
    expect([...owned.entries()].map(([, , rep]) => rep)).toEqual([21, 22, 23]);
    expect(owned.close()).toBe(3);
    expect(dropped).toEqual([23, 22, 21]);
  });

  it('close() of objects that never owned anything, or no longer owns anything, drops nothing', () => {
    const dropped: number[] = [];
    const never = new OwnedObjects();
    expect(never.close()).toBe(0);
    expect(never.size).toBe(0);
    expect([...never.entries()]).toEqual([]);
    // Owned, then all left JS: the slots are free again, and close() has nothing to drop either.
    const emptied = new OwnedObjects();
    const objs = [{}, {}];
    const slots = objs.map((o, i) => {
      const slot = emptied.adopt(recordingBinding(dropped), i);
      emptied.watch(o, slot);
      return slot;
    });
    slots.forEach((slot, i) => emptied.forget(slot, objs[i]!));
    expect(emptied.close()).toBe(0);
    expect(emptied.size).toBe(0);
    expect([...emptied.entries()]).toEqual([]);
    expect(dropped).toEqual([]);
  });

  it('a destructor that throws does not stop the others', () => {
    const dropped: number[] = [];
    const owned = new OwnedObjects();
    const throwing: OwnedObjectBinding = { canDropNow: () => true, destroyRep: () => { throw new Error('trapped'); } };
    owned.watch({}, owned.adopt(recordingBinding(dropped), 1));
    owned.watch({}, owned.adopt(throwing, 2));
    owned.watch({}, owned.adopt(recordingBinding(dropped), 3));
    expect(owned.close()).toBe(3);
    expect(dropped).toEqual([3, 1]);
  });
  it('an object is registered for finalization when it leaves the ring of the newest 64, and only then', () => {
    const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
    const unregister = vi.spyOn(FinalizationRegistry.prototype, 'unregister');
    try {
      const dropped: number[] = [];
      const b = recordingBinding(dropped);
      const owned = new OwnedObjects();
      const objs = Array.from({ length: 67 }, () => ({}));
      const slots = objs.map((o, i) => {
        const slot = owned.adopt(b, i);
        owned.watch(o, slot);
        return slot;
      });
      // Objects 64..66 pushed the three oldest out of the ring: each registered, itself as token.
      expect(register.mock.calls.map(([target, held, token]) => [objs.indexOf(target as object), held, token === target])).toEqual([
        [0, slots[0], true],
        [1, slots[1], true],
        [2, slots[2], true],
      ]);
      // Leaving JS: a registered object is unregistered; one still in the ring only leaves it.
      owned.forget(slots[1]!, objs[1]!);
      expect(unregister.mock.calls).toEqual([[objs[1]]]);
      owned.forget(slots[40]!, objs[40]!);
      expect(unregister).toHaveBeenCalledTimes(1);
      // Its ring place is empty now: the next wrap registers objects 3..66 but not 40.
      for (let i = 0; i < 64; i++) owned.watch({}, owned.adopt(b, 100 + i));
      const second = Array.from({ length: 64 }, (_, i) => i + 3).filter((i) => i !== 40);
      expect(register.mock.calls.map(([target, held]) => [objs.indexOf(target as object), held])).toEqual([0, 1, 2, ...second].map((i) => [i, slots[i]]));
      expect(owned.close()).toBe(67 - 2 + 64);
      expect(dropped.slice(0, 2)).toEqual([163, 162]);
    } finally {
      register.mockRestore();
      unregister.mockRestore();
    }
  });
});
