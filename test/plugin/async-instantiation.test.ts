/**
 * Core instantiations done asynchronously (`WebAssembly.instantiate`), as
 * `load` and `reload` do where the engine refuses the synchronous
 * `new WebAssembly.Instance` on this thread (Chromium's main thread: a module
 * over 8 MB; test/browser/big-module.test.ts). Node refuses nothing, so these
 * tests drive that route with `'always'` (every core instantiation
 * asynchronous), or make the engine's refusal themselves (a RangeError from
 * `new WebAssembly.Instance` / `new WebAssembly.Module`, as Chromium throws),
 * and hold it to the synchronous route: the same plugin, the same failures
 * (link errors, start-function traps, may_enter, imports throwing during
 * start), and nothing left behind by a failure, a provider unloaded or
 * reloaded while it waits, or a plugin unloaded as soon as it is loaded.
 */
import { describe, expect, it, vi } from 'vitest';
import { failOnUnhandledRejections } from '../support/unhandled-rejections.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { clearCompileCache, compile, instantiateComponent, load } from '../../host/index.ts';
import { LoadError, TrapError, UnloadedError } from '../../host/errors.ts';
import { Plugin } from '../../host/plugin/plugin.ts';
import type { ImportObject } from '../../host/runtime/import-matching.ts';
import type { AsyncEngineWork } from '../../host/sync-refusal.ts';
import { validateComponentSettled, type ValidatedComponent } from '../../host/validate/validate.ts';
import { parseComponent } from '../../host/binary/parse.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';

failOnUnhandledRejections();

type Refusal = { name: string; kind: unknown; message: string; cause: string | undefined };
type Outcome = { made: unknown } | { refused: Refusal };

function refusal(e: unknown): Refusal {
  if (!(e instanceof Error)) throw e;
  const cause = e.cause instanceof Error ? e.cause.constructor.name : undefined;
  return { name: e.constructor.name, kind: (e as { kind?: unknown }).kind, message: e.message, cause };
}

function validated(bytes: Uint8Array): ValidatedComponent {
  return compile(bytes, { cache: false }).validated;
}

/**
 * The plugin made from `vc` synchronously (`new Plugin`) and by `Plugin.started` with `route`,
 * then `use`d; `waits`: whether `route` must have given a Promise.
 */
async function outcome(
  vc: ValidatedComponent,
  route: AsyncEngineWork | 'sync',
  imports: () => ImportObject,
  use: (p: Plugin<object>) => unknown,
  waits: boolean,
): Promise<Outcome> {
  let plugin: Plugin<object>;
  try {
    if (route === 'sync') {
      plugin = new Plugin<object>(vc, imports(), 'p', { unchecked: true });
    } else {
      const started = Plugin.started(vc, imports(), 'p', { unchecked: true }, route);
      expect(started instanceof Promise).toBe(waits);
      plugin = await started;
    }
  } catch (e) {
    return { refused: refusal(e) };
  }
  try {
    return { made: use(plugin) };
  } finally {
    await plugin.unload();
  }
}

/** `bytes` validated, its core modules compiled by `load`'s route while the engine refuses every synchronous compile. */
function validatedWhereRefused(bytes: Uint8Array): Promise<ValidatedComponent> {
  return whileEngineRefuses('Module', async () => validateComponentSettled(parseComponent(bytes), 'when-refused'));
}

/**
 * `vc` (compiled where the engine refused its synchronous compiles) made by `load`'s route, where the engine
 * refuses every synchronous compile and instantiation (Chromium's main thread): asynchronously, with no synchronous
 * instantiation tried.
 */
async function outcomeWhereRefused(vc: ValidatedComponent, imports: () => ImportObject, use: (p: Plugin<object>) => unknown): Promise<Outcome> {
  const tried = refusedCalls.Instance;
  const o = await whileEngineRefuses('both', () => outcome(vc, 'when-refused', imports, use, true));
  expect(refusedCalls.Instance).toBe(tried);
  return o;
}

/**
 * Every route on `bytes`: the asynchronous one (every core instantiation waits), and `load`'s where the engine
 * refuses synchronous compiles and instantiations, give what the synchronous one gives.
 */
