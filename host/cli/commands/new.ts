/**
 * `rdylib new`: a plugin crate anywhere, which builds as generated: the SDK
 * dependency, the release profile a plugin needs, a small module of each
 * kind of export, and native tests for `cargo test`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { PLUGIN_RELEASE_PROFILE } from '../plugin-build/build.ts';
import { packageRoot, packageVersion } from '../plugin-build/package-root.ts';
import { CommandError, UsageError, positionals, stringOption, type Command } from '../command.ts';

/** Where the generated crate gets the SDK from. */
export type SdkSource =
  | { readonly kind: 'path'; readonly dir: string }
  | { readonly kind: 'git'; readonly url: string }
  | { readonly kind: 'version'; readonly requirement: string };

const CRATE_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

export const newCommand: Command = {
  name: 'new',
  summary: 'create a plugin crate that builds as generated',
  usage: `rdylib new <dir> [--name <crate>] [--sdk-path <dir> | --sdk-git <url> | --sdk-version <req>]

Creates <dir> (which must not exist, or be empty) with a plugin crate: Cargo.toml (a cdylib
depending on the rdylib SDK, the release profile a plugin needs, its own [workspace]),
src/lib.rs (one #[rdylib::export] module with a function, a record and a resource, and
native tests: run \`cargo test\` in <dir>) and .gitignore. Then:
  rdylib build <dir>          prints the component's path (<dir>/target/rdylib/<crate>.wasm)

Options:
  --name <crate>        the crate name (default: the directory's name), lowercase, - or _
  --sdk-path <dir>      depend on the SDK crate at this path (guest-rust/rdylib)
  --sdk-git <url>       depend on the SDK from this git repository
  --sdk-version <req>   depend on the SDK from crates.io with this version requirement
Default: the SDK sources shipped in this package (a path dependency), else crates.io.`,
  options: {
    name: { type: 'string' },
    'sdk-path': { type: 'string' },
    'sdk-git': { type: 'string' },
    'sdk-version': { type: 'string' },
  },
  async run(parsed, io) {
    const [dirArg] = positionals(this, parsed.positionals, ['dir']);
    const dir = resolve(dirArg!);
    const name = stringOption(parsed, 'name') ?? basename(dir);
    if (!CRATE_NAME.test(name)) {
      throw new UsageError(`crate name ${JSON.stringify(name)} is not usable: expected lowercase letters and digits separated by - or _, starting with a letter; pass --name`);
    }
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new CommandError(`${dirArg} exists and is not empty; pick a new directory`);
    const sdk = sdkSource(parsed.values);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'Cargo.toml'), cargoToml(name, sdk, dir));
    writeFileSync(join(dir, 'src', 'lib.rs'), libRs(name));
    writeFileSync(join(dir, '.gitignore'), '/target\n');
    // The SDK's own lock file pins the versions it is tested with (and lets cargo work offline).
    const lock = sdk.kind === 'path' ? join(dirname(sdk.dir), 'Cargo.lock') : undefined;
    if (lock !== undefined && existsSync(lock)) copyFileSync(lock, join(dir, 'Cargo.lock'));
    io.out(
      `created plugin crate ${name} in ${dirArg} (SDK: ${sdkText(sdk, dir)})\n` +
        `next:\n  rdylib build ${dirArg}\n  rdylib call ${join(dirArg!, 'target', 'rdylib', `${name}.wasm`)} greet '"Ferris"'\n  cd ${dirArg} && cargo test\n`,
    );
    return 0;
  },
};

function sdkSource(values: Readonly<Record<string, unknown>>): SdkSource {
  const given = (['sdk-path', 'sdk-git', 'sdk-version'] as const).filter((k) => typeof values[k] === 'string');
  if (given.length > 1) throw new UsageError(`pass one of --sdk-path, --sdk-git, --sdk-version (got ${given.map((g) => `--${g}`).join(' and ')})`);
  if (typeof values['sdk-path'] === 'string') {
    const dir = resolve(values['sdk-path']);
    if (!existsSync(join(dir, 'Cargo.toml'))) throw new CommandError(`--sdk-path ${values['sdk-path']}: no Cargo.toml there; pass the directory of the rdylib crate (guest-rust/rdylib)`);
    return { kind: 'path', dir };
  }
  if (typeof values['sdk-git'] === 'string') return { kind: 'git', url: values['sdk-git'] };
  if (typeof values['sdk-version'] === 'string') return { kind: 'version', requirement: values['sdk-version'] };
  const shipped = join(packageRoot(), 'guest-rust', 'rdylib');
  if (existsSync(join(shipped, 'Cargo.toml'))) return { kind: 'path', dir: shipped };
  return { kind: 'version', requirement: packageVersion() };
}

