/**
 * The key the compile cache (compile-cache.ts) files a component under: the
 * SHA-256 of its bytes. A cryptographic hash, so bytes that differ in any
 * way never share a key, not even when crafted to. On Node it is computed
 * synchronously by node:crypto, reached through `process.getBuiltinModule`
 * (no import, so browser bundles never name it); elsewhere by Web Crypto's
 * `crypto.subtle.digest`, which is asynchronous and which browsers provide in
 * secure contexts only. Where neither exists there is no key, and the
 * component is compiled every time.
 */

/** The part of node:crypto used here. */
interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(bytes: Uint8Array): { digest(encoding: 'hex'): string } };
}

/** node:crypto once looked up; null where the platform has no `process.getBuiltinModule`. */
let nodeCrypto: NodeCrypto | null | undefined;

function builtinCrypto(): NodeCrypto | null {
  if (nodeCrypto === undefined) {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    // By its bare name: the browser bundles must name no `node:` module (scripts/bundle-host.ts), and this line is in them.
    nodeCrypto = typeof p?.getBuiltinModule === 'function' ? ((p.getBuiltinModule('crypto') as NodeCrypto | undefined) ?? null) : null;
  }
  return nodeCrypto;
}

/**
 * The SHA-256 of `bytes` as lowercase hex, computed now, or undefined where
 * the platform offers no synchronous hash (browsers): what the synchronous
 * `compile` keys the cache with.
 */
export function contentHashSync(bytes: Uint8Array): string | undefined {
  return builtinCrypto()?.createHash('sha256').update(bytes).digest('hex');
}

/** The SHA-256 of `bytes` as lowercase hex, or undefined where the platform offers no hash. */
export async function contentHash(bytes: Uint8Array): Promise<string | undefined> {
  const now = contentHashSync(bytes);
  if (now !== undefined) return now;
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined;
  return hex(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

function hex(digest: Uint8Array): string {
  let s = '';
  for (const b of digest) s += b.toString(16).padStart(2, '0');
  return s;
}