async function sameBothWays(bytes: Uint8Array, imports: () => ImportObject = () => ({}), use: (p: Plugin<object>) => unknown = () => 'made'): Promise<Outcome> {
  const vc = validated(bytes);
  const sync = await outcome(vc, 'sync', imports, use, false);
  expect(await outcome(vc, 'always', imports, use, true)).toEqual(sync);
  // Node refuses nothing: `load`'s route instantiates synchronously.
  expect(await outcome(vc, 'when-refused', imports, use, false)).toEqual(sync);
  expect(await outcomeWhereRefused(await validatedWhereRefused(bytes), imports, use)).toEqual(sync);
  return sync;
}

/** The exports of a plugin of these tests (loose functions). */
const exportsOf = (p: Plugin<object>): Record<string, (...a: unknown[]) => unknown> => p.exports as Record<string, (...a: unknown[]) => unknown>;

/**
 * Two core modules (the second calls the first: from its start function, or when called), a nested component, a
 * memory: answers 42 and 7. Without a start function, what an engine's refusal lets `load` instantiate again.
 */
function working(withStart: boolean): string {
  const second = withStart
    ? `(global $g (mut i32) (i32.const 0))
       (func $s (global.set $g (i32.add (call $get) (i32.const 2))))
       (start $s)
       (func (export "answer") (result i32) global.get $g)`
    : '(func (export "answer") (result i32) (i32.add (call $get) (i32.const 2)))';
  return `(component
    (core module $a (memory (export "mem") 1) (func (export "get") (result i32) i32.const 40))
    (core instance $ia (instantiate $a))
    (core module $b (import "a" "get" (func $get (result i32))) ${second})
    (core instance $ib (instantiate $b (with "a" (instance $ia))))
    (func (export "answer") (result u32) (canon lift (core func $ib "answer")))
    (component $inner
      (core module $c (func (export "seven") (result i32) i32.const 7))
      (core instance $ic (instantiate $c))
      (func (export "seven") (result u32) (canon lift (core func $ic "seven"))))
    (instance $in (instantiate $inner))
    (alias export $in "seven" (func $seven))
    (export "seven" (func $seven)))`;
}

const WORKING = working(true);
const STARTLESS = working(false);

