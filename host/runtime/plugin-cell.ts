/**
 * The one object every JS-facing piece of a plugin instantiation goes
 * through: export functions call `cell.fns[slot]`, resource classes and
 * objects reach their resource type through their binding, which the cell
 * lists. Unloading severs the cell (`revoke`): the slots become functions
 * that throw UnloadedError and the bindings forget their resource types, so
 * nothing a user still holds (exports object, classes, methods, resource
 * objects) reaches the instance or its memory any more.
 *
 * The cell also keeps the bookkeeping that must outlive single calls:
 * the owned resource objects JS holds (so unload can drop them, newest first,
 * and a FinalizationRegistry can drop the ones JS let go of), and the borrow
 * tracker with the loans dependent handles hold on their parents.
 */
import { UnloadedError } from '../errors.ts';
import { BorrowTracker, type TrackedHandle } from '../rdylib/borrow-tracker.ts';
import type { GuestClassBinding } from './resource-bindings.ts';

export type JsFunction = (...args: unknown[]) => unknown;

/**
 * How many of the newest owned objects are held in the nursery before they
 * are registered with the FinalizationRegistry (a power of two).
 */
const NURSERY_SIZE = 64;

export class PluginCell {
  /** False once unloaded. */
  live = true;
  /** Export function slots; `revoke` replaces each with a thrower. */
  fns: JsFunction[] = [];
  /** The item behind each slot, for UnloadedError messages. */
  private readonly items: string[] = [];
  /** Guest resource bindings of this instantiation, revoked on unload. */
  private readonly bindings: GuestClassBinding[] = [];
  tracker = new BorrowTracker();

  // Owned objects JS holds, in parallel arrays indexed by the object's slot
  // (slot 0 unused, freed slots reused): small-integer arrays cost far less
  // per object than a Map entry, and `seq` keeps the order they were handed
  // out in, which unload needs (newest first).
  private readonly slotBinding: (GuestClassBinding | undefined)[] = [undefined];
  private readonly slotRep: number[] = [0];
  private readonly slotSeq: number[] = [0];
  private readonly slotTrack: (TrackedHandle | undefined)[] = [undefined];
  private readonly slotStatic: boolean[] = [false];
  /** Where each slot's object sits in the nursery (valid while it is there). */
  private readonly slotNurse: number[] = [0];
  private readonly freeSlots: number[] = [];
  private liveCount = 0;
  private seq = 0;

  /**
   * Drops the guest handle of an owned object that JS let go of without
   * `[Symbol.dispose]`. Registering costs more than the rest of a resource
   * call, and most objects are disposed soon after they are made, so the
   * newest objects wait in a small ring (held strongly) and are registered
   * only when they leave it still alive; disposing one in the ring costs a
   * store. The object is its own unregister token; the held value its slot.
   */
  private readonly registry: FinalizationRegistry<number>;
  private readonly nursery: (object | undefined)[] = new Array<object | undefined>(NURSERY_SIZE).fill(undefined);
  private readonly nurserySlot: number[] = new Array<number>(NURSERY_SIZE).fill(0);
  private nurseryAt = 0;
  /** Slots the finalizer could not drop at once (the plugin was busy); dropped at the next chance. */
  private readonly pendingDrops: number[] = [];

  constructor(readonly name: string) {
    this.registry = new FinalizationRegistry((slot) => this.finalized(slot));
  }

  /** Adds an export function; returns its slot. */
  addFunction(item: string, fn: JsFunction): number {
    this.items.push(item);
    return this.fns.push(fn) - 1;
  }

  addBinding(binding: GuestClassBinding): void {
    this.bindings.push(binding);
  }

  /** Records an owned object about to be handed to JS; returns its slot (never 0). */
  adopt(binding: GuestClassBinding, rep: number): number {
    const slot = this.freeSlots.pop() ?? this.slotBinding.length;
    this.slotBinding[slot] = binding;
    this.slotRep[slot] = rep;
    this.slotSeq[slot] = ++this.seq;
    this.slotTrack[slot] = undefined;
    this.slotStatic[slot] = false;
    this.liveCount++;
    return slot;
  }

