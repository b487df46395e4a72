/**
 * Recognises components that use the Component Model's async features
 * (async lift/lower, `stream`, `future`, `error-context`, and the task,
 * subtask, waitable, context, backpressure and thread built-ins). Those are out
 * of this project's scope for now, so the runner skips them and every command
 * that depends on them.
 *
 * Text components are judged by their keywords (strings such as import names
 * are ignored). Binary components carry no keywords; the reference tests
 * annotate every byte run with a comment naming what it encodes, so those
 * comments are what gets checked.
 */

import type { Comment, SExpr } from './sexpr.ts';

/** Keywords that only occur in async-related definitions. */
const ASYNC_KEYWORDS: ReadonlySet<string> = new Set(['async', 'stream', 'future', 'error-context', 'callback']);

/** Canonical built-ins (Explainer.md "Canonical built-ins") that belong to the async feature set. */
const ASYNC_BUILTIN = /^(task\.|subtask\.|waitable\.|waitable-set\.|stream\.|future\.|error-context\.|context\.|backpressure\.|thread\.)/;

const ASYNC_WORD_IN_PROSE =
  /(^|[^\w-])(async|stream|future|error-context|callback|(task|subtask|waitable|waitable-set|context|backpressure|thread)\.[a-z-]+)(?![\w-])/;

export type AsyncProbe =
  | { readonly kind: 'text'; readonly fields: readonly SExpr[] }
  | { readonly kind: 'quote'; readonly text: string }
  | { readonly kind: 'binary'; readonly comments: readonly Comment[] };

export function usesAsyncFeatures(probe: AsyncProbe): boolean {
  switch (probe.kind) {
    case 'text':
      return probe.fields.some(hasAsyncKeyword);
    case 'quote':
      // Quoted text may be unparseable on purpose; strip strings and look for the words.
      return ASYNC_WORD_IN_PROSE.test(probe.text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    case 'binary':
      return probe.comments.some((c) => ASYNC_WORD_IN_PROSE.test(c.text));
  }
}

function hasAsyncKeyword(e: SExpr): boolean {
  switch (e.kind) {
    case 'string':
      return false;
    case 'atom':
      return ASYNC_KEYWORDS.has(e.text) || ASYNC_BUILTIN.test(e.text);
    case 'list':
      return e.items.some(hasAsyncKeyword);
  }
}
