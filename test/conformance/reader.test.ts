/**
 * The runner's own parts, independent of the host: the s-expression reader,
 * the command and value parsers (against every reference script), value
 * conversion and comparison, async detection and the known-failures list.
 */

import { describe, expect, it } from 'vitest';
import { readSExprs, stringText, WastSyntaxError, type SList, type SString } from './sexpr.ts';
import { parseWast, WastCommandError, type Command, type CommandKind } from './wast-commands.ts';
import { parseValue, WastValueError, type WastValue } from './wast-values.ts';
import { camelCase, mismatch, toJs } from './js-values.ts';
import type { EngineFeature } from './engine-features.ts';
import { classify, formatKnownFailures, parseKnownFailures, KnownFailuresFormatError, staleEntries } from './known-failures.ts';
import { listReferenceScripts, listWastFiles, readReferenceScript, SuiteMissingError } from './suite.ts';
import type { CaseResult } from './runner.ts';
import { encodeComponent } from './encode.ts';
import { parseComponent } from '../../host/binary/parse.ts';

function only(src: string): SList {
  const { forms } = readSExprs(src);
  expect(forms).toHaveLength(1);
  return forms[0]!;
}

function value(src: string): WastValue {
  return parseValue(only(src));
}

describe('s-expression reader', () => {
  it('reads nested lists, atoms and spans with 1-based lines', () => {
    const src = '(a $b 0x10\n  (c "d"))';
    const f = only(src);
    expect(f.items.map((i) => i.kind)).toEqual(['atom', 'atom', 'atom', 'list']);
    const inner = f.items[3] as SList;
    expect(inner.span.line).toBe(2);
    expect(inner.span.column).toBe(3);
    expect(src.slice(inner.span.start, inner.span.end)).toBe('(c "d")');
    expect(src.slice(f.span.start, f.span.end)).toBe(src);
  });

  it('decodes every string escape to bytes', () => {
    const s = only(String.raw`(x "a\n\t\r\"\'\\\41\ff\u{1F370}é")`).items[1] as SString;
    expect(Array.from(s.bytes)).toEqual([
      0x61, 0x0a, 0x09, 0x0d, 0x22, 0x27, 0x5c, 0x41, 0xff, 0xf0, 0x9f, 0x8d, 0xb0, 0xc3, 0xa9,
    ]);
    expect(() => stringText(s)).toThrow(); // 0xff alone is not UTF-8
  });

  it('keeps astral characters whole and decodes them as UTF-8', () => {
    const s = only('(x "🍰⛳")').items[1] as SString;
    expect(stringText(s)).toBe('🍰⛳');
  });

  it('skips line comments and nested block comments, and records them', () => {
    const { forms, comments } = readSExprs(';; top\n(a (; one (; two ;) still ;) b) ;; tail\n');
    expect(forms).toHaveLength(1);
    expect(forms[0]!.items.map((i) => (i.kind === 'atom' ? i.text : '?'))).toEqual(['a', 'b']);
    expect(comments.map((c) => c.text)).toEqual([' top', ' one (; two ;) still ', ' tail']);
  });

  it('reads annotations as lists headed by @name and quoted ids as one atom', () => {
    const f = only('(func (@name "f") $"a b" (param i32))');
    expect((f.items[1] as SList).items[0]).toMatchObject({ kind: 'atom', text: '@name' });
    expect(f.items[2]).toMatchObject({ kind: 'atom', text: '$"a b"' });
  });

  it.each([
    ['(a "open', 'unterminated string'],
    ['(a (b)', "missing ')'"],
    ['(a "\\q")', 'unknown string escape'],
    ['(a (; never closed', 'unterminated block comment'],
    ['x', "expected '(' at top level"],
    ['(a "\\u{d800}")', 'not a Unicode scalar value'],
    ['(a é)', 'not allowed outside strings'],
  ])('rejects %j with a positioned WastSyntaxError', (src, problem) => {
    expect(() => readSExprs(src, 'f.wast')).toThrow(WastSyntaxError);
    expect(() => readSExprs(src, 'f.wast')).toThrow(problem);
    expect(() => readSExprs(src, 'f.wast')).toThrow(/^f\.wast:1:\d+: /);
  });
});

