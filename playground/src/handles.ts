/**
 * The handles the page holds, and the rows of the live handle view.
 *
 * The host knows the ownership state (`plugin.handles()`, one snapshot per
 * plugin: owned or lent, to whom, parents and children, library-static).
 * The page adds what only it knows: which JS object is which handle, and
 * what became of the objects it no longer can use — disposed, moved into a
 * call, or revoked by unload or reload (the host forgets those).
 *
 * When the host offers no `handles()` (a build from before issue 10), the
 * rows are derived from the lifetime table instead: a result that borrows a
 * parameter becomes the child of the handle passed there.
 */
import type { ResultHandle } from '../../host/index.ts';

/** `plugin.handles()` as issue 10 specifies it (host/plugin/handles.ts). */
export interface HostHandleSnapshot {
  readonly id: number;
  readonly resource: string;
  readonly owner: string;
  readonly holder: string;
  readonly state: 'owned' | 'lent-shared' | 'lent-exclusive';
  readonly borrowers: readonly ({ readonly kind: 'handle'; readonly id: number; readonly mode: 'shared' | 'exclusive' } | { readonly kind: 'call'; readonly call: string; readonly mode: 'shared' | 'exclusive' })[];
  readonly parents: readonly number[];
  readonly children: readonly number[];
  readonly static: boolean;
}

export type PageState = 'live' | 'disposed' | 'moved' | 'revoked';

export interface HeldHandle {
  /** The number the view, the forms (`#3`) and the host's messages use. */
  readonly id: number;
  readonly object: object;
  readonly resource: string;
  /** The plugin that made it. */
  readonly plugin: string;
  /** The call that returned it, e.g. `store.iter(#1)`. */
  readonly origin: string;
  state: PageState;
  /** Why it is no longer usable, when it is not. */
  why?: string;
  /** From the lifetime table: what it borrows (used only without `plugin.handles()`). */
  readonly derivedParents: readonly { readonly id: number; readonly mode: 'shared' | 'exclusive' }[];
  readonly derivedStatic: boolean;
}

export interface HandleRow {
  readonly id: number;
  readonly resource: string;
  readonly plugin: string;
  readonly state: 'owned' | 'lent-shared' | 'lent-exclusive' | 'disposed' | 'moved' | 'revoked';
  /** Who borrows it: another handle (`#id`) or a call in progress. */
  readonly borrowers: readonly { readonly who: string; readonly mode: 'shared' | 'exclusive' }[];
  readonly parents: readonly number[];
  readonly children: readonly number[];
  readonly static: boolean;
  /** 'js' (the page), or the plugin whose table holds it. */
  readonly holder: string;
  readonly held: HeldHandle | undefined;
  readonly why: string | undefined;
}

/** What a call did with handles, for the book to record. */
export interface CallEffects {
  readonly plugin: string;
  readonly origin: string;
  /** Handles in the result, in order, with their lifetime-table entry when the plugin has one. */
  readonly returned: readonly {
    readonly object: object;
    readonly resource: string;
    /** The host's number for it (`plugin.handleId`), when the host can say. */
    readonly hostId?: number | undefined;
    readonly lifetime: ResultHandle | undefined;
  }[];
  /** The objects passed at each parameter index (a method's self is index 0). */
  readonly argObjects: ReadonlyMap<number, readonly object[]>;
  /** Objects the call consumed (moved parameters, consuming methods). */
  readonly moved: readonly object[];
}

export class HandleBook {
  #held: HeldHandle[] = [];
  #byObject = new Map<object, HeldHandle>();
  /** Page-side numbering, used when the host gives no snapshot ids. */
  #next = new Map<string, number>();
  /** Last host snapshot per plugin (absent: the host has no `handles()`). */
  #snapshots = new Map<string, readonly HostHandleSnapshot[]>();

  get held(): readonly HeldHandle[] {
    return this.#held;
  }

  of(object: object): HeldHandle | undefined {
    return this.#byObject.get(object);
  }

