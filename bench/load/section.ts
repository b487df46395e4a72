/**
 * The load section: from a component's bytes to a working instance, for the
 * SDK-built examples and for a component of at least 1 MB (the WAT bench
 * guest padded with real functions), two rows each:
 *
 * - cold (first compile): every load of every column gets bytes nothing in
 *   the process has compiled (core-modules.ts componentWithNonce: a custom
 *   section with a nonce appended to each core module), because V8 answers a
 *   compile from its native module cache while a module of the same bytes is
 *   alive anywhere, and jco's generated modules never die. Ours with the
 *   host's compile cache emptied first; raw = compile the core modules +
 *   instantiate the main one;
 * - warm (the same bytes again): ours with the cache filled by the previous
 *   load; raw = instantiate an already compiled module.
 *
 * jco's column is transpile, import the generated JS, compile and
 * instantiate, all from memory, as a host that receives a component at run
 * time has to (jco keeps no cache); its warm row is the same bytes again,
 * whose core modules V8 may then find compiled. Every warm row also has the
 * checked floor (floors/warm.ts). Every column's first load is
 * checked with a call before timing.
 */
import { CANVAS_IMPORT, CountingCanvas } from '../callbacks/api.ts';
import { componentWithNonce, coreModuleWithNonce, topLevelCoreModules } from '../core-modules.ts';
import { jcoLoadComponent } from '../jco.ts';
import { benchWarmFloor, kvWarmFloor, registryWarmFloor, shapesWarmFloor, typesWarmFloor } from '../floors/warm.ts';
import { BENCH_INTERFACE, buildBenchGuest, type BenchGuest } from '../micro/guest.ts';
import { compileRaw, instantiateRaw, type RawModules } from '../micro/raw.ts';
import { clearCompileCache, exportedInterface, loadPlugin, oursHost, type Plugin } from '../ours.ts';
import { readGuest } from '../paths.ts';
import { measureAsyncCase } from '../async-case.ts';
import { withRepeats } from '../repeats.ts';
import type { CaseResult, Cell, Column, RunContext, Section, Target } from '../suite.ts';
import type { AsyncRuns } from '../timing.ts';

const WARM_VS_JCO: Target = { kind: 'jco/ours', atLeast: 100 };
const COLD_VS_JCO: Target = { kind: 'jco/ours', atLeast: 20 };

/** Functions added to the WAT bench guest to make its component at least 1 MB. */
const MEGABYTE_PADDING = 22_000;

