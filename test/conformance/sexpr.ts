/**
 * A reader for the s-expression syntax of `.wast` scripts (the WebAssembly
 * text format's lexical rules): parentheses, atoms (keywords, `$ids`,
 * numbers), strings with escapes, line comments `;;`, nestable block comments
 * `(; ;)` and annotations `(@name ...)`.
 *
 * Every node keeps its source span so a component's text can be sliced back
 * out of the script unchanged and handed to the text parser.
 */

/** Offsets are UTF-16 indices into the script text; `line` and `column` are 1-based. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

export interface SAtom {
  readonly kind: 'atom';
  /** The token as written: a keyword, a `$id` (including `$"quoted"` ids) or a number. */
  readonly text: string;
  readonly span: Span;
}

export interface SString {
  readonly kind: 'string';
  /** A wast string denotes bytes: `\xx` escapes may produce invalid UTF-8 (binary modules). */
  readonly bytes: Uint8Array;
  readonly span: Span;
}

export interface SList {
  readonly kind: 'list';
  readonly items: readonly SExpr[];
  readonly span: Span;
}

export type SExpr = SAtom | SString | SList;

export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export interface ReadResult {
  readonly forms: readonly SList[];
  /** All comments, in source order. */
  readonly comments: readonly Comment[];
}

export class WastSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = 'WastSyntaxError';
  }
}

