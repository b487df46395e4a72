/** Canonical options of one `canon lift` / `canon lower` (definitions.py `CanonicalOptions`, sync subset). */
export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

export type Realloc = (origPtr: number, origSize: number, align: number, newSize: number) => number;

export interface CanonOptions {
  memory: WebAssembly.Memory | undefined;
  realloc: Realloc | undefined;
  /** `canon lift` only: called with the callee's flat results after they were lifted. */
  postReturn: ((...flat: unknown[]) => void) | undefined;
  stringEncoding: StringEncoding;
}

/** definitions.py `MAX_FLAT_PARAMS` / `MAX_FLAT_RESULTS` (synchronous functions). */
export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;
