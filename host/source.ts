/**
 * Reading a component from what `load`, `reload` and `expect` accept: bytes,
 * a file path (Node), or a URL (`file:` on Node, anything `fetch` takes).
 * The file system is reached only through `read-file-node.ts`, imported on
 * Node alone, so browser bundles never contain it.
 */
import { LoadError } from './errors.ts';

/** A component: its bytes, a file path (Node), or a URL (in a browser a string is a URL relative to the page). */
export type ComponentSource = Uint8Array | ArrayBuffer | string | URL;

export function runsOnNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

/** The bytes of `source`; LoadError('io') naming it when it cannot be read. */
export async function readSource(source: ComponentSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  try {
    if (runsOnNode() && (typeof source === 'string' || source.protocol === 'file:')) {
      const { readFileBytes } = await import('./read-file-node.ts');
      return await readFileBytes(source);
    }
    const res = await fetch(typeof source === 'string' ? new URL(source, globalThis.location?.href) : source);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const what = typeof source === 'string' ? source : source instanceof URL ? source.href : String(source);
    throw new LoadError('io', `cannot read component ${what}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}
