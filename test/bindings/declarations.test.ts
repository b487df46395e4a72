/**
 * Typed host bindings (issue 9): declarations generated for every example
 * plugin type-check typed hosts (test/bindings/hosts) with the project's
 * TypeScript, every `@ts-expect-error` in hosts/misuse.ts is a real error on
 * the line it marks, and the typed hosts run against the real plugins with
 * the values the declarations promise.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDeclarations } from '../../host/index.ts';
import { LoadError } from '../../host/errors.ts';
import { guestPath, readGuest, repoRoot } from '../support/guests.ts';
import { withInterfaceVersion } from '../support/versioned-build.ts';
import { parse } from '../../scripts/lib/jco.ts';
import { buildAsyncComponent } from '../support/async-wit.ts';

const OUT = join(repoRoot, 'build', 'bindings');
const HOSTS = join(repoRoot, 'test', 'bindings', 'hosts');
const TSC = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const EXAMPLES = readdirSync(join(repoRoot, 'guest-rust', 'examples'));

/** Runs the project's tsc on a project; resolves with the first line of each diagnostic (`file(line,col): error TSnnnn: …`). */
async function tsc(project: string): Promise<string[]> {
  const run = await promisify(execFile)(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: repoRoot }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
  // Continuation lines of a message are indented.
  return run.split('\n').filter((l) => l.trim() !== '' && !/^\s/.test(l));
}

/** A tsconfig that checks `files` (declarations included: skipLibCheck off) against the host sources. */
function project(dir: string, files: readonly string[]): string {
  const path = join(dir, 'tsconfig.json');
  const config = {
    extends: relative(dir, join(repoRoot, 'tsconfig.json')),
    compilerOptions: { noEmit: true, skipLibCheck: false, types: ['node'] },
    include: files.map((f) => relative(dir, f)),
    exclude: [],
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * Names that shadow the types the declarations use: interface `promise`
 * (namespace `Promise`) with records `array` and `static`, returning lists.
 */
const SHADOWING = `(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 64)
    (func (export "get") (result i32) i32.const 0)
    (func (export "bytes") (result i32) i32.const 0))
  (core instance $c (instantiate $m))
  (type $array (record (field "x" u32)))
  (type $arrays (list $array))
  (type $static (record (field "y" u32)))
  (func $get (result $arrays) (canon lift (core func $c "get") (memory (core memory $c "mem")) (realloc (core func $c "realloc"))))
  (func $bytes (result (list u8)) (canon lift (core func $c "bytes") (memory (core memory $c "mem")) (realloc (core func $c "realloc"))))
  (instance $i (export "array" (type $array)) (export "static" (type $static)) (export "get" (func $get)) (export "bytes" (func $bytes)))
  (export "a:b/promise@0.1.0" (instance $i)))`;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const components = [...EXAMPLES.map((name) => [name, readGuest(name)] as const), ['shadowing', await parse(SHADOWING)] as const];
  for (const [name, bytes] of components) {
    writeFileSync(join(OUT, `${name}.d.ts`), generateDeclarations(bytes, { source: `${name}.wasm`, importFrom: '../../host/index.ts' }));
  }
});

