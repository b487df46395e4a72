/** Node only (imported lazily by content-hash.ts): SHA-256 of bytes, synchronously, through node:crypto. */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
