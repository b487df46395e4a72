/**
 * A linked plugin's call below the provider's face (host/abi/below-face.ts):
 * the importer's lowered import hands the borrowed `self` to the provider's
 * call plan and lifted function as its rep, where the face path lends it as a
 * JS object the face turns back into the rep. Each scenario runs twice, on
 * fresh plugins: with the entries below the face, and with `belowFaceOf`
 * finding none (the face path, as before they existed); results, errors
 * (class, code, kind, message), poisoning and the provider's ownership state
 * must be the same. The importer (below-face-fixture.ts) makes no loans of
 * its own, so the provider's rules are met at the linked call itself, and its
 * `before` hook runs between its entry and that call.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { load, type Plugin } from '../../host/index.ts';
import { belowFaceOf, DECLINED } from '../../host/abi/below-face.ts';
import { GuestClassBinding } from '../../host/runtime/guest-resources.ts';
import type { ResourceType } from '../../host/abi/resource-type.ts';
import { API, importerComponent, providerComponent, THINGS } from './below-face-fixture.ts';

const route = vi.hoisted(() => ({ faceOnly: false }));
vi.mock('../../host/abi/below-face.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../host/abi/below-face.ts')>();
  // The face path: no function has an entry below its face (the importer's lowered import then lends a JS object).
  return { ...real, belowFaceOf: (f: object) => (route.faceOnly ? undefined : real.belowFaceOf(f)) };
});

interface Thing {
  get(): number;
  bump(n: number): number;
  hold(): void;
  [Symbol.dispose](): void;
}
interface Things {
  Thing: new (v: number) => Thing;
}
interface Importer {
  callGet(t: Thing): number;
  callBump(t: Thing, n: number): number;
}

interface World {
  readonly p: Plugin;
  readonly c: Plugin;
  readonly P: Things;
  readonly C: Importer;
  /** What the provider's `hook(rep)` and the importer's `before()` do; set by a scenario. */
  hook: (rep: number) => void;
  before: () => void;
}

async function world(section: boolean, importerSection = false): Promise<World> {
  const w = { hook: () => {}, before: () => {} } as unknown as { -readonly [K in keyof World]: World[K] };
  w.p = await load(await providerComponent(section), {
    name: 'provider',
    unchecked: !section,
    imports: { 'test:p/host': { hook: (v: number) => w.hook(v) } },
  });
  w.c = await load(await importerComponent(importerSection), { name: 'importer', unchecked: !importerSection, link: [w.p], imports: { 'test:c/host': { before: () => w.before() } } });
  w.P = w.p.exports[THINGS] as Things;
  w.C = w.c.exports[API] as Importer;
  return w;
}

type Outcome = { readonly ok: unknown } | { readonly error: { name: string; code: unknown; kind: unknown; message: string } };

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    const x = e as Error & { code?: unknown; kind?: unknown };
    return { error: { name: x.name, code: x.code, kind: x.kind, message: x.message } };
  }
}

/** What a scenario observed, and the state it left: poisoning, the provider's handles, a later call on a fresh thing. */
interface Report {
  readonly seen: readonly unknown[];
  readonly poisoned: { provider: (string | undefined)[]; importer: (string | undefined)[] };
  readonly handles: unknown;
  /** How many JS objects the provider's bindings lent (the face path's; none below it). */
  readonly lends: number;
}

type Scenario = (w: World, seen: unknown[]) => void | Promise<void>;

async function run(scenario: Scenario, faceOnly: boolean, section: boolean, importerSection: boolean): Promise<Report> {
  route.faceOnly = faceOnly;
  const lends = vi.spyOn(GuestClassBinding.prototype, 'liftBorrow');
  try {
    const w = await world(section, importerSection);
    const seen: unknown[] = [];
    // Unless the scenario says otherwise, the provider's callback records that the provider ran.
    w.hook = (rep) => void seen.push(`hook ${rep}`);
    await scenario(w, seen);
    const report: Report = {
      seen,
      poisoned: { provider: w.p.instances.map((i) => i.poisoned?.message), importer: w.c.instances.map((i) => i.poisoned?.message) },
      handles: w.p.handles(),
      lends: lends.mock.calls.length,
    };
    await w.p.unload({ dependents: 'unload' });
    return report;
  } finally {
    lends.mockRestore();
    route.faceOnly = false;
  }
}

/**
 * Runs `scenario` below the face and through it, and checks both saw and left the same.
 * `below`: whether the below-face run made its linked calls without lending a JS object.
 */
async function same(scenario: Scenario, below: boolean, section = true, importerSection = false): Promise<Report> {
  const viaBelow = await run(scenario, false, section, importerSection);
  const viaFace = await run(scenario, true, section, importerSection);
  expect(viaBelow.seen).toEqual(viaFace.seen);
  expect(viaBelow.poisoned).toEqual(viaFace.poisoned);
  expect(viaBelow.handles).toEqual(viaFace.handles);
  expect(viaFace.lends).toBeGreaterThan(0);
  if (below) expect(viaBelow.lends).toBe(0);
  else expect(viaBelow.lends).toBe(viaFace.lends);
  return viaBelow;
}

