/**
 * The owned resource objects JS holds from one instantiation, and their
 * finalization: unload drops them newest first (a dependent is always newer
 * than what it borrows, so children go before parents), and objects JS lets
 * go of without `[Symbol.dispose]` are dropped by a FinalizationRegistry.
 *
 * Kept in parallel arrays indexed by the object's slot (slot 0 unused,
 * freed slots reused): small-integer arrays cost far less per object than a
 * Map entry, and `seq` keeps the order they were handed out in.
 */

/** What finalization needs from the binding that made an object. */
export interface OwnedObjectBinding {
  /** Whether the implementing instance can run a destructor now (not inside a call, not poisoned). */
  canDropNow(): boolean;
  /** Drops the guest resource `rep` without a JS object (finalizer, unload). */
  destroyRep(rep: number): void;
}

/**
 * How many of the newest owned objects are held in the nursery before they
 * are registered with the FinalizationRegistry (a power of two).
 */
const NURSERY_SIZE = 64;

export class OwnedObjects {
  private readonly slotBinding: (OwnedObjectBinding | undefined)[] = [undefined];
  private readonly slotRep: number[] = [0];
  private readonly slotSeq: number[] = [0];
  /** Where each slot's object sits in the nursery (valid while it is there). */
  private readonly slotNurse: number[] = [0];
  private readonly freeSlots: number[] = [];
  private liveCount = 0;
  private seq = 0;
  private closed = false;

  /**
   * Registering costs more than the rest of a resource call, and most
   * objects are disposed soon after they are made, so the newest objects
   * wait in a small ring (held strongly) and are registered only when they
   * leave it still alive; disposing one in the ring costs a store. The
   * object is its own unregister token; the held value its slot. Made when
   * the first object leaves the ring: most loads never get there, and right
   * after a GC making one costs microseconds.
   */
  private registry: FinalizationRegistry<number> | undefined = undefined;
  /**
   * The ring grows to NURSERY_SIZE as it first fills (`watch` writes slots 0, 1, ... in order, so
   * each write is in bounds or appends) and wraps from there: made full at construction, both rings
   * were filled on every load, most of which never own an object.
   */
  private readonly nursery: (object | undefined)[] = [];
  private readonly nurserySlot: number[] = [];
  private nurseryAt = 0;
  /** Slots the finalizer could not drop at once (the plugin was busy); dropped at the next chance. */
  private readonly pendingDrops: number[] = [];

  /** Records an owned object about to be handed to JS; returns its slot (never 0). */
  adopt(binding: OwnedObjectBinding, rep: number): number {
    const slot = this.freeSlots.pop() ?? this.slotBinding.length;
    this.slotBinding[slot] = binding;
    this.slotRep[slot] = rep;
    this.slotSeq[slot] = ++this.seq;
    this.liveCount++;
    return slot;
  }

  /** Starts watching `obj` (just adopted into `slot`) for being dropped by JS. */
  watch(obj: object, slot: number): void {
    const at = this.nurseryAt;
    const old = this.nursery[at];
    if (old !== undefined) (this.registry ??= this.newRegistry()).register(old, this.nurserySlot[at]!, old);
    this.nursery[at] = obj;
    this.nurserySlot[at] = slot;
    this.slotNurse[slot] = at;
    this.nurseryAt = (at + 1) & (NURSERY_SIZE - 1);
  }

  /** The order number of the owned object in `slot` (unique within the plugin), for messages and introspection. */
  seqOf(slot: number): number {
    return this.slotSeq[slot] ?? 0;
  }

  /** A fresh order number, for a handle that gets a record without being a JS-owned object. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** The owned object in `slot` left JS's ownership (moved into a call, or disposed). */
  forget(slot: number, obj: object): void {
    if (this.slotBinding[slot] === undefined) return;
    this.freeSlot(slot);
    const n = this.slotNurse[slot]!;
    if (this.nursery[n] === obj) this.nursery[n] = undefined;
    // Not in the ring: registered when it left it (no registry yet: nothing was registered).
    else this.registry?.unregister(obj);
  }

  private newRegistry(): FinalizationRegistry<number> {
    return new FinalizationRegistry<number>((slot) => this.finalized(slot));
  }

  private freeSlot(slot: number): void {
    this.slotBinding[slot] = undefined;
    this.freeSlots.push(slot);
    this.liveCount--;
  }

  /** How many owned objects JS holds. */
  get size(): number {
    return this.liveCount;
  }

  /** `(slot, binding, rep)` of every owned object JS holds, oldest first. */
  *entries(): IterableIterator<[number, OwnedObjectBinding, number]> {
    for (const s of this.liveSlots()) yield [s, this.slotBinding[s]!, this.slotRep[s]!];
  }

  /** The slots of every owned object JS holds, oldest first. */
  private liveSlots(): number[] {
    const slots: number[] = [];
    for (let i = 1; i < this.slotBinding.length; i++) if (this.slotBinding[i] !== undefined) slots.push(i);
    // Slots are handed out in order until one is freed and reused: sort only then.
    const seq = this.slotSeq;
    let ordered = true;
    for (let i = 1; i < slots.length && ordered; i++) ordered = seq[slots[i - 1]!]! < seq[slots[i]!]!;
    if (!ordered) slots.sort((a, b) => seq[a]! - seq[b]!);
    return slots;
  }

  /** Finalizer callback: the object is gone, so drop its guest resource if the plugin still runs. */
  private finalized(slot: number): void {
    const binding = this.slotBinding[slot];
    if (binding === undefined || this.closed) return;
    if (!binding.canDropNow()) {
      this.pendingDrops.push(slot);
      return;
    }
    this.dropSlot(slot);
    while (this.pendingDrops.length > 0) this.dropSlot(this.pendingDrops.pop()!);
  }

  private dropSlot(slot: number): void {
    const binding = this.slotBinding[slot];
    if (binding === undefined) return;
    const rep = this.slotRep[slot]!;
    this.freeSlot(slot);
    try {
      binding.destroyRep(rep);
    } catch {
      // A destructor that traps poisons the instance; nothing else to undo,
      // and a finalizer or unload must not throw into the event loop.
    }
  }

  /**
   * Unload: drops every owned object's resource, newest first, then forgets
   * them all; the finalizer does nothing from now on. Returns how many were dropped.
   */
  close(): number {
    // Nothing was ever adopted (every object gets a slot and an order number before `watch`): the
    // slots, the ring and the pending drops are as made, so there is nothing to drop or reset, and
    // resetting them anyway (array lengths set through the runtime, the ring filled) was ~1/6 of
    // unloading a plugin JS never called.
    if (this.seq === 0) {
      this.closed = true;
      return 0;
    }
    const all = this.liveSlots();
    for (let i = all.length - 1; i >= 0; i--) this.dropSlot(all[i]!);
    this.closed = true;
    this.slotBinding.length = 1;
    this.slotRep.length = 1;
    this.slotSeq.length = 1;
    this.slotNurse.length = 1;
    this.freeSlots.length = 0;
    this.liveCount = 0;
    this.nursery.fill(undefined);
    this.pendingDrops.length = 0;
    return all.length;
  }
}