  /**
   * Records a call's effects. A returned object is numbered as the host
   * numbers it (`hostId`); failing that, when the host gives snapshots
   * (`after`), new handles in it are paired, per resource and in order,
   * with the objects the call returned; failing that, the page counts.
   */
  record(effects: CallEffects, after: readonly HostHandleSnapshot[] | undefined): HeldHandle[] {
    for (const object of effects.moved) this.#end(object, 'moved', 'moved into a call: the plugin owns it now');
    const before = this.#snapshots.get(effects.plugin);
    const known = new Set([...(before ?? []).map((s) => s.id), ...this.#held.filter((x) => x.plugin === effects.plugin).map((x) => x.id)]);
    const fresh = (after ?? []).filter((s) => !known.has(s.id) && s.holder === 'js');
    const added: HeldHandle[] = [];
    for (const r of effects.returned) {
      const existing = this.#byObject.get(r.object);
      if (existing !== undefined) continue;
      const i = r.hostId !== undefined ? fresh.findIndex((s) => s.id === r.hostId) : fresh.findIndex((s) => s.resource === r.resource);
      const paired = i >= 0 ? fresh.splice(i, 1)[0]!.id : undefined;
      const id = r.hostId ?? paired ?? this.#number(effects.plugin);
      const parents =
        r.lifetime?.lifetime === 'dependent'
          ? r.lifetime.borrows.flatMap((b) => (effects.argObjects.get(b.param) ?? []).flatMap((o) => {
              const p = this.#byObject.get(o);
              return p ? [{ id: p.id, mode: b.mode }] : [];
            }))
          : [];
      const held: HeldHandle = {
        id, object: r.object, resource: r.resource, plugin: effects.plugin, origin: effects.origin, state: 'live',
        derivedParents: parents, derivedStatic: r.lifetime?.lifetime === 'static',
      };
      this.#held.push(held);
      this.#byObject.set(r.object, held);
      added.push(held);
    }
    if (after !== undefined) this.#snapshots.set(effects.plugin, after);
    return added;
  }

  setSnapshot(plugin: string, snapshot: readonly HostHandleSnapshot[] | undefined): void {
    if (snapshot === undefined) this.#snapshots.delete(plugin);
    else this.#snapshots.set(plugin, snapshot);
    // A live object the host no longer lists was dropped by the plugin side (e.g. consumed by a method).
    if (snapshot === undefined) return;
    const ids = new Set(snapshot.map((s) => s.id));
    for (const x of this.#held) if (x.plugin === plugin && x.state === 'live' && !ids.has(x.id)) this.#end(x.object, 'moved', 'no longer in the plugin: consumed or dropped');
  }

  disposed(object: object): void {
    this.#end(object, 'disposed', 'disposed ([Symbol.dispose]): its destructor ran');
  }

  /** Every live handle of `plugin` becomes revoked (unload, reload, or the plugin was stopped). */
  revokeAll(plugin: string, why: string): void {
    for (const x of this.#held) if (x.plugin === plugin && x.state === 'live') Object.assign(x, { state: 'revoked', why });
    this.#snapshots.delete(plugin);
    this.#next.delete(plugin);
  }

  /** Forget everything (a different plugin was picked). */
  clear(): void {
    this.#held = [];
    this.#byObject.clear();
    this.#next.clear();
    this.#snapshots.clear();
  }

  /** The rows of the handle view: the host's live handles, then what the page still remembers. */
  rows(): HandleRow[] {
    const rows: HandleRow[] = [];
    const shown = new Set<HeldHandle>();
    for (const [plugin, snapshot] of this.#snapshots) {
      for (const s of snapshot) {
        const held = this.#held.find((x) => x.plugin === plugin && x.id === s.id && x.state === 'live');
        if (held) shown.add(held);
        rows.push({
          id: s.id, resource: s.resource, plugin, state: s.state, parents: s.parents, children: s.children, static: s.static, holder: s.holder,
          borrowers: s.borrowers.map((b) => ({ who: b.kind === 'handle' ? `#${b.id}` : `call ${b.call}`, mode: b.mode })),
          held, why: undefined,
        });
      }
    }
    for (const x of this.#held) {
      if (shown.has(x)) continue;
      if (x.state !== 'live') {
        rows.push({ id: x.id, resource: x.resource, plugin: x.plugin, state: x.state, borrowers: [], parents: x.derivedParents.map((p) => p.id), children: [], static: x.derivedStatic, holder: 'js', held: x, why: x.why });
        continue;
      }
      if (this.#snapshots.has(x.plugin)) continue; // the host has it, or it is gone there
      const kids = this.#held.filter((k) => k.state === 'live' && k.derivedParents.some((p) => p.id === x.id && k.plugin === x.plugin));
      const borrowers = kids.map((k) => ({ who: `#${k.id}`, mode: k.derivedParents.find((p) => p.id === x.id)!.mode }));
      const state = borrowers.some((b) => b.mode === 'exclusive') ? 'lent-exclusive' : borrowers.length > 0 ? 'lent-shared' : 'owned';
      rows.push({ id: x.id, resource: x.resource, plugin: x.plugin, state, borrowers, parents: x.derivedParents.map((p) => p.id), children: kids.map((k) => k.id), static: x.derivedStatic, holder: 'js', held: x, why: undefined });
    }
    return rows.sort((a, b) => (a.plugin === b.plugin ? a.id - b.id : a.plugin.localeCompare(b.plugin)));
  }

  #number(plugin: string): number {
    const n = (this.#next.get(plugin) ?? Math.max(0, ...this.#held.filter((x) => x.plugin === plugin).map((x) => x.id))) + 1;
    this.#next.set(plugin, n);
    return n;
  }

  #end(object: object, state: 'disposed' | 'moved', why: string): void {
    const x = this.#byObject.get(object);
    if (x !== undefined && x.state === 'live') Object.assign(x, { state, why });
  }
}

