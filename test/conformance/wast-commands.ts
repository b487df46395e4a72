/**
 * The top-level commands of a component `.wast` script, as data.
 *
 * Component forms (Explainer.md text format, wast extensions):
 *   (component $name? ...fields)              define and instantiate
 *   (component definition $name? ...fields)   define only
 *   (component instance $inst? $definition)   instantiate a definition
 *   (component $name? binary "bytes"...)      the same with a binary body
 *   (component $name? quote "text"...)        text that may not even parse
 * Commands: register, invoke, assert_return, assert_trap, assert_invalid,
 * assert_malformed, assert_unlinkable.
 */

import { type SExpr, type SList, headOf, isAtom, isId, readSExprs, stringText } from './sexpr.ts';
import { type WastValue, parseValue } from './wast-values.ts';
import { concatBytes } from '../support/bytes.ts';

export type ComponentBody =
  /** Component text re-wrapped as `(component ...)` from the original source slice. */
  | { readonly encoding: 'text'; readonly text: string }
  | { readonly encoding: 'binary'; readonly bytes: Uint8Array }
  /** The concatenated strings; wrapped in `(component ...)` when parsed. */
  | { readonly encoding: 'quote'; readonly text: string };

export interface ComponentSource {
  readonly line: number;
  readonly name: string | undefined;
  readonly body: ComponentBody;
}

export interface Invoke {
  readonly line: number;
  /** `$name` of the instance, or undefined for the most recent one. */
  readonly instance: string | undefined;
  readonly name: string;
  readonly args: readonly WastValue[];
}

export type Command =
  | { readonly kind: 'component'; readonly line: number; readonly component: ComponentSource }
  | { readonly kind: 'component definition'; readonly line: number; readonly component: ComponentSource }
  | { readonly kind: 'component instance'; readonly line: number; readonly instance: string | undefined; readonly definition: string }
  | { readonly kind: 'register'; readonly line: number; readonly as: string; readonly instance: string | undefined }
  | { readonly kind: 'invoke'; readonly line: number; readonly invoke: Invoke }
  | { readonly kind: 'assert_return'; readonly line: number; readonly invoke: Invoke; readonly expected: readonly WastValue[] }
  | { readonly kind: 'assert_trap'; readonly line: number; readonly action: TrapAction; readonly message: string }
  | {
      readonly kind: 'assert_invalid' | 'assert_malformed' | 'assert_unlinkable';
      readonly line: number;
      readonly component: ComponentSource;
      readonly message: string;
      /** The script asserts this of a core module (`(module ...)`), not a component: core validation is the engine's, so runners skip it. */
      readonly coreModule?: true;
    };

/** A trap can come from a call or from instantiation (a core start function). */
export type TrapAction = { readonly kind: 'invoke'; readonly invoke: Invoke } | { readonly kind: 'component'; readonly component: ComponentSource };

export type CommandKind = Command['kind'];

export const COMMAND_KINDS: readonly CommandKind[] = [
  'component', 'component definition', 'component instance', 'register', 'invoke',
  'assert_return', 'assert_trap', 'assert_invalid', 'assert_malformed', 'assert_unlinkable',
];

export class WastCommandError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'WastCommandError';
  }
}

export function parseWast(source: string, file: string): Command[] {
  const { forms } = readSExprs(source, file);
  const ctx: Ctx = { source, file };
  const commands: Command[] = [];
  for (const form of forms) {
    // Annotations at top level carry no command.
    if (headOf(form)?.startsWith('@')) continue;
    commands.push(parseCommand(ctx, form));
  }
  return commands;
}

interface Ctx {
  readonly source: string;
  readonly file: string;
}

function fail(ctx: Ctx, at: SExpr, problem: string): never {
  throw new WastCommandError(ctx.file, at.span.line, problem);
}

function str(ctx: Ctx, e: SExpr | undefined, what: string, at: SExpr): string {
  if (e === undefined || e.kind !== 'string') return fail(ctx, at, `expected ${what} as a string`);
  return stringText(e);
}

