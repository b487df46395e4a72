/**
 * Declarations for a component whose names shadow built-in types (an
 * interface `promise` with a record `array`): the generated module still
 * means the global Promise and Array where it uses them. Type-checked only.
 */
import type { Exports, IsolatedExports } from '../../../build/bindings/shadowing.js';

export async function useShadowing(inProcess: Exports, isolated: IsolatedExports): Promise<number> {
  const records: Array<{ x: number }> = inProcess.promise.get();
  const bytes: Uint8Array = await isolated.promise.bytes();
  return records.length + bytes.length;
}