afterEach(() => {
  route.faceOnly = false;
});

describe.each([
  ['with call plans (checked provider)', true],
  ['without call plans (unchecked provider)', false],
])('a linked call below the provider face, %s, against the face path', (_label, section) => {
  it('gives the same results, arity 1 and 2, the same thing again and others, shared and exclusive', async () => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(5);
      const u = new w.P.Thing(7);
      seen.push(w.C.callGet(t), w.C.callGet(t), w.C.callBump(t, 3), w.C.callGet(u), w.C.callBump(u, 1), w.C.callGet(t));
      // The things are the caller's still: usable from JS.
      seen.push(t.get(), u.bump(2));
    }, true, section);
    expect(r.seen).toEqual(['hook 5', 'hook 5', 'hook 7', 'hook 5', 10, 10, 8, 14, 8, 10, 'hook 5', 10, 9]);
    expect(r.poisoned).toEqual({ provider: [undefined], importer: [undefined] });
  });

  it('a trap in the provider during the linked call: the provider poisoned, the importer told (poisoned too), alike', async () => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(99);
      seen.push(outcome(() => w.C.callGet(t)));
      seen.push(outcome(() => new w.P.Thing(1).get()), outcome(() => w.C.callGet(new w.P.Thing(1))));
    }, true, section);
    expect(r.poisoned.provider[0]).toMatch(/wasm trap in provider/);
    expect(r.poisoned.importer[0]).toMatch(/provider/);
  });

  it('a provider poisoned before the linked call (between the importer\'s entry and its call): the same TrapError, nothing run', async () => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(3);
      w.before = () => {
        w.before = () => {};
        seen.push(outcome(() => new w.P.Thing(99).get()));
      };
      seen.push(outcome(() => w.C.callGet(t)));
    }, true, section);
    expect(r.seen[1]).toMatchObject({ error: { name: 'TrapError' } });
  });

  it('re-entrance from the provider\'s host callback during the linked call: into the importer, into the provider, refused alike', async () => {
    await same((w, seen) => {
      const t = new w.P.Thing(4);
      w.hook = () => {
        w.hook = () => {};
        // t is lent to the linked call (shared, with call plans): a use needing more than shared access meets that loan first.
        seen.push(outcome(() => w.C.callGet(t)), outcome(() => t.get()), outcome(() => t.bump(1)), outcome(() => t[Symbol.dispose]()), outcome(() => new w.P.Thing(2)));
      };
      seen.push(outcome(() => w.C.callGet(t)));
      seen.push(outcome(() => w.C.callGet(t)));
    }, true, section);
  });

  it.each(['callGet', 'callBump'] as const)('re-entrance of the provider by the linked call (%s; the provider is running: its host callback calls the importer): refused alike before it enters', async (call) => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(5);
      const u = new w.P.Thing(6);
      w.hook = () => {
        w.hook = () => {};
        seen.push(outcome(() => (call === 'callGet' ? w.C.callGet(u) : w.C.callBump(u, 1))));
      };
      t.hold();
      seen.push(u.get());
    }, true, section);
    expect(r.seen[0]).toMatchObject({ error: { name: 'PluginInUseError' } });
  });

  it('an exception thrown by the provider\'s host callback during the linked call: both unwound and poisoned, alike', async () => {
    await same((w, seen) => {
      w.hook = () => {
        throw new RangeError('host callback failed');
      };
      seen.push(outcome(() => w.C.callGet(new w.P.Thing(6))));
    }, true, section);
  });

  it('unloading the provider (or the importer) from the provider\'s host callback during the linked call is refused alike; the call completes', async () => {
    await same(async (w, seen) => {
      const t = new w.P.Thing(8);
      const tries: Promise<unknown>[] = [];
      w.hook = () => {
        w.hook = () => {};
        tries.push(w.p.unload({ dependents: 'unload' }), w.p.unload(), w.c.unload(), w.p.reload(new Uint8Array(0)));
      };
      seen.push(outcome(() => w.C.callGet(t)));
      for (const p of tries) seen.push(await p.then((v) => ({ ok: v }), (e: Error & { code?: unknown }) => ({ error: { name: e.name, code: e.code, message: e.message } })));
      seen.push(w.p.isUnloaded, w.c.isUnloaded, outcome(() => w.C.callGet(t)));
    }, true, section);
  });

  it('a disposed thing, a thing of another load of the provider, a thing after its provider was unloaded: refused alike, before the linked call', async () => {
    await same(async (w, seen) => {
      const t = new w.P.Thing(5);
      w.C.callGet(t);
      t[Symbol.dispose]();
      seen.push(outcome(() => w.C.callGet(t)));
      // Another thing with t's rep: a resource of its own, with a record of its own (t's was retired with t).
      // During its linked call, the loan on it is on that record: a use needing more than shared access meets it.
      const again = new w.P.Thing(5);
      w.hook = () => {
        w.hook = () => {};
        seen.push(outcome(() => again.bump(1)));
      };
      seen.push(w.C.callGet(again));
      const other = await load(await providerComponent(section), { name: 'provider', unchecked: !section, imports: { 'test:p/host': { hook: () => {} } } });
      seen.push(outcome(() => w.C.callGet(new (other.exports[THINGS] as Things).Thing(5))));
      await other.unload();
      const u = new w.P.Thing(6);
      await w.p.unload({ dependents: 'unload' });
      seen.push(outcome(() => w.C.callGet(u)), outcome(() => w.C.callBump(u, 1)));
    }, true, section);
  });
});

