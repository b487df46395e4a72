/**
 * wasi:filesystem 0.2 for one plugin, on preview2-shim's Node implementation
 * through its per-namespace `createFilesystem` (never the shim's global
 * preopen list). The shim confines paths to each preopen (no `..` past the
 * root, no absolute symlinks); this module adds read-only preopens, bounds
 * read lengths, converts the shim's thrown error codes into the host's
 * ResultError, and gives streams this plugin's own wasi:io objects.
 */
import { ResultError } from '../errors.ts';
import { InputStream, IoError, MAX_READ_CHUNK, OutputStream } from './io.ts';
import type { PreopenGrant } from './capabilities.ts';

type Mode = PreopenGrant['mode'];
type ShimDescriptor = Record<string, (...a: unknown[]) => unknown>;
type Flags = Record<string, boolean | undefined>;

/** The shim throws wasi error-code strings; those are the `err` case of the WIT result. */
function call<R>(f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (typeof e === 'string') throw new ResultError(e);
    throw e;
  }
}

function readOnly(): never {
  throw new ResultError('read-only');
}

/** wasi:filesystem/types `descriptor`: a shim descriptor plus the mode its preopen was granted with. */
export class Descriptor {
  constructor(
    private readonly inner: ShimDescriptor,
    private readonly mode: Mode,
  ) {}

  private get writable(): boolean {
    return this.mode === 'read-write';
  }

  private mutate(name: string, ...args: unknown[]): unknown {
    if (!this.writable) readOnly();
    return call(() => this.inner[name]!(...args));
  }

  private get(name: string, ...args: unknown[]): unknown {
    return call(() => this.inner[name]!(...args));
  }

  /** Another descriptor argument must be one of ours; the shim needs its own object. */
  private static unwrap(d: unknown): ShimDescriptor {
    if (!(d instanceof Descriptor)) throw new TypeError('expected a descriptor');
    if (!d.writable) readOnly();
    return d.inner;
  }

  readViaStream(offset: bigint): InputStream {
    let at = offset;
    return new InputStream((max) => {
      const [bytes, eof] = this.get('read', BigInt(max), at) as [Uint8Array, boolean];
      at += BigInt(bytes.length);
      return { bytes, eof };
    });
  }
  writeViaStream(offset: bigint): OutputStream {
    if (!this.writable) readOnly();
    let at = offset;
    return new OutputStream((bytes) => {
      at += this.mutate('write', bytes, at) as bigint;
    });
  }
  appendViaStream(): OutputStream {
    if (!this.writable) readOnly();
    const size = (this.get('stat') as { size: bigint }).size;
    return this.writeViaStream(size);
  }
  advise(offset: bigint, length: bigint, advice: string): void {
    this.get('advise', offset, length, advice);
  }
  syncData(): void {
    this.get('syncData');
  }
  getFlags(): Flags {
    const f = { ...(this.get('getFlags') as Flags) };
    if (!this.writable) {
      f.write = false;
      f.mutateDirectory = false;
    }
    return f;
  }
  getType(): unknown {
    return this.get('getType');
  }
  setSize(size: bigint): void {
    this.mutate('setSize', size);
  }
  setTimes(a: unknown, m: unknown): void {
    this.mutate('setTimes', a, m);
  }
  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const n = length > BigInt(MAX_READ_CHUNK) ? BigInt(MAX_READ_CHUNK) : length;
    return this.get('read', n, offset) as [Uint8Array, boolean];
  }
  write(buffer: Uint8Array, offset: bigint): bigint {
    return this.mutate('write', buffer, offset) as bigint;
  }
  readDirectory(): DirectoryEntryStream {
    return new DirectoryEntryStream(this.get('readDirectory') as ShimDescriptor);
  }
  sync(): void {
    this.get('sync');
  }
  createDirectoryAt(path: string): void {
    this.mutate('createDirectoryAt', path);
  }
  stat(): unknown {
    return this.get('stat');
  }
  statAt(pathFlags: Flags, path: string): unknown {
    return this.get('statAt', pathFlags, path);
  }
  setTimesAt(pathFlags: Flags, path: string, a: unknown, m: unknown): void {
    this.mutate('setTimesAt', pathFlags, path, a, m);
  }
  linkAt(oldFlags: Flags, oldPath: string, newDescriptor: unknown, newPath: string): void {
    if (!this.writable) readOnly();
    const target = Descriptor.unwrap(newDescriptor);
    this.mutate('linkAt', oldFlags, oldPath, target, newPath);
  }
  openAt(pathFlags: Flags, path: string, openFlags: Flags, flags: Flags): Descriptor {
    if (!this.writable && (flags.write || flags.mutateDirectory || openFlags.create || openFlags.truncate)) readOnly();
    return new Descriptor(this.get('openAt', pathFlags, path, openFlags, flags) as ShimDescriptor, this.mode);
  }
  readlinkAt(path: string): string {
    return this.get('readlinkAt', path) as string;
  }
  removeDirectoryAt(path: string): void {
    this.mutate('removeDirectoryAt', path);
  }
  renameAt(oldPath: string, newDescriptor: unknown, newPath: string): void {
    if (!this.writable) readOnly();
    const target = Descriptor.unwrap(newDescriptor);
    this.mutate('renameAt', oldPath, target, newPath);
  }
  symlinkAt(target: string, path: string): void {
    this.mutate('symlinkAt', target, path);
  }
  unlinkFileAt(path: string): void {
    this.mutate('unlinkFileAt', path);
  }
  isSameObject(other: unknown): boolean {
    return other instanceof Descriptor && (this.get('isSameObject', other.inner) as boolean);
  }
  metadataHash(): unknown {
    return this.get('metadataHash');
  }
  metadataHashAt(pathFlags: Flags, path: string): unknown {
    return this.get('metadataHashAt', pathFlags, path);
  }
  [Symbol.dispose](): void {
    (this.inner as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  }
}

/** wasi:filesystem/types `directory-entry-stream`. */
export class DirectoryEntryStream {
  constructor(private readonly inner: ShimDescriptor) {}
  readDirectoryEntry(): unknown {
    return call(() => this.inner.readDirectoryEntry!());
  }
  [Symbol.dispose](): void {
    (this.inner as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  }
}

/** The wasi:filesystem interfaces for one plugin with exactly `grants` as its directories. */
export async function filesystemInterfaces(grants: readonly PreopenGrant[]): Promise<Record<string, Record<string, unknown>>> {
  const seen = new Set<string>();
  for (const g of grants) {
    if (seen.has(g.guestPath)) throw new TypeError(`preopens: guest path ${g.guestPath} is granted twice`);
    seen.add(g.guestPath);
  }
  const entries: [Descriptor, string][] = [];
  if (grants.length > 0) {
    const shim = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as {
      createFilesystem(o: { preopens: Record<string, string> }): { preopens: { getDirectories(): [ShimDescriptor, string][] } };
    };
    // One namespace per grant, so each descriptor keeps its own mode.
    for (const g of grants) {
      const [[d]] = shim.createFilesystem({ preopens: { [g.guestPath]: g.hostPath } }).preopens.getDirectories() as [[ShimDescriptor, string]];
      entries.push([new Descriptor(d, g.mode), g.guestPath]);
    }
  }
  return {
    types: {
      Descriptor,
      DirectoryEntryStream,
      // Errors from our streams carry their message only; no filesystem code can be recovered from them.
      filesystemErrorCode: (_e: IoError) => undefined,
    },
    preopens: { getDirectories: () => entries.map(([d, p]) => [d, p]) },
  };
}
