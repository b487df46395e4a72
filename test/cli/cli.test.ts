/**
 * The `rdylib` command end to end on the built examples: what it prints,
 * where (results on stdout, notes and errors on stderr) and its exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDeclarations } from '../../host/bindings/index.ts';
import { inspectComponent } from '../../host/inspect/index.ts';
import { withExclusiveIter } from '../support/abi-section.ts';
import { guestPath, readGuest } from '../support/guests.ts';
import { rdylib } from './run.ts';

const COMMANDS = ['new', 'build', 'inspect', 'check', 'call', 'types', 'wit'];

/** An error is one line on stderr, saying what is wrong and what to do; no stack. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.trimEnd()).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('rdylib', () => {
  it('without a command lists every command and exits 2; --help exits 0', () => {
    const none = rdylib([]);
    expect(none.status).toBe(2);
    for (const c of COMMANDS) expect(none.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(rdylib(['--help']).status).toBe(0);
  });

  it.each(COMMANDS)('%s --help describes the command', (name) => {
    const r = rdylib([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(`rdylib ${name}`)).toBe(true);
    expect(r.stdout.split('\n').length).toBeGreaterThan(5);
  });

  it('wrong usage is one line naming the problem and where to look, exit 2', () => {
    const unknown = rdylib(['inspekt']);
    expect(unknown.status).toBe(2);
    expectOneLineError(unknown.stderr, /^rdylib: unknown command "inspekt"; the commands are new, build, inspect, check, call, types, wit/);
    const option = rdylib(['inspect', '--jsn', guestPath('kv')]);
    expect(option.status).toBe(2);
    expectOneLineError(option.stderr, /^rdylib inspect: Unknown option '--jsn'; see `rdylib inspect --help`$/);
    const missing = rdylib(['inspect']);
    expect(missing.status).toBe(2);
    expectOneLineError(missing.stderr, /^rdylib inspect: missing <plugin\.wasm>: usage: rdylib inspect <plugin\.wasm>/);
  });

  it('a failure is one line with what to do; --verbose adds the stack', () => {
    const r = rdylib(['inspect', 'no/such/plugin.wasm']);
    expect(r.status).toBe(1);
    expectOneLineError(r.stderr, /^rdylib inspect: no\/such\/plugin\.wasm: no such file; build the plugin with `rdylib build <crate-dir>`/);
    const verbose = rdylib(['inspect', 'no/such/plugin.wasm', '--verbose']);
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('rdylib inspect and wit', () => {
  it('prints imports, exports, the lifetime table, sizes and the WIT', () => {
    const r = rdylib(['inspect', guestPath('kv')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('rdylib-panic  — panic reports: supplied by the host');
    expect(r.stdout).toMatch(/Store::iter\s+\[method\]store\.iter\s+self: &  -> iter borrowing self \(shared\)/);
    expect(r.stdout).toMatch(/Store::merge\s+\[method\]store\.merge\s+self: &mut, other: &mut/);
    expect(r.stdout).toMatch(/^Sizes: [\d.]+ KiB in all; 3 core modules/m);
    expect(r.stdout).toContain('    resource store {\n      constructor();');
  });

  it('--json prints the Inspection', () => {
    const r = rdylib(['inspect', guestPath('shapes'), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(inspectComponent(readGuest('shapes'), { source: guestPath('shapes') }))));
  });

  it('wit prints the WIT read from the component, also of one not built with the SDK', () => {
    const r = rdylib(['wit', guestPath('hello')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(inspectComponent(readGuest('hello')).wit);
    expect(r.stdout).toContain('  make-greeting: func(name: string) -> greeting;');
  });
});

describe('rdylib types', () => {
  it('writes the declarations generateDeclarations makes and prints the path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rdylib-types-')), 'kv.d.ts');
    const r = rdylib(['types', guestPath('kv'), '-o', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(generateDeclarations(readGuest('kv'), { source: guestPath('kv') }));
  });
});

describe('rdylib check', () => {
  it('exits 0 for a compatible plugin', () => {
    const r = rdylib(['check', guestPath('kv'), '--expect', guestPath('kv')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`compatible: ${guestPath('kv')} provides the interface ${guestPath('kv')} was built against (types and lifetimes)\n`);
  });

  it('exits 1 with the compiler-style report for a plugin whose iterator now borrows exclusively', () => {
    const stricter = withExclusiveIter(readGuest('kv'));
    const file = join(mkdtempSync(join(tmpdir(), 'rdylib-check-')), 'kv-v2.wasm');
    writeFileSync(file, stricter);
    const r = rdylib(['check', file, '--expect', guestPath('kv')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: ${file} does not provide the interface ${guestPath('kv')} was built against\n` +
        '  `rdylib-guest:kv/kv@0.1.0` `[method]store.iter` receiver: expected `&self`, found `&mut self`\n' +
        '  `rdylib-guest:kv/kv@0.1.0` `[method]store.iter` result handle at `(result)`: expected `iter` borrowing `self` (shared), found `iter` borrowing `self` (exclusive): it now borrows `self` exclusively\n',
    );
  });

  it('a plugin without a section needs --unchecked; then its types are compared', () => {
    const refused = rdylib(['check', guestPath('hello'), '--expect', guestPath('hello')]);
    expect(refused.status).toBe(1);
    expectOneLineError(refused.stderr, /has no rdylib:abi section \(not built with the rdylib SDK\).*pass --unchecked/);
    const mismatch = rdylib(['check', guestPath('hello'), '--expect', guestPath('kv'), '--unchecked']);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toContain('  `rdylib-guest:kv/kv@0.1.0`: expected an exported interface, found none\n');
    const usage = rdylib(['check', guestPath('kv')]);
    expect(usage.status).toBe(2);
    expectOneLineError(usage.stderr, /missing --expect <reference\.wasm>/);
  });
});

describe('rdylib call', () => {
  it('calls a component that is not ours, unchecked, with a note on stderr', () => {
    const r = rdylib(['call', guestPath('hello'), 'greet', '"Ferris"']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('"Hello, Ferris!"\n');
    expect(r.stderr).toMatch(/^note: .*hello\.wasm has no rdylib:abi section \(not built with the rdylib SDK\): loaded unchecked/);
    const record = rdylib(['call', guestPath('hello'), 'greeter#makeGreeting', '"Zoë"']);
    expect(record.status).toBe(0);
    expect(JSON.parse(record.stdout)).toEqual({ message: 'Hello, Zoë!', length: 11 });
  });

  it('converts arguments and results by type: records, enums, options, u64 beyond 2^53', () => {
    const primitives = { flag: true, byte: 255, short: -2, word: 7, signed: -7, long: '18446744073709551615', 'signed-long': -9, single: 1.5, double: 0.25, letter: 'λ' };
    const r = rdylib(['call', guestPath('types'), 'rdylib-guest:types/types#echo-primitives', JSON.stringify(primitives)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"long": 18446744073709551615,');
    expect(JSON.parse(r.stdout)).toMatchObject({ flag: true, letter: 'λ', 'signed-long': -9 });
    const polygon = { name: 'tri', points: [{ x: 1, y: 2 }], color: 'red', label: null };
    const p = rdylib(['call', guestPath('types'), 'echo-polygon', JSON.stringify(polygon)]);
    expect(JSON.parse(p.stdout)).toEqual(polygon);
  });

  it('a returned error, a panic and a bad argument each exit non-zero with one line', () => {
    const err = rdylib(['call', guestPath('types'), 'parse-u32', '"12x"']);
    expect(err.status).toBe(1);
    expectOneLineError(err.stderr, /^rdylib call: rdylib-guest:types\/types@0\.1\.0#parse-u32 returned an error: \{ "tag": "bad-number", "val": "12x" \}$/);
    const panic = rdylib(['call', guestPath('kv'), 'kv#fail', '"boom"']);
    expect(panic.status).toBe(1);
    expectOneLineError(panic.stderr, /^rdylib call: the plugin panicked at examples\/kv\/src\/lib\.rs:\d+:\d+: kv failed: boom$/);
    const notJson = rdylib(['call', guestPath('hello'), 'greet', 'Ferris']);
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toContain(`rdylib call: argument 1 (\`name\`): "Ferris" is not JSON; a string needs quotes: '"Ferris"'`);
    const wrongType = rdylib(['call', guestPath('types'), 'parse-u32', '12']);
    expect(wrongType.status).toBe(2);
    expectOneLineError(wrongType.stderr, /argument 1 \(`text`\): expected a string, got 12$/);
    const unknown = rdylib(['call', guestPath('kv'), 'nope']);
    expect(unknown.status).toBe(2);
    expectOneLineError(unknown.stderr, /no exported function "nope"; the component exports: rdylib-guest:kv\/kv@0\.1\.0#entries-from, .*#fail$/);
  });
});
