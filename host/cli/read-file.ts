/** Reading a component file named on the command line, with errors that say what to do. */
import { readFileSync } from 'node:fs';
import { CommandError } from './command.ts';

export function readComponentFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CommandError(`${path}: no such file; build the plugin with \`rdylib build <crate-dir>\`, which prints the component's path`);
    if (code === 'EISDIR') throw new CommandError(`${path} is a directory; pass the component (.wasm) file, e.g. the path \`rdylib build\` printed`);
    throw new CommandError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
