/**
 * What a plugin may do through WASI. Everything is denied unless granted
 * here; each plugin gets its own configuration and its own implementation
 * objects, so a grant to one plugin never changes what another can do.
 */

export interface PreopenGrant {
  /** The directory on the host. */
  readonly hostPath: string;
  /** The name the guest sees (e.g. `/data`). */
  readonly guestPath: string;
  readonly mode: 'read-only' | 'read-write';
}

/** Where a standard output stream goes: discarded, the host process's own stream, or a function. */
export type OutputGrant = 'discard' | 'inherit' | ((bytes: Uint8Array) => void);

export interface WasiCapabilities {
  /** Environment variables visible to the plugin (none by default). */
  readonly env?: Readonly<Record<string, string>>;
  /** Command-line arguments visible to the plugin (none by default). */
  readonly args?: readonly string[];
  /** `wasi:cli/environment.initial-cwd` (none by default). */
  readonly cwd?: string;
  /** Bytes the plugin reads from stdin (empty by default). */
  readonly stdin?: Uint8Array;
  /** Default 'discard'. */
  readonly stdout?: OutputGrant;
  /** Default 'discard'. */
  readonly stderr?: OutputGrant;
  /** Grants wasi:clocks (a timing source, so off by default). */
  readonly clocks?: boolean;
  /** Grants wasi:random (off by default). */
  readonly random?: boolean;
  /**
   * Grants wasi:filesystem with exactly these directories (Node only). An
   * empty array grants the interfaces with no directories at all.
   */
  readonly preopens?: readonly PreopenGrant[];
  /** Network access (wasi:sockets, wasi:http) is not offered: plugins importing it fail at load. */
  readonly network?: false;
}
