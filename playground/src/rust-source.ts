/**
 * Finds one item of an example's Rust source, so a scenario can show the
 * code it exercises next to what the host said. Items are named as the
 * lifetime section names them (`AbiFunction.rust`): `Store::iter`, or a
 * free function's name.
 */

/** The lines of `fn name` (with its doc comments), inside `impl … Type` when `Type::name` is given. */
export function rustItem(source: string, rustName: string): string | undefined {
  const lines = source.split('\n');
  const [type, name] = rustName.includes('::') ? (rustName.split('::') as [string, string]) : [undefined, rustName];
  let from = 0;
  let to = lines.length;
  if (type !== undefined) {
    const impl = lines.findIndex((l) => new RegExp(`^\\s*impl(<[^>]*>)?\\s+${type}\\b`).test(l));
    if (impl < 0) return undefined;
    from = impl;
    to = blockEnd(lines, impl);
  }
  const fnLine = lines.findIndex((l, i) => i >= from && i < to && new RegExp(`\\bfn\\s+${name}\\b`).test(l));
  if (fnLine < 0) return undefined;
  let start = fnLine;
  while (start > 0 && /^\s*(\/\/\/|#\[)/.test(lines[start - 1]!)) start--;
  const end = blockEnd(lines, fnLine);
  return dedent(lines.slice(start, end + 1));
}

/** The line holding the brace that closes the block opened on or after line `at`. */
function blockEnd(lines: readonly string[], at: number): number {
  let depth = 0;
  let opened = false;
  for (let i = at; i < lines.length; i++) {
    // Braces in strings and chars are rare in the examples' signatures; format strings are balanced.
    for (const ch of lines[i]!.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) return i;
  }
  return lines.length - 1;
}

function dedent(lines: readonly string[]): string {
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