/** `to` relative to `from` when they share a top directory (a project), else absolute. */
function relativePath(from: string, to: string): string {
  const top = (p: string) => p.split(sep).filter((x) => x !== '')[0];
  if (top(from) !== top(to)) return to.split(sep).join('/');
  const r = relative(from, to).split(sep).join('/');
  return r === '' ? '.' : r;
}

function sdkText(sdk: SdkSource, crateDir: string): string {
  switch (sdk.kind) {
    case 'path':
      return `path ${relativePath(crateDir, sdk.dir)}`;
    case 'git':
      return `git ${sdk.url}`;
    case 'version':
      return `crates.io ${sdk.requirement}`;
  }
}

function dependency(sdk: SdkSource, crateDir: string): string {
  switch (sdk.kind) {
    case 'path':
      return `rdylib = { path = ${JSON.stringify(relativePath(crateDir, sdk.dir))} }`;
    case 'git':
      return `rdylib = { git = ${JSON.stringify(sdk.url)} }`;
    case 'version':
      return `rdylib = ${JSON.stringify(sdk.requirement)}`;
  }
}

function cargoToml(name: string, sdk: SdkSource, crateDir: string): string {
  return `[package]
name = "${name}"
version = "0.1.0"
edition = "2021"
publish = false

# A plugin is a cdylib: cargo builds a wasm32 core module, \`rdylib build\` makes the component.
[lib]
crate-type = ["cdylib"]

[dependencies]
${dependency(sdk, crateDir)}

# The world #[rdylib::export] derives (its default), for \`rdylib build\`.
[package.metadata.rdylib]
world = "plugin"

# What a plugin needs: small code, and a panic must abort, never unwind across the component boundary.
[profile.release]
${PLUGIN_RELEASE_PROFILE.map(([k, v]) => `${k} = ${v}`).join('\n')}

# Its own workspace; remove this to make the crate a member of an enclosing workspace.
[workspace]
`;
}

function libRs(name: string): string {
  const module = name.replaceAll('-', '_');
  return `//! The ${name} plugin. Everything \`pub\` in the module below crosses the boundary:
//! functions, records (public structs with public fields), resources (structs with
//! private state, reached through handles). See docs/abi.md in the rdylib package.

#[rdylib::export]
pub mod ${module} {
    /// A record: its fields cross the boundary by value.
    pub struct Greeting {
        pub message: String,
        pub length: u32,
    }

    /// A function: string in, string out.
    pub fn greet(name: &str) -> String {
        format!("Hello, {name}!")
    }

    /// A function returning a record.
    pub fn make_greeting(name: &str) -> Greeting {
        let message = greet(name);
        let length = message.chars().count() as u32;
        Greeting { message, length }
    }

    /// A resource: its state stays in the plugin; the host holds a handle.
    pub struct Counter {
        value: u32,
    }

    impl Counter {
        pub fn new(start: u32) -> Self {
            Counter { value: start }
        }

        /// Adds \`by\` (wrapping) and returns the new value; \`&mut self\` borrows it exclusively.
        pub fn increment(&mut self, by: u32) -> u32 {
            self.value = self.value.wrapping_add(by);
            self.value
        }

        pub fn value(&self) -> u32 {
            self.value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::${module}::*;

    #[test]
    fn greets() {
        assert_eq!(greet("Ferris"), "Hello, Ferris!");
        let g = make_greeting("Zoë");
        assert_eq!(g.message, "Hello, Zoë!");
        assert_eq!(g.length, 11);
    }

    #[test]
    fn counts() {
        let mut c = Counter::new(40);
        assert_eq!(c.increment(2), 42);
        assert_eq!(c.value(), 42);
        assert_eq!(Counter::new(u32::MAX).increment(1), 0);
    }
}
`;
}
