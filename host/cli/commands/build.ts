/** `rdylib build`: plugin crates to components carrying their rdylib:abi section. */
import { resolve } from 'node:path';
import { buildPlugins } from '../plugin-build/build.ts';
import { stringOption, type Command } from '../command.ts';

export const buildCommand: Command = {
  name: 'build',
  summary: 'build plugin crates into components (with their lifetime section)',
  usage: `rdylib build [crate-dir ...] [-o <out-dir>] [-p <crate> ...]

Builds each crate (default: the current directory) for wasm32 in release mode, makes the
component from the WIT the SDK derived (or the crate's [package.metadata.rdylib] wit
directory), and puts the rdylib:abi lifetime section at its top level. A workspace directory
stands for its plugin members. Prints each component's path on standard output; progress,
timings and cargo's own output go to standard error.

Rust: the toolchain is found or installed as scripts/setup-toolchain.sh (in this package)
says: a rustc with the wasm32 standard library, rustup, or on Debian/Ubuntu as root the
rustc-web packages with -Zbuild-std. RDYLIB_TOOLCHAIN=path|rustup|debian forces one.

A crate whose workspace sets no [profile.release] is built with the profile a plugin needs
(opt-level "s", LTO, one codegen unit, panic = "abort", no debug info).

Incremental: cargo rebuilds only what changed, and the component is remade only when the
core module, its WIT, the toolchain or this build changed.

Options:
  -o, --out-dir <dir>    where components go (default: <cargo target dir>/rdylib)
  -p, --package <crate>  only this crate of a workspace (repeatable)`,
  options: { 'out-dir': { type: 'string', short: 'o' }, package: { type: 'string', short: 'p', multiple: true } },
  async run(parsed, io) {
    const dirs = parsed.positionals.length > 0 ? parsed.positionals.map((d) => resolve(d)) : [process.cwd()];
    const outDir = stringOption(parsed, 'out-dir');
    const only = parsed.values.package;
    const built = await buildPlugins(dirs, {
      ...(outDir === undefined ? {} : { outDir: resolve(outDir) }),
      ...(Array.isArray(only) ? { only } : {}),
      log: (line) => io.err(`rdylib build: ${line}\n`),
    });
    for (const b of built) io.out(`${b.output}\n`);
    return 0;
  },
};