describe('value constants', () => {
  it('parses scalars with wat integer and float syntax', () => {
    expect(value('(bool.const true)')).toEqual({ kind: 'bool', value: true });
    expect(value('(u32.const 0xffff_ffff)')).toEqual({ kind: 'u32', value: 0xffffffff });
    expect(value('(s8.const -128)')).toEqual({ kind: 's8', value: -128 });
    expect(value('(u64.const 18446744073709551615)')).toEqual({ kind: 'u64', value: 18446744073709551615n });
    expect(value('(s64.const -9223372036854775808)')).toEqual({ kind: 's64', value: -9223372036854775808n });
    expect(value('(f64.const 0x1.8p1)')).toEqual({ kind: 'f64', value: 3 });
    expect(value('(f32.const 0.1)')).toEqual({ kind: 'f32', value: Math.fround(0.1) });
    expect(value('(f64.const -inf)')).toEqual({ kind: 'f64', value: -Infinity });
    expect(value('(f32.const -0)')).toEqual({ kind: 'f32', value: -0 });
    for (const nan of ['nan', '-nan', 'nan:0x200000', 'nan:canonical', 'nan:arithmetic']) {
      expect(Number.isNaN((value(`(f32.const ${nan})`) as { value: number }).value)).toBe(true);
    }
    expect(value('(char.const "🍰")')).toEqual({ kind: 'char', value: '🍰' });
    expect(value('(str.const "a\\00b")')).toEqual({ kind: 'string', value: 'a\u0000b' });
  });

  it('parses compound values, including fields written without parentheses', () => {
    expect(value('(record.const (field "name" str.const "p:") (field "scores" list.const (u32.const 10) (u32.const 20)))')).toEqual({
      kind: 'record',
      fields: [
        { name: 'name', value: { kind: 'string', value: 'p:' } },
        { name: 'scores', value: { kind: 'list', elements: [{ kind: 'u32', value: 10 }, { kind: 'u32', value: 20 }] } },
      ],
    });
    expect(value('(record.const (field "a" (u8.const 1)))')).toEqual({ kind: 'record', fields: [{ name: 'a', value: { kind: 'u8', value: 1 } }] });
    expect(value('(variant.const "n" (u32.const 99))')).toEqual({ kind: 'variant', label: 'n', value: { kind: 'u32', value: 99 } });
    expect(value('(variant.const "none")')).toEqual({ kind: 'variant', label: 'none', value: undefined });
    expect(value('(enum.const "red")')).toEqual({ kind: 'enum', label: 'red' });
    expect(value('(flags.const)')).toEqual({ kind: 'flags', labels: [] });
    expect(value('(option.some (tuple.const (str.const "x")))')).toEqual({
      kind: 'option',
      value: { kind: 'tuple', elements: [{ kind: 'string', value: 'x' }] },
    });
    expect(value('(option.none)')).toEqual({ kind: 'option', value: undefined });
    expect(value('(result.err (u32.const 404))')).toEqual({ kind: 'result', case: 'err', value: { kind: 'u32', value: 404 } });
    expect(value('(result.ok)')).toEqual({ kind: 'result', case: 'ok', value: undefined });
  });

  it.each([
    ['(u8.const 256)', 'out of range'],
    ['(u32.const -1)', 'out of range'],
    ['(s32.const 1.5)', 'malformed integer'],
    ['(bool.const 1)', 'expected true or false'],
    ['(char.const "ab")', 'exactly one Unicode scalar value'],
    ['(f32.const x)', 'malformed float'],
    ['(option.some)', 'expected 1 argument'],
    ['(widget.const 1)', 'unknown value form'],
    ['(record.const (u8.const 1))', 'expected (field'],
  ])('rejects %j with a WastValueError', (src, problem) => {
    expect(() => value(src)).toThrow(WastValueError);
    expect(() => value(src)).toThrow(problem);
  });
});

