/**
 * Turns a script's component into binary bytes. Text and quoted components go
 * through jco's `parse` (the wasm-tools text parser), which resolves names and
 * encodes but does not validate, so invalid components still reach the host.
 */

import { parse } from '../../scripts/lib/jco.ts';
import type { Component } from '../../host/binary/ast.ts';
import { parseComponent } from '../../host/binary/parse.ts';
import type { ComponentBody } from './wast-commands.ts';

export type Encoded =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** The text parser refused the component; `message` is its error, shortened to one line. */
  | { readonly ok: false; readonly message: string };

export async function encodeComponent(body: ComponentBody): Promise<Encoded> {
  switch (body.encoding) {
    case 'binary':
      return { ok: true, bytes: body.bytes };
    case 'text':
      return parseText(body.text);
    case 'quote':
      return parseText(`(component ${body.text})`);
  }
}

async function parseText(text: string): Promise<Encoded> {
  const { text: accepted, cancellable } = withoutCancellable(text);
  let bytes: unknown;
  try {
    bytes = await parse(accepted);
  } catch (e) {
    return { ok: false, message: describeParseError(e) };
  }
  if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'jco parse returned no bytes' };
  return cancellable.length === 0 ? { ok: true, bytes } : setCancellable(bytes, cancellable);
}

/**
 * The `cancellable` immediate of `waitable-set.wait`/`poll` and the thread
 * built-ins: the binary format and the reference tests have it (Binary.md
 * `cancel?`), but the text parser jco ships no longer accepts the keyword
 * (component-model#716). So the keyword is blanked out of the text, and the
 * flag byte set in the binary afterwards: the n-th `(canon ...)` form of the
 * text is the n-th canon definition of the binary, nested components included.
 */
function withoutCancellable(text: string): { text: string; cancellable: number[] } {
  const cancellable: number[] = [];
  if (!text.includes('cancellable')) return { text, cancellable };
  const skipped = /"(?:[^"\\]|\\.)*"|;;[^\n]*/y;
  const canonForm = /\(canon(?![\w.-])(?:\s+[a-z.-]+(\s+)cancellable(?![\w.-]))?/y;
  let out = '';
  let canons = 0;
  for (let i = 0; i < text.length; ) {
    skipped.lastIndex = i;
    const skip = skipped.exec(text)?.[0] ?? (text.startsWith('(;', i) ? blockComment(text, i) : undefined);
    if (skip !== undefined) {
      out += skip;
      i += skip.length;
      continue;
    }
    canonForm.lastIndex = i;
    const canon = canonForm.exec(text);
    if (canon !== null) {
      const flagged = canon[1] !== undefined;
      if (flagged) cancellable.push(canons);
      canons++;
      out += flagged ? canon[0].replace(/cancellable$/, ' '.repeat('cancellable'.length)) : canon[0];
      i += canon[0].length;
      continue;
    }
    out += text[i];
    i++;
  }
  return { text: out, cancellable };
}

/** The nestable `(; ... ;)` comment starting at `from` (the rest of `s` when unterminated). */
function blockComment(s: string, from: number): string {
  let depth = 0;
  for (let i = from; i < s.length - 1; i++) {
    if (s[i] === '(' && s[i + 1] === ';') {
      depth++;
      i++;
    } else if (s[i] === ';' && s[i + 1] === ')') {
      depth--;
      i++;
      if (depth === 0) return s.slice(from, i + 1);
    }
  }
  return s.slice(from);
}

/** Opcodes of the built-ins whose first immediate is `cancel?` (Binary.md). */
const CANCELLABLE_OPCODES: ReadonlySet<number> = new Set([0x20, 0x21, 0x0c, 0x29, 0x2a, 0x2b, 0x2c, 0x2d]);

function setCancellable(bytes: Uint8Array, which: readonly number[]): Encoded {
  const canons: number[] = [];
  const walk = (c: Component): void => {
    for (const d of c.definitions) {
      if (d.kind === 'canon') canons.push(d.offset);
      else if (d.kind === 'component') walk(d.component);
    }
  };
  walk(parseComponent(bytes));
  const out = bytes.slice();
  for (const k of which) {
    const at = canons[k];
    if (at === undefined || !CANCELLABLE_OPCODES.has(out[at]!) || out[at + 1] !== 0x00) {
      return { ok: false, message: `could not set the \`cancellable\` flag of canon definition ${k} in the encoded binary` };
    }
    out[at + 1] = 0x01;
  }
  return { ok: true, bytes: out };
}

/** wasm-tools errors arrive as a Debug dump; keep the `kind` and the snippet, which say what went wrong. */
export function describeParseError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const custom = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(raw);
  const lexer = /kind: Lex\((\w+)/.exec(raw);
  const line = /text: Some\(Text \{ line: (\d+)/.exec(raw);
  const what = custom?.[1] ?? (lexer ? `lexer error ${lexer[1]}` : raw.split('\n')[0]!);
  return line ? `${what} (text line ${Number(line[1]) + 1})` : what;
}
