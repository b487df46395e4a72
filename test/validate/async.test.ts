/**
 * Validation of the Component Model's async features (🔀 async, 📝
 * error-context, 🧵 threads) as CanonicalABI.md "Canonical Definitions" states
 * them: the core signature each built-in gets, the options each takes, the
 * rules on `async` and `callback`; and instantiation, which needs no JSPI
 * (test/async-js/blocking.test.ts: what happens where a call must wait).
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { parseComponent } from '../../host/binary/index.ts';
import { validateComponent, type DefInfo } from '../../host/validate/index.ts';
import { instantiateComponent } from '../../host/load.ts';
import { LoadError, type LoadErrorKind } from '../../host/errors.ts';
import { buildAsyncComponent } from '../support/async-wit.ts';

async function validate(wat: string) {
  return validateComponent(parseComponent(await parse(wat)));
}

async function expectRefused(wat: string, kind: LoadErrorKind, message: RegExp): Promise<void> {
  const e = await validate(wat).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LoadError);
  expect({ kind: (e as LoadError).kind, message: (e as LoadError).message }).toEqual({ kind, message: expect.stringMatching(message) });
}

const MEM = `(core module $libc (memory (export "mem") 1) (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $libc (instantiate $libc))`;

/** A component whose core module imports `sig` as `""."f"`, supplied by the canon definition `canon`. */
const importing = (canon: string, sig: string, types = '') => `(component ${MEM} ${types}
  (core func $f ${canon})
  (core module $m (import "" "f" (func ${sig})))
  (core instance (instantiate $m (with "" (instance (export "f" (func $f)))))))`;

function builtins(info: readonly DefInfo[]) {
  return info.flatMap((i) => (i.kind === 'builtin' ? [i.builtin] : []));
}

describe('async built-ins', () => {
  it.each([
    ['(canon backpressure.inc)', ''],
    ['(canon task.cancel)', ''],
    ['(canon task.return (result u32))', '(param i32)'],
    ['(canon task.return (result string) (memory (core memory $libc "mem")))', '(param i32 i32)'],
    ['(canon context.get i32 0)', '(result i32)'],
    ['(canon context.set i32 0)', '(param i32)'],
    ['(canon subtask.drop)', '(param i32)'],
    ['(canon subtask.cancel async)', '(param i32) (result i32)'],
    ['(canon waitable-set.new)', '(result i32)'],
    ['(canon waitable-set.wait (memory (core memory $libc "mem")))', '(param i32 i32) (result i32)'],
    ['(canon waitable.join)', '(param i32 i32)'],
    ['(canon stream.new $s)', '(result i64)'],
    ['(canon stream.read $s async (memory (core memory $libc "mem")))', '(param i32 i32 i32) (result i32)'],
    ['(canon future.write $f (memory (core memory $libc "mem")))', '(param i32 i32) (result i32)'],
    ['(canon stream.cancel-write $s async)', '(param i32) (result i32)'],
    ['(canon future.drop-readable $f)', '(param i32)'],
    ['(canon error-context.new (memory (core memory $libc "mem")))', '(param i32 i32) (result i32)'],
    ['(canon thread.yield)', '(result i32)'],
    ['(canon thread.yield-then-resume)', '(param i32) (result i32)'],
  ])('%s gives its core function the type %s', async (canon, sig) => {
    await validate(importing(canon, sig, '(type $s (stream u8)) (type $f (future string))'));
    await expectRefused(importing(canon, `(param f64) ${sig}`, '(type $s (stream u8)) (type $f (future string))'), 'invalid', /type mismatch/);
  });

  it('resolves immediates: stream and future types, options, flags', async () => {
    const v = await validate(`(component ${MEM}
      (type $s (stream u8))
      (type $f (future string))
      (core func (canon stream.read $s async (memory (core memory $libc "mem"))))
      (core func (canon future.cancel-read $f async))
      (core func (canon waitable-set.poll (memory (core memory $libc "mem"))))
      (core func (canon task.return (result $s))))`);
    const [read, cancel, poll, ret] = builtins(v.info);
    expect(read).toMatchObject({ kind: 'stream.read', type: { kind: 'stream', element: { kind: 'u8' } }, options: { async: true, memory: 0, realloc: undefined } });
    expect(cancel).toMatchObject({ kind: 'future.cancel-read', type: { kind: 'future', element: { kind: 'string' } }, async: true });
    expect(poll).toMatchObject({ kind: 'waitable-set.poll', cancellable: false, memory: 1 });
    expect(ret).toMatchObject({ kind: 'task.return', result: { kind: 'stream' }, sig: { params: ['i32'], results: [] } });
  });

  it('refuses what the spec and wasm-tools refuse', async () => {
    await expectRefused(importing('(canon stream.read $s async (memory (core memory $libc "mem")))', '(param i32 i32 i32) (result i32)', '(type $s (stream string))'), 'invalid', /`realloc` is required/);
    await expectRefused(importing('(canon stream.new $s)', '(result i64)', '(type $s string)'), 'invalid', /`stream.new` requires a stream type/);
    await expectRefused(importing('(canon future.write $f async)', '(param i32 i32) (result i32)', '(type $f (future u8))'), 'invalid', /`memory` is required/);
    await expectRefused(importing('(canon task.return (result u32) (realloc (core func $libc "realloc")))', '(param i32)'), 'invalid', /cannot specify `realloc` option on `task.return`/);
    await expectRefused(importing('(canon error-context.debug-message (memory (core memory $libc "mem")))', '(param i32 i32)'), 'invalid', /`realloc` is required/);
    await expectRefused('(component (core func (canon context.get i32 2)))', 'invalid', /immediate must be zero: 2/);
    await expectRefused('(component (core func (canon context.get i32 1)))', 'unsupported', /slot 1/);
    await expectRefused('(component (type (stream char)))', 'invalid', /`stream<char>` is not valid/);
    await expectRefused('(component (type $r (resource (rep i32))) (type (future (borrow $r))))', 'invalid', /future element type cannot contain a borrow/);
  });
});

