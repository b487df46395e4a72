/**
 * `await plugin.unload()`: refused during a call, drops what JS and the
 * plugin hold, and revokes every object handed out (host/plugin/plugin.ts,
 * plugin-cell.ts). The heap and WeakRef checks run in a child process with
 * `--expose-gc` (gc-cycles.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BorrowError, PluginInUseError, TrapError, UnloadedError } from '../../host/errors.ts';
import { load } from '../../host/index.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { guestPath, repoRoot } from '../support/guests.ts';
import { Canvas } from '../support/canvas.ts';

/** The UnloadedError `f` throws. */
function unloaded(f: () => unknown): UnloadedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UnloadedError);
    return e as UnloadedError;
  }
  throw new Error('expected an UnloadedError, but the call succeeded');
}

describe('unload revokes every kind of object it handed out', () => {
  it('functions, classes, static functions, resources, dependents, trait objects and static handles throw UnloadedError naming the plugin and item', async () => {
    const kvPlugin = await load(guestPath('kv'), { name: 'kv-plugin' });
    const kv = kvPlugin.exports['rdylib-guest:kv/kv@0.1.0'] as {
      Store: { new (): { put(k: string, v: string): unknown; iter(): { next(): unknown }; [Symbol.dispose](): void }; fromPairs(p: [string, string][]): unknown };
      countPrefix(s: unknown, p: string): number;
    };
    const store = new kv.Store();
    store.put('a', '1');
    const iter = store.iter();
    const { Store, countPrefix } = kv; // detached references must be revoked too
    const put = store.put;

    const shapesPlugin = await load(guestPath('shapes'), { name: 'shapes-plugin', imports: { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } } });
    const shapes = shapesPlugin.exports['rdylib-guest:shapes/shapes@0.1.0'] as { circle(r: number): { area(): number } };
    const circle = shapes.circle(1); // a trait object (Box<dyn Shape>)

    const regPlugin = await load(guestPath('registry'), { name: 'registry-plugin' });
    const reg = regPlugin.exports['rdylib-guest:registry/registry@0.1.0'] as { registry(): { len(): number; find(s: string): { symbol(): string } } };
    const units = reg.registry(); // a library-static handle: valid exactly until unload
    const ft = units.find('ft');
    expect(units.len()).toBe(5);
    expect(ft.symbol()).toBe('ft');

    await kvPlugin.unload();
    await shapesPlugin.unload();
    await regPlugin.unload();

    expect(unloaded(() => countPrefix(store, 'a')).message).toBe('kv-plugin was unloaded: `rdylib-guest:kv/kv@0.1.0#count-prefix` can no longer be called');
    expect(unloaded(() => new Store()).message).toMatch(/^kv-plugin was unloaded: `.*\[constructor\]store`/);
    expect(unloaded(() => kv.Store.fromPairs([])).message).toMatch(/^kv-plugin was unloaded: `.*\[static\]store\.from-pairs`/);
    expect(unloaded(() => store.put('b', '2')).message).toMatch(/^kv-plugin was unloaded: `.*\[method\]store\.put`/);
    expect(unloaded(() => put.call(store, 'b', '2')).message).toMatch(/kv-plugin/);
    expect(unloaded(() => iter.next()).message).toMatch(/^kv-plugin was unloaded: `.*\[method\]iter\.next`/);
    expect(unloaded(() => circle.area()).message).toMatch(/^shapes-plugin was unloaded: `.*\[method\]shape\.area`/);
    expect(unloaded(() => units.len()).message).toMatch(/^registry-plugin was unloaded: `.*\[method\]unit-registry\.len`/);
    expect(unloaded(() => ft.symbol()).message).toMatch(/^registry-plugin was unloaded: `.*\[method\]unit\.symbol`/);
    // Disposing after unload is a no-op (unload already dropped the guest handles), never a call into the plugin.
    expect(() => store[Symbol.dispose]()).not.toThrow();
    expect(kvPlugin.instances).toEqual([]);
    expect(kvPlugin.memories).toEqual([]);
    // Idempotent.
    await expect(kvPlugin.unload()).resolves.toBeUndefined();
  });

  it('drops the live handles JS holds, dependents before what they borrow, and can run while borrows are live', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv' });
    const kv = plugin.exports['rdylib-guest:kv/kv@0.1.0'] as { Store: new () => { put(k: string, v: string): unknown; iter(): object; lock(): object } };
    const a = new kv.Store();
    a.put('x', '1');
    a.iter();
    a.iter();
    new kv.Store().lock();
    expect(plugin.liveHandles).toBe(5);
    // Borrow rules do not block unload: it drops children first itself.
    expect(() => (a as unknown as { [Symbol.dispose](): void })[Symbol.dispose]()).toThrow(BorrowError);
    await plugin.unload();
    expect(plugin.liveHandles).toBe(0);
    // Had a destructor trapped (a parent dropped before its dependent, say), the instance would be poisoned by a trap, not by unload.
    expect(plugin.isUnloaded).toBe(true);
  });

  it('is refused while a call into the plugin is in progress, and works after it returns', async () => {
    const plugin = await load(guestPath('shapes'), { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas@0.1.0': { Canvas } } });
    const api = plugin.exports['rdylib-guest:shapes/shapes@0.1.0'] as { rect(w: number, h: number): object; render(s: object, c: object): number };
    let refusal: unknown;
    Canvas.onLine = () => {
      plugin.unload().catch((e: unknown) => (refusal ??= e));
    };
    try {
      expect(api.render(api.rect(1, 1), new Canvas())).toBe(1);
    } finally {
      Canvas.onLine = undefined;
    }
    await Promise.resolve();
    expect(refusal).toBeInstanceOf(PluginInUseError);
    expect((refusal as Error).message).toBe('cannot unload shapes while a call into it is in progress; unload it after the call returns');
    expect(plugin.isUnloaded).toBe(false);
    await plugin.unload();
    expect(plugin.isUnloaded).toBe(true);
  });

  it('releases the host objects the plugin held, calling their [Symbol.dispose]', async () => {
    // A plugin that keeps an owned host object in a global and never drops it.
    const bytes = await parse(`(component
      (import "host" (instance $h (export "obj" (type (sub resource)))))
      (alias export $h "obj" (type $obj))
      (core module $m (func (export "keep") (param i32)))
      (core instance $i (instantiate $m))
      (func $keep (param "o" (own $obj)) (canon lift (core func $i "keep")))
      (export "keep" (func $keep)))`);
    const disposed: string[] = [];
    class Obj {
      constructor(readonly name: string) {}
      [Symbol.dispose](): void {
        disposed.push(this.name);
      }
    }
    const plugin = await load(bytes, { unchecked: true, name: 'holder', imports: { host: { Obj } } });
    const keep = plugin.exports.keep as (o: Obj) => void;
    keep(new Obj('first'));
    keep(new Obj('second'));
    expect(disposed).toEqual([]);
    await plugin.unload();
    expect(disposed).toEqual(['second', 'first']);
  });

  it('poisons every instance of the ended generation, unload and reload alike: entering one is a TrapError naming it', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv-poisoned' });
    const first = [...plugin.instances];
    await plugin.reload(guestPath('kv'));
    const second = [...plugin.instances];
    await plugin.unload();
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBe(first.length);
    for (const inst of [...first, ...second]) {
      expect(inst.poisoned).toBeInstanceOf(TrapError);
      expect(() => inst.checkNotPoisoned()).toThrow(TrapError);
      expect(() => inst.checkNotPoisoned()).toThrow(new RegExp(`^${inst.name} is poisoned by an earlier trap: its plugin was unloaded, or replaced by reload$`));
      expect(inst.name.startsWith('kv-poisoned')).toBe(true);
    }
    // One error shared by every plugin: frozen, so no holder can change what the others report.
    expect(Object.isFrozen(first[0]!.poisoned)).toBe(true);
  });

  it('a trap in one instance poisons every instance of the generation with that same TrapError', async () => {
    const plugin = await load(guestPath('kv'), { name: 'kv-trapped' });
    const instances = [...plugin.instances];
    expect(instances.length).toBeGreaterThan(1);
    const trap = new TrapError('trapped on purpose');
    instances[0]!.poison(trap);
    for (const inst of instances) expect(inst.poisoned).toBe(trap);
    await plugin.unload();
    // Unload keeps the first trap as the reason.
    for (const inst of instances) expect(inst.poisoned).toBe(trap);
  });
});

