/**
 * Honesty of the warm-load floors of the SDK-built examples (floors/sdk.ts,
 * floors/sdk-cores.ts, their hosts in floors/warm.ts): a cache hit only for
 * the very bytes compiled before; bytes that are not such a component
 * refused, as ours refuses them, without filling the cache; the shim and
 * fixup skipped only when they are exactly wit-component's pair; good loads
 * answer as ours does; bad arguments refused as ours refuses them; unload
 * revokes every live object and every export, as in ours.
 */
import { describe, expect, it } from 'vitest';
import { CANVAS_IMPORT } from '../callbacks/api.ts';
import { readU32Leb, topLevelCoreModules } from '../core-modules.ts';
import { exportedInterface, loadPlugin, type Plugin } from '../ours.ts';
import { readGuest } from '../paths.ts';
import { outcome, outcomeOf, collectGarbage, type Outcome } from './honesty.ts';
import { compileSdkMain } from './sdk-cores.ts';
import { REGISTRY_INTERFACE, SHAPES_INTERFACE, TYPES_INTERFACE, type RegistryFloorUnits, type ShapesFloorShape } from './sdk.ts';
import { kvWarmFloor, registryWarmFloor, shapesWarmFloor, typesWarmFloor } from './warm.ts';

type Api = Record<string, (...args: unknown[]) => unknown>;

/** The three examples: how to load them in ours, their floor host, and the load section's check call. */
const EXAMPLES = {
  types: { iface: TYPES_INTERFACE, imports: {}, floor: typesWarmFloor, check: (api: Api) => (api.echoBytes!(new Uint8Array([1, 2, 3])) as Uint8Array)[2] },
  shapes: { iface: SHAPES_INTERFACE, imports: { [CANVAS_IMPORT]: {} }, floor: shapesWarmFloor, check: (api: Api) => (api.circle!(1) as ShapesFloorShape).area() },
  registry: { iface: REGISTRY_INTERFACE, imports: {}, floor: registryWarmFloor, check: (api: Api) => (api.registry!() as RegistryFloorUnits).len() },
} as const;
type Example = keyof typeof EXAMPLES;
const NAMES = Object.keys(EXAMPLES) as Example[];

async function oursOf(name: Example, bytes: Uint8Array = readGuest(name)): Promise<{ plugin: Plugin; api: Api }> {
  const plugin = await loadPlugin(bytes, { name, imports: EXAMPLES[name].imports });
  return { plugin, api: exportedInterface(plugin, EXAMPLES[name].iface) as Api };
}

/** The floor of `name`, loaded once (a miss) and again from a copy (a hit). */
function floorOf(name: Example): { api: Api; hit: boolean; unload(): void; host: ReturnType<(typeof EXAMPLES)[Example]['floor']> } {
  const host = EXAMPLES[name].floor();
  host.load(readGuest(name)).unload();
  const plugin = host.load(new Uint8Array(readGuest(name)));
  return { api: plugin.api as unknown as Api, hit: plugin.hit, unload: () => plugin.unload(), host };
}

/** The component with byte `at` of its core module `module` changed by `xor`. */
function withCoreByte(bytes: Uint8Array, module: number, at: (core: Uint8Array) => number, xor: number): Uint8Array {
  const core = topLevelCoreModules(bytes)[module]!;
  const offset = core.byteOffset - bytes.byteOffset + at(core);
  const out = new Uint8Array(bytes);
  out[offset]! ^= xor;
  return out;
}