/** Characters that end an atom. Unicode outside strings and comments is a syntax error in wat. */
function isDelimiter(ch: string): boolean {
  return ch === '(' || ch === ')' || ch === '"' || ch === ';' || isSpace(ch);
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Printable ASCII other than the delimiters: the wat `idchar` set, plus `,[]{}` leniently. */
function isAtomChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c > 0x20 && c < 0x7f && !isDelimiter(ch);
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes a wast string's bytes as UTF-8, or throws when they are not valid UTF-8. */
export function stringText(s: SString): string {
  return utf8Strict.decode(s.bytes);
}

export function readSExprs(source: string, file = '<input>'): ReadResult {
  return new Reader(source, file).readAll();
}

class Reader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly comments: Comment[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  readAll(): ReadResult {
    const forms: SList[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.src.length) break;
      const ch = this.src[this.pos]!;
      if (ch !== '(') this.fail(`expected '(' at top level, found ${JSON.stringify(ch)}`);
      forms.push(this.readList());
    }
    return { forms, comments: this.comments };
  }

  private here(): { start: number; line: number; column: number } {
    return { start: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private span(from: { start: number; line: number; column: number }): Span {
    return { start: from.start, end: this.pos, line: from.line, column: from.column };
  }

  private fail(problem: string, at = this.here()): never {
    throw new WastSyntaxError(this.file, at.line, at.column, problem);
  }

  /** Advances one character, keeping line accounting right. */
  private advance(): string {
    const ch = this.src[this.pos]!;
    this.pos++;
    if (ch === '\n') {
      this.line++;
      this.lineStart = this.pos;
    }
    return ch;
  }

  private skipTrivia(): void {
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (isSpace(ch)) {
        this.advance();
      } else if (ch === ';' && this.src[this.pos + 1] === ';') {
        const at = this.here();
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.advance();
        this.comments.push({ text: this.src.slice(at.start + 2, this.pos), span: this.span(at) });
      } else if (ch === '(' && this.src[this.pos + 1] === ';') {
        this.skipBlockComment();
      } else {
        return;
      }
    }
  }

  /** Block comments nest: `(; a (; b ;) c ;)` is one comment. */
  private skipBlockComment(): void {
    const at = this.here();
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.src.startsWith('(;', this.pos)) {
        depth++;
        this.advance();
        this.advance();
      } else if (this.src.startsWith(';)', this.pos)) {
        depth--;
        this.advance();
        this.advance();
        if (depth === 0) {
          this.comments.push({ text: this.src.slice(at.start + 2, this.pos - 2), span: this.span(at) });
          return;
        }
      } else {
        this.advance();
      }
    }
    this.fail('unterminated block comment', at);
  }

  private readList(): SList {
    const at = this.here();
    this.advance(); // '('
    const items: SExpr[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.src.length) this.fail("unterminated list: missing ')'", at);
      const ch = this.src[this.pos]!;
      if (ch === ')') {
        this.advance();
        return { kind: 'list', items, span: this.span(at) };
      }
      items.push(this.readItem());
    }
  }

  private readItem(): SExpr {
    const ch = this.src[this.pos]!;
    if (ch === '(') return this.readList();
    if (ch === '"') return this.readString();
    if (ch === ';') this.fail("stray ';' (comments start with ';;' or '(;')");
    return this.readAtom();
  }

  private readAtom(): SAtom {
    const at = this.here();
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (isDelimiter(ch)) break;
      if (!isAtomChar(ch)) this.fail(`character ${JSON.stringify(ch)} is not allowed outside strings and comments`);
      this.advance();
    }
    // A quoted identifier `$"..."` is one token.
    if (this.pos === at.start + 1 && this.src[at.start] === '$' && this.src[this.pos] === '"') {
      this.readString();
    }
    if (this.pos === at.start) this.fail('expected a token');
    return { kind: 'atom', text: this.src.slice(at.start, this.pos), span: this.span(at) };
  }

  private readString(): SString {
    const at = this.here();
    this.advance(); // opening quote
    const bytes: number[] = [];
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated string', at);
      const ch = this.advance();
      if (ch === '"') break;
      if (ch === '\n') this.fail('newline inside a string (use \\n)', at);
      if (ch !== '\\') {
        // One UTF-16 unit at a time would split surrogate pairs; take the whole code point.
        const cp = this.src.codePointAt(this.pos - 1)!;
        if (cp > 0xffff) this.advance();
        for (const b of utf8.encode(String.fromCodePoint(cp))) bytes.push(b);
        continue;
      }
      this.readEscape(bytes);
    }
    return { kind: 'string', bytes: Uint8Array.from(bytes), span: this.span(at) };
  }

  private readEscape(out: number[]): void {
    const at = this.here();
    if (this.pos >= this.src.length) this.fail('unterminated escape', at);
    const ch = this.advance();
    switch (ch) {
      case 'n': out.push(0x0a); return;
      case 't': out.push(0x09); return;
      case 'r': out.push(0x0d); return;
      case '"': out.push(0x22); return;
      case "'": out.push(0x27); return;
      case '\\': out.push(0x5c); return;
      case 'u': {
        if (this.src[this.pos] !== '{') this.fail('expected \\u{hex}', at);
        const close = this.src.indexOf('}', this.pos);
        const hex = close < 0 ? '' : this.src.slice(this.pos + 1, close).replaceAll('_', '');
        if (!/^[0-9a-fA-F]+$/.test(hex)) this.fail('malformed \\u{...} escape', at);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) this.fail(`\\u{${hex}} is not a Unicode scalar value`, at);
        while (this.pos <= close) this.advance();
        for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
        return;
      }
      default: {
        const second = this.src[this.pos];
        if (/^[0-9a-fA-F]$/.test(ch) && second !== undefined && /^[0-9a-fA-F]$/.test(second)) {
          this.advance();
          out.push(parseInt(ch + second, 16));
          return;
        }
        this.fail(`unknown string escape \\${ch}`, at);
      }
    }
  }
}

// Small helpers for walking forms.

export function isAtom(e: SExpr | undefined, text?: string): e is SAtom {
  return e !== undefined && e.kind === 'atom' && (text === undefined || e.text === text);
}

export function isId(e: SExpr | undefined): e is SAtom {
  return e !== undefined && e.kind === 'atom' && e.text.startsWith('$');
}

export function isList(e: SExpr | undefined, head?: string): e is SList {
  return e !== undefined && e.kind === 'list' && (head === undefined || isAtom(e.items[0], head));
}

/** The keyword a list starts with, or undefined. */
export function headOf(e: SExpr): string | undefined {
  if (e.kind !== 'list') return undefined;
  const first = e.items[0];
  return first !== undefined && first.kind === 'atom' ? first.text : undefined;
}
