/**
 * `load` (pipeline.ts `checkedBuildStarted`) compiles in the background
 * (`WebAssembly.compile`) a core module the engine will not compile
 * synchronously on this thread (a big one on a browser's main thread,
 * test/browser/big-module.test.ts), validation running meanwhile and the
 * rdylib checks after; `'always'` does so for every module, which is how these tests
 * run that path on Node. The synchronous path (`'never'`, `compile`)
 * compiles each module where validation reaches it. Every path must refuse
 * every input with the same error: the first failing definition wins, a core
 * module that does not compile failing at its definition before anything
 * found after it; and a refused build changes nothing and leaves no
 * unhandled rejection behind, whatever failed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { failOnUnhandledRejections } from '../support/unhandled-rejections.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { RdylibError } from '../../host/errors.ts';
import { clearCompileCache, compile, load } from '../../host/index.ts';
import { Plugin } from '../../host/plugin/plugin.ts';
import { checkedBuildStarted, type BuildChecks } from '../../host/plugin/pipeline.ts';
import { compileCacheSize } from '../../host/plugin/compile-cache.ts';
import { readAbiSurface } from '../../host/rdylib/surface.ts';
import { encodeU32Leb128 } from '../../host/binary/leb128.ts';
import { withExclusiveIter, withForgedAbi, withoutAbiSection } from '../support/abi-section.ts';
import { concatBytes } from '../support/bytes.ts';
import { readGuest } from '../support/guests.ts';

/** Core modules in the text format: one that compiles, two that do not (for different reasons), one that imports. */
const GOOD = '(core module (func (export "f")))';
const BAD = '(core module (func (result i32)))';
const BAD2 = '(core module (func (param i32) (result i64) local.get 0))';
const IMPORTING = '(core module $imp (import "env" "f" (func)))';
/** Invalid: instantiates $imp without the argument its import needs. */
const MISSING_ARG = '(core instance (instantiate $imp))';

/** A refusal as the caller sees it (class, kind, message with its offset), or what was built. */
type Outcome = { refused: { name: string; kind: unknown; message: string; cause?: string } } | { built: string[] };

function describeRefusal(e: unknown): Outcome {
  if (!(e instanceof RdylibError)) throw e;
  const cause = e.cause instanceof Error ? e.cause.name : undefined;
  return { refused: { name: e.name, kind: (e as { kind?: unknown }).kind, message: e.message, ...(cause === undefined ? {} : { cause }) } };
}

const built = (b: { validated: { info: readonly { kind: string }[] } }): Outcome => ({ built: b.validated.info.map((d) => d.kind) });

const checksOf = (checks: Partial<BuildChecks>): BuildChecks => ({ name: 'p', maxMemoryBytes: undefined, unchecked: true, expectation: undefined, cache: false, ...checks });

/**
 * The synchronous pipeline and the one compiling every core module in the background, on the same bytes and checks;
 * `load`'s (background only where refused, so never on Node) gives the synchronous outcome.
 */
async function bothPaths(bytes: Uint8Array, checks: Partial<BuildChecks> = {}): Promise<{ sync: Outcome; started: Outcome }> {
  const all = checksOf(checks);
  const outcomes: Outcome[] = [];
  for (const run of [() => synchronously(checkedBuildStarted(bytes, all, 'never')), () => checkedBuildStarted(bytes, all), () => checkedBuildStarted(bytes, all, 'always')]) {
    clearCompileCache();
    try {
      outcomes.push(built(await run()));
    } catch (e) {
      outcomes.push(describeRefusal(e));
    }
  }
  expect(outcomes[1]).toEqual(outcomes[0]);
  return { sync: outcomes[0]!, started: outcomes[2]! };
}

async function expectSameRefusal(bytes: Uint8Array, message: RegExp, checks: Partial<BuildChecks> = {}): Promise<void> {
  const { sync, started } = await bothPaths(bytes, checks);
  expect(started).toEqual(sync);
  expect('refused' in sync && sync.refused.message).toMatch(message);
}

/** `component` with `module` appended as one more top-level core module (the last module index; nothing instantiates it). */
function withCoreModule(component: Uint8Array, module: Uint8Array): Uint8Array {
  return concatBytes([component, [0x01, ...encodeU32Leb128(module.length)], module]);
}

/** A component of raw section bytes after the preamble. */
const rawComponent = (sections: number[]): Uint8Array => new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...sections]);
/** A core module section holding `module`. */
const moduleSection = (module: number[]): number[] => [0x01, module.length, ...module];
const CORE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A build that compiled nothing in the background: given synchronously. */
function synchronously<T>(build: T | Promise<T>): T {
  expect(build).not.toBeInstanceOf(Promise);
  return build as T;
}

