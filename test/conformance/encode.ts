/**
 * Turns a script's component into binary bytes. Text and quoted components go
 * through jco's `parse` (the wasm-tools text parser), which resolves names and
 * encodes but does not validate, so invalid components still reach the host.
 */

import { parse } from '../../scripts/lib/jco.ts';
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
  try {
    const bytes: unknown = await parse(text);
    if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'jco parse returned no bytes' };
    return { ok: true, bytes };
  } catch (e) {
    return { ok: false, message: describeParseError(e) };
  }
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