describe('generated declarations', () => {
  it('type-check the typed hosts, and every misuse in hosts/misuse.ts is refused (tsc --noEmit)', async () => {
    const hosts = readdirSync(HOSTS).map((f) => join(HOSTS, f));
    const declarations = [...EXAMPLES, 'shadowing'].map((n) => join(OUT, `${n}.d.ts`));
    // The misuses once more without their directives (blank comments keep the line numbers), at the same depth so imports resolve.
    const original = readFileSync(join(HOSTS, 'misuse.ts'), 'utf8').split('\n');
    const marked = original.flatMap((line, i) => (line.trim().startsWith('// @ts-expect-error') ? [i + 2] : [])); // the next line, 1-based
    const stripped = join(OUT, 'stripped');
    mkdirSync(stripped, { recursive: true });
    writeFileSync(join(stripped, 'misuse.ts'), original.map((line) => (line.trim().startsWith('// @ts-expect-error') ? '//' : line)).join('\n'));

    const errors = await tsc(project(OUT, [...hosts, ...declarations, join(stripped, 'misuse.ts')]));
    // An unused `@ts-expect-error` is itself an error: nothing outside the stripped copy means every misuse failed to compile.
    expect(errors.filter((e) => !e.startsWith('build/bindings/stripped/misuse.ts('))).toEqual([]);
    // Without the directives, each misuse errs on exactly the line its directive marked, and no other line does.
    const lines = new Set(errors.map((e) => Number(/^build\/bindings\/stripped\/misuse\.ts\((\d+),\d+\): error TS/.exec(e)?.[1])));
    expect([...lines].sort((a, b) => a - b)).toEqual(marked);
    expect(marked.length).toBeGreaterThanOrEqual(20);
  });

  it('say what the section says: dependent handles name what they borrow and how, static handles are marked', () => {
    const kv = readFileSync(join(OUT, 'kv.d.ts'), 'utf8');
    expect(kv).toContain('The returned `Iter` borrows this `Store` shared (`&`)');
    expect(kv).toContain('The returned `Guard` borrows this `Store` exclusively (`&mut`): while it lives, this `Store` cannot be used at all');
    expect(kv).toContain('Made by: `Store.iter()` borrows the object it is called on shared.');
    expect(kv).toContain('Moves `this_` into the plugin: it cannot be used afterwards');
    expect(kv).toContain('@throws {ResultError<string>}');
    const registry = readFileSync(join(OUT, 'registry.d.ts'), 'utf8');
    expect(registry).toContain('registry(): Static<Registry.UnitRegistry>;');
    expect(registry).toContain('find(this: Static<Registry.UnitRegistry>, symbol: string): Static<Registry.Unit> | undefined;');
    expect(registry).toContain('rescale(this: Owned<Registry.Unit>, factor: number): void;');
  });

  it('async functions return Promises; streams are ReadableStreams and futures Promises where the host receives them, stream- or promise-likes where it supplies them', async () => {
    const d = generateDeclarations(await buildAsyncComponent(), { source: 'async.wasm' });
    expect(d).toContain('wait(ms: number): void | PromiseLike<void>;');
    // An async export takes `{ signal }` after its parameters; the future it returns is the one Promise the call gives.
    expect(d).toContain('pump(input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: { readonly signal?: AbortSignal }): Promise<{ tag: "ok"; val: number } | { tag: "err"; val: { readonly debugMessage: string } }>;');
    expect(d).toContain('fetch(url: string, options?: { readonly signal?: AbortSignal }): Promise<string>;');
    expect(d).toContain('chunks(): ReadableStream<Pipes.Chunk>;');
    expect(d).toContain('unit(s: ReadableStream<undefined> | AsyncIterable<undefined> | Iterable<undefined>, f: PromiseLike<void>): void;');
    // In a worker every call returns a Promise, an async one no more than one.
    expect(d).toContain('chunks(): Promise<ReadableStream<Pipes.Chunk>>;');
    expect(d.split('fetch(url: string, options?: { readonly signal?: AbortSignal }): Promise<string>;')).toHaveLength(3);
  });

  it("the demo's committed declarations are what the generator makes of hello today", () => {
    const committed = readFileSync(join(repoRoot, 'scripts', 'demo-hello.d.ts'), 'utf8');
    expect(committed).toBe(generateDeclarations(readGuest('hello'), { source: 'hello.wasm' }));
  });

  it('refuse bytes that are not a component with the LoadError load gives', () => {
    const e = (() => {
      try {
        return generateDeclarations(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), { source: 'core.wasm' });
      } catch (err) {
        return err;
      }
    })() as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/core WebAssembly module, not a component/);
  });
});

/**
 * A typed host module, imported by a path tsc does not follow: the hosts
 * import declarations this file generates, so the project-wide typecheck
 * (which runs before any test) must not reach them; the first test above
 * type-checks them. What the tests read from them is described here.
 */
async function typedHost<T>(file: string): Promise<T> {
  return (await import(join(HOSTS, file))) as T;
}

