/** `rdylib wit`: the WIT of a component, printed from its own types. */
import { inspectComponent } from '../../inspect/index.ts';
import { positionals, stringOption, writeOutput, type Command } from '../command.ts';
import { readComponentFile } from '../read-file.ts';

export const witCommand: Command = {
  name: 'wit',
  summary: 'print the WIT read from a component\'s types',
  usage: `rdylib wit <plugin.wasm> [-o <file.wit>]

Prints the component's WIT: its interfaces (records, variants, enums, flags, resources with
their constructors, methods and static functions, functions) and its world, read from the
component's types, not from a file beside it. Doc comments are not kept in a component.

Options:
  -o, --output <file.wit>   write to this file instead of standard output`,
  options: { output: { type: 'string', short: 'o' } },
  async run(parsed, io) {
    const [file] = positionals(this, parsed.positionals, ['plugin.wasm']);
    const { wit } = inspectComponent(readComponentFile(file!), { source: file! });
    writeOutput(io, stringOption(parsed, 'output'), wit);
    return 0;
  },
};
