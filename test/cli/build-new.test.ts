/**
 * `rdylib build` on the guest workspace (cargo has built it already, so this
 * costs a no-op cargo run and one component) and `rdylib new`'s crate. That a
 * new crate builds is shown by the fresh-project test (test/package/), which
 * runs both from the packed tarball.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGuest, repoRoot } from '../support/guests.ts';
import { rdylib } from './run.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'rdylib-cli-'));

describe('rdylib build', () => {
  it('builds a workspace member into the given directory, the same bytes as build:guests, and prints the path', () => {
    const out = scratch();
    const r = rdylib(['build', join(repoRoot, 'guest-rust'), '-p', 'hello', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${join(out, 'hello.wasm')}\n`);
    expect(r.stderr).toMatch(/rdylib build: \[1\/1\] hello: cargo build \(wasm32-[a-z0-9-]+, its release profile, /);
    expect(r.stderr).toMatch(/rdylib build: \[1\/1\] hello: built .*hello\.wasm \([\d.]+ KiB\) in [\d.]+s \(cargo [\d.]+s, component [\d.]+s\)/);
    expect(new Uint8Array(readFileSync(join(out, 'hello.wasm')))).toEqual(new Uint8Array(readGuest('hello')));
    // Nothing changed: the component is not made again.
    const again = rdylib(['build', join(repoRoot, 'guest-rust'), '-p', 'hello', '-o', out]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/hello: up to date: /);
  });

  it('says what to pass when a directory is not a crate or names no plugin', () => {
    const empty = scratch();
    const r = rdylib(['build', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`rdylib build: ${empty} has no Cargo.toml: pass a plugin crate's directory (\`rdylib new <dir>\` makes one)`);
    const unknown = rdylib(['build', join(repoRoot, 'guest-rust'), '-p', 'nope']);
    expect(unknown.status).toBe(1);
    const examples = readdirSync(join(repoRoot, 'guest-rust', 'examples')).sort();
    expect(unknown.stderr).toMatch(new RegExp(`rdylib build: no plugin crate named nope; found: ${examples.join(', ')}\n$`));
  });
});

describe('rdylib new', () => {
  it('writes a crate with the SDK dependency, the plugin profile, an example module and native tests', () => {
    const dir = join(scratch(), 'md-text');
    const r = rdylib(['new', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`created plugin crate md-text in ${dir}`);
    const manifest = readFileSync(join(dir, 'Cargo.toml'), 'utf8');
    expect(manifest).toContain('name = "md-text"');
    expect(manifest).toContain('crate-type = ["cdylib"]');
    // Relative when the crate and the SDK share a top directory (a clone under /tmp), else absolute: either way Cargo
    // resolves it against the crate's directory, so that is what must land on the SDK.
    const sdkPath = /rdylib = \{ path = "([^"]+)" \}/.exec(manifest)?.[1];
    expect(sdkPath).toBeDefined();
    expect(resolve(dir, sdkPath!)).toBe(join(repoRoot, 'guest-rust', 'rdylib'));
    expect(manifest).toContain('[profile.release]\nopt-level = "s"\nlto = true\ncodegen-units = 1\npanic = "abort"\n');
    expect(manifest).toContain('[package.metadata.rdylib]\nworld = "plugin"');
    const lib = readFileSync(join(dir, 'src', 'lib.rs'), 'utf8');
    expect(lib).toContain('#[rdylib::export]\npub mod md_text {');
    expect(lib).toContain('#[cfg(test)]\nmod tests {\n    use super::md_text::*;');
    // The SDK workspace's lock file pins the versions the SDK is tested with.
    expect(readFileSync(join(dir, 'Cargo.lock'), 'utf8')).toBe(readFileSync(join(repoRoot, 'guest-rust', 'Cargo.lock'), 'utf8'));
  });

  it('takes the SDK from a version or git instead, and refuses what it cannot create', () => {
    const dir = join(scratch(), 'p');
    expect(rdylib(['new', dir, '--sdk-version', '0.1']).status).toBe(0);
    expect(readFileSync(join(dir, 'Cargo.toml'), 'utf8')).toContain('rdylib = "0.1"\n');
    expect(existsSync(join(dir, 'Cargo.lock'))).toBe(false);
    const taken = rdylib(['new', dir]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toBe(`rdylib new: ${dir} exists and is not empty; pick a new directory\n`);
    const badName = rdylib(['new', join(scratch(), 'Bad Name')]);
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/crate name "Bad Name" is not usable: expected lowercase letters and digits separated by - or _, starting with a letter; pass --name\n$/);
    const two = rdylib(['new', join(scratch(), 'q'), '--sdk-version', '0.1', '--sdk-git', 'https://example.invalid/rdylib.git']);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('pass one of --sdk-path, --sdk-git, --sdk-version (got --sdk-git and --sdk-version)');
    const notSdk = join(scratch(), 'not-the-sdk');
    mkdirSync(notSdk);
    writeFileSync(join(notSdk, 'README'), '');
    const badPath = rdylib(['new', join(scratch(), 'r'), '--sdk-path', notSdk]);
    expect(badPath.status).toBe(1);
    expect(badPath.stderr).toContain(`--sdk-path ${notSdk}: no Cargo.toml there`);
  });
});