failOnUnhandledRejections();

beforeEach(() => clearCompileCache());

describe('background compiles refuse exactly what the synchronous path refuses', () => {
  it('a core module that does not compile, then an invalid definition: the compile failure, at its module', async () => {
    await expectSameRefusal(await parse(`(component ${BAD} ${IMPORTING} ${MISSING_ARG})`), /^core module does not validate: .*\(at byte offset \d+\)$/);
  });

  it('an invalid definition, then a core module that does not compile: the invalid definition', async () => {
    await expectSameRefusal(await parse(`(component ${IMPORTING} ${MISSING_ARG} ${BAD})`), /^missing module instantiation argument named `env`/);
  });

  it('several core modules that do not compile: the first of them', async () => {
    const bytes = await parse(`(component ${GOOD} ${BAD2} ${GOOD} ${BAD})`);
    await expectSameRefusal(bytes, /^core module does not validate/);
    const { sync } = await bothPaths(bytes);
    // BAD2 (the second module) is the one named: its offset is before BAD's.
    const second = await parse(`(component ${GOOD} ${BAD2})`);
    expect(await bothPaths(second)).toEqual({ sync, started: sync });
  });

  it('a core module that does not compile, then one with malformed framing: the compile failure', async () => {
    // A function declared with no code section; then sections out of order (type after function).
    const noCode = [...CORE_HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00];
    const outOfOrder = [...CORE_HEADER, 0x03, 0x02, 0x01, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
    // V8's own words for a missing code section differ between its synchronous and its asynchronous decoder
    // ('function count is 1, but code section is absent' / 'Compiling function #0 failed: ...'): everything of ours is the same.
    const { sync, started } = await bothPaths(rawComponent([...moduleSection(noCode), ...moduleSection(outOfOrder)]));
    const ours = (o: Outcome): Outcome => ('refused' in o ? { refused: { ...o.refused, message: o.refused.message.replace(/^(core module does not validate: ).*( \(at byte offset \d+\))$/, '$1…$2') } } : o);
    expect(ours(started)).toEqual(ours(sync));
    expect(ours(sync)).toEqual({ refused: { name: 'LoadError', kind: 'invalid', cause: 'CompileError', message: 'core module does not validate: … (at byte offset 10)' } });
    await expectSameRefusal(rawComponent([...moduleSection(outOfOrder), ...moduleSection(noCode)]), /^core module: section out of order/);
  });

  it('a core module that does not compile and one whose imports are refused (duplicate names): the first definition', async () => {
    const duplicateImports = '(core module (import "a" "b" (func)) (import "a" "b" (func)))';
    await expectSameRefusal(await parse(`(component ${BAD} ${duplicateImports})`), /^core module does not validate/);
    await expectSameRefusal(await parse(`(component ${duplicateImports} ${BAD})`), /^duplicate import name `a:b`/);
  });

  it('a core module that does not compile inside a nested component, then an invalid outer definition', async () => {
    await expectSameRefusal(await parse(`(component (component ${GOOD} ${BAD}) ${IMPORTING} ${MISSING_ARG})`), /^core module does not validate/);
    await expectSameRefusal(await parse(`(component ${IMPORTING} (component ${BAD}) ${MISSING_ARG})`), /^core module does not validate/);
  });

  it('core features the engine may lack: the same verdict either way (unsupported, never invalid, when refused)', async () => {
    for (const module of ['(core module (memory i64 1))', '(core module (memory 1 (pagesize 1)))', '(core module (memory 1) (memory 1))']) {
      const { sync, started } = await bothPaths(await parse(`(component ${module} ${IMPORTING} ${MISSING_ARG})`));
      expect(started).toEqual(sync);
      if ('refused' in sync) expect(sync.refused.kind === 'unsupported' || /missing module instantiation argument/.test(sync.refused.message)).toBe(true);
    }
  });

  it('a core module that does not compile in a plugin whose rdylib checks fail: the compile failure', async () => {
    const bad = await parse(`(module ${BAD.slice('(core module '.length)}`);
    const kv = readGuest('kv');
    // No section while not unchecked; a section that lies about the types; a build the expectation refuses.
    await expectSameRefusal(withCoreModule(withoutAbiSection(kv), bad), /^core module does not validate/, { unchecked: false });
    const lying = withForgedAbi(kv, (abi) => ({ ...abi, interfaces: [] }));
    await expectSameRefusal(withCoreModule(lying, bad), /^core module does not validate/, { unchecked: false });
    const expectation = readAbiSurface(kv, 'kv');
    await expectSameRefusal(withCoreModule(withExclusiveIter(kv), bad), /^core module does not validate/, { unchecked: false, expectation });
    // Without the bad module, each fails its own check, the same way on both paths.
    await expectSameRefusal(withoutAbiSection(kv), /has no rdylib:abi section/, { unchecked: false });
    await expectSameRefusal(lying, /rdylib:abi/, { unchecked: false });
    const mismatch = await bothPaths(withExclusiveIter(kv), { unchecked: false, expectation });
    expect(mismatch.started).toEqual(mismatch.sync);
    expect(mismatch.sync).toMatchObject({ refused: { name: 'AbiMismatchError' } });
  });

  it('a valid component builds the same on both paths', async () => {
    const { sync, started } = await bothPaths(readGuest('kv'), { unchecked: false });
    expect(started).toEqual(sync);
    expect(sync).toMatchObject({ built: expect.arrayContaining(['core-module']) });
  });
});

describe('the compile cache after a background compile', () => {
  it('keeps nothing of a component whose core module did not compile; keeps a validated one whose rdylib checks failed, as the synchronous path does', async () => {
    const bad = await parse(`(module ${BAD.slice('(core module '.length)}`);
    const kv = readGuest('kv');
    for (const [bytes, unchecked] of [
      [withCoreModule(kv, bad), true],
      [withoutAbiSection(kv), false],
    ] as const) {
      const sizes: number[] = [];
      const checks = checksOf({ unchecked, cache: true });
      for (const run of [() => synchronously(checkedBuildStarted(bytes, checks, 'never')), () => checkedBuildStarted(bytes, checks, 'always')]) {
        clearCompileCache();
        await expect(Promise.resolve().then(run)).rejects.toBeInstanceOf(RdylibError);
        sizes.push(compileCacheSize().entries);
      }
      expect(sizes[1]).toBe(sizes[0]);
    }
  });

  it('a component that compiled in the background is found again by its bytes, by `load` at once', async () => {
    const kv = readGuest('kv');
    const first = await checkedBuildStarted(kv, checksOf({ unchecked: false, cache: true }), 'always');
    expect(compileCacheSize().entries).toBe(1);
    const again = checkedBuildStarted(kv, checksOf({ unchecked: false, cache: true }), 'always');
    expect(again).not.toBeInstanceOf(Promise);
    expect((again as typeof first).validated).toBe(first.validated);
    const plugin = await load(kv, { name: 'kv' });
    expect(compileCacheSize().entries).toBe(1);
    await plugin.unload();
  });
});

describe('a build while its core modules compile', () => {
  /** A component exporting `answer`. */
  const ANSWER = `(component
    (core module $m (func (export "answer") (result i32) i32.const 42))
    (core instance $i (instantiate $m))
    (func (export "answer") (result u32) (canon lift (core func $i "answer"))))`;

  /** The plugin built from `bytes` with every core module compiled in the background. */
  async function loadInBackground(bytes: Uint8Array, cache: boolean, mutate?: () => void): Promise<Plugin<object>> {
    const started = checkedBuildStarted(bytes, checksOf({ cache }), 'always');
    mutate?.();
    const build = await started;
    return new Plugin(build.validated, {}, 'answer', { unchecked: true });
  }

  it('builds from the bytes as they were when the build started, whatever the caller does to them meanwhile', async () => {
    const original = await parse(ANSWER);
    for (const cache of [true, false]) {
      clearCompileCache();
      const bytes = original.slice();
      const plugin = await loadInBackground(bytes, cache, () => bytes.fill(0));
      expect((plugin.exports as { answer(): number }).answer()).toBe(42);
      await plugin.unload();
    }
  });

  it('builds the same bytes several times at once, and fails the bad ones beside them with their own error', async () => {
    const good = await parse(ANSWER);
    const bad = await parse(`(component ${GOOD} ${BAD})`);
    const results = await Promise.allSettled([good, bad, good, bad].map((b) => loadInBackground(b, true)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    let syncError: unknown;
    try {
      compile(bad, { cache: false });
    } catch (e) {
      syncError = e;
    }
    for (const r of results) {
      if (r.status === 'fulfilled') {
        expect((r.value.exports as { answer(): number }).answer()).toBe(42);
        await r.value.unload();
      } else {
        expect(describeRefusal(r.reason)).toEqual(describeRefusal(syncError));
      }
    }
  });

  it('`load` and `compile` refuse a component with several failing core modules the same way', async () => {
    const bytes = await parse(`(component ${BAD2} ${BAD} ${IMPORTING} ${MISSING_ARG})`);
    let syncError: unknown;
    try {
      compile(bytes, { cache: false });
    } catch (e) {
      syncError = e;
    }
    const asyncError = await load(bytes, { name: 'p', unchecked: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeRefusal(asyncError)).toEqual(describeRefusal(syncError));
    expect(compileCacheSize().entries).toBe(0);
  });
});