describe('a core instantiation done asynchronously gives the plugin the synchronous one gives', () => {
  it('a working plugin: nested component, a start function calling another core instance, a memory', async () => {
    const made = await sameBothWays(await parse(WORKING), undefined, (p) => ({
      answer: exportsOf(p).answer!(),
      seven: exportsOf(p).seven!(),
      instances: p.instances.map((i) => ({ name: i.name, mayEnter: i.mayEnter, poisoned: i.poisoned })),
      memories: p.memories.length,
    }));
    expect(made).toEqual({
      made: {
        answer: 42,
        seven: 7,
        instances: [
          { name: 'p', mayEnter: true, poisoned: undefined },
          { name: 'p/instance0', mayEnter: true, poisoned: undefined },
        ],
        memories: 1,
      },
    });
  });

  it('a start function that traps: the same TrapError', async () => {
    const r = await sameBothWays(await parse(`(component (core module $m (func $s unreachable) (start $s)) (core instance (instantiate $m)))`));
    expect(r).toEqual({ refused: { name: 'TrapError', kind: undefined, message: 'core instantiation trapped (data/element segment out of bounds, or the start function): unreachable', cause: 'RuntimeError' } });
  });

  it('a data segment out of bounds, after a nested instance waited: the same TrapError', async () => {
    const r = await sameBothWays(
      await parse(`(component
        (component $inner (core module $c) (core instance (instantiate $c)))
        (instance (instantiate $inner))
        (core module $m (memory 1) (data (i32.const 65535) "ab")) (core instance (instantiate $m)))`),
    );
    expect(r).toMatchObject({ refused: { name: 'TrapError', cause: 'RuntimeError', message: expect.stringMatching(/^core instantiation trapped/) } });
  });

  it('a start function calling into its own component: refused by may_enter, the same TrapError', async () => {
    const r = await sameBothWays(
      await parse(`(component
        (core module $m (func (export "get") (result i32) i32.const 7))
        (core instance $i (instantiate $m))
        (func $get (result u32) (canon lift (core func $i "get")))
        (core func $lowered (canon lower (func $get)))
        (core module $n (import "" "get" (func $get (result i32))) (func $s (drop (call $get))) (start $s))
        (core instance $j (instantiate $n (with "" (instance (export "get" (func $lowered)))))))`),
    );
    expect(r).toMatchObject({ refused: { name: 'TrapError', cause: 'PluginInUseError', message: expect.stringMatching(/^core instantiation trapped: its start function called in too early: .*may_enter/) } });
  });

  it('an import throwing during a start function: the same failure, after the same calls', async () => {
    const calls: unknown[] = [];
    const imports = (): ImportObject => ({
      log: (v: unknown) => {
        calls.push(v);
        throw new Error('boom');
      },
    });
    const r = await sameBothWays(
      await parse(`(component
        (import "log" (func $log (param "v" u32)))
        (core func $l (canon lower (func $log)))
        (core module $m (import "" "log" (func $log (param i32))) (func $s (call $log (i32.const 5))) (start $s))
        (core instance (instantiate $m (with "" (instance (export "log" (func $l)))))))`),
      imports,
    );
    expect(r).toMatchObject({ refused: { message: expect.stringMatching(/boom/) } });
    expect(calls).toEqual([5, 5, 5, 5]);
  });

  it('a start function that calls out, then overflows the stack (a RangeError): run once, failing the same way', async () => {
    const calls: unknown[] = [];
    const r = await sameBothWays(
      await parse(`(component
        (import "log" (func $log (param "v" u32)))
        (core func $l (canon lower (func $log)))
        (core module $m (import "" "log" (func $log (param i32)))
          (func $deep (call $deep))
          (func $s (call $log (i32.const 5)) (call $deep))
          (start $s))
        (core instance (instantiate $m (with "" (instance (export "log" (func $l)))))))`),
      () => ({ log: (v: unknown) => void calls.push(v) }),
    );
    // A TrapError, as a call's stack overflow is (guard.ts `trapped`), with the engine's RangeError as its cause.
    expect(r).toMatchObject({ refused: { name: 'TrapError', message: expect.stringMatching(/start function exhausted the call stack/), cause: 'RangeError' } });
    // Once per route: `load`'s route did not take the RangeError for a refusal to instantiate synchronously.
    expect(calls).toEqual([5, 5, 5, 5]);
  });

  it('core modules that do not link (lying metadata: a module swapped for another): the same failures', async () => {
    const vc = validated(
      await parse(`(component
        (core module $a (func (export "f"))) (core instance $ia (instantiate $a))
        (core module $m (import "a" "f" (func))) (core instance (instantiate $m (with "a" (instance $ia)))))`),
    );
    const swapped = async (wat: string): Promise<ValidatedComponent> => {
      const other = new WebAssembly.Module((await coreModule(wat)) as Uint8Array<ArrayBuffer>);
      let n = 0;
      return { ...vc, info: vc.info.map((d) => (d.kind === 'core-module' && n++ === 1 ? { ...d, module: other } : d)) };
    };
    // The engine's LinkError: an import of another type.
    const wrongType = await swapped(`(module (import "a" "f" (func (param i32))))`);
    const sync = await outcome(wrongType, 'sync', () => ({}), () => 'made', false);
    expect(sync).toMatchObject({ refused: { name: 'LoadError', kind: 'unlinkable', cause: 'LinkError', message: expect.stringMatching(/^core instantiation failed: Import #0 module="a" function="f" error: imported function does not match the expected type \(at byte offset \d+\)$/) } });
    expect(await outcome(wrongType, 'always', () => ({}), () => 'made', true)).toEqual(sync);
    // The engine's TypeError: an import from a module nothing supplies. Passed on as the engine threw it (as before
    // this route existed; validation rules it out), so its message names the API that threw: that alone differs.
    const unsupplied = await swapped(`(module (import "env" "f" (func)))`);
    const withoutApi = (o: Outcome): Outcome => ('refused' in o ? { refused: { ...o.refused, message: o.refused.message.replace(/^WebAssembly\.\w+\(\): /, '') } } : o);
    const syncMissing = await outcome(unsupplied, 'sync', () => ({}), () => 'made', false);
    expect(syncMissing).toMatchObject({ refused: { name: 'TypeError', message: expect.stringMatching(/^WebAssembly\.Instance\(\): Import #0 module="env"/) } });
    expect(withoutApi(await outcome(unsupplied, 'always', () => ({}), () => 'made', true))).toEqual(withoutApi(syncMissing));
  });
});

/** A core module's bytes from WAT (through a component holding only it). */
async function coreModule(wat: string): Promise<Uint8Array> {
  const vc = validated(await parse(`(component (core module $m ${wat.replace(/^\(module/, '').replace(/\)$/, '')}))`));
  const d = vc.ast.definitions.find((x) => x.kind === 'core-module');
  if (d?.kind !== 'core-module') throw new Error('no core module');
  return d.bytes;
}

/** How many synchronous calls `whileEngineRefuses` refused, per API, since the process started. */
const refusedCalls = { Instance: 0, Module: 0 };

/**
 * Runs `body` with `new WebAssembly.<api>` refusing every module as Chromium's main thread refuses a module over
 * 8 MB: a RangeError before anything happens. `'both'`: what Blink does, compile and instantiation refused by one
 * test on the same bytes (sync-refusal.ts); one of them alone: an engine refusing only that call. The asynchronous
 * API is left alone.
 */
async function whileEngineRefuses<T>(api: 'Instance' | 'Module' | 'both', body: () => Promise<T>): Promise<T> {
  const apis = api === 'both' ? (['Instance', 'Module'] as const) : [api];
  const originals = apis.map((a) => [a, WebAssembly[a]] as const);
  for (const [a, original] of originals) {
    // Its statics (WebAssembly.Module.exports …) and instanceof stay the original's.
    const refusing = new Proxy(original, {
      construct(): never {
        refusedCalls[a]++;
        throw new RangeError(`WebAssembly.${a} is disallowed on the main thread, if the buffer size is larger than 8MB. (test)`);
      },
    });
    Object.defineProperty(WebAssembly, a, { value: refusing, configurable: true, writable: true });
  }
  try {
    return await body();
  } finally {
    for (const [a, original] of originals) Object.defineProperty(WebAssembly, a, { value: original, configurable: true, writable: true });
  }
}

describe('a failed instantiation leaves nothing that can run', () => {
  it('every instance it made is poisoned, whichever way it waited', async () => {
    // A nested instance made, then a core start function traps.
    const bytes = await parse(`(component
      (component $inner (core module $c (func (export "f"))) (core instance (instantiate $c)))
      (instance (instantiate $inner))
      (core module $m (func $s unreachable) (start $s)) (core instance (instantiate $m)))`);
    const vc = validated(bytes);
    const vcWhereRefused = await validatedWhereRefused(bytes);
    for (const route of ['sync', 'always', 'where refused'] as const) {
      const made: ComponentInstance[] = [];
      const poison = vi.spyOn(ComponentInstance.prototype, 'poison').mockImplementation(function (this: ComponentInstance, trap) {
        made.push(this);
        this.poisoned ??= trap;
      });
      try {
        const o = route === 'where refused' ? outcomeWhereRefused(vcWhereRefused, () => ({}), () => 'made') : outcome(vc, route, () => ({}), () => 'made', route !== 'sync');
        expect(await o).toMatchObject({ refused: { name: 'TrapError' } });
      } finally {
        poison.mockRestore();
      }
      expect(made.map((i) => [i.name, i.mayEnter, i.poisoned?.message])).toEqual([
        ['p', false, 'its instantiation failed'],
        ['p/instance0', true, 'its instantiation failed'],
      ]);
    }
  });
});

describe('where the engine refuses a synchronous core instantiation or compile (a RangeError)', () => {
  it('`load` instantiates asynchronously and the plugin works; the synchronous entry points say unsupported, naming `load`', async () => {
    const bytes = await parse(STARTLESS);
    const vc = validated(bytes);
    await whileEngineRefuses('Instance', async () => {
      const p = await load(bytes, { name: 'p', unchecked: true, cache: false });
      expect([exportsOf(p).answer!(), exportsOf(p).seven!()]).toEqual([42, 7]);
      await p.unload();
      const e = (() => {
        try {
          new Plugin(vc, {}, 'p', { unchecked: true });
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(LoadError);
      expect(e).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/^core instantiation: this JavaScript engine will not instantiate this module synchronously on this thread .*`load` instantiates it asynchronously.*disallowed on the main thread/) });
      expect((e as Error).cause).toBeInstanceOf(RangeError);
    });
  });

  it('`load` compiles asynchronously; `compile` says unsupported, naming the size and `load`', async () => {
    const bytes = await parse(STARTLESS);
    clearCompileCache();
    await whileEngineRefuses('Module', async () => {
      const p = await load(bytes, { name: 'p', unchecked: true, cache: false });
      expect(exportsOf(p).answer!()).toBe(42);
      await p.unload();
      let e: unknown;
      try {
        compile(bytes, { cache: false });
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(LoadError);
      expect(e).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/^core module of \d+ bytes: this JavaScript engine will not compile it synchronously on this thread .*`load` compiles it asynchronously/) });
    });
  });

  for (const api of ['Instance', 'Module'] as const) {
    it(`\`reload\` ${api === 'Instance' ? 'instantiates' : 'compiles'} asynchronously; a reload whose plugin was unloaded meanwhile fails and leaves it unloaded`, async () => {
      const bytes = await parse(STARTLESS);
      const p = await load(bytes, { name: 'p', unchecked: true, cache: false });
      await whileEngineRefuses(api, async () => {
        await p.reload(bytes);
        expect(exportsOf(p).answer!()).toBe(42);
        const reloading = p.reload(bytes);
        // The reload reads its source (a turn), then waits for the engine: unload meanwhile.
        await Promise.resolve();
        await p.unload();
        await expect(reloading).rejects.toBeInstanceOf(UnloadedError);
        expect(p.isUnloaded).toBe(true);
        expect(() => exportsOf(p).answer!()).toThrow(UnloadedError);
      });
    });
  }
});

describe('reload, whichever way it instantiates', () => {
  it('refuses to replace a plugin unloaded while its new build was matched to its imports (an import getter): it stays unloaded', async () => {
    const bytes = await parse(`(component
      (import "log" (func $log (param "v" u32)))
      (core func $l (canon lower (func $log)))
      (core module $m (import "" "log" (func (param i32))) (func (export "f")))
      (core instance $i (instantiate $m (with "" (instance (export "log" (func $l))))))
      (func (export "f") (canon lift (core func $i "f"))))`);
    let reloading = false;
    let p: Plugin<object> | undefined;
    const imports = {
      get log() {
        if (reloading) void p!.unload();
        return () => undefined;
      },
    };
    p = await load(bytes, { name: 'p', unchecked: true, imports });
    reloading = true;
    await expect(p.reload(bytes)).rejects.toBeInstanceOf(UnloadedError);
    expect(p.isUnloaded).toBe(true);
    expect(p.instances).toEqual([]);
    expect(() => exportsOf(p!).f!()).toThrow(UnloadedError);
  });
});

const PROVIDER = `(component
  (core module $M (func (export "get") (result i32) (i32.const 41)))
  (core instance $m (instantiate $M))
  (func $get (result u32) (canon lift (core func $m "get")))
  (instance $api (export "get" (func $get)))
  (export "test:b/api" (instance $api)))`;

const IMPORTER = `(component
  (import "test:b/api" (instance $api (export "get" (func (result u32)))))
  (core func $get (canon lower (func $api "get")))
  (core module $M
    (import "" "get" (func $get (result i32)))
    (func (export "run") (result i32) (i32.add (call $get) (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance (export "get" (func $get))))))
  (func (export "run") (result u32) (canon lift (core func $m "run"))))`;

describe('a module whose synchronous compile the engine refused here (Blink refuses its synchronous instantiation by the same test)', () => {
  const STARTING = `(component
    (import "log" (func $log (param "v" u32)))
    (core func $l (canon lower (func $log)))
    (core module $m (import "" "log" (func $log (param i32)))
      (memory (export "mem") 1)
      (func $s (call $log (i32.const 5)) (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 42))))
      (start $s)
      (func (export "answer") (result i32) (i32.load (i32.const 0))))
    (core instance $i (instantiate $m (with "" (instance (export "log" (func $l))))))
    (func (export "answer") (result u32) (canon lift (core func $i "answer"))))`;

  it('is instantiated asynchronously from the start by `load` and `reload`, start function or not, from the compile cache too: it runs once', async () => {
    const bytes = await parse(STARTING);
    const calls: unknown[] = [];
    const imports = { log: (v: unknown) => void calls.push(v) };
    clearCompileCache();
    await whileEngineRefuses('both', async () => {
      const tried = { ...refusedCalls };
      const first = await load(bytes, { name: 'p', unchecked: true, imports });
      expect([exportsOf(first).answer!(), calls]).toEqual([42, [5]]);
      // The compile was refused once (then done in the background); no synchronous instantiation was tried.
      expect(refusedCalls).toEqual({ Instance: tried.Instance, Module: tried.Module + 1 });
      await first.reload(bytes);
      expect([exportsOf(first).answer!(), calls]).toEqual([42, [5, 5]]);
      await first.unload();
      // From the compile cache (no compile tried): routed as the first load was.
      const warm = await load(bytes, { name: 'p', unchecked: true, imports });
      expect([exportsOf(warm).answer!(), calls]).toEqual([42, [5, 5, 5]]);
      await warm.unload();
      expect(refusedCalls).toEqual({ Instance: tried.Instance, Module: tried.Module + 1 });
    });
  });

  it('is refused by the synchronous entry points as unsupported, naming `load`, before its start function ran', async () => {
    const bytes = await parse(STARTING);
    const calls: unknown[] = [];
    const imports = { log: (v: unknown) => void calls.push(v) };
    const vc = await validatedWhereRefused(bytes);
    clearCompileCache();
    await whileEngineRefuses('both', async () => {
      await (await load(bytes, { name: 'p', unchecked: true, imports })).unload();
      calls.length = 0;
      const unsupported = { kind: 'unsupported', message: expect.stringMatching(/^core instantiation: this JavaScript engine will not instantiate this module synchronously on this thread .*`load` instantiates it asynchronously.*disallowed on the main thread/) };
      // `compile` finds the build `load` cached, whose module the engine would not compile synchronously.
      for (const attempt of [() => new Plugin(vc, imports, 'p', { unchecked: true }), () => compile(bytes).instantiate(imports), () => instantiateComponent(bytes, imports)]) {
        let e: unknown;
        try {
          attempt();
        } catch (x) {
          e = x;
        }
        expect(e).toBeInstanceOf(LoadError);
        expect(e).toMatchObject(unsupported);
        expect((e as Error).cause).toBeInstanceOf(RangeError);
      }
    });
    expect(calls).toEqual([]);
  });

  it('does not link (lying metadata: a module swapped for one compiled where refused): the failure the synchronous route gives', async () => {
    const vc = validated(
      await parse(`(component
        (core module $a (func (export "f"))) (core instance $ia (instantiate $a))
        (core module $m (import "a" "f" (func))) (core instance (instantiate $m (with "a" (instance $ia)))))`),
    );
    const swap = (other: WebAssembly.Module): ValidatedComponent => {
      let n = 0;
      return { ...vc, info: vc.info.map((d) => (d.kind === 'core-module' && n++ === 1 ? { ...d, module: other } : d)) };
    };
    const wrongTypeBytes = await parse(`(component (core module $m (import "a" "f" (func (param i32)))))`);
    const sync = await outcome(swap(validated(wrongTypeBytes).info.find((d) => d.kind === 'core-module')!.module), 'sync', () => ({}), () => 'made', false);
    expect(sync).toMatchObject({ refused: { name: 'LoadError', kind: 'unlinkable', cause: 'LinkError' } });
    const refusedModule = (await validatedWhereRefused(wrongTypeBytes)).info.find((d) => d.kind === 'core-module')!.module;
    const vcWhereRefused = swap(refusedModule);
    expect(await whileEngineRefuses('both', () => outcome(vcWhereRefused, 'when-refused', () => ({}), () => 'made', true))).toEqual(sync);
  });
});

describe('an engine refusing only the synchronous instantiation of a module with a start function (Blink refuses its compile too)', () => {
  it('does not instantiate it again (its start function may have run: a RangeError is also a stack overflow): the engine\'s error, as before', async () => {
    const calls: unknown[] = [];
    const bytes = await parse(`(component
      (import "log" (func $log (param "v" u32)))
      (core func $l (canon lower (func $log)))
      (core module $m (import "" "log" (func $log (param i32))) (func $s (call $log (i32.const 5))) (start $s))
      (core instance (instantiate $m (with "" (instance (export "log" (func $l)))))))`);
    const imports = { log: (v: unknown) => void calls.push(v) };
    await whileEngineRefuses('Instance', async () => {
      await expect(load(bytes, { name: 'p', unchecked: true, imports })).rejects.toThrow(/^WebAssembly\.Instance is disallowed on the main thread/);
      expect(() => new Plugin(validated(bytes), imports, 'p', { unchecked: true })).toThrow(RangeError);
    });
    expect(calls).toEqual([]);
  });
});

describe('linked plugins and the asynchronous route', () => {
  it('a provider unloaded while the importer instantiates: the error a load finding it unloaded gives, and nothing kept', async () => {
    const b = await load(await parse(PROVIDER), { name: 'b', unchecked: true });
    const a = validated(await parse(IMPORTER));
    const started = Plugin.started(a, {}, 'a', { unchecked: true, link: [b] }, 'always');
    expect(started).toBeInstanceOf(Promise);
    // Not refused: nothing is linked against b yet.
    await b.unload();
    const e = await Promise.resolve(started).catch((x: unknown) => x);
    let sync: unknown;
    try {
      new Plugin(a, {}, 'a', { unchecked: true, link: [b] });
    } catch (x) {
      sync = x;
    }
    expect(refusal(e)).toEqual(refusal(sync));
    expect(refusal(e)).toMatchObject({ name: 'LoadError', kind: 'unlinkable', message: 'missing import `test:b/api`' });
    expect(b.dependents).toEqual([]);
  });

  it('a provider reloaded while the importer instantiates: refused (it would call the old build), provider intact', async () => {
    const bytes = await parse(PROVIDER);
    const b = await load(bytes, { name: 'b', unchecked: true });
    const started = Plugin.started(validated(await parse(IMPORTER)), {}, 'a', { unchecked: true, link: [b] }, 'always');
    await b.reload(bytes);
    const e = await Promise.resolve(started).catch((x: unknown) => x);
    expect(refusal(e)).toMatchObject({ name: 'LoadError', kind: 'unlinkable', message: 'import `test:b/api`: b was reloaded while a was being instantiated; load a again' });
    expect(b.dependents).toEqual([]);
    expect((b.exports as Record<string, { get(): number }>)['test:b/api']!.get()).toBe(41);
    await b.unload();
  });

  it('linked once instantiated: the provider refuses to unload, as after a synchronous load; unload right after load', async () => {
    const b = await load(await parse(PROVIDER), { name: 'b', unchecked: true });
    const a = await Plugin.started(validated(await parse(IMPORTER)), {}, 'a', { unchecked: true, link: [b] }, 'always');
    expect(exportsOf(a).run!()).toBe(42);
    expect(b.dependents).toEqual(['a']);
    await expect(b.unload()).rejects.toMatchObject({ name: 'PluginInUseError' });
    await a.unload();
    expect(() => exportsOf(a).run!()).toThrow(UnloadedError);
    expect(b.dependents).toEqual([]);
    await b.unload();
  });
});

describe('concurrent asynchronous instantiations', () => {
  it('two loads of one component racing: two independent plugins', async () => {
    const vc = validated(await parse(WORKING));
    const [p, q] = await Promise.all([Plugin.started(vc, {}, 'p', { unchecked: true }, 'always'), Plugin.started(vc, {}, 'q', { unchecked: true }, 'always')]);
    expect(p).not.toBe(q);
    expect(p.memories[0]).not.toBe(q.memories[0]);
    await p.unload();
    expect(exportsOf(q).answer!()).toBe(42);
    expect(() => exportsOf(p).answer!()).toThrow(UnloadedError);
    await q.unload();
  });

  it('a failing one beside a working one: each its own outcome', async () => {
    const good = validated(await parse(WORKING));
    const bad = validated(await parse(`(component (core module $m (func $s unreachable) (start $s)) (core instance (instantiate $m)))`));
    const [p, e] = await Promise.all([
      Plugin.started(good, {}, 'p', { unchecked: true }, 'always'),
      Promise.resolve(Plugin.started(bad, {}, 'q', { unchecked: true }, 'always')).catch((x: unknown) => x),
    ]);
    expect(e).toBeInstanceOf(TrapError);
    expect(exportsOf(p as Plugin<object>).answer!()).toBe(42);
    await (p as Plugin<object>).unload();
  });
});
