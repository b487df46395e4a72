/**
 * The cell of one generation of a plugin (host/runtime/export-cell.ts): every
 * export wrapper calls `cell.fns[slot]`, resource classes and objects reach
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
  readonly fns: JsFunction[] = [];
  /** The item behind each slot, for UnloadedError messages. */
  private readonly items: string[] = [];
  /** Which slots hold async exports (they reject after unload instead of throwing). */
  private readonly asyncSlots = new Set<number>();
  readonly bindings: GuestClassBinding[] = [];
  readonly owned = new OwnedObjects();
  readonly pending = new PendingWork();

  constructor(
    readonly name: string,
    /** Shared by every generation of one plugin; a fresh object for a standalone cell. */
    readonly lineage: object = {},
  ) {}

  /** Once revoked (a JS face built after unload, plugin.ts), the slot holds the thrower at once. */
  addFunction(item: string, fn: JsFunction, kind: 'sync' | 'async' = 'sync'): number {
    this.items.push(item);
    const slot = this.fns.push(fn) - 1;
    if (kind === 'async') this.asyncSlots.add(slot);
    if (!this.live) this.fns[slot] = this.thrower(slot);
    return slot;
  }

  /** Once revoked, the binding is revoked at once. */
  addBinding(binding: GuestClassBinding): void {
    if (this.live) this.bindings.push(binding);
    else binding.revoke();
  }

  /**
   * Drops every owned handle JS still holds, newest first (so dependents go
   * before what they borrow). Returns how many were dropped.
   */
  dropAll(): number {
    return this.owned.close();
  }

  /** Severs everything JS holds from the instance. */
  revoke(): void {
    this.live = false;
    for (let i = 0; i < this.fns.length; i++) this.fns[i] = this.thrower(i);
    for (const b of this.bindings) b.revoke();
    this.bindings.length = 0;
  }

  /** What slot `i` holds once revoked: a function that throws (or, for an async export, rejects with) UnloadedError. */
  private thrower(i: number): JsFunction {
    const name = this.name;
    const item = this.items[i]!;
    return this.asyncSlots.has(i)
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
