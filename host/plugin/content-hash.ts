/**
 * The key the compile cache (compile-cache.ts) files a component under: the
 * SHA-256 of its bytes. A cryptographic hash, so bytes that differ in any
 * way never share a key, not even when crafted to. On Node it is computed
 * by node:crypto (`content-hash-node.ts`, imported lazily, so browser bundles
 * never contain it); elsewhere by Web Crypto's `crypto.subtle.digest`, which
 * browsers provide in secure contexts only. Where neither exists there is no
 * key, and the component is compiled every time.
 */
import { runsOnNode } from '../source.ts';

type Hasher = (bytes: Uint8Array) => Promise<string>;

let hasher: Promise<Hasher | undefined> | undefined;

/** The SHA-256 of `bytes` as lowercase hex, or undefined where the platform offers no hash. */
export async function contentHash(bytes: Uint8Array): Promise<string | undefined> {
  const hash = await (hasher ??= findHasher());
  return hash === undefined ? undefined : hash(bytes);
}

async function findHasher(): Promise<Hasher | undefined> {
  if (runsOnNode()) {
    const { sha256Hex } = await import('./content-hash-node.ts');
    return async (bytes) => sha256Hex(bytes);
  }
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined;
  return async (bytes) => hex(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

function hex(digest: Uint8Array): string {
  let s = '';
  for (const b of digest) s += b.toString(16).padStart(2, '0');
  return s;
}