function parseCommand(ctx: Ctx, form: SList): Command {
  const line = form.span.line;
  const head = headOf(form);
  const items = form.items;
  switch (head) {
    case 'component': {
      const second = items[1];
      if (isAtom(second, 'instance')) {
        const ids = items.slice(2);
        if (ids.length < 1 || ids.length > 2 || !ids.every(isId)) {
          fail(ctx, form, 'expected (component instance $instance? $definition)');
        }
        const [a, b] = ids as SExpr[] as { text: string }[];
        return b === undefined
          ? { kind: 'component instance', line, instance: undefined, definition: a!.text }
          : { kind: 'component instance', line, instance: a!.text, definition: b.text };
      }
      if (isAtom(second, 'definition')) return { kind: 'component definition', line, component: parseComponent(ctx, form) };
      return { kind: 'component', line, component: parseComponent(ctx, form) };
    }
    case 'register': {
      const as = str(ctx, items[1], 'the registered name', form);
      const inst = items[2];
      if (items.length > 3 || (inst !== undefined && !isId(inst))) fail(ctx, form, 'expected (register "name" $instance?)');
      return { kind: 'register', line, as, instance: inst?.text };
    }
    case 'invoke':
      return { kind: 'invoke', line, invoke: parseInvoke(ctx, form) };
    case 'assert_return': {
      const action = items[1];
      if (!isListWithHead(action, 'invoke')) return fail(ctx, form, 'assert_return expects an (invoke ...)');
      return { kind: 'assert_return', line, invoke: parseInvoke(ctx, action), expected: items.slice(2).map(parseValue) };
    }
    case 'assert_trap': {
      const action = items[1];
      const message = str(ctx, items[2], 'the expected trap message', form);
      if (items.length !== 3) fail(ctx, form, 'expected (assert_trap action "message")');
      if (isListWithHead(action, 'invoke')) return { kind: 'assert_trap', line, action: { kind: 'invoke', invoke: parseInvoke(ctx, action) }, message };
      if (isListWithHead(action, 'component')) return { kind: 'assert_trap', line, action: { kind: 'component', component: parseComponent(ctx, action) }, message };
      return fail(ctx, form, 'assert_trap expects an (invoke ...) or a (component ...)');
    }
    case 'assert_invalid':
    case 'assert_malformed':
    case 'assert_unlinkable': {
      const comp = items[1];
      const coreModule = isListWithHead(comp, 'module');
      if (!isListWithHead(comp, 'component') && !coreModule) return fail(ctx, form, `${head} expects a (component ...) or (module ...)`);
      const message = str(ctx, items[2], 'the expected error message', form);
      if (items.length !== 3) fail(ctx, form, `expected (${head} (component ...) "message")`);
      const command = { kind: head, line, component: parseComponent(ctx, comp as SList), message } as const;
      return coreModule ? { ...command, coreModule: true } : command;
    }
    default:
      return fail(ctx, form, `unknown top-level command ${head === undefined ? '(no keyword)' : JSON.stringify(head)}`);
  }
}

function isListWithHead(e: SExpr | undefined, head: string): e is SList {
  return e !== undefined && e.kind === 'list' && isAtom(e.items[0], head);
}

function parseInvoke(ctx: Ctx, form: SList): Invoke {
  let i = 1;
  let instance: string | undefined;
  const first = form.items[1];
  if (isId(first)) {
    instance = first.text;
    i++;
  }
  const name = str(ctx, form.items[i], 'the export name', form);
  return { line: form.span.line, instance, name, args: form.items.slice(i + 1).map(parseValue) };
}

/** `(component definition? $name? <binary|quote|fields>)` */
function parseComponent(ctx: Ctx, form: SList): ComponentSource {
  let i = 1;
  if (isAtom(form.items[i], 'definition')) i++;
  let name: string | undefined;
  const maybeName = form.items[i];
  if (isId(maybeName)) {
    name = maybeName.text;
    i++;
  }
  const line = form.span.line;
  const rest = form.items.slice(i);
  const mode = rest[0];
  if (isAtom(mode, 'binary') || isAtom(mode, 'quote')) {
    const parts = rest.slice(1);
    if (!parts.every((p) => p.kind === 'string')) fail(ctx, form, `${mode.text} expects only strings`);
    const strings = parts as { bytes: Uint8Array }[];
    if (mode.text === 'binary') {
      const bytes = concatBytes(strings.map((s) => s.bytes));
      return { line, name, body: { encoding: 'binary', bytes } };
    }
    // wasm-tools joins quoted pieces with a space.
    const text = parts.map((p) => stringText(p as Parameters<typeof stringText>[0])).join(' ');
    return { line, name, body: { encoding: 'quote', text } };
  }
  // Re-emit the component from the original text, minus the wast-only `definition` keyword.
  const fieldsStart = rest[0]?.span.start ?? form.span.end - 1;
  const text = `(component${name === undefined ? '' : ' ' + name}\n${ctx.source.slice(fieldsStart, form.span.end)}`;
  return { line, name, body: { encoding: 'text', text } };
}