describe('a linked call below the provider face meets the provider call plan rules', () => {
  it('`&mut` held by the provider\'s own call in progress: the linked call is refused with the plan\'s BorrowError (declined below, the face refuses), alike', async () => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(5);
      w.hook = () => {
        w.hook = () => {};
        seen.push(outcome(() => w.C.callGet(t)));
      };
      t.hold();
      // The refusal unwound the importer: poisoned. t was not touched: the provider uses it again.
      seen.push(outcome(() => w.C.callGet(t)), t.get());
    }, false);
    expect(r.seen[0]).toMatchObject({ error: { name: 'BorrowError', message: expect.stringMatching(/thing #\d+ \(self of `\[method\]thing\.get`\).*`\[method\]thing\.hold` \(in progress\) \(exclusive\)/) } });
    expect(r.seen[1]).toMatchObject({ error: { name: 'TrapError' } });
    expect(r.seen[2]).toBe(10);
  });

  it('a shared use where the importer\'s own caller lent it: the holder\'s reborrow passes, another\'s exclusive use is refused', async () => {
    await same((w, seen) => {
      const t = new w.P.Thing(5);
      w.before = () => {
        w.before = () => {};
        seen.push(outcome(() => t.bump(1)));
      };
      seen.push(outcome(() => w.C.callBump(t, 2)));
      seen.push(w.C.callGet(t));
    }, true);
  });
});

describe('a linked call below the face from a checked importer', () => {
  it('passes the loan its own call holds on the thing (shared, exclusive: the holder\'s reborrow), and meets the others\'', async () => {
    const r = await same((w, seen) => {
      const t = new w.P.Thing(5);
      seen.push(w.C.callGet(t), w.C.callBump(t, 2), w.C.callGet(t));
    }, true, true, true);
    expect(r.seen).toEqual(['hook 5', 'hook 5', 10, 7, 10]);
    await same((w, seen) => {
      const t = new w.P.Thing(5);
      w.before = () => {
        w.before = () => {};
        // The importer's call-get lends t shared: the provider's exclusive use from JS is refused (E0502), a shared one is not.
        seen.push(outcome(() => t.bump(1)), outcome(() => t.get()));
      };
      seen.push(outcome(() => w.C.callGet(t)));
    }, true, true, true);
  });
});

/** What a plugin linked against `p` calls for `[method]thing.get` (plugin.ts `linkExport`), and the resource type of its `self`. */
function linkedGet(p: Plugin): { call: object; rt: ResourceType } {
  const item = p.linkExport(THINGS)?.item;
  const f = item?.kind === 'instance' ? item.instance.get('[method]thing.get') : undefined;
  const self = f?.kind === 'func' ? f.func.type.params[0]?.type : undefined;
  if (f?.kind !== 'func' || self?.kind !== 'borrow') throw new Error('the provider does not export `[method]thing.get`');
  return { call: f.func.call, rt: self.resource as ResourceType };
}

describe('the entries below the face, called directly', () => {
  it.each([
    ['with call plans', true],
    ['without', false],
  ])('%s: decline (changing nothing) once the provider is unloaded, and for a resource type that is not their `self`', async (_label, section) => {
    const p = await load(await providerComponent(section), { name: 'provider', unchecked: !section, imports: { 'test:p/host': { hook: () => {} } } });
    const { call, rt } = linkedGet(p);
    const entry = belowFaceOf(call)!;
    const t = new (p.exports[THINGS] as Things).Thing(5);
    const via = {};
    expect(entry(5, rt, via, undefined, undefined)).toBe(10);
    const handles = p.handles();
    const other = await load(await providerComponent(section), { name: 'provider', unchecked: !section, imports: { 'test:p/host': { hook: () => {} } } });
    const otherRt = linkedGet(other).rt;
    expect(entry(5, otherRt, via, undefined, undefined)).toBe(DECLINED);
    expect(p.handles()).toEqual(handles);
    // Unloaded: the slot holds its thrower, which has no entry; the call goes through the face, which throws UnloadedError.
    await p.unload();
    expect(entry(5, rt, via, undefined, undefined)).toBe(DECLINED);
    expect(() => t.get()).toThrow(/unloaded/);
    await other.unload();
  });
});
