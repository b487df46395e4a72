/**
 * `plugin.handles()`: a read-only snapshot of the live handles of a
 * plugin's resources and their ownership state, for tools that draw it
 * (the playground's live handle view). Built from the same records the
 * borrow rules use (host/runtime/ownership.ts), so it shows what the host
 * enforces.
 */
import type { ComponentInstance } from '../abi/index.ts';
import { GuestClassBinding } from '../runtime/guest-resources.ts';
import { HandleRecord, type BorrowMode } from '../runtime/ownership.ts';
import type { PluginCell } from './plugin-cell.ts';

/** Who borrows a handle: a dependent handle (by id), or a call in progress (by name). */
export type HandleBorrower =
  | { readonly kind: 'handle'; readonly id: number; readonly mode: BorrowMode }
  | { readonly kind: 'call'; readonly call: string; readonly mode: BorrowMode };

export interface HandleSnapshot {
  /** Unique within the plugin: the number messages use (`store #3`). */
  readonly id: number;
  /** The resource type's name, e.g. `store`. */
  readonly resource: string;
  /** The plugin that implements the resource. */
  readonly owner: string;
  /** Who holds the handle: `'js'`, the name of the plugin whose handle table holds it, or `'unknown'`. */
  readonly holder: string;
  /** `owned`: nothing borrows it; otherwise the strongest loan on it. */
  readonly state: 'owned' | 'lent-shared' | 'lent-exclusive';
  readonly borrowers: readonly HandleBorrower[];
  /** Ids of the handles this one borrows from (it is their dependent). */
  readonly parents: readonly number[];
  /** Ids of the dependent handles borrowing this one. */
  readonly children: readonly number[];
  /** Library-static data: shared access only, dropping it frees nothing. */
  readonly static: boolean;
}

export interface HandleHolder {
  readonly name: string;
  readonly instances: readonly ComponentInstance[];
}

export function handleSnapshot(owner: string, cell: PluginCell, holders: readonly HandleHolder[]): HandleSnapshot[] {
  const out: HandleSnapshot[] = [];
  const seen = new Map<GuestClassBinding, Set<number>>();
  const add = (binding: GuestClassBinding, rep: number, id: number, holder: string, record: HandleRecord | undefined): void => {
    let reps = seen.get(binding);
    if (reps === undefined) seen.set(binding, (reps = new Set()));
    if (reps.has(rep)) return;
    reps.add(rep);
    const borrowers: HandleBorrower[] = (record?.loans ?? []).map((l) =>
      l.borrower instanceof HandleRecord ? { kind: 'handle', id: l.borrower.id, mode: l.mode } : { kind: 'call', call: l.borrower.label, mode: l.mode },
    );
    out.push({
      id,
      resource: binding.resourceName,
      owner,
      holder,
      state: borrowers.some((b) => b.mode === 'exclusive') ? 'lent-exclusive' : borrowers.length > 0 ? 'lent-shared' : 'owned',
      borrowers,
      parents: (record?.parents ?? []).map((p) => p.id),
      children: borrowers.flatMap((b) => (b.kind === 'handle' ? [b.id] : [])),
      static: record?.isStatic ?? false,
    });
  };
  for (const [slot, binding, rep] of cell.owned.entries()) {
    if (!(binding instanceof GuestClassBinding)) continue;
    const record = binding.recordOf(rep);
    add(binding, rep, record?.id ?? cell.owned.seqOf(slot), 'js', record);
  }
  for (const binding of cell.bindings) {
    for (const [rep, record] of binding.records()) add(binding, rep, record.id, holderOf(binding, rep, holders), record);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The plugin whose handle table holds an own handle of `rep`. */
function holderOf(binding: GuestClassBinding, rep: number, holders: readonly HandleHolder[]): string {
  for (const h of holders) {
    for (const inst of h.instances) {
      for (const [, handle] of inst.handles.resourceEntries()) if (handle.own && handle.rep === rep && handle.rt.js === binding) return h.name;
    }
  }
  return 'unknown';
}