describe('script values as JS values', () => {
  it('follows the jco conventions', () => {
    expect(toJs(value('(record.const (field "first-name" str.const "a") (field "n" u64.const 1))'))).toEqual({ firstName: 'a', n: 1n });
    expect(toJs(value('(flags.const "read" "write-all")'))).toEqual({ read: true, writeAll: true });
    expect(toJs(value('(variant.const "my-case" (u8.const 1))'))).toEqual({ tag: 'my-case', val: 1 });
    expect(toJs(value('(option.none)'))).toBeUndefined();
    expect(toJs(value('(option.some (u8.const 3))'))).toBe(3);
    expect(toJs(value('(option.some (option.none))'))).toEqual({ tag: 'none' });
    expect(toJs(value('(option.some (option.some (u8.const 3)))'))).toEqual({ tag: 'some', val: 3 });
    expect(toJs(value('(result.ok (str.const "yo"))'))).toEqual({ tag: 'ok', val: 'yo' });
    expect(toJs(value('(list.const (tuple.const (char.const "A") (bool.const true)))'))).toEqual([['A', true]]);
    expect(camelCase('a-b-c1-d')).toBe('aBC1D');
  });

  it('compares results exactly, with NaN patterns and signed zeros', () => {
    expect(mismatch(7, value('(u32.const 7)'))).toBeUndefined();
    expect(mismatch(7n, value('(u32.const 7)'))).toMatch(/expected \(u32\.const 7\), got 7n/);
    expect(mismatch(7, value('(u64.const 7)'))).toBeDefined();
    expect(mismatch(NaN, value('(f32.const nan:canonical)'))).toBeUndefined();
    expect(mismatch(1, value('(f32.const nan)'))).toBeDefined();
    expect(mismatch(0, value('(f64.const -0)'))).toBeDefined();
    expect(mismatch(Math.fround(0.1), value('(f32.const 0.1)'))).toBeUndefined();
    expect(mismatch(new Uint8Array([1, 2]), value('(list.const (u8.const 1) (u8.const 2))'))).toBeUndefined();
    expect(mismatch([1], value('(list.const (u8.const 1) (u8.const 2))'))).toMatch(/expected 2 elements/);
    expect(mismatch({ tag: 'a', val: 2 }, value('(variant.const "a" (u8.const 3))'))).toMatch(/^result\.val: /);
    expect(mismatch({ a: true, b: false, c: true }, value('(flags.const "a" "c")'))).toBeUndefined();
    expect(mismatch({ a: true, b: true }, value('(flags.const "a")'))).toMatch(/flag b should be clear/);
    expect(mismatch({ x: 1, extra: 2 }, value('(record.const (field "x" u8.const 1))'))).toMatch(/unexpected field/);
    expect(mismatch(undefined, value('(option.none)'))).toBeUndefined();
    expect(mismatch({ tag: 'none' }, value('(option.some (option.none))'))).toBeUndefined();
    expect(mismatch('red', value('(enum.const "red")'))).toBeUndefined();
  });
});

/**
 * Commands per file, counted independently with grep over the scripts
 * (top-level `(component`, `(component definition`, `(component instance`, and
 * every `(assert_...` occurrence).
 */
