/**
 * Per-plugin WASI capabilities, deny by default: each plugin sees only what
 * it was granted, grants never leak between plugins, WASI imports that were
 * not granted fail at load, exit ends only the plugin, and filesystem
 * preopens are confined and honour read-only.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../host/load.ts';
import { LoadError, ResultError, TrapError } from '../../host/errors.ts';
import { grantWasi, type WasiCapabilities } from '../../host/wasi/index.ts';
import { bystander, component, expectTyped, type Bystander } from '../hostile/support.ts';
import { ENV_COMPONENT } from './components.ts';

const ENV = ENV_COMPONENT;

/** Imports wasi:random and wasi:sockets, which a plugin must be granted (sockets never are). */
const GREEDY = `(component
  (import "wasi:random/random@0.2.0" (instance (export "get-random-u64" (func (result u64)))))
  (import "wasi:sockets/tcp@0.2.0" (instance (export "drop-all" (func)))))`;

async function loadWasi(bytes: Uint8Array, caps: WasiCapabilities, name: string) {
  const c = compile(bytes);
  return c.instantiate(await grantWasi(caps, c.validated.type.imports.keys(), { name }), name);
}

describe('WASI capabilities', () => {
  let by: Bystander;
  let env: Uint8Array;
  beforeAll(async () => {
    by = await bystander();
    env = await component(ENV);
  });

  it('each plugin sees only its own environment; the default is empty', async () => {
    const a = await loadWasi(env, { env: { ROLE: 'a', SECRET: 'only-a' } }, 'a');
    const b = await loadWasi(env, { env: { ROLE: 'b' } }, 'b');
    const none = await loadWasi(env, {}, 'none');
    expect((a.exports.env as () => unknown)()).toEqual([
      ['ROLE', 'a'],
      ['SECRET', 'only-a'],
    ]);
    expect((b.exports.env as () => unknown)()).toEqual([['ROLE', 'b']]);
    expect((none.exports.env as () => unknown)()).toEqual([]);
    // The host's own environment is never visible.
    expect(JSON.stringify((none.exports.env as () => unknown)())).not.toContain('PATH');
  });

  it('wasi:cli/exit ends the plugin (TrapError), never the host process', async () => {
    const p = await loadWasi(env, {}, 'leaver');
    expectTyped(() => (p.exports.bye as () => void)(), TrapError, /wasi:cli\/exit/);
    expectTyped(() => (p.exports.env as () => unknown)(), TrapError, /poisoned/);
    by.check();
  });

  it('WASI imports that were not granted fail at load, naming the interface', async () => {
    const bytes = await component(GREEDY);
    const e = await loadWasi(bytes, {}, 'greedy').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).kind).toBe('unlinkable');
    expect((e as LoadError).message).toMatch(/wasi:(random|sockets)/);
    // Granting random still leaves sockets missing: network is never offered.
    const e2 = await loadWasi(bytes, { random: true }, 'greedy').catch((x: unknown) => x);
    expect((e2 as LoadError).message).toMatch(/wasi:sockets\/tcp@0\.2\.0/);
  });

  it('grants only the interfaces asked for', async () => {
    const names = [
      'wasi:random/random@0.2.0',
      'wasi:clocks/wall-clock@0.2.0',
      'wasi:filesystem/preopens@0.2.0',
      'wasi:sockets/tcp@0.2.0',
      'wasi:http/outgoing-handler@0.2.0',
      'wasi:cli/environment@0.2.0',
      'wasi:io/streams@0.2.0',
      'rdylib:other/thing@0.1.0',
    ];
    expect(Object.keys(await grantWasi({}, names)).sort()).toEqual(['wasi:cli/environment@0.2.0', 'wasi:io/streams@0.2.0']);
    expect(Object.keys(await grantWasi({ random: true, clocks: true, preopens: [] }, names)).sort()).toEqual([
      'wasi:cli/environment@0.2.0',
      'wasi:clocks/wall-clock@0.2.0',
      'wasi:filesystem/preopens@0.2.0',
      'wasi:io/streams@0.2.0',
      'wasi:random/random@0.2.0',
    ]);
    await expect(grantWasi({ network: true } as unknown as WasiCapabilities, names)).rejects.toThrow(/network/);
  });

  it('stdout goes where the plugin was told, per plugin', async () => {
    const seen: string[] = [];
    const imports = (await grantWasi({ stdout: (b) => seen.push(new TextDecoder().decode(b)) }, ['wasi:cli/stdout@0.2.0'])) as Record<
      string,
      { getStdout(): { blockingWriteAndFlush(b: Uint8Array): void } }
    >;
    const other = (await grantWasi({}, ['wasi:cli/stdout@0.2.0'])) as typeof imports;
    imports['wasi:cli/stdout@0.2.0']!.getStdout().blockingWriteAndFlush(new TextEncoder().encode('hello'));
    other['wasi:cli/stdout@0.2.0']!.getStdout().blockingWriteAndFlush(new TextEncoder().encode('discarded'));
    expect(seen).toEqual(['hello']);
  });

  describe('filesystem preopens', () => {
    type Flags = Record<string, boolean>;
    interface Desc {
      openAt(pf: Flags, path: string, of: Flags, f: Flags): Desc;
      read(len: bigint, off: bigint): [Uint8Array, boolean];
      write(b: Uint8Array, off: bigint): bigint;
      createDirectoryAt(p: string): void;
      readViaStream(off: bigint): { read(n: bigint): Uint8Array };
      getFlags(): Flags;
    }
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'rdylib-wasi-'));
      mkdirSync(join(root, 'ro'));
      mkdirSync(join(root, 'rw'));
      writeFileSync(join(root, 'ro', 'data.txt'), 'read me');
      writeFileSync(join(root, 'secret.txt'), 'outside');
    });

    async function dirs(caps: WasiCapabilities): Promise<[Desc, string][]> {
      const im = (await grantWasi(caps, ['wasi:filesystem/preopens@0.2.0'])) as Record<string, { getDirectories(): [Desc, string][] }>;
      return im['wasi:filesystem/preopens@0.2.0']!.getDirectories();
    }
    const err = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ResultError);
        return (e as ResultError).payload;
      }
      throw new Error('expected a ResultError');
    };

    it('a read-only preopen reads but refuses every write', async () => {
      const [[ro, name]] = (await dirs({ preopens: [{ hostPath: join(root, 'ro'), guestPath: '/data', mode: 'read-only' }] })) as [[Desc, string]];
      expect(name).toBe('/data');
      const f = ro.openAt({}, 'data.txt', {}, { read: true });
      expect(new TextDecoder().decode(f.read(100n, 0n)[0])).toBe('read me');
      expect(new TextDecoder().decode(f.readViaStream(5n).read(100n))).toBe('me');
      expect(err(() => ro.openAt({}, 'data.txt', {}, { read: true, write: true }))).toBe('read-only');
      expect(err(() => ro.openAt({}, 'new.txt', { create: true }, { read: true }))).toBe('read-only');
      expect(err(() => ro.createDirectoryAt('sub'))).toBe('read-only');
      expect(err(() => f.write(new Uint8Array([1]), 0n))).toBe('read-only');
      expect(ro.getFlags().write).toBe(false);
      expect(readFileSync(join(root, 'ro', 'data.txt'), 'utf8')).toBe('read me');
    });

    it('a read-write preopen writes; paths cannot escape it', async () => {
      const [[rw]] = (await dirs({ preopens: [{ hostPath: join(root, 'rw'), guestPath: '/out', mode: 'read-write' }] })) as [[Desc, string]];
      const f = rw.openAt({}, 'log.txt', { create: true }, { read: true, write: true });
      expect(f.write(new TextEncoder().encode('written'), 0n)).toBe(7n);
      expect(readFileSync(join(root, 'rw', 'log.txt'), 'utf8')).toBe('written');
      expect(err(() => rw.openAt({}, '../secret.txt', {}, { read: true }))).toBe('not-permitted');
      expect(err(() => rw.openAt({}, '/etc/passwd', {}, { read: true }))).toBe('not-permitted');
    });

    it('two plugins with different preopens do not see each other', async () => {
      const a = await dirs({ preopens: [{ hostPath: join(root, 'ro'), guestPath: '/a', mode: 'read-only' }] });
      const b = await dirs({ preopens: [] });
      const c = await dirs({ preopens: [{ hostPath: join(root, 'rw'), guestPath: '/c', mode: 'read-write' }] });
      expect(a.map(([, n]) => n)).toEqual(['/a']);
      expect(b).toEqual([]);
      expect(c.map(([, n]) => n)).toEqual(['/c']);
      // a's preopen is still read-only after c was granted read-write.
      expect(err(() => a[0]![0].createDirectoryAt('x'))).toBe('read-only');
    });
  });
});
