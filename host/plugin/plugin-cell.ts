/**
 * The cell of one generation of a plugin (host/runtime/export-cell.ts): every
 * export wrapper calls `cell.fns[slot]` (made at the slot's first call), resource classes and objects reach
 * their resource type through their binding, which the cell lists, and the
 * owned objects JS holds are kept here. Unloading (or replacing the
 * generation by reload) severs it (`revoke`): the slots become functions
 * that throw UnloadedError, the owned objects' resources are dropped, and
 * the bindings forget their resource types and ownership records, so nothing
 * a user still holds (exports object, classes, methods, resource objects)
 * reaches the instance or its memory any more.
 */
import { UnloadedError } from '../errors.ts';
import type { ExportCell, JsFunction } from '../runtime/export-cell.ts';
import type { GuestClassBinding } from '../runtime/guest-resources.ts';
import { OwnedObjects } from '../runtime/owned-objects.ts';
import { PendingWork } from '../runtime/pending-work.ts';

export class PluginCell implements ExportCell {
  live = true;
  readonly fns: (JsFunction | undefined)[] = [];
  /** What makes each slot's function at its first call; dropped once made, and all at revoke. */
  private readonly makers: ((() => JsFunction) | undefined)[] = [];
  /** The item behind each slot, for UnloadedError messages. */
  private readonly items: string[] = [];
  /**
   * Which slots hold async exports (they reject after unload instead of throwing). An array, not a
   * Set: it is made on every load, read only for throwers, and most plugins have no async export.
   */
  private readonly asyncSlots: number[] = [];
  readonly bindings: GuestClassBinding[] = [];
  /** Whether a slot was compiled yet (`compile`). */
  private called = false;
  readonly owned = new OwnedObjects();
  readonly pending = new PendingWork();

  constructor(
    readonly name: string,
    /** Shared by every generation of one plugin; a fresh object for a standalone cell. */
    readonly lineage: object = {},
  ) {}

  addFunction(item: string, make: () => JsFunction, kind: 'sync' | 'async' = 'sync'): number {
    this.items.push(item);
    this.makers.push(make);
    const slot = this.fns.push(undefined) - 1;
    if (kind === 'async') this.asyncSlots.push(slot);
    return slot;
  }

  /**
   * Made at the slot's first call, not when the face is built: compiling an
   * export's call (its lifted function, call plan and JS shape) was most of
   * the face's cost, and a load pays only for the functions it calls. The
   * wrappers call this out of line, so their call site sees only the made
   * functions. Once revoked, the slot's thrower: `revoke` leaves the slots
   * never called empty, and their first call after it comes here.
   */
  compile(slot: number): JsFunction {
    if (!this.live) return (this.fns[slot] = this.thrower(slot));
    // The first call into the instance may make the first resource object: from now on keep
    // each class's hidden classes (guest-resources.ts `keepShapes`).
    if (!this.called) {
      this.called = true;
      for (const b of this.bindings) b.keepShapes();
    }
    const fn = this.makers[slot]!();
    this.makers[slot] = undefined;
    this.fns[slot] = fn;
    return fn;
  }

  addBinding(binding: GuestClassBinding): void {
    this.bindings.push(binding);
  }

  /**
   * Drops every owned handle JS still holds, newest first (so dependents go
   * before what they borrow). Returns how many were dropped.
   */
  dropAll(): number {
    return this.owned.close();
  }

  /**
   * Severs everything JS holds from the instance. A slot that was called gets
   * its thrower now; one never called stays empty, so its first call reaches
   * `compile`, which puts the thrower in then (making one for every export at
   * every unload was ~1/5 of unloading a plugin whose exports were not called).
   */
  revoke(): void {
    this.live = false;
    for (let i = 0; i < this.fns.length; i++) if (this.fns[i] !== undefined) this.fns[i] = this.thrower(i);
    this.makers.length = 0;
    // Indexed (as the slots above): revoke runs once per unload, in V8's interpreter or baseline code,
    // where `for...of` over an array calls the array iterator's next() at every step.
    for (let i = 0; i < this.bindings.length; i++) this.bindings[i]!.revoke();
    this.bindings.length = 0;
  }

  /** What slot `i` holds once revoked: a function that throws (or, for an async export, rejects with) UnloadedError. */
  private thrower(i: number): JsFunction {
    const name = this.name;
    const item = this.items[i]!;
    return this.asyncSlots.includes(i)
      ? () => Promise.reject(unloadedError(name, item))
      : () => {
          throw unloadedError(name, item);
        };
  }
}

/** What a call of `item` of the unloaded plugin `name` throws (or rejects with). */
function unloadedError(name: string, item: string): UnloadedError {
  return new UnloadedError(`${name} was unloaded: \`${item}\` can no longer be called`);
}