const EXPECTED_COUNTS: Record<string, Partial<Record<CommandKind, number>>> = {
  'async/async-calls-sync.wast': { component: 1, assert_return: 2 },
  'async/big-interleaving-test.wast': { 'component definition': 1, 'component instance': 9, assert_return: 40, assert_trap: 5 },
  'async/builtin-trap-poisons-instance.wast': { 'component definition': 2, 'component instance': 2, assert_trap: 4 },
  'async/cancel-stream.wast': { component: 1, assert_return: 1 },
  'async/cancel-subtask.wast': { component: 1, assert_return: 1 },
  'async/cancellable.wast': { component: 1, assert_return: 1 },
  'async/closed-stream.wast': { 'component definition': 1, 'component instance': 1, invoke: 1 },
  'async/cross-abi-calls.wast': { 'component definition': 1, 'component instance': 24, assert_return: 24 },
  'async/cross-task-future.wast': { component: 1, assert_return: 1 },
  'async/deadlock.wast': { component: 1, assert_trap: 1 },
  'async/dont-block-start.wast': { assert_trap: 2 },
  'async/drop-cross-task-borrow.wast': { 'component definition': 1, 'component instance': 3, assert_return: 2, assert_trap: 1 },
  'async/drop-stream.wast': { 'component definition': 1, 'component instance': 2, assert_trap: 2 },
  'async/drop-subtask.wast': { component: 1, assert_return: 1, assert_trap: 1 },
  'async/drop-waitable-set.wast': { component: 1, assert_trap: 1 },
  'async/during-sync-call-may-block-if-other-ready-threads.wast': { 'component definition': 1, 'component instance': 2, assert_return: 3 },
  'async/during-sync-call-no-exclusive-resume.wast': { component: 2, assert_return: 6, assert_trap: 1 },
  'async/during-sync-call-no-sibling-resume.wast': { component: 2, assert_return: 3, assert_trap: 1 },
  'async/empty-wait.wast': { component: 1, assert_return: 1 },
  'async/futures-must-write.wast': { component: 1, assert_return: 1, assert_trap: 1 },
  'async/partial-stream-copies.wast': { component: 1, assert_return: 1 },
  'async/passing-resources.wast': { component: 1, assert_return: 1, assert_trap: 1 },
  'async/same-component-stream-future.wast': { 'component definition': 1, 'component instance': 4, assert_return: 2, assert_trap: 2 },
  'async/sync-barges-in.wast': { 'component definition': 1, 'component instance': 1, assert_return: 1 },
  'async/sync-streams.wast': { component: 1, assert_return: 1 },
  'async/trap-if-block-and-sync.wast': { 'component definition': 1, 'component instance': 23, assert_return: 6, assert_trap: 17 },
  'async/trap-if-done.wast': { 'component definition': 1, 'component instance': 13, assert_trap: 13 },
  'async/trap-if-sync-and-waitable-set.wast': { 'component definition': 1, 'component instance': 13, assert_trap: 13 },
  'async/trap-if-transfer-in-waitable-set.wast': { 'component definition': 1, 'component instance': 2, assert_trap: 2 },
  'async/trap-on-reenter.wast': { component: 3, assert_trap: 3 },
  'async/validate-no-async-abi-for-sync-type.wast': { assert_invalid: 3 },
  'async/validate-no-stream-char.wast': { assert_invalid: 1 },
  'async/wait-during-callback.wast': { component: 1, assert_return: 1 },
  'async/zero-length.wast': { component: 1, assert_return: 1 },
  'binary/binary.wast': { component: 31, 'component definition': 4, assert_invalid: 18, assert_malformed: 70 },
  'linking/link-time-virtualization.wast': { component: 1, assert_return: 7 },
  'linking/shared-everything-dynamic-linking.wast': { component: 2, assert_return: 12 },
  'linking/tags.wast': { component: 4, assert_return: 6, assert_invalid: 2 },
  'linking/unit.wast': { component: 58, assert_return: 180 },
  'resources/borrows.wast': { 'component definition': 1, 'component instance': 2, assert_return: 1, assert_trap: 1 },
  'resources/handle-table.wast': { component: 4, 'component definition': 2, 'component instance': 9, assert_return: 3, assert_trap: 11 },
  'resources/multiple-resources.wast': { component: 1, assert_return: 1 },
  'validation/abi.wast': { component: 1, 'component definition': 1, assert_invalid: 21 },
  'validation/annotated-names.wast': { component: 2, 'component definition': 4, assert_invalid: 30 },
  'validation/attributes.wast': { 'component definition': 4, assert_invalid: 21, assert_malformed: 4 },
  'validation/core-modules.wast': { 'component definition': 1, assert_invalid: 10 },
  'validation/defined-types.wast': { component: 2, assert_invalid: 45 },
  'validation/extern-names.wast': { 'component definition': 1, assert_invalid: 11 },
  'validation/external-visibility.wast': { 'component definition': 22, assert_invalid: 40 },
  'validation/indicies.wast': { component: 17 },
  'validation/instantiation.wast': { component: 7, 'component definition': 2, assert_invalid: 73 },
  'validation/kebab.wast': { component: 1, assert_invalid: 30 },
  'validation/max-value-size.wast': { component: 1, assert_invalid: 7 },
  'validation/outer-alias.wast': { 'component definition': 8, assert_invalid: 22, assert_malformed: 1 },
  'validation/resources.wast': { component: 15, 'component definition': 11, assert_invalid: 46 },
  'values/alignment.wast': { 'component definition': 7, 'component instance': 9, assert_trap: 9 },
  'values/concat.wast': { component: 2, assert_return: 44 },
  'values/numerics.wast': { component: 6, 'component definition': 1, 'component instance': 3, assert_return: 13, assert_trap: 3 },
  'values/post-return.wast': { component: 4, 'component definition': 1, 'component instance': 28, assert_return: 6, assert_trap: 28 },
  'values/realloc.wast': { component: 1, 'component definition': 4, 'component instance': 5, assert_return: 1, assert_trap: 5 },
  'values/strings.wast': { component: 8, assert_return: 5, assert_trap: 4 },
  'values/transcode.wast': { component: 5, assert_return: 5 },
  'values/variants.wast': { component: 1, 'component definition': 1, 'component instance': 4, assert_return: 4, assert_trap: 4 },
};