describe('async lift and lower', () => {
  const core = `(core module $m
      (func (export "f") (param i32) (result i32) unreachable)
      (func (export "g") (param i32))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
      (func (export "post") (param i32)))
    (core instance $i (instantiate $m))`;

  it('checks the core signature by the calling convention the options choose', async () => {
    await validate(`(component ${core} (func async (param "x" u32) (result u32) (canon lift (core func $i "f") async (callback (core func $i "cb")))))`);
    await validate(`(component ${core} (func async (param "x" u32) (result u32) (canon lift (core func $i "g") async)))`);
    await validate(`(component ${MEM} (import "h" (func $h async (param "x" u32) (result u32)))
      (core func (canon lower (func $h) async (memory (core memory $libc "mem")))))`);
    await expectRefused(`(component ${core} (func async (param "x" u32) (result u32) (canon lift (core func $i "g") async (callback (core func $i "cb")))))`, 'invalid', /lowered result types/);
  });

  it('refuses options that do not go together', async () => {
    await expectRefused(`(component ${core} (func (param "x" u32) (canon lift (core func $i "g") async)))`, 'invalid', /requires an async function type/);
    await expectRefused(`(component ${core} (func async (param "x" u32) (canon lift (core func $i "g") (callback (core func $i "cb")))))`, 'invalid', /callback without async/);
    await expectRefused(`(component ${core} (func async (param "x" u32) (canon lift (core func $i "g") async (post-return (core func $i "post")))))`, 'invalid', /post-return function in async/);
    await expectRefused(`(component ${core} (func async (param "x" u32) (canon lift (core func $i "g") async (callback (core func $i "g")))))`, 'invalid', /`callback` uses a core function with an incorrect signature/);
    await expectRefused(`(component (import "h" (func $h async (result u32))) (core func (canon lower (func $h) async)))`, 'invalid', /`memory` is required/);
    await expectRefused(`(component (import "a" (type $a (sub resource))) (import "[constructor]a" (func async (result (own $a)))))`, 'invalid', /constructor function cannot be async/);
  });

  it('keeps the async flag of function types, and tells async from sync types apart', async () => {
    const v = await validate(`(component (import "f" (func async (param "s" (stream u8)) (result (future)))))`);
    expect(v.type.imports.get('f')).toEqual({
      kind: 'func',
      type: { async: true, params: [{ name: 's', type: { kind: 'stream', element: { kind: 'u8' } } }], result: { kind: 'future', element: undefined } },
    });
    await expectRefused(`(component
      (component $C (import "f" (func async)))
      (import "f" (func $f))
      (instance (instantiate $C (with "f" (func $f)))))`, 'invalid', /function types differ/);
  });
});

describe('instantiation', () => {
  it('a component made from async WIT validates and instantiates on every engine (without JSPI only a call that has to wait inside core wasm traps)', async () => {
    const bytes = await buildAsyncComponent();
    const v = validateComponent(parseComponent(bytes));
    expect(v.type.exports.size).toBeGreaterThan(0);
    const imports = { 'demo:streams/host-side@0.1.0': { wait: async () => {} } };
    const exports = instantiateComponent(bytes, imports) as Record<string, Record<string, unknown>>;
    expect(typeof exports['demo:streams/pipes@0.1.0']?.['fetch']).toBe('function');
  });
});