describe('SDK warm-load floors: cache, bytes, elision', () => {
  it.each(NAMES)('%s: a copy of the bytes hits, changed bytes miss', (name) => {
    const bytes = readGuest(name);
    const host = EXAMPLES[name].floor();
    const first = host.load(bytes);
    expect(first.hit).toBe(false);
    first.unload();
    const again = host.load(new Uint8Array(bytes));
    expect(again.hit).toBe(true);
    again.unload();
    const other = new Uint8Array(bytes);
    other[other.length - 1]! ^= 1;
    const changed = host.load(other);
    expect(changed.hit).toBe(false);
    changed.unload();
  });

  it.each(NAMES)('%s: truncated bytes are refused with a LoadError, as in ours, and fill no cache entry', async (name) => {
    const bytes = readGuest(name);
    const truncated = bytes.slice(0, bytes.length - 100);
    const host = EXAMPLES[name].floor();
    const floor = outcome(() => host.load(truncated));
    const ours = await outcomeOf(async () => (await oursOf(name, truncated)).plugin);
    expect(floor).toHaveProperty('error', 'LoadError');
    expect(ours).toHaveProperty('error', 'LoadError');
    expect(host.load(bytes).hit).toBe(false);
  });

  it.each(NAMES)('%s: a corrupted main core module is refused with a LoadError, as in ours', async (name) => {
    // The main module's version field (bytes 4-7 of a core module) made unknown: no engine compiles it.
    const bad = withCoreByte(readGuest(name), 0, () => 4, 0x40);
    expect(outcome(() => EXAMPLES[name].floor().load(bad))).toHaveProperty('error', 'LoadError');
    expect(await outcomeOf(async () => (await oursOf(name, bad)).plugin)).toHaveProperty('error', 'LoadError');
  });

  it.each([...NAMES, 'kv'] as const)('%s: the shim and fixup are skipped only when they are exactly the trampoline pair', (name) => {
    const bytes = readGuest(name);
    expect(WebAssembly.Module.exports(compileSdkMain(bytes)).some((e) => e.name === 'cabi_realloc')).toBe(true);
    // The shim's first trampoline's table index (`i32.const 0`) made 1: still a valid module, no longer the pair.
    const shimIndex = withCoreByte(bytes, 1, (core) => findTrampolineIndex(core), 1);
    expect(topLevelCoreModules(shimIndex).map((c) => WebAssembly.validate(c as Uint8Array<ArrayBuffer>))).toEqual([true, true, true]);
    expect(outcome(() => compileSdkMain(shimIndex))).toEqual({ error: 'LoadError', item: 'a shim function is not a trampoline through its table' });
    // A component of two core modules (no shim at all) is not elided either.
    expect(outcome(() => compileSdkMain(new Uint8Array(0)))).toHaveProperty('error', 'LoadError');
  });

  it.each([...NAMES, 'kv'] as const)("%s: a fixup that writes another slot or another function is not the pair either", (name) => {
    const bytes = readGuest(name);
    // The fixup's element segment: count 1, flags 0, `i32.const 0; end`, then the function indices.
    const segment = (core: Uint8Array): number => {
      let at = 8;
      for (;;) {
        const [size, body] = readU32Leb(core, at + 1);
        if (core[at] === 9) return body;
        at = body + size;
      }
    };
    const otherSlot = withCoreByte(bytes, 2, (core) => segment(core) + 3, 1);
    const otherFunction = withCoreByte(bytes, 2, (core) => segment(core) + 6, 1);
    // types lowers one import only: its fixup has no other function to write.
    for (const bad of name === 'types' ? [otherSlot] : [otherSlot, otherFunction]) {
      expect(topLevelCoreModules(bad).map((c) => WebAssembly.validate(c as Uint8Array<ArrayBuffer>))).toEqual([true, true, true]);
      expect(outcome(() => compileSdkMain(bad))).toEqual({ error: 'LoadError', item: 'the fixup does not fill the shim table with its imports in order' });
    }
  });

  it('kv: the warm floor loads through the same elision check', () => {
    const host = kvWarmFloor();
    expect(host.load(readGuest('kv')).hit).toBe(false);
    const corrupt = withCoreByte(readGuest('kv'), 1, (core) => findTrampolineIndex(core), 1);
    expect(outcome(() => host.load(corrupt))).toHaveProperty('error', 'LoadError');
  });
});

/** The offset, inside a shim module, of the first trampoline's `i32.const` immediate (0). */
function findTrampolineIndex(core: Uint8Array): number {
  // The first body starts `00 20 00 ... 41 00 11`: find `41 00 11` after the code section's start.
  for (let i = core.length - 3; i >= 0; i--) {
    if (core[i] === 0x41 && core[i + 1] === 0x00 && core[i + 2] === 0x11) {
      // Keep the last match before any other `41 00 11`: scanning backwards, continue to the first one.
      let first = i;
      for (let j = i - 1; j >= 0; j--) if (core[j] === 0x41 && core[j + 1] === 0x00 && core[j + 2] === 0x11) first = j;
      return first + 1;
    }
  }
  throw new Error('no trampoline in the shim');
}