function componentOf(c: Command) {
  if ('component' in c) return c.component;
  if (c.kind === 'assert_trap' && c.action.kind === 'component') return c.action.component;
  return undefined;
}

describe('every reference script', () => {
  const files = listReferenceScripts();

  it('fails clearly when the suite folder is missing', () => {
    expect(() => listWastFiles('/nonexistent/component-model')).toThrow(SuiteMissingError);
    expect(() => listWastFiles('/nonexistent/component-model')).toThrow(/test scripts not found at \/nonexistent\/component-model/);
  });

  it('is the expected set of scripts', () => {
    expect(files).toEqual(Object.keys(EXPECTED_COUNTS).sort());
  });

  describe.each(files)('%s', (file) => {
    const commands = parseWast(readReferenceScript(file), file);

    it('reads with the expected number of commands of each kind', () => {
      const counts: Partial<Record<CommandKind, number>> = {};
      for (const c of commands) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
      expect(counts).toEqual(EXPECTED_COUNTS[file]);
    });

    it('re-emits text components as (component ...) cut from the source', () => {
      for (const c of commands) {
        const comp = componentOf(c);
        if (comp?.body.encoding !== 'text') continue;
        expect(comp.body.text).toMatch(/^\(component[\s$]/);
        expect(comp.body.text).not.toMatch(/^\(component\s+definition/);
        expect(comp.body.text.endsWith(')')).toBe(true);
        // Balanced: the re-emitted text reads back as exactly one form.
        expect(readSExprs(comp.body.text).forms).toHaveLength(1);
      }
    });
  });
});

describe('command parsing', () => {
  it('reads definitions, instances, register, binary and quote components', () => {
    const cmds = parseWast(
      [
        '(component definition $D (core module $M))',
        '(component instance $i $D)',
        '(component instance $D)',
        '(register "env" $i)',
        '(component $B binary "\\00asm" "\\0d\\00\\01\\00")',
        '(assert_malformed (component quote "(import" "x)") "bad")',
        '(assert_return (invoke $i "f" (u32.const 1)) (str.const "1"))',
        '(assert_trap (component (core module)) "start trapped")',
        '(assert_unlinkable (component (import "x" (func))) "missing")',
        '(invoke "g")',
      ].join('\n'),
      't.wast',
    );
    expect(cmds.map((c) => c.kind)).toEqual([
      'component definition', 'component instance', 'component instance', 'register', 'component',
      'assert_malformed', 'assert_return', 'assert_trap', 'assert_unlinkable', 'invoke',
    ]);
    expect(cmds[0]).toMatchObject({ line: 1, component: { name: '$D', body: { encoding: 'text', text: '(component $D\n(core module $M))' } } });
    expect(cmds[1]).toMatchObject({ instance: '$i', definition: '$D' });
    expect(cmds[2]).toMatchObject({ instance: undefined, definition: '$D' });
    expect(cmds[3]).toMatchObject({ as: 'env', instance: '$i' });
    expect(cmds[4]).toMatchObject({ component: { name: '$B', body: { encoding: 'binary', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]) } } });
    expect(cmds[5]).toMatchObject({ component: { body: { encoding: 'quote', text: '(import x)' } }, message: 'bad' });
    expect(cmds[6]).toMatchObject({ line: 7, invoke: { instance: '$i', name: 'f', args: [{ kind: 'u32', value: 1 }] } });
    expect(cmds[7]).toMatchObject({ action: { kind: 'component' }, message: 'start trapped' });
  });

  it.each([
    ['(module)', 'unknown top-level command "module"'],
    ['(assert_return (component))', 'expects an (invoke'],
    ['(assert_invalid (component))', 'the expected error message'],
    ['(component instance)', 'expected (component instance'],
    ['(component binary "a" $x)', 'expects only strings'],
  ])('rejects %j with a WastCommandError', (src, problem) => {
    expect(() => parseWast(src, 'x.wast')).toThrow(WastCommandError);
    expect(() => parseWast(src, 'x.wast')).toThrow(problem);
  });
});

