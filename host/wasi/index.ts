/**
 * Per-plugin WASI 0.2 imports, deny by default. `grantWasi(caps, importNames)`
 * returns an ImportObject holding exactly the WASI interfaces `caps` grants,
 * keyed by the names (and patch versions) the component imports; any other
 * WASI import is left out, so loading fails with LoadError('unlinkable')
 * naming it before the plugin runs.
 *
 * Always granted (they give no authority): wasi:io, wasi:cli/environment
 * (empty unless `env`/`args` are given), wasi:cli/exit (ends the plugin,
 * never the host), stdin/stdout/stderr (empty / discarded unless granted),
 * terminal-* (no terminal). Granted on request: wasi:clocks (`clocks`),
 * wasi:random (`random`), wasi:filesystem (`preopens`). Never: sockets, http.
 */
import { IoError, InputStream, OutputStream, Pollable, poll } from './io.ts';
import { cliInterfaces } from './cli.ts';
import { clockInterfaces, randomInterfaces } from './clocks-random.ts';
import { filesystemInterfaces } from './filesystem.ts';
import type { WasiCapabilities } from './capabilities.ts';

export type { WasiCapabilities, PreopenGrant, OutputGrant } from './capabilities.ts';

/** `wasi:<package>/<interface>@0.2.<patch>` */
const WASI_NAME = /^wasi:([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)@0\.2\.\d+$/;

export interface WasiGrantOptions {
  /** For messages (e.g. exit). */
  readonly name?: string;
}

/** The interfaces `caps` grants, by package then interface name. */
async function granted(caps: WasiCapabilities, name: string): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  if ((caps as { network?: unknown }).network !== undefined && caps.network !== false) {
    throw new TypeError('network access is not offered to plugins (wasi:sockets and wasi:http are not implemented)');
  }
  const out: Record<string, Record<string, Record<string, unknown>>> = {
    io: {
      error: { Error: IoError },
      poll: { Pollable, poll },
      streams: { InputStream, OutputStream },
    },
    cli: cliInterfaces(caps, name),
  };
  if (caps.clocks === true) out.clocks = clockInterfaces();
  if (caps.random === true) out.random = randomInterfaces();
  if (caps.preopens !== undefined) out.filesystem = await filesystemInterfaces(caps.preopens);
  return out;
}

/**
 * Builds the WASI part of a plugin's imports. `importNames` are the
 * component's import names (e.g. `compile(bytes).validated.type.imports.keys()`).
 */
export async function grantWasi(caps: WasiCapabilities, importNames: Iterable<string>, options: WasiGrantOptions = {}): Promise<Record<string, unknown>> {
  const all = await granted(caps, options.name ?? 'plugin');
  const imports: Record<string, unknown> = {};
  for (const importName of importNames) {
    const m = WASI_NAME.exec(importName);
    if (m === null) continue;
    const iface = all[m[1]!]?.[m[2]!];
    if (iface !== undefined) imports[importName] = iface;
  }
  return imports;
}
