/**
 * Run as `node --expose-gc --import tsx test/unload/gc-cycles.ts [cycles]`
 * (unload.test.ts spawns it): loads and unloads the kv example `cycles`
 * times, leaving live handles and user-held references behind each time,
 * and prints one JSON line: heap before/after, whether a WeakRef to an
 * unloaded instance's memory was cleared, and how many handles JS let go
 * of without dispose the FinalizationRegistry fallback dropped.
 */
import { load, type Plugin } from '../../host/index.ts';
import { readGuest } from '../support/guests.ts';
import { Canvas } from '../support/canvas.ts';
import { collect } from '../support/collect.ts';


interface Store { put(k: string, v: string): unknown; iter(): object; lock(): object; [Symbol.dispose](): void }
interface Kv { Store: new () => Store; countPrefix(s: Store, p: string): number }
const kvOf = (p: Plugin) => p.exports['rdylib-guest:kv/kv@0.1.0'] as Kv;

const bytes = readGuest('kv');

/** One cycle: use the plugin, leave a dependent and a parent alive, unload. */
async function cycle(): Promise<void> {
  const p = await load(bytes, { name: 'kv' });
  const kv = kvOf(p);
  const s = new kv.Store();
  s.put('k', 'v');
  s.iter();
  kv.countPrefix(s, 'k');
  await p.unload();
}

async function memoryCleared(): Promise<boolean> {
  const p = await load(bytes, { name: 'kv' });
  const ref = new WeakRef(p.memories[0]!);
  const kv = kvOf(p);
  const store = new kv.Store();
  store.put('a', 'b');
  // Everything a user might keep after unload: the plugin, its exports, a class, a method, an object.
  const kept = { p, kv, Store: kv.Store, put: store.put, store, iter: store.iter() };
  await p.unload();
  await collect();
  const cleared = ref.deref() === undefined;
  void kept;
  return cleared;
}

/** The same when JS never asked for the exports before unload (the JS face is made at first use: plugin.ts). */
async function memoryClearedUnused(): Promise<boolean> {
  const p = await load(bytes, { name: 'kv' });
  const ref = new WeakRef(p.memories[0]!);
  await p.unload();
  await collect();
  const cleared = ref.deref() === undefined;
  void p;
  return cleared;
}

async function finalized(): Promise<{ created: number; liveAfterGc: number }> {
  const p = await load(bytes, { name: 'kv' });
  const kv = kvOf(p);
  const created = 1000;
  (() => {
    for (let i = 0; i < created; i++) new kv.Store().put('k', String(i));
  })();
  await collect();
  const liveAfterGc = p.liveHandles;
  await p.unload();
  return { created, liveAfterGc };
}

/** Host objects lent to a plugin for a call (`&mut dyn Canvas`) are not kept alive by the host afterwards. */
async function lentHostObjectCleared(): Promise<boolean> {
  const p = await load(readGuest('shapes'), { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } } });
  const api = p.exports['rdylib-guest:shapes/shapes@0.1.0'] as { rect(w: number, h: number): object; render(s: object, c: Canvas): number };
  const shape = api.rect(1, 1);
  let first: WeakRef<Canvas> | undefined;
  (() => {
    for (let i = 0; i < 200; i++) {
      const c = new Canvas();
      first ??= new WeakRef(c);
      api.render(shape, c);
    }
  })();
  await collect();
  const cleared = first!.deref() === undefined;
  await p.unload();
  return cleared;
}

const cycles = Number(process.argv[2] ?? 1000);
for (let i = 0; i < 50; i++) await cycle(); // warm up: compiled code, caches
await collect();
const before = process.memoryUsage();
for (let i = 0; i < cycles; i++) await cycle();
await collect();
const after = process.memoryUsage();
const growth = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
console.log(
  JSON.stringify({
    cycles,
    heapBeforeBytes: before.heapUsed,
    heapAfterBytes: after.heapUsed,
    arrayBuffersBeforeBytes: before.arrayBuffers,
    arrayBuffersAfterBytes: after.arrayBuffers,
    growthBytes: growth,
    growthPerCycleBytes: Math.round(growth / cycles),
    memoryCleared: await memoryCleared(),
    memoryClearedUnused: await memoryClearedUnused(),
    finalizedHandles: await finalized(),
    lentHostObjectCleared: await lentHostObjectCleared(),
  }),
);
