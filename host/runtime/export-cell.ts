/**
 * What the JS face of one instantiation (export wrappers, resource classes
 * and their objects) goes through to reach the instance: a table of export
 * functions and the guest resource bindings, which the owner (a Plugin's
 * cell, host/plugin/plugin-cell.ts) severs at unload, so nothing a user
 * still holds reaches the instance or its memory afterwards.
 */
import type { OwnedObjects } from './owned-objects.ts';
import type { GuestClassBinding } from './guest-resources.ts';
import type { PendingWork } from './pending-work.ts';

export type JsFunction = (...args: unknown[]) => unknown;

export interface ExportCell {
  /** The plugin's name, for messages. */
  readonly name: string;
  /**
   * The same object for every generation of one plugin (load, then each
   * reload), so a handle of an earlier generation can be told from one of
   * another plugin.
   */
  readonly lineage: object;
  /** False once unloaded (or replaced by a reload). */
  readonly live: boolean;
  /**
   * Export function slots, called by the wrappers as `(fns[slot] ?? compile(slot))(...)`:
   * undefined until the slot's first call; unload replaces each made one with a thrower, and
   * `compile` gives the others theirs at their first call after it.
   */
  readonly fns: (JsFunction | undefined)[];
  /**
   * Adds an export function, made by `make` at its first call (`compile`);
   * returns its slot. An `async` one returns a Promise, so after unload its
   * slot rejects instead of throwing.
   */
  addFunction(item: string, make: () => JsFunction, kind?: 'sync' | 'async'): number;
  /** The function of `slot`, made now (and kept) if it was not yet: the out-of-line first call of a slot. */
  compile(slot: number): JsFunction;
  /** A guest resource binding of this instantiation, revoked on unload. */
  addBinding(binding: GuestClassBinding): void;
  /** The owned objects JS holds from this instantiation. */
  readonly owned: OwnedObjects;
  /** Async calls, streams and futures JS is waiting on (unload names or ends them). */
  readonly pending: PendingWork;
}
