/** `rdylib inspect`: what a component is, needs, offers and borrows, without running it. */
import { formatInspection, inspectComponent } from '../../inspect/index.ts';
import { positionals, type Command } from '../command.ts';
import { readComponentFile } from '../read-file.ts';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show a component\'s WIT, lifetime table, imports, exports and sizes',
  usage: `rdylib inspect <plugin.wasm> [--json]

Reads the component without running it and prints:
  - its imports, and who provides each (a WASI grant, the host, a caller-implemented trait);
  - its exports, with their resources and functions;
  - the lifetime table from its rdylib:abi section: how each function takes its handle
    parameters (&, &mut, moved, &'static) and which result handles are owned, library-static,
    or borrow which parameters (shared or exclusive);
  - its sizes: core modules and custom sections;
  - its WIT, printed from the component's own types.

Options:
  --json     print the same as one JSON object (inspectComponent's Inspection)`,
  options: { json: { type: 'boolean' } },
  async run(parsed, io) {
    const [file] = positionals(this, parsed.positionals, ['plugin.wasm']);
    const inspection = inspectComponent(readComponentFile(file!), { source: file! });
    io.out(parsed.values.json === true ? `${JSON.stringify(inspection, null, 2)}\n` : formatInspection(inspection));
    return 0;
  },
};