  /** Starts watching `obj` (just adopted into `slot`) for being dropped by JS. */
  watch(obj: object, slot: number): void {
    const at = this.nurseryAt;
    const old = this.nursery[at];
    if (old !== undefined) this.registry.register(old, this.nurserySlot[at]!, old);
    this.nursery[at] = obj;
    this.nurserySlot[at] = slot;
    this.slotNurse[slot] = at;
    this.nurseryAt = (at + 1) & (NURSERY_SIZE - 1);
  }

  /** The order number of an owned object, for messages. */
  seqOf(slot: number): number {
    return this.slotSeq[slot] ?? 0;
  }

  /** The borrow tracker identity of the owned object in `slot`, if it has one. */
  trackAt(slot: number): TrackedHandle | undefined {
    return this.slotTrack[slot];
  }

  /** Associates a tracker identity with a live owned object (so finalization releases its loans). */
  setTrack(slot: number, track: TrackedHandle): void {
    if (this.slotBinding[slot] !== undefined) this.slotTrack[slot] = track;
  }

  isStaticAt(slot: number): boolean {
    return this.slotStatic[slot] === true;
  }

  /** The object in `slot` is a handle to library-static data. */
  markStaticAt(slot: number): void {
    if (this.slotBinding[slot] !== undefined) this.slotStatic[slot] = true;
  }

  /** The owned object in `slot` left JS's ownership (moved into a call, or disposed). */
  forget(slot: number, obj: object): void {
    if (this.slotBinding[slot] === undefined) return;
    this.freeSlot(slot);
    const n = this.slotNurse[slot]!;
    if (this.nursery[n] === obj) this.nursery[n] = undefined;
    else this.registry.unregister(obj);
  }

  private freeSlot(slot: number): void {
    this.slotBinding[slot] = undefined;
    this.slotTrack[slot] = undefined;
    this.freeSlots.push(slot);
    this.liveCount--;
  }

  /** How many owned objects JS holds (for tests and leak checks). */
  get liveHandleCount(): number {
    return this.liveCount;
  }

  /** Finalizer callback: the object is gone, so drop its guest handle if the plugin still runs. */
  private finalized(slot: number): void {
    const binding = this.slotBinding[slot];
    if (binding === undefined || !this.live) return;
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
    const track = this.slotTrack[slot];
    this.freeSlot(slot);
    if (track !== undefined) this.tracker.release(track);
    try {
      binding.destroyRep(rep);
    } catch {
      // A destructor that traps poisons the instance; nothing else to undo,
      // and a finalizer or unload must not throw into the event loop.
    }
  }

  /**
   * Drops every owned handle JS still holds, newest first (a dependent handle
   * is always newer than what it borrows, so children go before parents).
   * Returns how many were dropped.
   */
  dropAll(): number {
    const slots: number[] = [];
    for (let i = 1; i < this.slotBinding.length; i++) if (this.slotBinding[i] !== undefined) slots.push(i);
    slots.sort((a, b) => this.slotSeq[b]! - this.slotSeq[a]!);
    for (const slot of slots) this.dropSlot(slot);
    this.pendingDrops.length = 0;
    return slots.length;
  }

  /** Severs everything JS holds from the instance. */
  revoke(): void {
    this.live = false;
    const name = this.name;
    for (let i = 0; i < this.fns.length; i++) {
      const item = this.items[i]!;
      this.fns[i] = () => {
        throw new UnloadedError(`${name} was unloaded: \`${item}\` can no longer be called`);
      };
    }
    for (const b of this.bindings) b.revoke();
    this.bindings.length = 0;
    this.slotBinding.length = 1;
    this.slotRep.length = 1;
    this.slotSeq.length = 1;
    this.slotTrack.length = 1;
    this.slotStatic.length = 1;
    this.slotNurse.length = 1;
    this.freeSlots.length = 0;
    this.liveCount = 0;
    this.nursery.fill(undefined);
    this.pendingDrops.length = 0;
    this.tracker = new BorrowTracker();
  }
}