describe('SDK warm-load floors: answers and refusals as ours', () => {
  it.each(NAMES)("%s: a warm-loaded floor answers the load section's check as ours does", async (name) => {
    const floor = floorOf(name);
    expect(floor.hit).toBe(true);
    const ours = await oursOf(name);
    expect(outcome(() => EXAMPLES[name].check(floor.api))).toEqual(outcome(() => EXAMPLES[name].check(ours.api)));
    floor.unload();
    await ours.plugin.unload();
  });

  const refused: [Example, string, (api: Api) => unknown][] = [
    ['types', 'echoBytes("x")', (api) => api.echoBytes!('x')],
    ['types', 'echoBytes()', (api) => api.echoBytes!()],
    ['types', 'echoBytes([1, 256])', (api) => api.echoBytes!([1, 256])],
    ['types', 'echoBytes(a Uint8Array, 1)', (api) => api.echoBytes!(new Uint8Array(1), 1)],
    ['shapes', 'circle("1")', (api) => api.circle!('1')],
    ['shapes', 'circle()', (api) => api.circle!()],
    ['shapes', 'area() of a disposed shape', (api) => {
      const s = api.circle!(2) as ShapesFloorShape;
      s[Symbol.dispose]();
      return s.area();
    }],
    ['shapes', 'area() on another object', (api) => (api.circle!(2) as ShapesFloorShape).area.call({})],
    ['shapes', 'area(1)', (api) => (api.circle!(2) as ShapesFloorShape & { area(x?: unknown): number }).area(1)],
    ['registry', 'registry(1)', (api) => api.registry!(1)],
    ['registry', 'len() of a disposed registry', (api) => {
      const r = api.registry!() as RegistryFloorUnits;
      r[Symbol.dispose]();
      return r.len();
    }],
  ];
  it.each(refused)('%s: refuses %s as ours does, and stays usable', async (name, _what, op) => {
    const floor = floorOf(name);
    const ours = await oursOf(name);
    const result: Outcome = outcome(() => op(ours.api));
    expect(result).toHaveProperty('error');
    expect(outcome(() => op(floor.api))).toEqual(result);
    expect(outcome(() => EXAMPLES[name].check(floor.api))).toEqual(outcome(() => EXAMPLES[name].check(ours.api)));
    floor.unload();
    await ours.plugin.unload();
  });

  it.each(NAMES)('%s: unload revokes every live object and every export, as in ours', async (name) => {
    const floor = floorOf(name);
    const ours = await oursOf(name);
    const after: Outcome[][] = [];
    for (const [api, unload] of [
      [floor.api, async () => floor.unload()],
      [ours.api, () => ours.plugin.unload()],
    ] as const) {
      // Two live objects where the example returns one (types returns none), then unload.
      const objects = name === 'shapes' ? [api.circle!(1), api.circle!(2)] : name === 'registry' ? [api.registry!(), api.registry!()] : [];
      await unload();
      const outcomes = [outcome(() => EXAMPLES[name].check(api))];
      for (const o of objects as (ShapesFloorShape | RegistryFloorUnits)[]) outcomes.push(outcome(() => ('area' in o ? o.area() : o.len())), outcome(() => o[Symbol.dispose]()));
      after.push(outcomes);
    }
    expect(after[0]).toEqual(after[1]);
    expect(after[0]![0]).toHaveProperty('error', 'UnloadedError');
  });

  it('shapes and registry: objects JS lets go of are released (their destructor runs), as in ours', async () => {
    for (const name of ['shapes', 'registry'] as const) {
      const floor = floorOf(name);
      const live = (floor.host as unknown as { load(b: Uint8Array): { api: { liveObjects(): number } } }).load(readGuest(name)).api;
      const make = (): void => {
        for (let i = 0; i < 10; i++) void EXAMPLES[name].check(live as unknown as Api);
      };
      make();
      expect(live.liveObjects()).toBe(10);
      await collectGarbage();
      expect(live.liveObjects()).toBe(0);
      floor.unload();
    }
  });
});
