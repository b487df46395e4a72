/** `rdylib types`: TypeScript declarations for a plugin's exports (host/bindings). */
import { generateDeclarations } from '../../bindings/index.ts';
import { positionals, stringOption, writeOutput, type Command } from '../command.ts';
import { readComponentFile } from '../read-file.ts';

export const typesCommand: Command = {
  name: 'types',
  summary: 'write TypeScript declarations typing a plugin\'s exports',
  usage: `rdylib types <plugin.wasm|reference.wasm> [-o <file.d.ts>] [--import-from <module>]

Writes the declarations \`generateDeclarations\` makes from the component's types and its
rdylib:abi section: records, variants, enums, flags, options, results (with typed error
payloads), resources as Disposable classes, handles that borrow documented with what they
borrow and how, library-static handles marked. A host then loads the plugin typed:

  import { load } from 'rdylib';
  const plugin = await load<import('./kv.js').Bindings>('kv.wasm');

Give a reference build (the one the host is made against) to type a host for every plugin
version \`load(…, { expect })\` accepts.

Options:
  -o, --output <file.d.ts>  write to this file (default: standard output) and print its path
  --import-from <module>    the module the declarations import host types from (default rdylib)`,
  options: { output: { type: 'string', short: 'o' }, 'import-from': { type: 'string' } },
  async run(parsed, io) {
    const [file] = positionals(this, parsed.positionals, ['plugin.wasm']);
    const importFrom = stringOption(parsed, 'import-from');
    const text = generateDeclarations(readComponentFile(file!), { source: file!, ...(importFrom === undefined ? {} : { importFrom }) });
    writeOutput(io, stringOption(parsed, 'output'), text);
    return 0;
  },
};
