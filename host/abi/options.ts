/** Canonical options of one `canon lift` / `canon lower` (definitions.py `CanonicalOptions`). */
export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

export type Realloc = (origPtr: number, origSize: number, align: number, newSize: number) => number;

export interface CanonOptions {
  memory: WebAssembly.Memory | undefined;
  realloc: Realloc | undefined;
  /** `canon lift` only: called with the callee's flat results after they were lifted. */
  postReturn: ((...flat: unknown[]) => void) | undefined;
  stringEncoding: StringEncoding;
  /** 🔀 The `async` option: the async ABI (absent: false). */
  async?: boolean;
  /** 🔀 `canon lift` with `async`: the `callback` core function (absent: stackful). */
  callback?: ((eventCode: number, p1: number, p2: number) => unknown) | undefined;
}

/** definitions.py `MAX_FLAT_PARAMS` / `MAX_FLAT_RESULTS` (synchronous functions). */
export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;
/** definitions.py `MAX_FLAT_ASYNC_PARAMS`: parameters of an async-lowered import. */
export const MAX_FLAT_ASYNC_PARAMS = 4;