describe('unload frees the instance (child process with --expose-gc)', () => {
  it('1,000 load/unload cycles of kv keep the heap flat; WeakRefs to an unloaded memory and to a lent host object are cleared', async () => {
    const script = fileURLToPath(new URL('./gc-cycles.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', script, '1000'], {
      cwd: repoRoot,
      maxBuffer: 1 << 20,
    });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as {
      cycles: number;
      heapBeforeBytes: number;
      heapAfterBytes: number;
      growthBytes: number;
      growthPerCycleBytes: number;
      memoryCleared: boolean;
      memoryClearedUnused: boolean;
      finalizedHandles: { created: number; liveAfterGc: number };
      lentHostObjectCleared: boolean;
    };
    console.log(`unload GC report: ${JSON.stringify(report)}`);
    expect(report.cycles).toBe(1000);
    expect(report.memoryCleared).toBe(true);
    expect(report.memoryClearedUnused).toBe(true);
    // Generous: a leaked instance (its 1+ MiB memory, module, closures) per cycle would be > 1 GB.
    expect(report.growthBytes).toBeLessThan(8 * 1024 * 1024);
    // The FinalizationRegistry fallback dropped the objects JS let go of, except the few newest the nursery still holds.
    expect(report.finalizedHandles.liveAfterGc).toBeLessThanOrEqual(64);
    // A host object lent to the plugin for one call (&mut dyn Canvas) is not kept alive by the host afterwards.
    expect(report.lentHostObjectCleared).toBe(true);
  }, 240_000);
});