interface KvHost {
  runKvInProcess(source: Uint8Array | string, reference: string): Promise<{ pairs: unknown }>;
  runKvInWorker(path: string): Promise<unknown>;
}
interface TypesHost {
  runTypes(path: string): Promise<{
    primitives: { long: bigint; signedLong: bigint };
    polygon: unknown;
    shapes: { tag: string }[];
    tuple: unknown;
    bytes: Uint8Array;
    nested: unknown;
    echoed: unknown;
    echoedError: unknown;
    parseError: { tag: string } | undefined;
    checked: unknown;
    area: number;
  }>;
}
interface ShapesHost {
  runShapes(path: string): Promise<{ bounds: unknown; steps: number; drawn: string[]; painted: { tag: string }; total: number }>;
  runRegistry(path: string): Promise<{ info: { symbol: string } | undefined; symbols: string[]; km: number }>;
  runLinked(shapesPath: string, consumerPath: string): Promise<unknown>;
}

describe('typed hosts against the real plugins', () => {
  it('kv, in process and in a worker: the values the declarations promise', async () => {
    const { runKvInProcess, runKvInWorker } = await typedHost<KvHost>('kv-host.ts');
    const expected = {
      writes: 2n,
      first: ['apple', '1'],
      value: '1',
      batchError: 'store changed: 2 writes, expected 3',
      pairs: [
        ['apple', '1'],
        ['avocado', '2'],
      ],
      counted: 3,
    };
    expect(await runKvInProcess(guestPath('kv'), guestPath('kv'))).toEqual(expected);
    expect(await runKvInWorker(guestPath('kv'))).toEqual(expected);
  });

  it('kv host code typed against 0.1.0 runs unchanged on a 0.1.1 build that `expect` accepts', async () => {
    const { runKvInProcess } = await typedHost<KvHost>('kv-host.ts');
    const bumped = withInterfaceVersion(readGuest('kv'), 'rdylib-guest:kv/kv@0.1.0', '0.1.1');
    expect((await runKvInProcess(bumped, guestPath('kv'))).pairs).toEqual([
      ['apple', '1'],
      ['avocado', '2'],
    ]);
  });

  it('types: records, variants, enums, tuples, typed arrays, bigints and result errors', async () => {
    const { runTypes } = await typedHost<TypesHost>('types-host.ts');
    const r = await runTypes(guestPath('types'));
    expect(r.primitives.long).toBe(2n ** 40n);
    expect(r.primitives.signedLong).toBe(-(2n ** 40n));
    expect(r.polygon).toEqual({ name: 'tri', points: [{ x: 0, y: 0 }, { x: 1, y: 0 }], color: 'green', label: ['apex', { x: 0, y: 1 }] });
    expect(r.shapes.map((s) => s.tag)).toEqual(['empty', 'dot', 'segment', 'tagged']);
    expect(r.tuple).toEqual([1, 'one', [true, -5n]]);
    expect(r.bytes).toBeInstanceOf(Uint8Array);
    expect([...r.bytes]).toEqual([1, 2, 3]);
    expect(r.nested).toEqual([['red', undefined], ['blue']]);
    expect(r.echoed).toEqual({ x: 1, y: 2 });
    expect(r.echoedError).toEqual({ tag: 'too-large', val: 2n ** 33n });
    expect(r.parseError?.tag).toBe('bad-number');
    expect(r.checked).toBeUndefined();
    expect(r.area).toBe(0);
  });

  it('shapes with a host canvas given as a plain object, and registry with library-static handles', async () => {
    const { runShapes, runRegistry } = await typedHost<ShapesHost>('shapes-host.ts');
    const s = await runShapes(guestPath('shapes'));
    expect(s.bounds).toEqual({ x: 0, y: 0, w: 4, h: 4 });
    expect(s.steps).toBeGreaterThan(0);
    expect(s.drawn[0]).toBe('begin');
    expect(s.painted.tag).toBe('stroke');
    expect(s.total).toBeCloseTo(Math.PI + 16);
    const r = await runRegistry(guestPath('registry'));
    expect(r.info?.symbol).toBe('m');
    expect(r.symbols).toContain('km');
    expect(r.km).toBe(1.5);
  });

  it('two typed plugins linked: the consumer takes the shapes plugin\'s objects', async () => {
    const { runLinked } = await typedHost<ShapesHost>('shapes-host.ts');
    expect(await runLinked(guestPath('shapes'), guestPath('consumer'))).toEqual({ count: 2, totalArea: 10, largest: 'rect' });
  });
});