describe('known-failures list', () => {
  const list = parseKnownFailures('# comment\n\na/b.wast:10 host lacks X\na/b.wast:12#2 second on line\na/b.wast:20 [needs exnref] uses try_table\n');
  const res = (id: string, status: CaseResult['status']): CaseResult => ({ id, kind: 'assert_return', status, detail: '' });
  const noFeatures: ReadonlySet<EngineFeature> = new Set();
  const withExnref: ReadonlySet<EngineFeature> = new Set(['exnref']);

  it('parses entries, with the engine feature a case needs', () => {
    expect([...list.entries()]).toEqual([
      ['a/b.wast:10', { kind: 'everywhere', reason: 'host lacks X' }],
      ['a/b.wast:12#2', { kind: 'everywhere', reason: 'second on line' }],
      ['a/b.wast:20', { kind: 'needs', feature: 'exnref', reason: 'uses try_table' }],
    ]);
  });

  it('classifies results against them', () => {
    expect(classify(res('a/b.wast:10', 'failed'), list, noFeatures)).toBe('known-failure');
    expect(classify(res('a/b.wast:10', 'passed'), list, noFeatures)).toBe('fixed');
    expect(classify(res('a/b.wast:11', 'failed'), list, noFeatures)).toBe('new-failure');
    expect(classify(res('a/b.wast:11', 'skipped'), list, noFeatures)).toBe('skipped');
  });

  it('expects a case that needs a feature to fail only on an engine without it', () => {
    expect(classify(res('a/b.wast:20', 'failed'), list, noFeatures)).toBe('known-failure');
    expect(classify(res('a/b.wast:20', 'passed'), list, noFeatures)).toBe('fixed');
    expect(classify(res('a/b.wast:20', 'failed'), list, withExnref)).toBe('new-failure');
    expect(classify(res('a/b.wast:20', 'passed'), list, withExnref)).toBe('passed');
    // A plain entry stays expected whatever the engine has.
    expect(classify(res('a/b.wast:10', 'failed'), list, withExnref)).toBe('known-failure');
  });

  it('expects a case marked `[with FEATURE]` to fail only on an engine with it, and writes the mark back', () => {
    const withList = parseKnownFailures('a/c.wast:5 [with exnref] fails because of how the feature behaves\n');
    expect(withList.get('a/c.wast:5')).toEqual({ kind: 'with', feature: 'exnref', reason: 'fails because of how the feature behaves' });
    expect(classify(res('a/c.wast:5', 'failed'), withList, withExnref)).toBe('known-failure');
    expect(classify(res('a/c.wast:5', 'passed'), withList, withExnref)).toBe('fixed');
    expect(classify(res('a/c.wast:5', 'failed'), withList, noFeatures)).toBe('new-failure');
    expect(classify(res('a/c.wast:5', 'passed'), withList, noFeatures)).toBe('passed');
    // An engine without the feature cannot judge the entry, so a rewritten list keeps it as it is.
    expect(formatKnownFailures([res('a/c.wast:5', 'passed')], withList, noFeatures)).toContain('a/c.wast:5 [with exnref] fails because of how the feature behaves');
    expect(formatKnownFailures([res('a/c.wast:5', 'passed')], withList, withExnref)).not.toContain('a/c.wast:5');
  });

  it('reports entries whose case is gone or skipped, only for files that ran', () => {
    expect(staleEntries(list, [res('a/b.wast:10', 'failed'), res('a/b.wast:12#2', 'skipped'), res('a/b.wast:20', 'passed')], ['a/b.wast'])).toEqual(['a/b.wast:12#2']);
    expect(staleEntries(list, [], ['c.wast'])).toEqual([]);
  });

  it('writes a list that reads back, one compact line per failing case', () => {
    const cases: CaseResult[] = [
      { id: 'x.wast:3', kind: 'component', status: 'failed', detail: 'LoadError \'invalid\': core module does not validate: WebAssembly.Module(): bad @+12 (at byte offset 40)\n more' },
      { id: 'x.wast:4', kind: 'assert_return', status: 'passed', detail: '' },
      { id: 'x.wast:5', kind: 'assert_trap', status: 'failed', detail: 'y'.repeat(500) },
    ];
    const back = parseKnownFailures(formatKnownFailures(cases, new Map(), noFeatures));
    expect([...back.keys()]).toEqual(['x.wast:3', 'x.wast:5']);
    expect(back.get('x.wast:3')).toEqual({ kind: 'everywhere', reason: "LoadError 'invalid': core module does not validate: bad more" });
    expect(back.get('x.wast:5')!.reason.length).toBeLessThanOrEqual(220);
  });

  it('keeps what it cannot judge on this engine and the reasons already written', () => {
    const cases = [res('a/b.wast:10', 'failed'), res('a/b.wast:12#2', 'passed'), res('a/b.wast:20', 'passed')];
    // With exnref the try_table case passes, which says nothing about engines without it: kept.
    expect([...parseKnownFailures(formatKnownFailures(cases, list, withExnref)).entries()]).toEqual([
      ['a/b.wast:10', { kind: 'everywhere', reason: 'host lacks X' }],
      ['a/b.wast:20', { kind: 'needs', feature: 'exnref', reason: 'uses try_table' }],
    ]);
    // Without exnref a passing try_table case is fixed: dropped.
    expect([...parseKnownFailures(formatKnownFailures(cases, list, noFeatures)).keys()]).toEqual(['a/b.wast:10']);
  });

  it('rejects malformed and duplicate lines and unknown features', () => {
    expect(() => parseKnownFailures('a.wast:1')).toThrow(KnownFailuresFormatError);
    expect(() => parseKnownFailures('a.wast:1 x\na.wast:1 y')).toThrow('listed twice');
    expect(() => parseKnownFailures('a.wast:1 [needs threads] x')).toThrow('unknown engine feature "threads"');
  });
});

describe('component encoding', () => {
  it('sets the `cancellable` flags the text parser no longer reads, in nested components too', async () => {
    const text = `(component
      ;; (canon thread.yield cancellable) in a comment is not a definition
      (core module $m (memory (export "mem") 1))
      (core instance $i (instantiate $m))
      (core func (canon waitable-set.wait cancellable (memory (core memory $i "mem"))))
      (core func (canon waitable-set.poll (memory (core memory $i "mem"))))
      (component (canon thread.yield cancellable (core func)) (core func (canon thread.yield)))
      (import "cancellable" (func)))`;
    const encoded = await encodeComponent({ encoding: 'text', text });
    if (!encoded.ok) throw new Error(encoded.message);
    const c = parseComponent(encoded.bytes);
    const canons = (x: typeof c): unknown[] =>
      x.definitions.flatMap((d) => (d.kind === 'canon' ? [d.canon] : d.kind === 'component' ? canons(d.component) : []));
    expect(canons(c)).toEqual([
      { kind: 'waitable-set.wait', cancellable: true, memory: 0 },
      { kind: 'waitable-set.poll', cancellable: false, memory: 1 },
      { kind: 'thread.yield', cancellable: true },
      { kind: 'thread.yield', cancellable: false },
    ]);
  });
});