/** A component to load, and how to check that an instance of it works. */
export interface Loadable {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The import object both hosts need beyond `rdylib-panic`. */
  readonly imports: Record<string, unknown>;
  /** The WAT bench guest (no rdylib:abi section; its raw column is micro/raw.ts), or undefined for an SDK-built plugin. */
  readonly benchGuest?: BenchGuest;
  /** The exported interface `check` uses: every timed load of ours reads it (our host makes its JS face at first use). */
  readonly iface: string;
  /** Calls into the instance's exports (keyed by interface name); throws when the answer is wrong. */
  check(exports: (name: string) => unknown): void;
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong result from ${what}`);
}

/** The components the section loads; `padding` sizes the WAT one (at least 1 MB in the bench). */
export async function loadables(padding = MEGABYTE_PADDING): Promise<Loadable[]> {
  const big = await buildBenchGuest(padding);
  return [
    {
      name: 'kv',
      bytes: readGuest('kv'),
      iface: 'rdylib-guest:kv/kv@0.1.0',
      imports: {},
      check(exports) {
        const kv = exports(this.iface) as { Store: new () => { put(k: string, v: string): unknown; len(): number } };
        const store = new kv.Store();
        store.put('a', 'b');
        expect(store.len() === 1, 'kv Store.len()');
      },
    },
    {
      name: 'shapes',
      bytes: readGuest('shapes'),
      iface: 'rdylib-guest:shapes/shapes@0.1.0',
      imports: { [CANVAS_IMPORT]: { Canvas: CountingCanvas } },
      check(exports) {
        const shapes = exports(this.iface) as { circle(r: number): { area(): number } };
        expect(shapes.circle(1).area() === Math.PI, 'shapes circle(1).area()');
      },
    },
    {
      name: 'types',
      bytes: readGuest('types'),
      iface: 'rdylib-guest:types/types@0.1.0',
      imports: {},
      check(exports) {
        const types = exports(this.iface) as { echoBytes(b: Uint8Array): Uint8Array };
        expect(types.echoBytes(new Uint8Array([1, 2, 3]))[2] === 3, 'types echoBytes');
      },
    },
    {
      name: 'registry',
      bytes: readGuest('registry'),
      iface: 'rdylib-guest:registry/registry@0.1.0',
      imports: {},
      check(exports) {
        const registry = exports(this.iface) as { registry(): { len(): number } };
        expect(registry.registry().len() === 5, 'registry().len()');
      },
    },
    {
      name: `${(big.component.length / 1e6).toFixed(1)} MB WAT component`,
      bytes: big.component,
      imports: {},
      benchGuest: big,
      iface: 'rdylib:bench/api@0.1.0',
      check(exports) {
        const api = exports(this.iface) as { add(a: number, b: number): number };
        expect(api.add(40, 2) === 42, 'add(40, 2)');
      },
    },
  ];
}

/** A load that yields a working instance, and how to release it. */
export type Load = () => Promise<{ exports: (name: string) => unknown; release(): Promise<void> }>;

/**
 * Cold: each of `loads` loads gets bytes no column has compiled yet; warm:
 * the same bytes every time. V8 answers a compile from its native module
 * cache while a module of the same bytes is alive anywhere in the process
 * (jco's generated JS modules are never collected, so theirs stay), which
 * made "cold" loads of unchanged bytes warm in the engine for every column.
 */
export type Temperature = { readonly kind: 'cold'; readonly loads: number } | { readonly kind: 'warm' };

let lastNonce = 0;

/** `count` values made now (before any timing) by `make`, each with a nonce no other has; each call hands out the next once. */
function madeAhead<T>(count: number, make: (nonce: number) => T): () => T {
  const made: (T | undefined)[] = Array.from({ length: count }, () => make(++lastNonce));
  let next = 0;
  return () => {
    const value = made[next];
    if (value === undefined) throw new Error(`cold load: only ${count} fresh variants were made`);
    made[next++] = undefined;
    return value;
  };
}

/** The component's bytes for each load at this temperature: fresh variants (core-modules.ts componentWithNonce) when cold. */
function bytesFor(target: Loadable, temperature: Temperature): () => Uint8Array {
  return temperature.kind === 'warm' ? () => target.bytes : madeAhead(temperature.loads, (n) => componentWithNonce(target.bytes, n));
}

export function oursLoad(target: Loadable, temperature: Temperature): Load {
  const bytes = bytesFor(target, temperature);
  return async () => {
    if (temperature.kind === 'cold') clearCompileCache();
    const plugin: Plugin = target.benchGuest !== undefined
      ? await oursHost.load(bytes())
      : await loadPlugin(bytes(), { name: target.name, imports: Object.fromEntries(Object.keys(target.imports).map((k) => [k, {}])) });
    // Bytes to a working instance: what every user reads before a call is inside the timed op (the host makes its JS face at first use).
    exportedInterface(plugin, target.iface);
    return { exports: (name) => exportedInterface(plugin, name), release: () => plugin.unload() };
  };
}

/** Stub imports for instantiating a core module alone: a function per imported function, never called at instantiation. */
function stubImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== 'function') throw new Error(`raw load: cannot stub a ${i.kind} import (${i.module} ${i.name})`);
    (imports[i.module] ??= {})[i.name] = () => {
      throw new Error(`raw load: ${i.module} ${i.name} called`);
    };
  }
  return imports as WebAssembly.Imports;
}

/**
 * raw: the core modules compiled (cold) or taken already compiled (warm),
 * then instantiated: the plugin's code (the largest module) with stub
 * imports, or for the bench guest its two modules wired as micro/raw.ts does.
 */
export function rawLoad(target: Loadable, temperature: Temperature): Load {
  const done = { exports: () => undefined, release: async () => {} };
  const guest = target.benchGuest;
  if (guest !== undefined) {
    if (temperature.kind === 'cold') {
      const fresh = madeAhead(temperature.loads, (n) => ({ memCore: coreModuleWithNonce(guest.memCore, n), mainCore: coreModuleWithNonce(guest.mainCore, n) }));
      return async () => {
        await instantiateRaw(await compileRaw(fresh()));
        return done;
      };
    }
    let compiled: Promise<RawModules> | undefined;
    return async () => {
      await instantiateRaw(await (compiled ??= compileRaw(guest)));
      return done;
    };
  }
  const sources = topLevelCoreModules(target.bytes);
  const largest = sources.reduce((best, b, i) => (b.length > sources[best]!.length ? i : best), 0);
  // The synchronous engine calls, as our host makes them (see micro/raw.ts compileRaw).
  const compile = (modules: readonly Uint8Array[]) => modules.map((bytes) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  const instantiate = (modules: readonly WebAssembly.Module[]) => new WebAssembly.Instance(modules[largest]!, stubImports(modules[largest]!));
  if (temperature.kind === 'cold') {
    const fresh = madeAhead(temperature.loads, (n) => sources.map((bytes) => coreModuleWithNonce(bytes, n)));
    return async () => {
      instantiate(compile(fresh()));
      return done;
    };
  }
  const compiled = compile(sources);
  return async () => {
    instantiate(compiled);
    return done;
  };
}

/** The warm-load floors of the SDK-built examples, by Loadable name. */
const SDK_WARM_FLOORS: Readonly<Record<string, () => { load(bytes: Uint8Array): { readonly exports: Readonly<Record<string, unknown>>; unload(): void } }>> = {
  kv: kvWarmFloor,
  types: typesWarmFloor,
  shapes: shapesWarmFloor,
  registry: registryWarmFloor,
};

/**
 * The checked floor of a warm load (floors/warm.ts), for every loadable: its own
 * compile cache, filled by the first (checked, untimed) load, so every timed load is a hit.
 */
export function checkedWarmLoad(target: Loadable): Load | undefined {
  const host = target.benchGuest !== undefined ? benchWarmFloor() : SDK_WARM_FLOORS[target.name]?.();
  if (host === undefined) return undefined;
  return async () => {
    const plugin = host.load(target.bytes);
    const face: Readonly<Record<string, unknown>> = plugin.exports;
    // Bytes to a working instance: the exported interface read, as ours's timed op reads it.
    if (face[target.iface] === undefined) throw new Error(`the warm floor has no ${target.iface}`);
    return { exports: (name) => face[name], release: async () => plugin.unload() };
  };
}

/** jco keeps no cache: warm is the same bytes transpiled again, whose core modules V8 may find compiled. */
export function jcoLoad(target: Loadable, temperature: Temperature): Load {
  const bytes = bytesFor(target, temperature);
  return async () => {
    const root = await jcoLoadComponent(bytes(), 'plugin', target.imports);
    return { exports: (name) => root[name], release: async () => {} };
  };
}

export function loadRuns(quick: boolean): AsyncRuns {
  return quick ? { warmups: 1, samples: 3 } : { warmups: 3, samples: 15 };
}

/**
 * A repeat of a case judged unreachable (repeats.ts) times fewer loads: a load's jco column takes
 * 30-90 ms, and fewer samples only widen the spreads, which makes a proof harder, never easier.
 */
export function repeatRuns(quick: boolean): AsyncRuns {
  return quick ? loadRuns(true) : { warmups: 1, samples: 8 };
}

/** Checks one load per column (raw only instantiates), then times them interleaved. */
function measureLoads(target: Loadable, loads: Partial<Record<Column, Load>>, ctx: RunContext, runs: AsyncRuns = loadRuns(ctx.quick)): Promise<Partial<Record<Column, Cell>>> {
  const prepares: Partial<Record<Column, () => Promise<() => Promise<void>>>> = {};
  for (const [column, load] of Object.entries(loads) as [Column, Load][]) {
    prepares[column] = async () => {
      const first = await load();
      if (column !== 'raw') target.check(first.exports);
      await first.release();
      return async () => (await load()).release();
    };
  }
  return measureAsyncCase(prepares, runs, ctx);
}

export const loadSection: Section = {
  id: 'load',
  title: 'load: bytes to a working instance, cold (first compile) and warm (same bytes again)',
  async run(ctx) {
    const cases: CaseResult[] = [];
    const runs = loadRuns(ctx.quick);
    // Every op of a column, its first checked load included.
    const cold: Temperature = { kind: 'cold', loads: runs.warmups + runs.samples + 1 };
    const warm: Temperature = { kind: 'warm' };
    // Each case's columns, made anew for every measurement (a cold load's fresh bytes are used up; a floor's cache starts empty).
    const columnsOf: { readonly target: Loadable; readonly make: () => Partial<Record<Column, Load>> }[] = [];
    for (const target of await loadables()) {
      const loads = (t: Temperature) => ({ raw: rawLoad(target, t), ours: oursLoad(target, t), jco: jcoLoad(target, t) });
      const coldColumns = () => loads(cold);
      const warmColumns = () => {
        const checked = checkedWarmLoad(target);
        return { ...loads(warm), ...(checked === undefined ? {} : { checked }) };
      };
      for (const [name, targets, make] of [
        [`load ${target.name} (${(target.bytes.length / 1000).toFixed(0)} KB), cold`, [COLD_VS_JCO], coldColumns],
        [`load ${target.name}, warm`, [WARM_VS_JCO], warmColumns],
      ] as const) {
        columnsOf.push({ target, make });
        cases.push({ section: 'load', name, targets, cells: await measureLoads(target, make(), ctx) });
      }
    }
    return withRepeats(cases, async (i, only) => {
      const { target, make } = columnsOf[i]!;
      const all = make();
      return measureLoads(target, Object.fromEntries(only.map((c) => [c, all[c]])), ctx, repeatRuns(ctx.quick));
    });
  },
};
