/**
 * `rdylib check`: the compatibility check `load(…, { expect })` runs, on its
 * own: the plugin's section verified against its types, then compared with
 * the reference build. Nothing is instantiated.
 */
import { compile } from '../../load.ts';
import { AbiMismatchError, LoadError } from '../../errors.ts';
import { checkExpectation, foundSurface } from '../../rdylib/load-checks.ts';
import { readAbiSurface } from '../../rdylib/surface.ts';
import { CommandError, UsageError, positionals, stringOption, type Command } from '../command.ts';
import { readComponentFile } from '../read-file.ts';

export const checkCommand: Command = {
  name: 'check',
  summary: 'check that a plugin provides the interface a reference build offers',
  usage: `rdylib check <plugin.wasm> --expect <reference.wasm> [--unchecked]

Runs the checks \`load(plugin, { expect: reference })\` runs before any plugin code: the
plugin's rdylib:abi section against its own types, then the plugin against the reference
build the host was made with (docs/abi.md §6: added items are fine; removed or changed
items, stricter lifetimes and incompatible versions are not). Nothing is run.

Exit status: 0 compatible; 1 not compatible (every difference is listed, one per line:
the item, what was expected, what was found) or unreadable input; 2 wrong usage.

Options:
  --expect <reference.wasm>   the reference build (required)
  --unchecked                 accept a plugin without an rdylib:abi section (types only)`,
  options: { expect: { type: 'string' }, unchecked: { type: 'boolean' } },
  async run(parsed, io) {
    const [file] = positionals(this, parsed.positionals, ['plugin.wasm']);
    const reference = stringOption(parsed, 'expect');
    if (reference === undefined) throw new UsageError('missing --expect <reference.wasm>: the build the host was made against');
    const validated = compile(readComponentFile(file!)).validated;
    let found;
    try {
      found = foundSurface(validated, file!, parsed.values.unchecked === true);
    } catch (e) {
      if (!(e instanceof LoadError && e.kind === 'missing-lifetimes')) throw e;
      throw new CommandError(`${file} has no rdylib:abi section (not built with the rdylib SDK), so its lifetimes cannot be checked; pass --unchecked to compare its types only`);
    }
    const expected = readAbiSurface(readComponentFile(reference), reference);
    try {
      checkExpectation(expected, found);
    } catch (e) {
      if (!(e instanceof AbiMismatchError)) throw e;
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    const lifetimes = found.abi ? 'types and lifetimes' : 'types only (no rdylib:abi section)';
    io.out(`compatible: ${file} provides the interface ${reference} was built against (${lifetimes})\n`);
    return 0;
  },
};
